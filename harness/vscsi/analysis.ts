// The workload profile of a VM's peak, from per-interval vscsiStats samples.
//
// Peak filter. Samples are grouped into intervals (the same start and end: one capture of every
// disk), and an interval's total IOPS is the sum over its disks. The filter keeps whole intervals,
// with all their disks, when that total is at or above a threshold:
//   percentile   the given percentile (default 75th, type 7 as in R and NumPy) of the totals
//   statistical  mean + k × standard deviation (sample, n − 1) of the totals
//   absolute     min_iops
// The VM's peak is judged in total; each disk is also reported on its own over the same kept
// intervals, with its own peak interval (disks[].iops_peak).
//
// Figures over the kept intervals (every histogram summed over kept intervals and disks):
//   IOs          the ioLength histograms' frequencies (all, read, write); IOPS = IOs / seconds,
//                seconds = the sum of the kept intervals' lengths (not multiplied by disks)
//   block sizes  each ioLength bucket stands for one sector-aligned size (blockSizeOfBucket):
//                a bucket ending at a multiple of 512 (512 … 4096, 8192, 49152, 524288) for its
//                limit, since the odd "2^n − 1" buckets (4095, 8191, 16383, 65535) exist to catch
//                the sizes between powers of two; such a bucket stands for the 512-aligned middle
//                of its range (4095 after 2048 → 3072; 8191 → 6144; 16383 → 12288; 65535 →
//                57344); the overflow bucket for the largest IO seen (max, aligned up) or, without
//                it, twice the last limit (1 MiB). Bytes, MB/s (10^6 bytes) and mean block sizes
//                follow from these sizes, so they are what the generated fio job reproduces.
//   sequential   the share of commands whose seek distance (seekDistance histograms: all, read,
//                write) lies in buckets within [1, sequential_lbns] LBNs: with the default 1,
//                the +1 bucket only (the next command starts right after the previous one).
//                Whole buckets only: a threshold between limits counts the buckets below it.
//   queue depth  outstandingIOs (all): mean from bucket midpoints, p50/p95/p99 interpolated
//   latency      latency (read, write, all) in ms: p50/p95/p99 interpolated and mean
// Percentiles and means are computed as documented in ./interpolate.ts; a figure that falls in an
// overflow bucket is a lower bound and is named in `lower_bounds` and in a warning.
import type { Config } from '../config/schema.ts'
import { UserError } from '../errors.ts'
import { quantile } from '../stats/quantile.ts'
import { bucketMean, bucketPercentile, overflowIndex } from './interpolate.ts'
import { diskKey, type Bucket, type DiskId, type Histogram, type HistogramMetric, type HistogramOp, type IntervalSample } from './types.ts'

export type FilterKind = 'percentile' | 'statistical' | 'absolute'

export interface AnalysisOptions {
  filter: FilterKind
  /** Percentile (0–100) of interval total IOPS for the percentile filter. */
  percentile: number
  /** Standard deviations above the mean for the statistical filter. */
  k: number
  /** Total IOPS threshold of the absolute filter. */
  minIops: number
  /** Largest seek distance (LBNs) that still counts as sequential. */
  sequentialLbns: number
}

export function analysisOptions(config: Config['vscsi']): AnalysisOptions {
  return {
    filter: config.filter,
    percentile: config.percentile,
    k: config.k,
    minIops: config.min_iops,
    sequentialLbns: config.sequential_lbns,
  }
}

// Bound once: a hot loop calling an imported function goes through a module getter under Vitest.
const keyOf: (d: DiskId) => string = diskKey

export const DEFAULT_ANALYSIS_OPTIONS: Readonly<AnalysisOptions> = { filter: 'percentile', percentile: 75, k: 1, minIops: 0, sequentialLbns: 1 }

// ---------------------------------------------------------------------------------------------
// Histograms summed over samples

interface Summed {
  limits: number[]
  freq: number[]
  max: number
}

/** Histograms of one group of samples summed bucket by bucket, keyed `metric:op`. */
export class HistogramSum {
  readonly #sums = new Map<string, Summed>()

  add(h: Histogram, where: () => string): void {
    const key = `${h.metric}:${h.op}`
    const seen = this.#sums.get(key)
    if (!seen) {
      this.#sums.set(key, { limits: h.buckets.map((b) => b.limit), freq: h.buckets.map((b) => b.frequency), max: h.max })
      return
    }
    const n = h.buckets.length
    if (n !== seen.limits.length) throw new Error(`${where()}: ${key} has ${n} buckets, earlier samples ${seen.limits.length}`)
    for (let i = 0; i < n; i++) {
      const b = h.buckets[i]!
      if (b.limit !== seen.limits[i]) throw new Error(`${where()}: ${key} bucket ${i} has limit ${b.limit}, earlier samples ${seen.limits[i]}`)
      seen.freq[i]! += b.frequency
    }
    if (h.max > seen.max) seen.max = h.max
  }

  addSample(s: IntervalSample): void {
    const where = () => `disk ${s.disk.device || keyOf(s.disk)} ${s.start}`
    for (const h of s.histograms) this.add(h, where)
  }

  /** The summed buckets of `metric`/`op`, or undefined when no sample had that histogram. */
  buckets(metric: HistogramMetric, op: HistogramOp): Bucket[] | undefined {
    const s = this.#sums.get(`${metric}:${op}`)
    return s?.limits.map((limit, i) => ({ limit, frequency: s.freq[i]! }))
  }

  max(metric: HistogramMetric, op: HistogramOp): number {
    return this.#sums.get(`${metric}:${op}`)?.max ?? Number.NaN
  }
}

// ---------------------------------------------------------------------------------------------
// Block sizes

export const SECTOR = 512

const alignDown = (v: number) => Math.floor(v / SECTOR) * SECTOR
const alignUp = (v: number) => Math.ceil(v / SECTOR) * SECTOR

/**
 * The sector-aligned IO size an ioLength bucket stands for (see the header): `limits` are the
 * printed limits (the overflow repeating the last), `max` the largest IO seen (NaN when unknown).
 */
export function blockSizeOfBucket(limits: readonly number[], i: number, max = Number.NaN): number {
  const limit = limits[i]!
  const over = limits.length >= 2 && i === limits.length - 1 && limits[i - 1] === limit
  if (over) return Number.isFinite(max) && max > limit ? alignUp(max) : alignUp(limit) * 2
  if (limit % SECTOR === 0) return Math.max(SECTOR, limit)
  const prev = i > 0 ? limits[i - 1]! : 0
  const lo = alignDown(prev) + SECTOR // smallest aligned size above the previous limit
  const hi = alignDown(limit) // largest aligned size within the limit
  if (hi < lo) return Math.max(SECTOR, alignUp(limit))
  return Math.round((lo + hi) / 2 / SECTOR) * SECTOR
}

interface BlockFigures {
  ios: number
  bytes: number
  /** Representative bytes → IOs. */
  sizes: Map<number, number>
}

function blockFigures(buckets: Bucket[] | undefined, max: number): BlockFigures {
  const out: BlockFigures = { ios: 0, bytes: 0, sizes: new Map() }
  if (!buckets) return out
  const limits = buckets.map((b) => b.limit)
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    if (f <= 0) continue
    const size = blockSizeOfBucket(limits, i, max)
    out.ios += f
    out.bytes += f * size
    out.sizes.set(size, (out.sizes.get(size) ?? 0) + f)
  }
  return out
}

function shares(sizes: Map<number, number>, total: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const size of [...sizes.keys()].sort((a, b) => a - b)) out[String(size)] = total > 0 ? sizes.get(size)! / total : 0
  return out
}

// ---------------------------------------------------------------------------------------------
// Figures of summed histograms

export interface LatencyFigures {
  /** IOs measured. */
  count: number
  mean_ms: number
  p50_ms: number
  p95_ms: number
  p99_ms: number
}

export interface WorkloadFigures {
  seconds: number
  ios: { total: number; read: number; write: number }
  iops: { total: number; read: number; write: number }
  MB_s: { total: number; read: number; write: number }
  /** Reads / (reads + writes), by IOs, 0–1 (NaN without IOs). */
  read_ratio: number
  /** Share of IOs (0–1) by sector-aligned size in bytes, reads and writes apart. */
  block_sizes: { read: Record<string, number>; write: Record<string, number> }
  mean_block_bytes: { all: number; read: number; write: number }
  /** Share (0–1) of commands within [1, sequential_lbns] LBNs of the previous one. */
  sequential: { all: number; read: number; write: number; max_lbns: number }
  queue_depth: { avg: number; p50: number; p95: number; p99: number }
  latency_ms: { read: LatencyFigures; write: LatencyFigures; all: LatencyFigures }
  /** Figures (profileFigures names) that fell in an overflow bucket: true values are above them. */
  lower_bounds: string[]
}

function sequentialShare(buckets: Bucket[] | undefined, maxLbns: number): number {
  if (!buckets) return Number.NaN
  const over = overflowIndex(buckets)
  let seq = 0
  let all = 0
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    all += f
    const prev = i > 0 ? buckets[i - 1]!.limit : Number.NEGATIVE_INFINITY
    const limit = buckets[i]!.limit
    if (i !== over && prev >= 0 && limit >= 1 && limit <= maxLbns) seq += f
  }
  return all > 0 ? seq / all : Number.NaN
}

function latencyFigures(buckets: Bucket[] | undefined, name: string, lowerBounds: string[]): LatencyFigures {
  if (!buckets) return { count: 0, mean_ms: Number.NaN, p50_ms: Number.NaN, p95_ms: Number.NaN, p99_ms: Number.NaN }
  const count = buckets.reduce((n, b) => n + b.frequency, 0)
  const mean = bucketMean(buckets)
  if (mean.lowerBound) lowerBounds.push(`${name}_lat_mean_ms`)
  const pct = (p: number) => {
    const r = bucketPercentile(buckets, p)
    if (r.lowerBound) lowerBounds.push(`${name}_lat_p${p}_ms`)
    return r.value / 1000
  }
  return { count, mean_ms: mean.value / 1000, p50_ms: pct(50), p95_ms: pct(95), p99_ms: pct(99) }
}

/** The workload figures of summed histograms over `seconds` (see the header). */
export function workloadFigures(sum: HistogramSum, seconds: number, o: Pick<AnalysisOptions, 'sequentialLbns'>): WorkloadFigures {
  const lowerBounds: string[] = []
  const read = blockFigures(sum.buckets('ioLength', 'read'), sum.max('ioLength', 'read'))
  const write = blockFigures(sum.buckets('ioLength', 'write'), sum.max('ioLength', 'write'))
  const allBuckets = sum.buckets('ioLength', 'all')
  const all = allBuckets ? blockFigures(allBuckets, sum.max('ioLength', 'all')) : { ios: read.ios + write.ios, bytes: read.bytes + write.bytes, sizes: new Map() }
  const per = (v: number) => (seconds > 0 ? v / seconds : Number.NaN)
  const qdBuckets = sum.buckets('outstandingIOs', 'all')
  const qd = (p: number) => {
    if (!qdBuckets) return Number.NaN
    const r = bucketPercentile(qdBuckets, p)
    if (r.lowerBound) lowerBounds.push(`qd_p${p}`)
    return r.value
  }
  const qdMean = qdBuckets ? bucketMean(qdBuckets) : { value: Number.NaN, lowerBound: false }
  if (qdMean.lowerBound) lowerBounds.push('qd_avg')
  const rw = read.ios + write.ios
  return {
    seconds,
    ios: { total: all.ios, read: read.ios, write: write.ios },
    iops: { total: per(all.ios), read: per(read.ios), write: per(write.ios) },
    MB_s: { total: per(all.bytes) / 1e6, read: per(read.bytes) / 1e6, write: per(write.bytes) / 1e6 },
    read_ratio: rw > 0 ? read.ios / rw : Number.NaN,
    block_sizes: { read: shares(read.sizes, read.ios), write: shares(write.sizes, write.ios) },
    mean_block_bytes: {
      all: all.ios > 0 ? all.bytes / all.ios : Number.NaN,
      read: read.ios > 0 ? read.bytes / read.ios : Number.NaN,
      write: write.ios > 0 ? write.bytes / write.ios : Number.NaN,
    },
    sequential: {
      all: sequentialShare(sum.buckets('seekDistance', 'all'), o.sequentialLbns),
      read: sequentialShare(sum.buckets('seekDistance', 'read'), o.sequentialLbns),
      write: sequentialShare(sum.buckets('seekDistance', 'write'), o.sequentialLbns),
      max_lbns: o.sequentialLbns,
    },
    queue_depth: { avg: qdMean.value, p50: qd(50), p95: qd(95), p99: qd(99) },
    latency_ms: {
      read: latencyFigures(sum.buckets('latency', 'read'), 'read', lowerBounds),
      write: latencyFigures(sum.buckets('latency', 'write'), 'write', lowerBounds),
      all: latencyFigures(sum.buckets('latency', 'all'), 'all', lowerBounds),
    },
    lower_bounds: lowerBounds,
  }
}

/** The workload figures of one sample (one disk, one interval): the rows of samples_filtered.csv. */
export function sampleFigures(s: IntervalSample, o: Pick<AnalysisOptions, 'sequentialLbns'>): WorkloadFigures {
  const sum = new HistogramSum()
  sum.addSample(s)
  return workloadFigures(sum, s.seconds, o)
}

// ---------------------------------------------------------------------------------------------
// The peak filter

function frequencySum(h: Histogram | undefined): number {
  if (!h) return 0
  let n = 0
  for (const b of h.buckets) n += b.frequency
  return n
}

function histogramOf(s: IntervalSample, metric: HistogramMetric, op: HistogramOp): Histogram | undefined {
  return s.histograms.find((h) => h.metric === metric && h.op === op)
}

/** IOs of one sample: the ioLength (all) frequencies, else reads + writes. */
export function sampleIos(s: IntervalSample): number {
  const all = histogramOf(s, 'ioLength', 'all')
  if (all) return frequencySum(all)
  return frequencySum(histogramOf(s, 'ioLength', 'read')) + frequencySum(histogramOf(s, 'ioLength', 'write'))
}

/** One capture interval over all its disks. */
export interface Interval {
  start: string
  end: string
  seconds: number
  /** IOs per second summed over the interval's disks. */
  iops: number
  samples: IntervalSample[]
}

/** Samples grouped by interval (same start and end), in time order. */
export function intervalsOf(samples: readonly IntervalSample[]): Interval[] {
  const byKey = new Map<string, Interval & { ios: number }>()
  for (const s of samples) {
    const key = `${s.start}|${s.end}`
    let iv = byKey.get(key)
    if (!iv) {
      iv = { start: s.start, end: s.end, seconds: s.seconds, iops: 0, ios: 0, samples: [] }
      byKey.set(key, iv)
    }
    iv.samples.push(s)
    iv.ios += sampleIos(s)
    if (s.seconds > iv.seconds) iv.seconds = s.seconds
  }
  return [...byKey.values()]
    .map(({ ios, ...iv }) => ({ ...iv, iops: iv.seconds > 0 ? ios / iv.seconds : 0 }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0))
}

export interface FilterResult {
  /** The samples (every disk) of the kept intervals, in time order. */
  kept: IntervalSample[]
  /** Total IOPS an interval needed to be kept (NaN when there are no intervals). */
  threshold: number
  intervals: Interval[]
  keptIntervals: Interval[]
  /** The rule in words, e.g. 'total IOPS ≥ 1234.5 (75th percentile)'. */
  rule: string
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return 0
  const m = mean(values)
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1))
}

/** The peak filter (see the header): keeps the intervals whose total IOPS reaches the threshold. */
export function filterSamples(samples: readonly IntervalSample[], o: AnalysisOptions): FilterResult {
  const intervals = intervalsOf(samples)
  const totals = intervals.map((iv) => iv.iops)
  let threshold: number
  let rule: string
  switch (o.filter) {
    case 'percentile':
      if (!(o.percentile >= 0 && o.percentile <= 100)) throw new RangeError(`percentile filter: percentile must be within [0, 100], got ${o.percentile}`)
      threshold = totals.length ? quantile(totals, o.percentile / 100) : Number.NaN
      rule = `${o.percentile}th percentile`
      break
    case 'statistical':
      threshold = totals.length ? mean(totals) + o.k * sampleSd(totals) : Number.NaN
      rule = `mean + ${o.k} standard deviations`
      break
    case 'absolute':
      threshold = o.minIops
      rule = 'min_iops'
      break
    default:
      throw new Error(`unknown filter '${String(o.filter)}'; expected percentile, statistical or absolute`)
  }
  // a hair of tolerance so that an interval equal to the threshold is not lost to rounding
  const bar = threshold - Math.abs(threshold) * 1e-12
  const keptIntervals = Number.isNaN(threshold) ? [] : intervals.filter((iv) => iv.iops >= bar)
  return {
    kept: keptIntervals.flatMap((iv) => iv.samples),
    threshold,
    intervals,
    keptIntervals,
    rule: `total IOPS ≥ ${Number.isFinite(threshold) ? threshold.toFixed(1) : String(threshold)} (${rule})`,
  }
}

// ---------------------------------------------------------------------------------------------
// The profile

export interface DiskProfile extends WorkloadFigures {
  disk: DiskId
  key: string
  samples_total: number
  samples_kept: number
  /** The disk's own busiest interval (IOPS) among all samples, and when it started. */
  iops_peak: number
  iops_peak_at: string | null
}

export interface Profile extends WorkloadFigures {
  /** Intervals (captures of every disk) analyzed, kept by the filter, and expected (when known). */
  samples_total: number
  samples_kept: number
  samples_expected: number | null
  /** Samples counted per disk (intervals × disks). */
  disk_samples_total: number
  disk_samples_kept: number
  disks_total: number
  /** Start of the first and end of the last interval analyzed and kept. */
  first_start: string | null
  last_end: string | null
  filter: { kind: FilterKind; threshold: number; rule: string; percentile: number; k: number; min_iops: number }
  disks: DiskProfile[]
  warnings: string[]
}

function hasNegative(s: IntervalSample): boolean {
  for (const h of s.histograms) for (const b of h.buckets) if (b.frequency < 0) return true
  return false
}

/**
 * Filters the samples (filterSamples) and computes the profile of the kept intervals.
 * `expectedSamples`: the intervals the job should have produced; fewer gives a 'partial job' warning.
 */
export function analyzeSamples(samples: readonly IntervalSample[], o: AnalysisOptions, expectedSamples?: number): Profile {
  const warnings: string[] = []
  const bad = samples.filter(hasNegative)
  if (bad.length) {
    warnings.push(`${bad.length} sample(s) left out: negative bucket differences (the histograms were reset between captures), first at ${bad[0]!.start} on ${bad[0]!.disk.device || keyOf(bad[0]!.disk)}`)
  }
  const badSet = new Set(bad)
  const usable = bad.length ? samples.filter((s) => !badSet.has(s)) : samples
  const f = filterSamples(usable, o)
  const total = f.intervals.length
  if (expectedSamples !== undefined && total < expectedSamples) {
    warnings.push(`partial job: ${total} of ${expectedSamples} samples collected; the profile covers what was collected`)
  }
  if (total === 0) warnings.push('no interval samples: nothing to analyze')
  else if (f.keptIntervals.length === 0) warnings.push(`the filter kept no interval (${f.rule}); the busiest interval had ${Math.max(...f.intervals.map((i) => i.iops)).toFixed(1)} IOPS`)

  const sum = new HistogramSum()
  const perDisk = new Map<string, { disk: DiskId; sum: HistogramSum; kept: number; total: number; peak: number; peakAt: string | null }>()
  const diskOf = (s: IntervalSample) => {
    const key = keyOf(s.disk)
    let d = perDisk.get(key)
    if (!d) {
      d = { disk: s.disk, sum: new HistogramSum(), kept: 0, total: 0, peak: Number.NEGATIVE_INFINITY, peakAt: null }
      perDisk.set(key, d)
    }
    return d
  }
  for (const s of usable) {
    const d = diskOf(s)
    d.total++
    const iops = s.seconds > 0 ? sampleIos(s) / s.seconds : 0
    if (iops > d.peak) {
      d.peak = iops
      d.peakAt = s.start
    }
  }
  for (const s of f.kept) {
    sum.addSample(s)
    const d = diskOf(s)
    d.sum.addSample(s)
    d.kept++
  }
  const seconds = f.keptIntervals.reduce((a, iv) => a + iv.seconds, 0)
  const figures = workloadFigures(sum, seconds, o)
  for (const name of figures.lower_bounds) warnings.push(`${name} is a lower bound: it falls in the overflow bucket`)
  for (const d of perDisk.values()) {
    if (d.total < total) warnings.push(`disk ${d.disk.device || keyOf(d.disk)} (${keyOf(d.disk)}): ${d.total} of ${total} intervals sampled`)
  }

  const disks: DiskProfile[] = [...perDisk.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, d]) => ({
      disk: d.disk,
      key,
      samples_total: d.total,
      samples_kept: d.kept,
      iops_peak: Number.isFinite(d.peak) ? d.peak : 0,
      iops_peak_at: d.peakAt,
      ...workloadFigures(d.sum, seconds, o),
    }))

  return {
    samples_total: total,
    samples_kept: f.keptIntervals.length,
    samples_expected: expectedSamples ?? null,
    disk_samples_total: usable.length,
    disk_samples_kept: f.kept.length,
    disks_total: perDisk.size,
    first_start: f.intervals[0]?.start ?? null,
    last_end: f.intervals.at(-1)?.end ?? null,
    filter: { kind: o.filter, threshold: f.threshold, rule: f.rule, percentile: o.percentile, k: o.k, min_iops: o.minIops },
    ...figures,
    disks,
    warnings,
  }
}

// ---------------------------------------------------------------------------------------------
// Flat figures and gates

/** The profile as flat, named figures (what gates and KPIs use). NaN when not measured. */
export function profileFigures(p: Profile): Record<string, number> {
  const kib = (b: number) => b / 1024
  const pct = (r: number) => r * 100
  const lat = (name: string, l: LatencyFigures) => ({
    [`${name}_lat_mean_ms`]: l.mean_ms,
    [`${name}_lat_p50_ms`]: l.p50_ms,
    [`${name}_lat_p95_ms`]: l.p95_ms,
    [`${name}_lat_p99_ms`]: l.p99_ms,
  })
  return {
    samples_total: p.samples_total,
    samples_kept: p.samples_kept,
    iops_total: p.iops.total,
    iops_read: p.iops.read,
    iops_write: p.iops.write,
    MB_s_total: p.MB_s.total,
    MB_s_read: p.MB_s.read,
    MB_s_write: p.MB_s.write,
    read_pct: pct(p.read_ratio),
    mean_block_kib: kib(p.mean_block_bytes.all),
    read_block_kib: kib(p.mean_block_bytes.read),
    write_block_kib: kib(p.mean_block_bytes.write),
    sequential_pct: pct(p.sequential.all),
    read_sequential_pct: pct(p.sequential.read),
    write_sequential_pct: pct(p.sequential.write),
    qd_avg: p.queue_depth.avg,
    qd_p50: p.queue_depth.p50,
    qd_p95: p.queue_depth.p95,
    qd_p99: p.queue_depth.p99,
    ...lat('read', p.latency_ms.read),
    ...lat('write', p.latency_ms.write),
    ...lat('all', p.latency_ms.all),
    disk_iops_max: p.disks.length ? Math.max(...p.disks.map((d) => d.iops.total)) : Number.NaN,
  }
}

/** The unit of a figure, for KPIs and tables. */
export function figureUnit(name: string): string {
  if (name.endsWith('_ms')) return 'ms'
  if (name.endsWith('_pct')) return '%'
  if (name.endsWith('_kib')) return 'KiB'
  if (name.startsWith('MB_s')) return 'MB/s'
  if (name.includes('iops')) return 'IOPS'
  if (name.startsWith('qd_')) return 'IOs'
  return ''
}

export interface GateResult {
  name: string
  value: number
  bound: number
  kind: 'max' | 'min'
  pass: boolean
  /** Why a gate failed without a comparison (the figure was not measured). */
  note?: string
}

/**
 * Checks vscsi.gates against the profile's figures: `max` fails when the figure is above it, `min`
 * when below. A figure that was not measured (NaN: no reads, say) fails its gate. An unknown name
 * is a user error naming vscsi.gates.<name> and the known names.
 */
export function checkGates(figures: Record<string, number>, gates: Config['vscsi']['gates'], source = 'configuration'): GateResult[] {
  const known = Object.keys(figures)
  const unknown = Object.keys(gates).filter((name) => !Object.hasOwn(figures, name))
  if (unknown.length) {
    throw new UserError(unknown.map((name) => ({
      file: source,
      field: `vscsi.gates.${name}`,
      message: `'${name}' is not a figure of the vscsi profile`,
      expected: `one of ${known.join(', ')}`,
      hint: 'gates name profile figures such as read_lat_p99_ms or iops_total',
    })))
  }
  const out: GateResult[] = []
  for (const [name, g] of Object.entries(gates)) {
    const value = figures[name]!
    for (const kind of ['max', 'min'] as const) {
      const bound = g[kind]
      if (bound === undefined) continue
      if (Number.isNaN(value)) {
        out.push({ name, value, bound, kind, pass: false, note: 'not measured' })
        continue
      }
      out.push({ name, value, bound, kind, pass: kind === 'max' ? value <= bound : value >= bound })
    }
  }
  return out
}

/** One line per gate, e.g. 'read_lat_p99_ms 12.3 ≤ 20 pass'. */
export function formatGates(results: readonly GateResult[]): string {
  return results
    .map((r) => `${r.name} ${Number.isFinite(r.value) ? r.value.toFixed(3) : String(r.value)} ${r.kind === 'max' ? '≤' : '≥'} ${r.bound} ${r.pass ? 'pass' : `FAIL${r.note ? ` (${r.note})` : ''}`}`)
    .join('\n')
}
