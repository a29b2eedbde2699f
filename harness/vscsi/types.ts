// The shapes every part of vscsi shares: a vscsiStats histogram as ESXi prints it, one capture
// (every virtual disk's 16 histograms at one moment), and the per-interval sample that analysis
// works on (the difference of two successive cumulative captures).
//
//   format/   parses and writes the real text formats (vscsiStats -p all -c, -l; esxcli vm process list)
//   analysis  filters samples, computes the workload profile, writes summary.json, CSV, charts
//   fio       turns a profile into a fio job
//   daemon/   the collection daemon and `vscsi-helper` CLI (ssh2, job.json, samples on disk)

/** What a histogram measures. */
export type HistogramMetric =
  | 'ioLength' // IO lengths of commands (bytes)
  | 'seekDistance' // distance (in LBNs) between successive commands
  | 'seekDistanceClosest' // distance (in LBNs) between each command from the closest of previous 16
  | 'outstandingIOs' // number of outstanding IOs when a new IO is issued
  | 'latency' // latency of IOs in Microseconds (us)
  | 'interarrival' // latency of IO interarrival time in Microseconds (us)

/** Which commands: all, reads only, writes only ('all' only for seekDistanceClosest). */
export type HistogramOp = 'all' | 'read' | 'write'

export interface Bucket {
  /** The bucket's upper limit as printed (the last bucket repeats the last limit: the overflow). */
  limit: number
  frequency: number
}

export interface Histogram {
  metric: HistogramMetric
  op: HistogramOp
  /** Cumulative since collection started (-s); per interval after differencing. */
  count: number
  min: number
  max: number
  mean: number
  /** In printed order; the last one is the overflow bucket (values above the last limit). */
  buckets: Bucket[]
}

/** A virtual disk as vscsiStats names it. */
export interface DiskId {
  worldGroupId: number
  handleId: number
  /** e.g. 'scsi0:0' (from the title's trailing parenthesis or vscsiStats -l). */
  device: string
  /** VM display name when known (vscsiStats -l / esxcli). */
  vm?: string
}

export interface DiskHistograms {
  disk: DiskId
  /** 16 per disk in a full `-p all` capture. */
  histograms: Histogram[]
}

/** One cumulative capture: the output of one `vscsiStats -p all -c`, with when it was taken. */
export interface Capture {
  /** ISO 8601 UTC. */
  at: string
  disks: DiskHistograms[]
}

/** One disk over one interval: the difference of two successive captures. */
export interface IntervalSample {
  disk: DiskId
  /** ISO 8601 UTC of the interval's start and end captures. */
  start: string
  end: string
  seconds: number
  /** Bucket frequencies and counts are differences; min/max are the end capture's (cumulative). */
  histograms: Histogram[]
}

/** Key of a disk in maps and file names: `<worldGroupId>-<handleId>`. */
export function diskKey(d: DiskId): string {
  return `${d.worldGroupId}-${d.handleId}`
}
