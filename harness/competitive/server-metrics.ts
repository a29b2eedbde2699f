// A server's process tree during one trial, from the scenario's metrics CSV (one sampler watches
// every system of the scenario, a row per watched tree per interval): the rows of that tree whose
// time falls in the trial's measured window, reduced to mean and peak per figure. Network is the
// loopback interface's traffic (the generator and the server talk over lo; per-process network
// bytes are not exposed by Linux), so it is the machine's loopback traffic during the trial.
import type { MetricRow } from '../metrics/columns.ts'
import type { ServerMetrics } from './types.ts'

function meanPeak(values: number[]): { mean: number; peak: number } {
  if (values.length === 0) return { mean: 0, peak: 0 }
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, peak: Math.max(...values) }
}

/** Mean and peak of the tree rooted at `pid` between `fromMs` and `toMs` (epoch ms); null without rows. */
export function serverMetricsOf(rows: readonly MetricRow[], pid: number, fromMs: number, toMs: number, intervalS: number): ServerMetrics | null {
  const mine = rows.filter((r) => {
    if (r.pid !== pid) return false
    const t = Date.parse(r.ts)
    return t >= fromMs && t <= toMs
  })
  if (mine.length === 0) return null
  const of = (pick: (r: MetricRow) => number | null, scale = 1) => meanPeak(mine.map(pick).filter((v): v is number => v !== null).map((v) => v * scale))
  return {
    samples: mine.length,
    intervalS,
    cpuPercent: of((r) => r.cpu_pct),
    rssMB: of((r) => r.rss_mb),
    threads: of((r) => r.threads),
    ioReadBps: of((r) => r.read_bytes_s),
    ioWriteBps: of((r) => r.write_bytes_s),
    netBps: of((r) => r.sys_net_lo_mb_s, 1e6),
  }
}
