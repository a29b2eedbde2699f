// Builds a baseline from what a run measured (pure: the reporter gathers the inputs).
import type { Kpi } from '../results.ts'
import { BASELINE_KIND, BASELINE_VERSION, type Baseline, type BaselineStats, type BaselineTest, type Fingerprint } from './format.ts'

type Stats = Partial<Omit<BaselineStats, 'samplesCount'>> & { samplesCount?: number; samples?: readonly number[] | undefined }

/** One reported test: its identity, KPIs and Vitest's benchmark results (TestCase.benchmarks()). */
export interface MeasuredTest {
  project: string
  /** Relative to the repository root. */
  file: string
  /** Full test name, suites joined with ' > '. */
  test: string
  kpis: readonly Kpi[]
  benchmarks: ReadonlyArray<{ name: string; tasks: ReadonlyArray<{ name: string; latency: Stats; fromStore?: boolean }> }>
}

export interface BuiltBaseline {
  baseline: Baseline
  /** Tasks left out because they carry no samples: `file > test > task (reason)`. */
  skipped: string[]
}

function stat(v: number | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0
}

export function buildBaseline(tests: readonly MeasuredTest[], fingerprint: Fingerprint, created: Date = new Date()): BuiltBaseline {
  const skipped: string[] = []
  const out: BaselineTest[] = []
  for (const t of tests) {
    const entry: BaselineTest = { project: t.project, file: t.file.split('\\').join('/'), test: t.test, kpis: t.kpis.map((k) => ({ ...k })), benchmarks: [] }
    for (const group of t.benchmarks) {
      for (const task of group.tasks) {
        const where = `${entry.file} > ${t.test} > ${task.name}`
        if (task.fromStore) {
          skipped.push(`${where} (read from a stored result, not measured)`)
          continue
        }
        const samples = task.latency.samples
        if (!samples || samples.length === 0) {
          skipped.push(`${where} (no samples: benchmark.retainSamples is off)`)
          continue
        }
        const l = task.latency
        const measured = {
          benchmark: group.name,
          task: task.name,
          unit: 'ms' as const,
          samples: [...samples],
          stats: {
            mean: stat(l.mean), p50: stat(l.p50), p75: stat(l.p75), p99: stat(l.p99), min: stat(l.min), max: stat(l.max),
            sd: stat(l.sd), rme: stat(l.rme), samplesCount: l.samplesCount ?? samples.length,
          },
        }
        // The same task measured twice in one test: the later measurement stands.
        const existing = entry.benchmarks.findIndex((b) => b.benchmark === group.name && b.task === task.name)
        if (existing >= 0) entry.benchmarks[existing] = measured
        else entry.benchmarks.push(measured)
      }
    }
    if (entry.benchmarks.length > 0 || entry.kpis.length > 0) out.push(entry)
  }
  return {
    baseline: { kind: BASELINE_KIND, version: BASELINE_VERSION, created: created.toISOString(), fingerprint, tests: out },
    skipped,
  }
}
