// The workload profile of a VM's peak, from per-interval vscsiStats samples.
//
// Peak filter. Samples are grouped into intervals by their end capture (one capture of every
// disk; a disk missing from the previous capture brings a longer sample, which joins the interval
// of its end capture), and an interval's total IOPS is the sum over its disks, each disk's IOs over
// its own sample's seconds. The filter keeps whole intervals, with all their disks, when that total
// is at or above a threshold:
//   percentile   the given percentile (default 75th, type 7 as in R and NumPy) of the totals
//   statistical  mean + k × standard deviation (sample, n − 1) of the totals. No value can be
//                more than (n − 1)/√n standard deviations above the mean of n values, so a short
//                capture may keep nothing: the busiest interval is then kept, with a warning
//   absolute     min_iops
// The VM's peak is judged in total; each disk is also reported on its own over the same kept
// intervals, with its own peak interval (disks[].iops_peak).
//
// Figures over the kept intervals (every histogram summed over kept intervals and disks):
//   IOs          the ioLength histograms' frequencies (all, read, write); a disk's IOPS = its IOs /
//                its seconds (the sum of its kept samples' lengths); the VM's IOPS and MB/s are
//                the sums over its disks, so no second counts twice when a disk missed a capture
//   bytes        exact: Σ mean × count of the ioLength histograms (read, write, all) over the kept
//                samples — each sample's mean is its interval's own, (mean₁·count₁ −
//                mean₀·count₀)/Δcount (format/capture.ts intervalSamples). MB/s (10^6 bytes) and
//                mean block sizes come from these bytes, never from bucket limits. A sample whose
//                count differs from its bucket frequencies makes the bytes unknown: then every
//                bucket stands for blockSizeOfBucket (the aligned middle of its range).
//   block sizes  (bssplit) one sector-aligned size per ioLength bucket (representativeSizes):
//                narrow buckets that hold one aligned size (512, 1024, 4096, 8192, 16384, 65536:
//                those after a 2^n − 1 bucket) stand for it; the wide buckets and the overflow
//                (up to the largest IO seen) share the bytes the narrow ones leave, each moved
//                from its middle by w²·λ (w its width, one λ for all, clamped inside the bucket),
//                so that the sizes imply the exact bytes: fio's mean block size is the VM's
//                even when the individual sizes (20 KiB in (16384, 32768]) cannot be known
//   sequential   the share of commands whose seek distance (seekDistance histograms: all, read,
//                write) lies in buckets within [1, sequential_lbns] LBNs: with the default 1,
//                the +1 bucket only (the next command starts right after the previous one).
//                Whole buckets only: a threshold between limits counts the buckets below it.
//   queue depth  outstandingIOs (all): avg = the count-weighted exact mean (Σ mean × count /
//                Σ count) clamped to what the buckets allow; p50/p95/p99 interpolated over the
//                whole numbers each bucket holds, placed by that mean (./interpolate.ts), so a
//                constant queue depth k gives k
//   latency      latency (read, write, all) in ms: p50/p95/p99 interpolated and mean
// Percentiles and means are computed as documented in ./interpolate.ts; a figure that falls in an
// overflow bucket is a lower bound and is named in `lower_bounds` and in a warning. Kept intervals
// without any IO give a warning; rates are then 0 and the other figures NaN (null in JSON).
import type { Config } from '../config/schema.ts'
import { UserError } from '../errors.ts'
import { quantile } from '../stats/quantile.ts'
import { bucketMean, bucketPercentile, exactMean, overflowIndex } from './interpolate.ts'
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
  /** Σ count and Σ mean × count of the histograms added (vscsiStats' own figures). */
  count: number
  sum: number
  /** Every histogram added had count = Σ frequencies and a finite mean: `sum` is usable. */
  exact: boolean
}

const consistent = (h: Histogram) => Number.isFinite(h.mean) && h.count === h.buckets.reduce((n, b) => n + b.frequency, 0)

/** Histograms of one group of samples summed bucket by bucket, keyed `metric:op`. */
export class HistogramSum {
  readonly #sums = new Map<string, Summed>()

  add(h: Histogram, where: () => string): void {
    const key = `${h.metric}:${h.op}`
    const seen = this.#sums.get(key)
    const exact = consistent(h)
    const sum = exact ? h.mean * h.count : 0
    if (!seen) {
      this.#sums.set(key, { limits: h.buckets.map((b) => b.limit), freq: h.buckets.map((b) => b.frequency), max: h.max, count: h.count, sum, exact })
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
    seen.count += h.count
    seen.sum += sum
    seen.exact &&= exact
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

  /**
   * Σ value over every IO (Σ mean × count of the samples' histograms: bytes for ioLength), or NaN
   * when unknown (no such histogram, or a sample whose count differs from its frequencies).
   */
  valueSum(metric: HistogramMetric, op: HistogramOp): number {
    const s = this.#sums.get(`${metric}:${op}`)
    return s?.exact ? s.sum : Number.NaN
  }

  /** The count-weighted mean of the samples' own means (NaN when unknown or no IOs). */
  mean(metric: HistogramMetric, op: HistogramOp): number {
    const s = this.#sums.get(`${metric}:${op}`)
    return s?.exact && s.count > 0 ? s.sum / s.count : Number.NaN
  }
}

// ---------------------------------------------------------------------------------------------
// Block sizes

export const SECTOR = 512

const alignDown = (v: number) => Math.floor(v / SECTOR) * SECTOR
const alignUp = (v: number) => Math.ceil(v / SECTOR) * SECTOR

/**
 * The sector-aligned sizes ioLength bucket i can hold, [lo, hi] (see the header): `limits` are the
 * printed limits (the overflow repeating the last), `max` the largest IO seen (NaN when unknown;
 * the overflow's hi is then Infinity). A bucket with lo = hi is narrow: its size is known.
 */
export function sizeRange(limits: readonly number[], i: number, max = Number.NaN): [number, number] {
  const limit = limits[i]!
  const over = limits.length >= 2 && i === limits.length - 1 && limits[i - 1] === limit
  if (over) {
    const lo = alignDown(limit) + SECTOR
    return [lo, Number.isFinite(max) && max > limit ? Math.max(lo, alignUp(max)) : Number.POSITIVE_INFINITY]
  }
  const prev = i > 0 ? limits[i - 1]! : 0
  const lo = alignDown(prev) + SECTOR // smallest aligned size above the previous limit
  const hi = Math.max(lo, alignDown(limit)) // largest aligned size within the limit
  return [lo, hi]
}

/**
 * The sector-aligned size an ioLength bucket stands for when the exact bytes are unknown: a
 * narrow bucket's one size, the aligned middle of a wide bucket, and for the overflow the largest
 * IO seen (max, aligned up) or, without it, twice the last limit (1 MiB).
 */
export function blockSizeOfBucket(limits: readonly number[], i: number, max = Number.NaN): number {
  const [lo, hi] = sizeRange(limits, i, max)
  if (hi === Number.POSITIVE_INFINITY) return alignUp(limits[i]!) * 2
  if (lo === hi || limits[i] === limits[i - 1]) return hi
  return Math.round((lo + hi) / 2 / SECTOR) * SECTOR
}

/**
 * The sector-aligned size every ioLength bucket stands for, given the exact bytes of its IOs
 * (see the header). Narrow buckets (one aligned size) stand for that size. The wide buckets
 * (and the overflow, up to the largest IO seen) share the bytes the narrow ones leave: each starts
 * at the middle of its aligned range and moves by Δ = w² · R / Σ f·w² (w its width, f its IOs, R
 * the bytes still missing / f): the expected bucket means given the exact total if each IO lay
 * anywhere in its bucket (independent, even spread: variance f·w²/12), held inside its range:
 * size = clamp(middle + w²·λ, lo, hi) with one λ for all, found by bisection so that Σ f·size
 * equals the bytes left. So the sizes imply the exact bytes (up to sector
 * rounding) whenever the buckets allow it; sizes at the top of their buckets (32 KiB, 128 KiB,
 * 256 KiB, 512 KiB) come out exact. An overflow bucket with no known max takes what the others
 * (at their middles) leave. Without exact bytes: blockSizeOfBucket. Index → size, non-empty buckets.
 */
export function representativeSizes(buckets: readonly Bucket[], max: number, bytes: number): Map<number, number> {
  const out = new Map<number, number>()
  const limits = buckets.map((b) => b.limit)
  const wide: Array<{ i: number; f: number; lo: number; hi: number; size: number }> = []
  let left = bytes
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    if (f <= 0) continue
    if (!Number.isFinite(bytes)) {
      out.set(i, blockSizeOfBucket(limits, i, max))
      continue
    }
    const [lo, hi] = sizeRange(limits, i, max)
    if (lo === hi) {
      out.set(i, lo)
      left -= f * lo
    } else wide.push({ i, f, lo, hi, size: (lo + hi) / 2 })
  }
  if (!wide.length) return out
  const aligned = (w: { lo: number; hi: number }, v: number) => Math.min(w.hi, Math.max(w.lo, Math.round(v / SECTOR) * SECTOR))
  const open = wide.find((w) => w.hi === Number.POSITIVE_INFINITY)
  if (open) {
    for (const w of wide) if (w !== open) {
      out.set(w.i, aligned(w, w.size))
      left -= w.f * out.get(w.i)!
    }
    out.set(open.i, Math.max(open.lo, alignUp(left / open.f)))
    return out
  }
  // size_i(λ) = clamp(middle_i + w_i²·λ, lo_i, hi_i); Σ f·size is nondecreasing in λ: bisect it.
  const at = (w: (typeof wide)[number], lambda: number) => Math.min(w.hi, Math.max(w.lo, (w.lo + w.hi) / 2 + (w.hi - w.lo) ** 2 * lambda))
  const total = (lambda: number) => wide.reduce((a, w) => a + w.f * at(w, lambda), 0)
  let lo = -1 / (2 * Math.min(...wide.map((w) => w.hi - w.lo)))
  let hi = -lo
  for (let k = 0; k < 100 && hi - lo > 0; k++) {
    const mid = (lo + hi) / 2
    if (total(mid) < left) lo = mid
    else hi = mid
  }
  for (const w of wide) w.size = at(w, (lo + hi) / 2)
  for (const w of wide) out.set(w.i, aligned(w, w.size))
  return out
}

interface BlockFigures {
  ios: number
  /** Exact bytes (Σ mean × count) when known, else from the representative sizes. */
  bytes: number
  /** Representative bytes → IOs. */
  sizes: Map<number, number>
}

function blockFigures(sum: HistogramSum, op: HistogramOp): BlockFigures {
  const out: BlockFigures = { ios: 0, bytes: 0, sizes: new Map() }
  const buckets = sum.buckets('ioLength', op)
  if (!buckets) return out
  const max = sum.max('ioLength', op)
  const exact = sum.valueSum('ioLength', op)
  const reps = representativeSizes(buckets, max, exact)
  let implied = 0
  for (const [i, size] of reps) {
    const f = buckets[i]!.frequency
    out.ios += f
    implied += f * size
    out.sizes.set(size, (out.sizes.get(size) ?? 0) + f)
  }
  out.bytes = Number.isFinite(exact) ? exact : implied
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

interface Rates {
  ios: { total: number; read: number; write: number }
  bytes: { total: number; read: number; write: number }
}

function ratesOf(read: BlockFigures, write: BlockFigures, all: BlockFigures | undefined): Rates {
  return {
    ios: { total: all ? all.ios : read.ios + write.ios, read: read.ios, write: write.ios },
    bytes: { total: all ? all.bytes : read.bytes + write.bytes, read: read.bytes, write: write.bytes },
  }
}

/** IOs and bytes per second of one disk's summed histograms over its own seconds. */
function perSecond(sum: HistogramSum, seconds: number): Rates {
  const r = ratesOf(blockFigures(sum, 'read'), blockFigures(sum, 'write'), sum.buckets('ioLength', 'all') ? blockFigures(sum, 'all') : undefined)
  const per = (v: number) => (seconds > 0 ? v / seconds : Number.NaN)
  return {
    ios: { total: per(r.ios.total), read: per(r.ios.read), write: per(r.ios.write) },
    bytes: { total: per(r.bytes.total), read: per(r.bytes.read), write: per(r.bytes.write) },
  }
}

/** The queue depth of summed histograms: the exact mean and interpolated percentiles (whole numbers). */
function queueDepth(sum: HistogramSum, lowerBounds: string[]): WorkloadFigures['queue_depth'] {
  const buckets = sum.buckets('outstandingIOs', 'all')
  if (!buckets) return { avg: Number.NaN, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN }
  const max = sum.max('outstandingIOs', 'all')
  const exact = exactMean(buckets, sum.mean('outstandingIOs', 'all'), Number.isFinite(max) ? max : Number.POSITIVE_INFINITY)
  const fallback = bucketMean(buckets)
  const avg = Number.isFinite(exact) ? exact : fallback.value
  if (!Number.isFinite(exact) && fallback.lowerBound) lowerBounds.push('qd_avg')
  const pct = (p: number) => {
    const r = bucketPercentile(buckets, p, { whole: true, mean: Number.isFinite(exact) ? exact : undefined })
    if (r.lowerBound) lowerBounds.push(`qd_p${p}`)
    return r.value
  }
  return { avg, p50: pct(50), p95: pct(95), p99: pct(99) }
}

/**
 * The workload figures of summed histograms over `seconds` (see the header). `parts`: the same
 * IOs split by disk with each disk's own seconds; IOPS and MB/s are then the sum of the parts'
 * rates (a disk missing from some captures has a longer interval than the others).
 */
export function workloadFigures(sum: HistogramSum, seconds: number, o: Pick<AnalysisOptions, 'sequentialLbns'>, parts?: ReadonlyArray<{ sum: HistogramSum; seconds: number }>): WorkloadFigures {
  const lowerBounds: string[] = []
  const read = blockFigures(sum, 'read')
  const write = blockFigures(sum, 'write')
  const all = sum.buckets('ioLength', 'all') ? blockFigures(sum, 'all') : undefined
  const r = ratesOf(read, write, all)
  let rate: Rates
  if (parts) {
    rate = { ios: { total: 0, read: 0, write: 0 }, bytes: { total: 0, read: 0, write: 0 } }
    for (const part of parts) {
      const pr = perSecond(part.sum, part.seconds)
      for (const k of ['total', 'read', 'write'] as const) {
        rate.ios[k] += pr.ios[k]
        rate.bytes[k] += pr.bytes[k]
      }
    }
    if (!parts.length) rate = perSecond(sum, seconds)
  } else rate = perSecond(sum, seconds)
  const rw = read.ios + write.ios
  const meanBytes = (bytes: number, ios: number) => (ios > 0 ? bytes / ios : Number.NaN)
  return {
    seconds,
    ios: { total: r.ios.total, read: read.ios, write: write.ios },
    iops: { total: rate.ios.total, read: rate.ios.read, write: rate.ios.write },
    MB_s: { total: rate.bytes.total / 1e6, read: rate.bytes.read / 1e6, write: rate.bytes.write / 1e6 },
    read_ratio: rw > 0 ? read.ios / rw : Number.NaN,
    block_sizes: { read: shares(read.sizes, read.ios), write: shares(write.sizes, write.ios) },
    mean_block_bytes: {
      all: meanBytes(r.bytes.total, r.ios.total),
      read: meanBytes(read.bytes, read.ios),
      write: meanBytes(write.bytes, write.ios),
    },
    sequential: {
      all: sequentialShare(sum.buckets('seekDistance', 'all'), o.sequentialLbns),
      read: sequentialShare(sum.buckets('seekDistance', 'read'), o.sequentialLbns),
      write: sequentialShare(sum.buckets('seekDistance', 'write'), o.sequentialLbns),
      max_lbns: o.sequentialLbns,
    },
    queue_depth: queueDepth(sum, lowerBounds),
    latency_ms: {
      read: latencyFigures(sum.buckets('latency', 'read'), 'read', lowerBounds),
      write: latencyFigures(sum.buckets('latency', 'write'), 'write', lowerBounds),
      all: latencyFigures(sum.buckets('latency', 'all'), 'all', lowerBounds),
    },
    lower_bounds: lowerBounds,
  }
}

/** Figures of a group of samples (one interval, or the kept ones): each disk's rate over its own seconds. */
export function groupFigures(samples: readonly IntervalSample[], seconds: number, o: Pick<AnalysisOptions, 'sequentialLbns'>): WorkloadFigures {
  const sum = new HistogramSum()
  const byDisk = new Map<string, { sum: HistogramSum; seconds: number }>()
  for (const s of samples) {
    sum.addSample(s)
    const key = keyOf(s.disk)
    let d = byDisk.get(key)
    if (!d) byDisk.set(key, (d = { sum: new HistogramSum(), seconds: 0 }))
    d.sum.addSample(s)
    d.seconds += s.seconds
  }
  return workloadFigures(sum, seconds, o, [...byDisk.values()])
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

/** One capture interval over all its disks: the samples that end at the same capture. */
export interface Interval {
  /** The latest start among its samples (the previous capture) and the end capture. */
  start: string
  end: string
  /** From `start` to `end` (a disk missing from the previous capture has a longer sample). */
  seconds: number
  /** IOs per second summed over the interval's disks, each over its own sample's seconds. */
  iops: number
  samples: IntervalSample[]
}

/**
 * Samples grouped by interval, in time order. An interval is an end capture: a disk missing from
 * some captures resumes with a sample from its last capture, which belongs to the interval of its
 * end capture (its IOPS over its own, longer, seconds), so no second counts twice.
 */
export function intervalsOf(samples: readonly IntervalSample[]): Interval[] {
  const byKey = new Map<string, Interval>()
  for (const s of samples) {
    let iv = byKey.get(s.end)
    if (!iv) {
      iv = { start: s.start, end: s.end, seconds: s.seconds, iops: 0, samples: [] }
      byKey.set(s.end, iv)
    }
    iv.samples.push(s)
    iv.iops += s.seconds > 0 ? sampleIos(s) / s.seconds : 0
    if (s.start > iv.start || (s.start === iv.start && s.seconds < iv.seconds)) {
      iv.start = s.start
      iv.seconds = s.seconds
    }
  }
  return [...byKey.values()].sort((a, b) => (a.end < b.end ? -1 : a.end > b.end ? 1 : 0))
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
  /** Why the filter kept something other than its rule says (the statistical filter's fallback). */
  warning?: string
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
  let keptIntervals = Number.isNaN(threshold) ? [] : intervals.filter((iv) => iv.iops >= bar)
  let warning: string | undefined
  if (o.filter === 'statistical' && keptIntervals.length === 0 && intervals.length > 0) {
    // With n values and the sample standard deviation, no value lies more than (n − 1)/√n of them
    // above the mean: a k at or above that can never keep anything. Keep the busiest interval.
    const n = intervals.length
    const reachable = (n - 1) / Math.sqrt(n)
    const busiest = intervals.reduce((a, b) => (b.iops > a.iops ? b : a))
    keptIntervals = [busiest]
    warning = o.k >= reachable
      ? `statistical filter: k = ${o.k} is unreachable with ${n} interval sample(s) (no interval can be more than (n − 1)/√n = ${reachable.toFixed(2)} standard deviations above the mean); kept the busiest interval (${busiest.iops.toFixed(1)} IOPS)`
      : `statistical filter: no interval reached mean + ${o.k} standard deviations; kept the busiest interval (${busiest.iops.toFixed(1)} IOPS)`
  }
  return {
    kept: keptIntervals.flatMap((iv) => iv.samples),
    threshold,
    intervals,
    keptIntervals,
    rule: `total IOPS ≥ ${Number.isFinite(threshold) ? threshold.toFixed(1) : String(threshold)} (${rule})`,
    ...(warning ? { warning } : {}),
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

/** The methods behind the figures, as written into summary.json (the header says more). */
export const METHOD = {
  bytes: 'MB/s and mean block sizes from the exact bytes: Σ mean × count of the ioLength histograms (read, write, all) over the kept samples, each sample\'s mean being its interval\'s own',
  block_sizes: 'bssplit sizes, one sector-aligned size per ioLength bucket: narrow buckets (one aligned size: 512, 1024, 4096, 8192, 16384, 65536) their size; wide buckets and the overflow (up to the largest IO seen) one common relative position within their aligned ranges, chosen so the sizes imply the exact bytes',
  percentiles: 'latency: linear interpolation within [previous limit, limit] (Prometheus histogram_quantile); outstanding IOs (whole numbers): within [previous limit + 1, limit], values placed in each bucket at the common relative position that reproduces the exact mean; a figure in the overflow bucket is the last limit and a lower bound',
  queue_depth: 'qd_avg: the count-weighted exact mean of the outstandingIOs (all) histograms, clamped to what the buckets allow; fio iodepth: the mean over disks of each disk\'s qd_avg, numjobs = disks',
  rates: 'IOPS and MB/s: each disk\'s IOs over its own kept seconds, summed over disks; intervals are grouped by their end capture',
} as const

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
  if (f.warning) warnings.push(f.warning)

  const sum = new HistogramSum()
  const perDisk = new Map<string, { disk: DiskId; sum: HistogramSum; kept: number; total: number; seconds: number; peak: number; peakAt: string | null }>()
  const diskOf = (s: IntervalSample) => {
    const key = keyOf(s.disk)
    let d = perDisk.get(key)
    if (!d) {
      d = { disk: s.disk, sum: new HistogramSum(), kept: 0, total: 0, seconds: 0, peak: Number.NEGATIVE_INFINITY, peakAt: null }
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
    d.seconds += s.seconds
  }
  const seconds = f.keptIntervals.reduce((a, iv) => a + iv.seconds, 0)
  const keptDisks = [...perDisk.values()].filter((d) => d.kept > 0)
  const figures = workloadFigures(sum, seconds, o, keptDisks)
  if (f.keptIntervals.length > 0 && figures.ios.total === 0) warnings.push('no IOs in the kept intervals (was collection running?)')
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
      ...workloadFigures(d.sum, d.seconds, o),
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
