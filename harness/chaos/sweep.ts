// The configuration sweep: every combination of the grid (writers × writer rate × overlap ×
// readers × reader rate; the default 3 × 2 × 4 × 2 × 2 = 96, the original's dimensions), each run
// for `durationS` on its own key prefix with its own history (<outDir>/<label>/history.jsonl),
// in batches of `parallel` run at once (the original: 8) — a batch ends before the next begins,
// so every configuration shares the store with the same number of others. Each configuration
// becomes one SweepRow (its figures from its history, figures.ts) and one SweepCheck (the checker's
// verdict on its history, check/index.ts, unless the caller brings its own or none).
//
// The best configuration (chooseBest): the lowest precondition-failure rate among configurations
// with at least `minCommits` commits — a rate over a handful of attempts means nothing — ties
// broken by the higher write TPS, then by label. If none has enough commits, the one with the most
// commits, and the explanation says so.
//
// Stopping: when `signal` aborts, the running configurations stop (their histories stay partial),
// no further batch starts, and runSweep rejects with the signal's reason. A configuration that
// fails (the store refused the session) fails the sweep after its batch has ended.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { checkHistoryFile, summarizeCheck } from './check/index.ts'
import { figuresFromHistoryFile } from './figures.ts'
import { openHistory } from './history.ts'
import type { StoreSession, SweepRow, WorkloadParams } from './types.ts'
import { runWorkload } from './workload.ts'

/** The grid's dimensions (the config's chaos.sweep has them). */
export interface SweepSpec {
  writers: readonly number[]
  writer_rate: readonly number[]
  overlap: readonly number[]
  readers: readonly number[]
  reader_rate: readonly number[]
}

/** One configuration of the grid. */
export interface SweepConfig {
  /** e.g. 'w3_wr5_o0.2_r2_rr10' */
  label: string
  writers: number
  writer_rate: number
  overlap: number
  readers: number
  reader_rate: number
}

export function sweepLabel(c: Omit<SweepConfig, 'label'>): string {
  return `w${c.writers}_wr${c.writer_rate}_o${c.overlap}_r${c.readers}_rr${c.reader_rate}`
}

/** Every configuration of the grid, writers outermost, reader rate innermost; labels are unique (repeated grid values are dropped). */
export function sweepGrid(spec: SweepSpec): SweepConfig[] {
  const uniq = (xs: readonly number[]): number[] => [...new Set(xs)]
  const out: SweepConfig[] = []
  for (const writers of uniq(spec.writers))
    for (const writer_rate of uniq(spec.writer_rate))
      for (const overlap of uniq(spec.overlap))
        for (const readers of uniq(spec.readers))
          for (const reader_rate of uniq(spec.reader_rate)) {
            const c = { writers, writer_rate, overlap, readers, reader_rate }
            out.push({ label: sweepLabel(c), ...c })
          }
  return out
}

export interface SweepProgress {
  done: number
  total: number
  elapsedS: number
  /** Seconds still expected, from the batches done so far (before the first: batches × duration). */
  etaS: number
  /** The configuration that just finished, when one did. */
  config?: string
}

/** The checker's verdict on one configuration's history. */
export interface SweepCheck {
  config: string
  valid: boolean
  summary: string
}

export interface SweepOptions {
  configs: readonly SweepConfig[]
  /** Configurations run at once (the original: 8). */
  parallel: number
  /** A session on a fresh namespace `prefix` of the store. */
  makeSession: (prefix: string) => Promise<StoreSession>
  /** Everything but the grid's dimensions and the duration. */
  base: Omit<WorkloadParams, 'duration_s'> & { duration_s?: number }
  durationS: number
  outDir: string
  /** The store's name for the histories' headers. */
  store?: string
  /** Judges a finished history; default: the checker (check/index.ts); null: no checks (`checks` empty). */
  check?: ((historyPath: string) => Promise<{ valid: boolean; summary: string }>) | null
  signal?: AbortSignal
  onProgress?: (p: SweepProgress) => void
}

export interface SweepResult {
  /** One row per configuration, in the order of `configs`. */
  rows: SweepRow[]
  checks: SweepCheck[]
  /** Each configuration's history.jsonl, by label. */
  histories: Record<string, string>
}

async function checkWithChecker(historyPath: string): Promise<{ valid: boolean; summary: string }> {
  const result = await checkHistoryFile(historyPath)
  return { valid: result.valid, summary: summarizeCheck(result) }
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const parallel = Math.max(1, Math.floor(opts.parallel))
  const check = opts.check === undefined ? checkWithChecker : opts.check
  const total = opts.configs.length
  const runId = Date.now().toString(36)
  const started = performance.now()
  const rows: SweepRow[] = []
  const checks: SweepCheck[] = []
  const histories: Record<string, string> = {}
  let done = 0
  const elapsedS = (): number => (performance.now() - started) / 1000
  const report = (config?: string): void => {
    const batches = Math.ceil(total / parallel)
    const etaS = done === 0 ? batches * opts.durationS : (elapsedS() / done) * (total - done)
    opts.onProgress?.({ done, total, elapsedS: elapsedS(), etaS, ...(config ? { config } : {}) })
  }

  const runOne = async (c: SweepConfig): Promise<{ row: SweepRow; check?: SweepCheck; history: string }> => {
    const params: WorkloadParams = { ...opts.base, writers: c.writers, writer_rate: c.writer_rate, overlap: c.overlap, readers: c.readers, reader_rate: c.reader_rate, duration_s: opts.durationS }
    const prefix = `sweep-${runId}-${c.label}`
    const dir = join(opts.outDir, c.label)
    mkdirSync(dir, { recursive: true })
    const session = await opts.makeSession(prefix)
    const history = openHistory(join(dir, 'history.jsonl'), { type: 'header', store: opts.store ?? 'store', prefix, started: new Date().toISOString(), workload: params })
    await runWorkload({ session, params, history, ...(opts.signal ? { signal: opts.signal } : {}) })
    const path = await history.finish()
    const figures = await figuresFromHistoryFile(path, opts.durationS)
    const row: SweepRow = { config: c.label, writers: c.writers, writer_rate: c.writer_rate, overlap: c.overlap, readers: c.readers, reader_rate: c.reader_rate, duration_s: opts.durationS, ...figures }
    const verdict = check ? await check(path) : undefined
    return { row, history: path, ...(verdict ? { check: { config: c.label, ...verdict } } : {}) }
  }

  report()
  for (let i = 0; i < total; i += parallel) {
    if (opts.signal?.aborted) break
    const batch = opts.configs.slice(i, i + parallel)
    const settled = await Promise.allSettled(
      batch.map(async (c) => {
        const r = await runOne(c)
        done++
        report(c.label)
        return r
      }),
    )
    if (opts.signal?.aborted) break
    const failed = settled.findIndex((s) => s.status === 'rejected')
    if (failed >= 0) {
      const reason = (settled[failed] as PromiseRejectedResult).reason as unknown
      throw new Error(`sweep ${batch[failed]!.label}: ${reason instanceof Error ? reason.message : String(reason)}`, { cause: reason })
    }
    for (const s of settled) {
      const r = (s as PromiseFulfilledResult<Awaited<ReturnType<typeof runOne>>>).value
      rows.push(r.row)
      histories[r.row.config] = r.history
      if (r.check) checks.push(r.check)
    }
  }
  if (opts.signal?.aborted) throw opts.signal.reason ?? new Error(`sweep stopped after ${done} of ${total} configurations`)
  return { rows, checks, histories }
}

export interface BestChoice {
  row: SweepRow
  explanation: string
  /** The second best by the same rule, when there is one. */
  runnerUp?: SweepRow
  /** Configurations left out for fewer than minCommits commits. */
  excluded: number
}

const pct = (r: number): string => `${(r * 100).toFixed(2)} %`
const tps = (t: number): string => `${Number.isFinite(t) ? t.toFixed(1) : 'n/a'} commits/s`
const figure = (r: SweepRow): string => `${pct(r.precondition_failure_rate)} (${r.precondition_failures} of ${r.commit_attempts} commit attempts), ${tps(r.write_tps)}, ${r.commits} commits`

function better(a: SweepRow, b: SweepRow): number {
  const byRate = a.precondition_failure_rate - b.precondition_failure_rate
  if (byRate !== 0) return byRate
  const byTps = (Number.isFinite(b.write_tps) ? b.write_tps : -1) - (Number.isFinite(a.write_tps) ? a.write_tps : -1)
  if (byTps !== 0) return byTps
  return a.config < b.config ? -1 : a.config > b.config ? 1 : 0
}

/** The best configuration: lowest failure rate among those with ≥ minCommits commits (see the header), with why. */
export function chooseBest(rows: readonly SweepRow[], minCommits: number): BestChoice {
  if (rows.length === 0) throw new Error('chooseBest: the sweep has no configurations to choose from')
  const qualified = rows.filter((r) => r.commits >= minCommits).sort(better)
  const excluded = rows.length - qualified.length
  if (qualified.length === 0) {
    const [row, next] = [...rows].sort((a, b) => b.commits - a.commits || better(a, b))
    return {
      row: row!,
      excluded,
      ...(next ? { runnerUp: next } : {}),
      explanation:
        `no configuration reached ${minCommits} commits (all ${rows.length} excluded), so its failure rate means little; ` +
        `fell back to the most commits: ${row!.config} at ${figure(row!)}` +
        (next ? `; next most: ${next.config} with ${next.commits} commits` : ''),
    }
  }
  const [row, next] = qualified
  const tie = next !== undefined && next.precondition_failure_rate === row!.precondition_failure_rate
  return {
    row: row!,
    excluded,
    ...(next ? { runnerUp: next } : {}),
    explanation:
      `${row!.config}: lowest precondition-failure rate, ${figure(row!)}, among ${qualified.length} configurations with at least ${minCommits} commits` +
      ` (${excluded} excluded for fewer)` +
      (next ? `; runner-up ${next.config} at ${figure(next)}${tie ? ' — the same rate, so the higher write TPS decided' : ''}` : '; no runner-up'),
  }
}
