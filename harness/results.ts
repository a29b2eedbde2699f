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

/** How one head-versus-base comparison came out. */
export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive'

/**
 * What a gate decided, in words that cannot be misread: a comparison's verdict, or for a limit
 * (kind 'limit') `holds` or `fails`.
 */
export type Decision = Verdict | 'holds' | 'fails'

export const DECISIONS = ['regressed', 'improved', 'unchanged', 'inconclusive', 'holds', 'fails'] as const satisfies readonly Decision[]

export function decisionOf(c: Pick<Comparison, 'verdict' | 'kind'>): Decision {
  if (c.kind !== 'limit') return c.verdict
  return c.verdict === 'regressed' ? 'fails' : 'holds'
}

/** A ratio head/base with its confidence interval. */
export interface RatioInterval {
  estimate: number
  lo: number
  hi: number
  /** e.g. 0.95 */
  confidence: number
}

/** One gate evaluation: a benchmark's metric, head against base. */
export interface Comparison {
  /** The benchmark (or scenario) compared, e.g. 'copy 1 GiB'. */
  name: string
  /** 'time', 'throughput', 'peak_rss' or a KPI name. */
  metric: string
  unit: string
  better: 'lower' | 'higher'
  base: { label: string; median: number; n: number }
  head: { label: string; median: number; n: number }
  /** head/base of the metric's values. */
  ratio: RatioInterval
  /** Relative change that counts, e.g. 0.05: the smallest regression that must fail. */
  threshold: number
  /** How the threshold decided (harness/stats/verdict.ts); absent in results written before rules had names ('conservative'). */
  rule?: 'catch' | 'conservative'
  /**
   * 'comparison' (default): head against base, worded regressed / improved / unchanged / inconclusive.
   * 'limit': a bound the head must keep (toHoldParity: at least 95 % of the reference, within 8×),
   * worded holds (any verdict but regressed) or fails (regressed).
   */
  kind?: 'comparison' | 'limit'
  verdict: Verdict
  /** Rounds measured (interleaved pairs), including any extra rounds for an inconclusive result. */
  rounds: number
  /** 'interleaved', 'sequential' or 'baseline' (head against a stored baseline). */
  order: string
  /** Short description of the statistical method, e.g. 'bootstrap median ratio, 2000 resamples'. */
  method: string
  /** Set when base and head come from different environment fingerprints. */
  fingerprintWarning?: string
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
  /** Gate evaluations made in the test (interleaved comparisons, baseline checks). */
  comparisons?: Comparison[]
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
