// Percentiles and means of a vscsiStats bucketed histogram.
//
// A histogram prints its bucket limits in ascending order L0 < L1 < … < Ln-1 and then repeats the
// last limit for the overflow bucket. Bucket i holds the values v with L(i-1) < v ≤ Li; the first
// bucket holds v ≤ L0, the overflow bucket v > Ln-1. Every vscsiStats metric is an integer
// (bytes, LBNs, µs, a count of IOs).
//
// Percentile (the method of Prometheus' histogram_quantile): the target rank is r = p/100 × N
// (N = the sum of frequencies). The bucket whose cumulative frequency first reaches r holds it,
// and the value is interpolated linearly inside that bucket's range, as if its values were spread
// evenly: lo + (hi − lo) × q with q = (r − C(i-1)) / fi.
//   - Continuous metrics (latency, interarrival µs): the range is [L(i-1), Li]. The first bucket
//     ranges from 0 when its limit is positive; when its limit is not positive (seek distance,
//     −500000) its range is the limit alone.
//   - Whole-number metrics (`whole`: outstanding IOs): the range is the whole numbers the bucket
//     can hold, [L(i-1) + 1, Li] (the first bucket from 1), so a bucket holding one number (1, 2)
//     gives that number and no percentile lies outside the possible values (the old [L(i-1), Li]
//     said 0.5 for a constant queue depth of 1). With an exact `mean` (vscsiStats prints the mean
//     beside the buckets) the values are not assumed to be spread evenly: every bucket gets the
//     same relative position of its mean, τ = (mean·N − Σ fi·lo_i) / Σ fi·(hi_i − lo_i) clamped to
//     [0, 1], and within a bucket the value at share q is lo + (hi − lo) × q^((1−τ)/τ) (a power
//     law whose mean is at τ; τ = ½ is the even spread). So a constant queue depth of 8, in (6, 8],
//     gives p50 = 8 rather than 7.5, and a constant 7 gives 7. Without a mean, or with IOs in the
//     overflow bucket (the mean then says nothing about the other buckets), τ = ½.
//   - A percentile that falls in the overflow bucket is reported as the last limit and flagged
//     `lowerBound`: the true value is above it, by an amount the histogram cannot tell.
//   - p = 0 gives the lower end of the first non-empty bucket; an empty histogram gives NaN.
//
// Mean from the buckets alone (bucketMean, used when no exact mean is known): each bucket stands
// for the middle of the integers it can hold, (L(i-1) + 1 + Li) / 2 (the first bucket from 1 when
// its limit is positive: a bucket "1" stands for 1, "8" after "6" for 7.5); the overflow bucket
// stands for its limit (so the mean is then a lower bound too). exactMean clamps a mean that
// vscsiStats printed into the range the buckets allow (wholeMeanRange): vscsiStats prints
// integer cumulative means, so an interval's mean recovered from two of them can be off by up to
// (count₀ + count₁) / (2·Δcount), and the buckets bound that error.
import type { Bucket, Histogram } from './types.ts'

export interface BucketPercentile {
  value: number
  /** True when the percentile falls in the overflow bucket: the true value is above `value`. */
  lowerBound: boolean
}

/** Sum of the bucket frequencies. */
export function bucketTotal(buckets: readonly Bucket[]): number {
  let n = 0
  for (const b of buckets) n += b.frequency
  return n
}

/** Index of the overflow bucket (the last one, repeating the previous limit), or -1 when absent. */
export function overflowIndex(buckets: readonly Bucket[]): number {
  const n = buckets.length
  return n >= 2 && buckets[n - 1]!.limit === buckets[n - 2]!.limit ? n - 1 : -1
}

/** The lower end of bucket i's interpolation range (see the header). */
function lowerOf(buckets: readonly Bucket[], i: number): number {
  if (i > 0) return buckets[i - 1]!.limit
  const first = buckets[0]!.limit
  return first > 0 ? 0 : first
}

/** The whole numbers bucket i can hold, [lo, hi] (overflow: hi = Infinity); see the header. */
export function wholeRange(buckets: readonly Bucket[], i: number): [number, number] {
  const limit = buckets[i]!.limit
  if (i === overflowIndex(buckets)) return [limit + 1, Number.POSITIVE_INFINITY]
  if (i === 0) return limit >= 1 ? [1, limit] : [limit, limit]
  return [buckets[i - 1]!.limit + 1, limit]
}

/** The smallest and largest mean the buckets allow for whole numbers (`max` bounds the overflow). */
export function wholeMeanRange(buckets: readonly Bucket[], max = Number.POSITIVE_INFINITY): [number, number] {
  let n = 0
  let lo = 0
  let hi = 0
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    if (f <= 0) continue
    const [a, b] = wholeRange(buckets, i)
    n += f
    lo += f * a
    hi += f * (b === Number.POSITIVE_INFINITY ? Math.max(a, max) : b)
  }
  return n > 0 ? [lo / n, hi / n] : [Number.NaN, Number.NaN]
}

/**
 * An exact mean (Σ value / count, as vscsiStats reports it) clamped into the range the buckets
 * allow; NaN when unknown or when there are no values.
 */
export function exactMean(buckets: readonly Bucket[], mean: number, max = Number.POSITIVE_INFINITY): number {
  if (!Number.isFinite(mean)) return Number.NaN
  const [lo, hi] = wholeMeanRange(buckets, max)
  if (Number.isNaN(lo)) return Number.NaN
  return Math.min(Math.max(mean, lo), hi)
}

/** The common relative position τ of every bucket's mean (see the header), ½ when unknown. */
export function meanPosition(buckets: readonly Bucket[], mean: number | undefined): number {
  if (mean === undefined || !Number.isFinite(mean)) return 0.5
  const over = overflowIndex(buckets)
  if (over >= 0 && buckets[over]!.frequency > 0) return 0.5
  let n = 0
  let low = 0
  let width = 0
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    if (f <= 0) continue
    const [a, b] = wholeRange(buckets, i)
    n += f
    low += f * a
    width += f * (b - a)
  }
  if (!(n > 0) || !(width > 0)) return 0.5
  return Math.min(1, Math.max(0, (mean * n - low) / width))
}

export interface PercentileOptions {
  /** Whole-number values (outstanding IOs): interpolate within [L(i-1) + 1, Li]. */
  whole?: boolean
  /** The exact mean of the values (whole numbers only): positions values within buckets. */
  mean?: number
}

/** Where share q (0–1) of a bucket lies, at relative mean position τ (see the header). */
function positionAt(q: number, tau: number): number {
  if (tau === 0.5) return q
  if (tau >= 1) return q > 0 ? 1 : 0
  if (tau <= 0) return q >= 1 ? 1 : 0
  return q ** ((1 - tau) / tau)
}

/** Percentile `p` (0–100) of a bucketed histogram, interpolated within its bucket. */
export function bucketPercentile(buckets: readonly Bucket[], p: number, o: PercentileOptions = {}): BucketPercentile {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`)
  const total = bucketTotal(buckets)
  if (total <= 0) return { value: Number.NaN, lowerBound: false }
  const over = overflowIndex(buckets)
  const tau = o.whole ? meanPosition(buckets, o.mean) : 0.5
  const rank = (p / 100) * total
  let cum = 0
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    if (f <= 0) continue
    if (cum + f >= rank) {
      if (i === over) return { value: buckets[i]!.limit, lowerBound: true }
      const [lo, hi] = o.whole ? wholeRange(buckets, i) : [lowerOf(buckets, i), buckets[i]!.limit]
      return { value: lo + (hi - lo) * positionAt(Math.min(1, Math.max(0, rank - cum) / f), tau), lowerBound: false }
    }
    cum += f
  }
  // rounding left the rank a hair above the total: the top of the last non-empty bucket
  for (let i = buckets.length - 1; i >= 0; i--) {
    if (buckets[i]!.frequency > 0) return { value: buckets[i]!.limit, lowerBound: i === over }
  }
  return { value: Number.NaN, lowerBound: false }
}

/** The value bucket i stands for in means (see the header). */
export function bucketMidpoint(buckets: readonly Bucket[], i: number): number {
  const hi = buckets[i]!.limit
  if (i === overflowIndex(buckets)) return hi
  if (i === 0) return hi > 0 ? (1 + hi) / 2 : hi
  return (buckets[i - 1]!.limit + 1 + hi) / 2
}

export interface BucketMean {
  value: number
  /** True when the overflow bucket has IOs: the true mean is above `value`. */
  lowerBound: boolean
}

/** Mean of a bucketed histogram from its buckets' midpoints (NaN when empty). */
export function bucketMean(buckets: readonly Bucket[]): BucketMean {
  const over = overflowIndex(buckets)
  let n = 0
  let sum = 0
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    if (f <= 0) continue
    n += f
    sum += f * bucketMidpoint(buckets, i)
  }
  return { value: n > 0 ? sum / n : Number.NaN, lowerBound: over >= 0 && buckets[over]!.frequency > 0 }
}

/** Percentile of a histogram (its buckets). */
export function histogramPercentile(h: Histogram, p: number): BucketPercentile {
  return bucketPercentile(h.buckets, p)
}

/** Mean of a histogram from its buckets. */
export function histogramMean(h: Histogram): BucketMean {
  return bucketMean(h.buckets)
}
