// One command benchmarked on its own, in hyperfine's vocabulary with explicit counts (no
// time-based calibration): `setup` once before all runs, `prepare` before every run (warm-ups
// too), `warmups` unmeasured runs, `runs` measured runs, `cleanup` once after all of them —
// also when a run or a hook fails. Summaries are medians (wall, CPU) and maxima (memory).
import { UserError } from '../errors.ts'
import { median } from '../stats/quantile.ts'
import { runCommand } from './run.ts'
import { DEFAULT_FIELD, type CommandRun, type CommandSpec } from './spec.ts'

export interface BenchmarkOptions {
  spec: CommandSpec
  /** Once, before the first run. */
  setup?: () => unknown
  /** Before every run, warm-ups included; untimed. */
  prepare?: () => unknown
  /** Once, after the last run, also when a run failed. */
  cleanup?: () => unknown
  /** Unmeasured runs first; default 0. */
  warmups?: number
  /** Measured runs. */
  runs: number
  signal?: AbortSignal
}

export interface BenchmarkResult {
  /** The measured runs, in order. */
  runs: CommandRun[]
  /** The warm-up runs (flagged `warmup: true`). */
  warmupRuns: CommandRun[]
  medianWallSeconds: number
  meanWallSeconds: number
  minWallSeconds: number
  maxWallSeconds: number
  medianUserSeconds: number
  medianSystemSeconds: number
  /** The highest wait4 ru_maxrss (largest single process) over the measured runs. */
  peakRssBytes: number
  /** The highest tree RSS sum over the measured runs: the tool's peak memory. */
  treePeakRssBytes: number
}

function count(field: string, name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new UserError({ file: field, field: name, message: `invalid value ${String(value)}`, expected: `a whole number from ${min}` })
  }
  return value
}

export function summarize(runs: CommandRun[], warmupRuns: CommandRun[] = []): BenchmarkResult {
  const wall = runs.map((r) => r.wallSeconds)
  return {
    runs,
    warmupRuns,
    medianWallSeconds: median(wall),
    meanWallSeconds: wall.reduce((a, b) => a + b, 0) / wall.length,
    minWallSeconds: Math.min(...wall),
    maxWallSeconds: Math.max(...wall),
    medianUserSeconds: median(runs.map((r) => r.userSeconds)),
    medianSystemSeconds: median(runs.map((r) => r.systemSeconds)),
    peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
    treePeakRssBytes: Math.max(...runs.map((r) => r.treePeakRssBytes)),
  }
}

export async function benchmarkCommand(o: BenchmarkOptions): Promise<BenchmarkResult> {
  const field = o.spec.field ?? DEFAULT_FIELD
  const warmups = count(field, 'warmups', o.warmups ?? 0, 0)
  const measured = count(field, 'runs', o.runs, 1)
  const opts = o.signal ? { signal: o.signal } : {}
  const runs: CommandRun[] = []
  const warmupRuns: CommandRun[] = []
  o.signal?.throwIfAborted()
  await o.setup?.()
  try {
    for (let i = 0; i < warmups + measured; i++) {
      o.signal?.throwIfAborted()
      await o.prepare?.()
      const run = await runCommand(o.spec, opts)
      if (i < warmups) {
        run.warmup = true
        warmupRuns.push(run)
      } else runs.push(run)
    }
  } finally {
    await o.cleanup?.()
  }
  return summarize(runs, warmupRuns)
}
