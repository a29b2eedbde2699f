// The result types that travel with a test from the harness to the reporters. Reporters import
// this file only; the harness never imports a reporter.

export type KpiValue = number | string

export interface Kpi {
  name: string
  value: KpiValue
  unit: string
  /** Which way is better, for KPIs a regression verdict may judge. */
  better?: 'lower' | 'higher'
}

export interface MetricStat {
  mean: number
  p95: number
  peak: number
}

export interface BenchgateMeta {
  /** Absolute path of the test's run directory. */
  runDir: string
  project: string
  kpis: Kpi[]
  /** Sampler summary (column → stats) when the test used the sampler. */
  metrics?: Record<string, MetricStat | null>
  /** Artifact file names inside runDir. */
  artifacts: string[]
}

declare module 'vitest' {
  interface TaskMeta {
    benchgate?: BenchgateMeta
  }
}

/** Reads benchgate's metadata off any object with a `meta()` (a reported TestCase). */
export function benchgateMeta(testCase: { meta(): object }): BenchgateMeta | undefined {
  return (testCase.meta() as { benchgate?: BenchgateMeta }).benchgate
}
