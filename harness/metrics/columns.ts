// The columns of a metrics CSV, in file order. Units: MB = 1e6 bytes (not MiB); rates are per
// second over the time actually elapsed between two samples; cpu_pct is % of ONE core (a tree
// keeping two cores busy shows 200).
//
//   ts                    UTC ISO-8601 time of the sample, with milliseconds
//   pid                   root pid of the watched process tree; empty on system-only rows
//   cpu_pct               user+system CPU of the tree (utime+stime deltas), % of one core
//   rss_mb, vms_mb        resident and virtual memory summed over the tree
//   read_bytes_s          bytes the tree made the storage layer read (/proc/<pid>/io read_bytes)
//   write_bytes_s         bytes the tree caused to be written to storage (write_bytes)
//   read_cnt_s            read-type system calls per second (syscr)
//   write_cnt_s           write-type system calls per second (syscw)
//   sys_disk_*_mb_s       whole-disk throughput from /proc/diskstats (partitions, loop, ram, zram,
//                         dm-* and md* are skipped so nothing is counted twice)
//   sys_net_*_mb_s        all interfaces but lo, from /proc/net/dev
//   gpu_util_pct          mean utilization over the GPUs nvidia-smi reports
//   gpu_mem_*_mb          memory used / total summed over the GPUs (nvidia-smi's MiB converted to MB)
//   fast_req_latency_ms   mean latency of the FAST log requests logged during the interval
//   fast_req_bytes        bytes of those requests, summed
//   fast_req_cache_hit    share of those requests that were cache hits, 0..1
//   open_zgy_paths        files matching the zgy pattern held open by the tree, `;`-joined
//   threads               threads summed over the tree (num_threads)
//   sys_net_lo_mb_s       bytes through the loopback interface (lo's received bytes, so each byte once):
//                         a loopback server's traffic, with whatever else the machine sends itself
//   (the last two came after the first twenty, so they follow them and positional readers still work)
//
// An empty cell means "not measured" (no previous sample, no permission, no GPU, no request).

export const METRIC_COLUMNS = [
  'ts',
  'pid',
  'cpu_pct',
  'rss_mb',
  'vms_mb',
  'read_bytes_s',
  'write_bytes_s',
  'read_cnt_s',
  'write_cnt_s',
  'sys_disk_read_mb_s',
  'sys_disk_write_mb_s',
  'sys_net_recv_mb_s',
  'sys_net_sent_mb_s',
  'gpu_util_pct',
  'gpu_mem_used_mb',
  'gpu_mem_total_mb',
  'fast_req_latency_ms',
  'fast_req_bytes',
  'fast_req_cache_hit',
  'open_zgy_paths',
  'threads',
  'sys_net_lo_mb_s',
] as const

export type MetricColumn = (typeof METRIC_COLUMNS)[number]

/** The columns holding measured numbers (everything but ts, pid and open_zgy_paths). */
export type NumericColumn = Exclude<MetricColumn, 'ts' | 'pid' | 'open_zgy_paths'>

export const NUMERIC_COLUMNS = METRIC_COLUMNS.filter(
  (c): c is NumericColumn => c !== 'ts' && c !== 'pid' && c !== 'open_zgy_paths',
)

/** One CSV row; `null` is an empty cell. */
export type MetricRow = {
  ts: string
  pid: number | null
  open_zgy_paths: string[]
} & Record<NumericColumn, number | null>

/** Bytes in one MB as the metrics CSV counts them. */
export const MB = 1e6

/** A row with every measured cell empty. */
export function emptyRow(ts: string, pid: number | null): MetricRow {
  const row = { ts, pid, open_zgy_paths: [] as string[] } as MetricRow
  for (const c of NUMERIC_COLUMNS) row[c] = null
  return row
}
