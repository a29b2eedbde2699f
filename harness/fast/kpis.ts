// The KPIs of one reader session, computed from what was measured, never from what was asked:
//
//   open_time_s            open_start → first_pixel (the reader's own markers)
//   scrub_time_s, attr_time_s, horizon_time_s, export_time_s   the workflow's start → end markers
//   cpu_mean               mean cpu_pct (% of one core) of the sampler's rows for the reader's pid
//   gpu_mean               mean gpu_util_pct of those rows (null without a GPU)
//   read_MB_s_p95          95th percentile of the volume read rate: the bytes of every brick or
//                          chunk read from storage (NAS file, FAST cache or network), summed per
//                          100 ms window over the session's reads, in MB/s (1 MB = 1e6 bytes)
//   lat_p50/p95/p99_ms     percentiles of those reads' latencies (mode A: one positioned file read
//                          per brick; mode B: one FAST request per chunk, cache hits included)
//   fast_cache_hit_rate    mode B: share of chunk requests the FAST cache served (null in mode A)
//   observed_source        classifySource over the open volume files in those rows (./classify.ts)
import type { MetricRow } from '../metrics/columns.ts'
import { quantile } from '../stats/quantile.ts'
import { classifySource, type ObservedSource, type SourceRoots } from './classify.ts'
import type { ReaderSummary } from './reader-cli.ts'
import { WORKFLOW_SPANS, type WorkflowName } from './workflows.ts'

export const READ_WINDOW_MS = 100

export interface SessionKpis {
  mode: 'A' | 'B'
  workflow: WorkflowName
  cache_state: string
  open_time_s: number
  /** The workflow's own span under its KPI name (open_time_s for open). */
  workflow_time_s: number
  cpu_mean: number | null
  gpu_mean: number | null
  read_MB_s_p95: number | null
  lat_p50_ms: number | null
  lat_p95_ms: number | null
  lat_p99_ms: number | null
  fast_cache_hit_rate: number | null
  observed_source: ObservedSource
  /** Rows the sampler took of the reader's process tree. */
  samples: number
}

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null
}

/** p95 of bytes per READ_WINDOW_MS window, in MB/s, over the span of the reads. */
export function readRateP95(reads: ReaderSummary['reads']): number | null {
  if (!reads.length) return null
  const t0 = Math.min(...reads.map((r) => r[0] - r[2]))
  const t1 = Math.max(...reads.map((r) => r[0]))
  const windows = new Float64Array(Math.max(1, Math.ceil((t1 - t0) / READ_WINDOW_MS)))
  for (const [end, bytes] of reads) windows[Math.min(windows.length - 1, Math.floor((end - t0) / READ_WINDOW_MS))] += bytes
  return quantile([...windows].map((b) => b / 1e6 / (READ_WINDOW_MS / 1000)), 0.95)
}

export function sessionKpis(summary: ReaderSummary, rows: readonly MetricRow[], roots: SourceRoots, cacheState: string): SessionKpis {
  const mine = rows.filter((r) => r.pid === summary.pid)
  const num = (col: 'cpu_pct' | 'gpu_util_pct'): number[] => mine.map((r) => r[col]).filter((v): v is number => v !== null)
  const latencies = summary.reads.map((r) => r[2])
  const cached = summary.reads.filter((r) => r[3] >= 0)
  const q = (p: number): number | null => (latencies.length ? quantile(latencies, p) : null)
  return {
    mode: summary.mode,
    workflow: summary.workflow,
    cache_state: cacheState,
    open_time_s: summary.spans.open_time_s ?? NaN,
    workflow_time_s: summary.spans[WORKFLOW_SPANS[summary.workflow].kpi] ?? NaN,
    cpu_mean: mean(num('cpu_pct')),
    gpu_mean: mean(num('gpu_util_pct')),
    read_MB_s_p95: readRateP95(summary.reads),
    lat_p50_ms: q(0.5),
    lat_p95_ms: q(0.95),
    lat_p99_ms: q(0.99),
    fast_cache_hit_rate: summary.mode === 'B' && cached.length ? cached.filter((r) => r[3] === 1).length / cached.length : null,
    observed_source: classifySource(new Set(mine.flatMap((r) => r.open_zgy_paths)), roots),
    samples: mine.length,
  }
}
