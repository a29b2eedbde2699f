// The competitive report: per scenario a `summary.md` and three charts (SVG and PNG) in the
// scenario's folder, and one `summary.md` for the whole run in the results folder. Every file is
// written atomically (../run/atomic.ts, ../charts/output.ts): a run cut short leaves the previous
// file or none, never half of one.
//
// A scenario's section: the load (open model with its arrival, or "closed model (hides queueing
// delay)" — a closed-loop tool such as wrk only sends when the previous answer came back, so a
// stalled server is offered less load and its queueing never shows in the latency); one table, a
// row per system — offered rate, achieved throughput, p50, p90, p99, p99.9, max, error %, late,
// dropped, the generator's CPU, the server's CPU and RSS peaks — the medians over trials of
// ./summary.ts, latency marked † where it is the uncorrected (actual-send) figure; the ratio of
// ours to each competitor with its 95 % interval over the trials and the verdict; the thresholds,
// passed or missed; links to the charts (./charts.ts). A scenario that was interrupted or failed
// is labelled PARTIAL (its figures are those of the trials that finished) or FAILED, with the
// error.
//
// The run's summary.md: an overall line first — all met; or which threshold missed in which
// scenario, which scenario crashed (failed), which was interrupted or never ran — then every
// scenario's section, chart links relative to the results folder. `allMet` is what exit code 0
// means: every planned scenario completed and met every threshold, and nothing was interrupted.
import { existsSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { writeChart } from '../charts/output.ts'
import { formatNumber } from '../charts/format.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import type { Arrival } from '../load/types.ts'
import { latencyOverTimeChart, seriesOf, spectrumChart, throughputOverTimeChart } from './charts.ts'
import type { ScenarioOutcome, SystemSummary, ThresholdCheck } from './types.ts'

export const CLOSED_LABEL = 'closed model (hides queueing delay)'

/** The charts of a scenario: file name (without extension) and caption. */
const CHARTS = [
  { name: 'latency-over-time', caption: 'p99 latency per second', build: latencyOverTimeChart },
  { name: 'percentile-spectrum', caption: 'latency by percentile', build: spectrumChart },
  { name: 'throughput-over-time', caption: 'throughput per second', build: throughputOverTimeChart },
] as const

export interface SuiteMeta {
  interrupted: boolean
  /** Names of the scenarios the run meant to run, in order. */
  planned: readonly string[]
}

export interface SuiteSummary {
  /** Path of the run's summary.md. */
  path: string
  /** Its text (printed at the end of a run). */
  text: string
  /** Every planned scenario completed and met its thresholds, nothing interrupted. */
  allMet: boolean
}

const cell = (s: string) => s.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ')
const n = (v: number | null | undefined, digits?: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : digits === undefined ? formatNumber(v) : v.toFixed(digits))

function arrivalText(a: Arrival): string {
  switch (a.model) {
    case 'constant':
      return `open model, constant ${formatNumber(a.rate)} req/s`
    case 'poisson':
      return `open model, Poisson arrivals at ${formatNumber(a.rate)} req/s (seed ${a.seed})`
    case 'burst':
      return `open model, ${formatNumber(a.rate)} req/s with bursts of ${formatNumber(a.burst_rate)} req/s for ${a.burst_s} s every ${a.every_s} s`
    case 'closed':
      return CLOSED_LABEL
  }
}

/** True when the scenario's figures come from a closed model (its arrival, or a closed-loop tool). */
function isClosed(o: ScenarioOutcome): boolean {
  return o.scenario.arrival.model === 'closed' || o.trials.some((t) => t.load.model === 'closed')
}

function loadLine(o: ScenarioOutcome): string {
  const s = o.scenario
  const generator = s.load_tool ? `external tool (${s.load_tool.adapter} adapter)` : 'benchgate generator'
  const model = isClosed(o) ? `**${CLOSED_LABEL}**` : arrivalText(s.arrival)
  const durations = o.trials.map((t) => t.load.durationS).sort((a, b) => a - b)
  const measured = durations.length ? `${n(durations[Math.floor(durations.length / 2)]!)} s measured per trial` : `${s.duration_s} s per trial planned`
  return `Load: ${model}; ${s.connections} connections; ${generator}; ${s.protocol}; ${measured}.`
}

function statusLabel(o: ScenarioOutcome): string {
  if (o.status === 'interrupted') return ' — PARTIAL (interrupted)'
  if (o.status === 'failed') return ' — FAILED (partial)'
  return ''
}

function systemRow(s: SystemSummary, trials: number): string {
  const mark = s.latencyBasis === 'uncorrected' ? ' †' : ''
  const lat = (v: number) => `${n(v)}${mark}`
  const server = s.server
  return `| ${cell(s.name)} | ${s.role} | ${cell(s.version ?? '–')} | ${trials} | ${n(s.offeredRate)} | ${n(s.throughput)} | ${lat(s.p50)} | ${lat(s.p90)} | ${lat(s.p99)} | ${lat(s.p999)} | ${lat(s.max)} | ${n(s.errorPercent, 2)} | ${n(s.late)} / ${n(s.dropped)} | ${n(s.generatorCpuPercent, 0)} | ${server ? `${n(server.cpuPercent.peak, 0)} / ${n(server.rssMB.peak, 1)}` : '–'} |`
}

function thresholdValue(t: ThresholdCheck): string {
  if (t.name.startsWith('error rate')) return Number.isFinite(t.actual) ? `${(t.actual * 100).toFixed(3)} %` : 'not measured'
  if (!Number.isFinite(t.actual)) return 'not measured'
  if (t.name.includes('×')) return `${t.actual.toFixed(3)}× (the interval's ${t.name.includes('≥') ? 'low' : 'high'} end)`
  return t.name.includes('ms') ? `${n(t.actual)} ms` : `${n(t.actual)} req/s`
}

/** A scenario's markdown section; chart links are `<linkDir>/<chart>.svg` for the charts present. */
export function scenarioSection(o: ScenarioOutcome, charts: readonly string[], linkDir = ''): string {
  const s = o.scenario
  const lines = [`## ${s.name}${statusLabel(o)}`, '']
  if (s.description) lines.push(s.description, '')
  if (o.status === 'failed') lines.push(`**Failed:** ${cell(o.error ?? 'unknown error')}. The figures below are those of the trials that finished.`, '')
  if (o.status === 'interrupted') lines.push('**Interrupted:** the figures below are those of the trials that finished.', '')
  lines.push(loadLine(o), '')
  const missing = s.systems.filter((x) => !o.systems.some((y) => y.name === x.name)).map((x) => x.name)
  if (o.systems.length) {
    const count = (name: string) => o.trials.filter((t) => t.system === name).length
    lines.push(
      'Medians over the trials; latency in ms.',
      '',
      '| system | role | version | trials | offered req/s | throughput req/s | p50 | p90 | p99 | p99.9 | max | errors % | late / dropped | generator CPU % | server CPU % / RSS MB (peak) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...o.systems.map((x) => systemRow(x, count(x.name))),
      '',
    )
    if (o.systems.some((x) => x.latencyBasis === 'uncorrected')) lines.push('† uncorrected: timed from the actual send (the tool cannot tell the intended start), which hides queueing delay.', '')
    if (o.systems.some((x) => !Number.isFinite(x.p999))) lines.push('– not reported by the tool or not measured.', '')
  } else {
    lines.push('No trial finished.', '')
  }
  if (missing.length) lines.push(`No finished trial of: ${missing.join(', ')}.`, '')
  if (o.ratios.length) {
    lines.push(
      'Ours ÷ each competitor, trials paired by index; 95 % interval over the trials (paired bootstrap). Throughput: above 1 is better for ours; p99: below 1 is better.',
      '',
      '| ours ÷ | metric | ratio | 95 % interval | verdict for ours |',
      '|---|---|---|---|---|',
      ...o.ratios.map((r) => `| ${cell(r.competitor)} | ${r.metric} | ${r.estimate.toFixed(3)}× | [${r.low.toFixed(3)}, ${r.high.toFixed(3)}] | ${r.verdict} |`),
      '',
    )
  }
  if (o.thresholds.length) {
    lines.push('Thresholds:', '', ...o.thresholds.map((t) => `- ${t.passed ? 'passed' : '**missed**'}: ${t.name} — ${thresholdValue(t)}`), '')
  } else {
    lines.push('No thresholds set.', '')
  }
  if (charts.length) {
    const prefix = linkDir ? `${linkDir}/` : ''
    lines.push(`Charts: ${CHARTS.filter((c) => charts.includes(c.name)).map((c) => `[${c.caption}](${prefix}${c.name}.svg) ([PNG](${prefix}${c.name}.png))`).join(' · ')}`, '')
  }
  return lines.join('\n')
}

/**
 * Writes the scenario's summary.md and charts into `dir` (the scenario's folder); returns the files
 * written, relative to the folder's parent (the run directory): `<scenario>/summary.md`, ….
 */
export function writeScenarioReport(dir: string, o: ScenarioOutcome): string[] {
  const series = seriesOf(o.systems, o.trials)
  const written: string[] = []
  const charts: string[] = []
  for (const c of CHARTS) {
    const svg = series.length ? c.build(series, o.scenario.name) : null
    if (svg === null) continue
    writeChart(dir, c.name, svg)
    charts.push(c.name)
    written.push(`${c.name}.svg`, `${c.name}.png`)
  }
  writeFileAtomic(join(dir, 'summary.md'), `# competitive: ${o.scenario.name}\n\n${scenarioSection(o, charts)}`)
  return ['summary.md', ...written].map((f) => join(basename(dir), f))
}

interface Overall {
  allMet: boolean
  line: string
}

/** The run's overall line (see the header). */
export function overallLine(outcomes: readonly ScenarioOutcome[], meta: SuiteMeta): Overall {
  const ran = new Set(outcomes.map((o) => o.scenario.name))
  const notRun = meta.planned.filter((p) => !ran.has(p))
  const crashed = outcomes.filter((o) => o.status === 'failed')
  const interrupted = outcomes.filter((o) => o.status === 'interrupted')
  const missed = outcomes.flatMap((o) => o.thresholds.filter((t) => !t.passed).map((t) => ({ o, t })))
  const allMet = !meta.interrupted && notRun.length === 0 && crashed.length === 0 && interrupted.length === 0 && missed.length === 0
  if (allMet) return { allMet, line: `**All ${outcomes.length} scenario${outcomes.length === 1 ? '' : 's'} ran and met their thresholds.**` }
  const parts: string[] = []
  if (missed.length) parts.push(`threshold missed: ${missed.map(({ o, t }) => `${t.name} in ${o.scenario.name} (${thresholdValue(t)}${o.status === 'completed' ? '' : ', partial'})`).join('; ')}`)
  if (crashed.length) parts.push(`crashed: ${crashed.map((o) => `${o.scenario.name} (${cell(o.error ?? 'unknown error')})`).join('; ')}`)
  if (interrupted.length) parts.push(`interrupted: ${interrupted.map((o) => o.scenario.name).join(', ')} (partial results kept)`)
  if (notRun.length) parts.push(`not run: ${notRun.join(', ')}`)
  if (parts.length === 0) parts.push('the run was interrupted')
  return { allMet, line: `**Not all met** — ${parts.join(' · ')}.` }
}

/** The run's summary.md text. `resultsDir` is where each scenario's folder lies (for the chart links). */
export function suiteSummaryMarkdown(resultsDir: string, outcomes: readonly ScenarioOutcome[], meta: SuiteMeta): { text: string; allMet: boolean } {
  const overall = overallLine(outcomes, meta)
  const completed = outcomes.filter((o) => o.status === 'completed').length
  const lines = [
    `# benchgate competitive${meta.interrupted ? ' — PARTIAL (interrupted)' : ''}`,
    '',
    overall.line,
    '',
    `${meta.planned.length} scenario${meta.planned.length === 1 ? '' : 's'} planned, ${outcomes.length} run, ${completed} completed.`,
    '',
  ]
  for (const o of outcomes) {
    const charts = CHARTS.map((c) => c.name).filter((c) => existsSync(join(o.dir, `${c}.svg`)))
    lines.push(scenarioSection(o, charts, relative(resultsDir, o.dir).split('\\').join('/')))
  }
  return { text: lines.join('\n'), allMet: overall.allMet }
}

/** Writes `<resultsDir>/summary.md` for the whole run. */
export function writeSuiteSummary(resultsDir: string, outcomes: readonly ScenarioOutcome[], meta: SuiteMeta): SuiteSummary {
  const { text, allMet } = suiteSummaryMarkdown(resultsDir, outcomes, meta)
  const path = join(resultsDir, 'summary.md')
  writeFileAtomic(path, text)
  return { path, text, allMet }
}
