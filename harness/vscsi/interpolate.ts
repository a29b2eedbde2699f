// Percentiles and means of a vscsiStats bucketed histogram.
//
// A histogram prints its bucket limits in ascending order L0 < L1 < … < Ln-1 and then repeats the
// last limit for the overflow bucket. Bucket i holds the values v with L(i-1) < v ≤ Li; the first
// bucket holds v ≤ L0, the overflow bucket v > Ln-1. Every vscsiStats metric is an integer
// (bytes, LBNs, µs, a count of IOs).
//
// Percentile (the method of Prometheus' histogram_quantile): the target rank is r = p/100 × N
// (N = the sum of frequencies). The bucket whose cumulative frequency first reaches r holds it,
// and the value is interpolated linearly inside that bucket's range [L(i-1), Li], as if its
// values were spread evenly: L(i-1) + (Li − L(i-1)) × (r − C(i-1)) / fi.
//   - The first bucket ranges from 0 when its limit is positive (latency, IO length, outstanding
//     IOs); when its limit is not positive (seek distance, −500000) its range is the limit alone.
//   - A percentile that falls in the overflow bucket is reported as the last limit and flagged
//     `lowerBound`: the true value is above it, by an amount the histogram cannot tell.
//   - p = 0 gives the lower end of the first non-empty bucket; an empty histogram gives NaN.
//
// Mean: each bucket stands for the middle of the integers it can hold, (L(i-1) + 1 + Li) / 2 (the
// first bucket from 1 when its limit is positive: a bucket "1" stands for 1, "8" after "6" for
// 7.5); the overflow bucket stands for its limit (so the mean is then a lower bound too).
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

/** Percentile `p` (0–100) of a bucketed histogram, interpolated within its bucket. */
export function bucketPercentile(buckets: readonly Bucket[], p: number): BucketPercentile {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`)
  const total = bucketTotal(buckets)
  if (total <= 0) return { value: Number.NaN, lowerBound: false }
  const over = overflowIndex(buckets)
  const rank = (p / 100) * total
  let cum = 0
  for (let i = 0; i < buckets.length; i++) {
    const f = buckets[i]!.frequency
    if (f <= 0) continue
    if (cum + f >= rank) {
      if (i === over) return { value: buckets[i]!.limit, lowerBound: true }
      const lo = lowerOf(buckets, i)
      const hi = buckets[i]!.limit
      return { value: lo + (hi - lo) * Math.max(0, rank - cum) / f, lowerBound: false }
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
