// The suite runner: each scenario in turn, isolated, every system measured under the same load.
//
// Per scenario:
//   1. every system started on its own free loopback port (startSystem: readiness by a real check,
//      one retry on a start-up failure), in a private working directory, logs in its results folder;
//   2. data preloaded into each; versions asked for metadata.json;
//   3. one sampler watches every server's process tree (CPU, RSS, threads, I/O, loopback traffic)
//      at `sampleIntervalS`; a trial's rows are its measured window;
//   4. trials interleaved across systems — ours, competitor, …, then the reverse order, then again —
//      so drift over the run (thermal, noisy neighbours) does not favour either side; `cooldownS`
//      of idle time between trials and between scenarios;
//   5. each trial bounded by `runTimeoutS` (default warm-up + duration + 60 s); a trial past it
//      fails the scenario, and the runner goes on with the next one;
//   6. every process stopped by its process group (never by name) in a finally, whether the
//      scenario completed, failed or was interrupted.
// The scenario's folder is `<run>/<name>.partial` until it completed, then renamed; an interrupted
// or failed scenario keeps the suffix with whatever trials it finished.
import { mkdirSync, renameSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openModelLoad } from '../load/index.ts'
import type { LoadProgress, LoadResult } from '../load/types.ts'
import { CSV_HEADER, formatRow, readMetricsCsv } from '../metrics/csv.ts'
import { startSampler, type Sampler } from '../metrics/sampler.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { runLoadTool } from './load-tool.ts'
import { loadSpecFor, timing, type Shorten } from './load-spec.ts'
import { preload } from './preload.ts'
import type { Scenario } from './scenario-schema.ts'
import { serverMetricsOf } from './server-metrics.ts'
import { summarizeScenario } from './summary.ts'
import { startSystem, systemVersion, type RunningSystem } from './systems.ts'
import type { ScenarioOutcome, TrialResult } from './types.ts'

export interface ScenarioEntry {
  file: string
  scenario: Scenario
}

export interface RunnerOptions {
  /** The benchgate checkout ({repo} in templates, the default cwd). */
  repo: string
  /** This run's folder; each scenario gets a folder inside. */
  runDir: string
  cooldownS: number
  sampleIntervalS: number
  runTimeoutS?: number
  shorten?: Shorten | null
  /** Aborting (Ctrl-C) ends the current trial at once; the scenario is cleaned up and marked interrupted. */
  signal?: AbortSignal
  /** Lines for the log (start-up, trial done). */
  log?: (line: string) => void
  /** The live progress line, about once a second. */
  progress?: (line: string) => void
}

/** One step of a scenario's interleaved order. */
export interface PlannedTrial {
  system: string
  trial: number
}

/** Ours first, then the competitors in file order; every odd trial reversed (A B C, C B A, A B C …). */
export function interleavedOrder(scenario: Scenario, trials: number): PlannedTrial[] {
  const names = [...scenario.systems].sort((a, b) => (a.role === b.role ? 0 : a.role === 'ours' ? -1 : 1)).map((s) => s.name)
  const order: PlannedTrial[] = []
  for (let t = 0; t < trials; t++) for (const system of t % 2 === 0 ? names : [...names].reverse()) order.push({ system, trial: t + 1 })
  return order
}

/** Seconds a scenario is expected to take: its trials, the cooldowns, a few seconds per start. */
export function plannedSeconds(scenario: Scenario, opts: Pick<RunnerOptions, 'cooldownS' | 'shorten'>): number {
  const t = timing(scenario, opts.shorten)
  const runs = scenario.systems.length * t.trials
  return runs * (t.warmup_s + t.duration_s) + (runs - 1) * opts.cooldownS + scenario.systems.length * 2
}

export function formatPlan(entries: readonly ScenarioEntry[], opts: Pick<RunnerOptions, 'cooldownS' | 'shorten'>): string {
  const lines = entries.map(({ scenario: s, file }, i) => {
    const t = timing(s, opts.shorten)
    const arrival = s.arrival.model === 'closed' ? `closed model, ${s.connections} connections` : `${s.arrival.model} ${'rate' in s.arrival ? `${s.arrival.rate} req/s` : ''}, ${s.connections} connections`
    const order = interleavedOrder(s, Math.min(t.trials, 2)).map((p) => p.system).join(' → ')
    return `  ${i + 1}. ${s.name} (${file}): ${s.protocol}, ${arrival}; ${t.trials} trials × (${t.warmup_s} s warm-up + ${t.duration_s} s); order ${order}${t.trials > 2 ? ' …' : ''}; ~${Math.round(plannedSeconds(s, opts))} s${s.load_tool ? `; load tool ${s.load_tool.adapter}` : ''}`
  })
  const total = entries.reduce((a, e) => a + plannedSeconds(e.scenario, opts), 0) + Math.max(0, entries.length - 1) * opts.cooldownS
  return `plan: ${entries.length} scenario${entries.length === 1 ? '' : 's'}, about ${formatDuration(total)}\n${lines.join('\n')}`
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`
}

class TrialTimeout extends Error {
  constructor(system: string, trial: number, seconds: number) {
    super(`${system} trial ${trial} did not finish within ${seconds} s (run_timeout_s)`)
    this.name = 'TrialTimeout'
  }
}

/** Progress and ETA over the whole suite. */
export class SuiteClock {
  readonly #total: number
  #done = 0
  constructor(totalSeconds: number) {
    this.#total = totalSeconds
  }
  advance(seconds: number): void {
    this.#done += seconds
  }
  eta(inCurrent: number): number {
    return Math.max(0, this.#total - this.#done - inCurrent)
  }
}

export interface ScenarioRun extends ScenarioOutcome {
  versions: Record<string, string | null>
}

/** Runs one scenario; never throws for a system's failure (the outcome says failed), only for a bug. */
export async function runScenario(entry: ScenarioEntry, position: { k: number; n: number }, opts: RunnerOptions, clock = new SuiteClock(plannedSeconds(entry.scenario, opts))): Promise<ScenarioRun> {
  const { scenario } = entry
  const t = timing(scenario, opts.shorten)
  const log = opts.log ?? (() => {})
  const partialDir = join(opts.runDir, `${scenario.name}.partial`)
  mkdirSync(partialDir, { recursive: true })
  const outcome: ScenarioRun = { scenario, file: entry.file, status: 'completed', trials: [], systems: [], ratios: [], thresholds: [], dir: partialDir, versions: {} }
  const running: RunningSystem[] = []
  const workDirs: ReturnType<typeof makeTempDir>[] = []
  let sampler: Sampler | undefined
  const metricsCsv = join(partialDir, 'server-metrics.csv')
  const windows: { trial: TrialResult; pid: number; from: number; to: number }[] = []
  try {
    for (const system of scenario.systems) {
      if (opts.signal?.aborted) throw opts.signal.reason
      const work = makeTempDir(`benchgate-${scenario.name}-${system.name}-`)
      workDirs.push(work)
      log(`${scenario.name}: starting ${system.name}`)
      const r = await startSystem(system, { repo: opts.repo, dir: work.path, logDir: join(partialDir, system.name), protocol: scenario.protocol, signal: opts.signal })
      running.push(r)
      outcome.versions[system.name] = await systemVersion(system, opts.repo)
      await preload(r, scenario)
      log(`${scenario.name}: ${system.name} ready on ${r.url} (pid ${r.pid})${outcome.versions[system.name] ? `, ${outcome.versions[system.name]}` : ''}`)
    }
    sampler = await startSampler({ out: metricsCsv, intervalMs: opts.sampleIntervalS * 1000 })
    for (const r of running) sampler.watch(r.pid)

    const order = interleavedOrder(scenario, t.trials)
    const runSeconds = t.warmup_s + t.duration_s
    const timeoutS = opts.runTimeoutS ?? runSeconds + 60
    for (const [i, step] of order.entries()) {
      if (i > 0 && opts.cooldownS > 0) {
        await sleep(opts.cooldownS * 1000, undefined, { signal: opts.signal }).catch(() => {})
        clock.advance(opts.cooldownS)
      }
      if (opts.signal?.aborted) throw opts.signal.reason
      const system = scenario.systems.find((s) => s.name === step.system)!
      const server = running.find((r) => r.name === step.system)!
      const timeout = AbortSignal.timeout(timeoutS * 1000)
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout
      const startedAt = new Date()
      const onProgress = (p: LoadProgress): void => {
        const inTrial = p.warmup ? p.elapsedS : t.warmup_s + p.elapsedS
        opts.progress?.(
          `scenario ${position.k}/${position.n} ${scenario.name} · ${system.name} · trial ${step.trial}/${t.trials} · ${p.warmup ? 'warm-up ' : ''}${Math.floor(p.elapsedS)}/${p.warmup ? t.warmup_s : t.duration_s} s · ${Math.round(p.rate).toLocaleString('en-US')} req/s · p99 ${p.p99Ms.toFixed(1)} ms · ETA ${formatDuration(clock.eta(inTrial))}`,
        )
      }
      const toolFiles: string[] = []
      const load: LoadResult = scenario.load_tool
        ? await runLoadTool({ scenario: { ...scenario, warmup_s: t.warmup_s, duration_s: t.duration_s }, file: entry.file, host: server.host, port: server.port, dir: join(partialDir, system.name), prefix: `trial-${step.trial}`, signal }).then((r) => {
            toolFiles.push(...r.files)
            return r.result
          })
        : await openModelLoad(loadSpecFor(scenario, server, opts.shorten, { onProgress, signal }))
      const endedAt = Date.now()
      clock.advance(runSeconds)
      if (timeout.aborted && !opts.signal?.aborted) throw new TrialTimeout(system.name, step.trial, timeoutS)
      if (opts.signal?.aborted) throw opts.signal.reason
      const name = `trial-${step.trial}.json`
      writeFileAtomic(join(partialDir, system.name, name), JSON.stringify(load, null, 1) + '\n')
      const trial: TrialResult = { system: system.name, trial: step.trial, order: i, startedAt: startedAt.toISOString(), load, server: null, files: [join(system.name, name), ...toolFiles.map((f) => relative(partialDir, resolve(partialDir, system.name, f)))] }
      outcome.trials.push(trial)
      // the measured part is the trial's last duration_s seconds (the warm-up precedes it)
      windows.push({ trial, pid: server.pid, from: endedAt - t.duration_s * 1000, to: endedAt })
      log(`${scenario.name}: ${system.name} trial ${step.trial}/${t.trials}: ${Math.round(load.throughput)} req/s, p99 ${(load.corrected ?? load.uncorrected).p99.toFixed(2)} ms, errors ${load.errors}`)
    }
  } catch (e) {
    if (opts.signal?.aborted) {
      outcome.status = 'interrupted'
    } else {
      outcome.status = 'failed'
      outcome.error = (e as Error).message
      log(`${scenario.name}: FAILED: ${outcome.error}`)
    }
  } finally {
    await Promise.all(running.map((r) => r.stop()))
    if (sampler) await sampler.stop().catch(() => {})
    for (const w of workDirs) await w.release()
  }
  // server metrics per trial, and each system's own CSV
  const rows = (sampler && readMetricsCsv(metricsCsv)) || []
  for (const w of windows) w.trial.server = serverMetricsOf(rows, w.pid, w.from, w.to, opts.sampleIntervalS)
  for (const r of running) {
    const mine = rows.filter((row) => row.pid === r.pid)
    if (mine.length) writeFileAtomic(join(partialDir, r.name, 'server-metrics.csv'), CSV_HEADER + '\n' + mine.map(formatRow).join(''))
  }
  Object.assign(outcome, summarizeScenario(scenario, outcome.trials, outcome.versions, running))
  for (const s of outcome.systems) {
    writeFileAtomic(join(partialDir, s.name, 'summary.json'), JSON.stringify({ ...s, trials: outcome.trials.filter((x) => x.system === s.name).map((x) => ({ trial: x.trial, throughput: x.load.throughput, p99: (x.load.corrected ?? x.load.uncorrected).p99, errors: x.load.errors, server: x.server })) }, null, 1) + '\n')
  }
  if (outcome.status === 'completed') {
    const finalDir = join(opts.runDir, scenario.name)
    renameSync(partialDir, finalDir)
    outcome.dir = finalDir
  } else {
    writeFileAtomic(join(partialDir, 'PARTIAL'), `${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}\n`)
  }
  return outcome
}

export interface SuiteResult {
  outcomes: ScenarioRun[]
  interrupted: boolean
}

/** Every scenario in order, with cooldowns between; stops after the current scenario when aborted. */
export async function runSuite(entries: readonly ScenarioEntry[], opts: RunnerOptions): Promise<SuiteResult> {
  const clock = new SuiteClock(entries.reduce((a, e) => a + plannedSeconds(e.scenario, opts), 0) + Math.max(0, entries.length - 1) * opts.cooldownS)
  const outcomes: ScenarioRun[] = []
  for (const [i, entry] of entries.entries()) {
    if (i > 0 && opts.cooldownS > 0 && !opts.signal?.aborted) {
      await sleep(opts.cooldownS * 1000, undefined, { signal: opts.signal }).catch(() => {})
      clock.advance(opts.cooldownS)
    }
    if (opts.signal?.aborted) break
    outcomes.push(await runScenario(entry, { k: i + 1, n: entries.length }, opts, clock))
  }
  return { outcomes, interrupted: opts.signal?.aborted ?? false }
}
