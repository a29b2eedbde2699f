// A scenario's figures from its trials: one row per system, the ratio of ours to each competitor
// with an interval over the trials, and the scenario's thresholds checked. Pure: no I/O.
//
// Method
// ------
//   System rows (SystemSummary): the MEDIAN over the system's trials of each trial's figure —
//   offered rate, throughput, p50, p90, p99, p99.9, max, late, dropped, the generator's CPU (% of
//   one core: (user + system) ÷ measured seconds) — so one disturbed trial does not move the row.
//   Latency is the corrected figure (from the intended start) when every trial of the system has
//   one, else the uncorrected one (a closed-model tool such as wrk), and `latencyBasis` says which.
//   Error % is pooled: Σ errors ÷ Σ sent over the trials (rare errors are not medianed away).
//   Server metrics: per metric the median of the trials' means and the highest of their peaks.
//   A system without a finished trial has no row.
//
//   Ratios (CompetitorRatio): ours ÷ competitor for throughput and for p99, trials paired by trial
//   index (trial i of ours ran next to trial i of the competitor in the interleaved order, so
//   drift mostly divides out). The figure and its 95 % interval come from the paired percentile
//   bootstrap of ../stats/bootstrap.ts (median of the per-pair ratios, pairs resampled, 2000
//   resamples, fixed seed): the method and defaults of the regression verdicts. With 3 trials the
//   interval is the range of the three ratios; with 1 it is that one ratio. p99 pairs use the
//   corrected figure only when both systems have it in every paired trial. Pairs whose competitor
//   figure is 0 (nothing to divide by) are left out; no pair left, no ratio.
//   Verdict for ours: throughput (higher is better) better when low > 1, worse when high < 1;
//   p99 (lower is better) better when high < 1, worse when low > 1; same when the interval holds 1.
//
//   Thresholds (ThresholdCheck), all on ours: p99_ms against the row's p99 (corrected when it is;
//   the name says "uncorrected" otherwise); throughput_at_least against the row's throughput;
//   error_rate_at_most against Σ errors ÷ Σ sent (0–1). Ratio thresholds are judged
//   conservatively, on the whole interval: at_least holds when the interval's low end is at
//   least the bound, at_most when its high end is at most it — for throughput ≥ and p99 ≤ that is
//   the interval's worse end. A threshold whose figure could not be measured (no trial, no ratio)
//   fails, with actual NaN.
import { bootstrapRatio } from '../stats/bootstrap.ts'
import { median } from '../stats/quantile.ts'
import type { LoadResult, Percentiles } from '../load/types.ts'
import type { Scenario, RatioThreshold } from './scenario-schema.ts'
import type { CompetitorRatio, ServerMetrics, SystemSummary, ThresholdCheck, TrialResult } from './types.ts'

export interface ScenarioSummary {
  systems: SystemSummary[]
  ratios: CompetitorRatio[]
  thresholds: ThresholdCheck[]
}

/** A system's port as the runner started it (RunningSystem fits). */
export interface StartedSystem {
  name: string
  port: number
}

type Metric = CompetitorRatio['metric']

const finiteMedian = (values: readonly number[]): number => {
  const ok = values.filter(Number.isFinite)
  return ok.length ? median(ok) : Number.NaN
}

/** The latency figures of one trial on a basis: corrected when asked for and present, else uncorrected. */
export function latencyOf(load: LoadResult, basis: SystemSummary['latencyBasis']): Percentiles {
  return basis === 'corrected' && load.corrected ? load.corrected : load.uncorrected
}

function basisOf(trials: readonly TrialResult[]): SystemSummary['latencyBasis'] {
  return trials.length > 0 && trials.every((t) => t.load.corrected !== null) ? 'corrected' : 'uncorrected'
}

/** Σ errors ÷ Σ sent over the trials (0 when nothing was sent and nothing failed). */
function errorRate(trials: readonly TrialResult[]): number {
  const sent = trials.reduce((a, t) => a + t.load.sent, 0)
  const errors = trials.reduce((a, t) => a + t.load.errors, 0)
  return sent > 0 ? errors / sent : errors > 0 ? 1 : 0
}

function serverOf(trials: readonly TrialResult[]): ServerMetrics | null {
  const m = trials.map((t) => t.server).filter((s): s is ServerMetrics => s !== null)
  if (m.length === 0) return null
  const pick = (k: Exclude<keyof ServerMetrics, 'samples' | 'intervalS'>) => ({ mean: finiteMedian(m.map((x) => x[k].mean)), peak: Math.max(...m.map((x) => x[k].peak)) })
  return {
    samples: m.reduce((a, x) => a + x.samples, 0),
    intervalS: m[0]!.intervalS,
    cpuPercent: pick('cpuPercent'),
    rssMB: pick('rssMB'),
    threads: pick('threads'),
    ioReadBps: pick('ioReadBps'),
    ioWriteBps: pick('ioWriteBps'),
    netBps: pick('netBps'),
  }
}

function cpuPercent(load: LoadResult): number {
  const c = load.generatorCpu
  return c && load.durationS > 0 ? ((c.userS + c.systemS) / load.durationS) * 100 : Number.NaN
}

/** The row of one system over its trials (at least one). */
function summarizeSystem(system: Scenario['systems'][number], trials: readonly TrialResult[], version: string | null, port: number): SystemSummary {
  const basis = basisOf(trials)
  const lat = trials.map((t) => latencyOf(t.load, basis))
  const offered = trials.map((t) => t.load.offeredRate).filter((r): r is number => r !== null)
  const cpu = finiteMedian(trials.map((t) => cpuPercent(t.load)))
  return {
    name: system.name,
    role: system.role,
    version,
    port,
    offeredRate: offered.length ? finiteMedian(offered) : null,
    throughput: finiteMedian(trials.map((t) => t.load.throughput)),
    p50: finiteMedian(lat.map((l) => l.p50)),
    p90: finiteMedian(lat.map((l) => l.p90)),
    p99: finiteMedian(lat.map((l) => l.p99)),
    p999: finiteMedian(lat.map((l) => l.p999)),
    max: finiteMedian(lat.map((l) => l.max)),
    errorPercent: errorRate(trials) * 100,
    late: finiteMedian(trials.map((t) => t.load.late)),
    dropped: finiteMedian(trials.map((t) => t.load.dropped)),
    latencyBasis: basis,
    generatorCpuPercent: Number.isFinite(cpu) ? cpu : null,
    server: serverOf(trials),
  }
}

/** The verdict for ours of a ratio interval (see the header). */
export function ratioVerdict(metric: Metric, low: number, high: number): CompetitorRatio['verdict'] {
  const higherIsBetter = metric === 'throughput'
  if (low > 1) return higherIsBetter ? 'better' : 'worse'
  if (high < 1) return higherIsBetter ? 'worse' : 'better'
  return 'same'
}

/** Ours ÷ competitor on one metric, trials paired by index; null when no pair can be divided. */
export function competitorRatio(ours: readonly TrialResult[], theirs: readonly TrialResult[], competitor: string, metric: Metric): CompetitorRatio | null {
  const byTrial = new Map(theirs.map((t) => [t.trial, t]))
  const pairs = ours.flatMap((o) => (byTrial.has(o.trial) ? [[o, byTrial.get(o.trial)!] as const] : []))
  const basis = basisOf(pairs.flatMap(([o, c]) => [o, c]))
  const figure = (t: TrialResult) => (metric === 'throughput' ? t.load.throughput : latencyOf(t.load, basis).p99)
  const head: number[] = []
  const base: number[] = []
  for (const [o, c] of pairs) {
    const h = figure(o)
    const b = figure(c)
    if (Number.isFinite(h) && h >= 0 && Number.isFinite(b) && b > 0) {
      head.push(h)
      base.push(b)
    }
  }
  if (head.length === 0) return null
  const r = bootstrapRatio(base, head, { paired: true })
  return { competitor, metric, estimate: r.estimate, low: r.lo, high: r.hi, verdict: ratioVerdict(metric, r.lo, r.hi) }
}

const num = (v: number) => String(Number(v.toPrecision(6)))

function ratioChecks(t: RatioThreshold, ratios: readonly CompetitorRatio[]): ThresholdCheck[] {
  const r = ratios.find((x) => x.competitor === t.competitor && x.metric === t.metric)
  const checks: ThresholdCheck[] = []
  if (t.at_least !== undefined) {
    const actual = r ? r.low : Number.NaN
    checks.push({ name: `${t.metric} ≥ ${num(t.at_least)}× ${t.competitor}`, actual, limit: t.at_least, passed: actual >= t.at_least })
  }
  if (t.at_most !== undefined) {
    const actual = r ? r.high : Number.NaN
    checks.push({ name: `${t.metric} ≤ ${num(t.at_most)}× ${t.competitor}`, actual, limit: t.at_most, passed: actual <= t.at_most })
  }
  return checks
}

/** The scenario's thresholds checked against ours' row, trials and ratios. */
function checkThresholds(scenario: Pick<Scenario, 'thresholds'>, ours: SystemSummary | undefined, oursTrials: readonly TrialResult[], ratios: readonly CompetitorRatio[]): ThresholdCheck[] {
  const th = scenario.thresholds
  const checks: ThresholdCheck[] = []
  if (th.p99_ms !== undefined) {
    const actual = ours?.p99 ?? Number.NaN
    const label = ours?.latencyBasis === 'uncorrected' ? 'p99 (uncorrected)' : 'p99'
    checks.push({ name: `${label} ≤ ${num(th.p99_ms)} ms`, actual, limit: th.p99_ms, passed: actual <= th.p99_ms })
  }
  if (th.throughput_at_least !== undefined) {
    const actual = ours?.throughput ?? Number.NaN
    checks.push({ name: `throughput ≥ ${num(th.throughput_at_least)} req/s`, actual, limit: th.throughput_at_least, passed: actual >= th.throughput_at_least })
  }
  if (th.error_rate_at_most !== undefined) {
    const actual = oursTrials.length ? errorRate(oursTrials) : Number.NaN
    checks.push({ name: `error rate ≤ ${num(th.error_rate_at_most * 100)} %`, actual, limit: th.error_rate_at_most, passed: actual <= th.error_rate_at_most })
  }
  for (const t of th.ratios) checks.push(...ratioChecks(t, ratios))
  return checks
}

/** Rows, ratios and threshold checks of a scenario from its (finished) trials. */
export function summarizeScenario(scenario: Pick<Scenario, 'systems' | 'thresholds'>, trials: readonly TrialResult[], versions: Readonly<Record<string, string | null>> = {}, started: readonly StartedSystem[] = []): ScenarioSummary {
  const bySystem = new Map(scenario.systems.map((s) => [s.name, trials.filter((t) => t.system === s.name).sort((a, b) => a.trial - b.trial)]))
  const of = (name: string) => bySystem.get(name)!
  const systems = scenario.systems
    .filter((s) => of(s.name).length > 0)
    .map((s) => summarizeSystem(s, of(s.name), versions[s.name] ?? null, started.find((r) => r.name === s.name)?.port ?? s.port))
  const oursSystem = scenario.systems.find((s) => s.role === 'ours')
  const ratios: CompetitorRatio[] = []
  if (oursSystem) {
    for (const c of scenario.systems.filter((s) => s.role === 'competitor')) {
      for (const metric of ['throughput', 'p99'] as const) {
        const r = competitorRatio(of(oursSystem.name), of(c.name), c.name, metric)
        if (r) ratios.push(r)
      }
    }
  }
  const ours = systems.find((s) => s.role === 'ours')
  return { systems, ratios, thresholds: checkThresholds(scenario, ours, oursSystem ? of(oursSystem.name) : [], ratios) }
}
