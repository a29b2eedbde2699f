// What the suite runner hands the report: per scenario, per system, per trial the generator's
// LoadResult and the server's sampled metrics; the verdicts computed from them. The runner
// (runner.ts) fills these, report.ts and summary.ts only read them.
import type { LoadResult } from '../load/types.ts'
import type { Scenario } from './scenario-schema.ts'

/** Peak and mean of the server's process tree over one trial's measured part (sampled every interval). */
export interface ServerMetrics {
  samples: number
  intervalS: number
  cpuPercent: { mean: number; peak: number }
  rssMB: { mean: number; peak: number }
  threads: { mean: number; peak: number }
  /** Bytes per second read/written by the tree (/proc/<pid>/io), and network bytes per second on loopback. */
  ioReadBps: { mean: number; peak: number }
  ioWriteBps: { mean: number; peak: number }
  netBps: { mean: number; peak: number }
}

export interface TrialResult {
  system: string
  trial: number
  /** Position in the interleaved order of the scenario (0-based). */
  order: number
  startedAt: string
  load: LoadResult
  server: ServerMetrics | null
  /** Files of this trial in the scenario's folder (raw generator output, stderr, metrics CSV). */
  files: string[]
}

export interface SystemSummary {
  name: string
  role: 'ours' | 'competitor'
  version: string | null
  port: number
  /** Medians over the trials. */
  offeredRate: number | null
  throughput: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  errorPercent: number
  late: number
  dropped: number
  /** Whether p50–max are corrected (from intended start) or the tool could only tell the actual-send figures. */
  latencyBasis: 'corrected' | 'uncorrected'
  generatorCpuPercent: number | null
  server: ServerMetrics | null
}

/** Ours ÷ a competitor on one metric, with the interval over the trials (paired by trial index). */
export interface CompetitorRatio {
  competitor: string
  metric: 'throughput' | 'p99'
  estimate: number
  low: number
  high: number
  /** 'better' / 'worse' / 'same' for ours, judged on the interval (same = the interval includes 1). */
  verdict: 'better' | 'worse' | 'same'
}

export interface ThresholdCheck {
  /** e.g. "p99 ≤ 20 ms", "throughput ≥ 0.5× nginx". */
  name: string
  actual: number
  limit: number
  passed: boolean
}

export interface ScenarioOutcome {
  scenario: Scenario
  file: string
  status: 'completed' | 'failed' | 'interrupted'
  /** When status is failed: why (start-up failure after the retry, timeout, crash). */
  error?: string
  trials: TrialResult[]
  systems: SystemSummary[]
  ratios: CompetitorRatio[]
  thresholds: ThresholdCheck[]
  /** Folder of this scenario's files (`<results>/<scenario>`; `.partial` suffix while unfinished). */
  dir: string
}
