// Order statistics of samples: median, quantiles (linear interpolation between order statistics,
// "type 7" — the default of R and NumPy) and the interquartile range.

/** A sorted copy (ascending, numeric). */
export function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort()
}

/** Quantile `q` in [0, 1] of already sorted values (type 7). NaN when there are none. */
export function quantileSorted(values: ArrayLike<number>, q: number): number {
  const n = values.length
  if (n === 0) return Number.NaN
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be within [0, 1], got ${q}`)
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, n - 1)
  return values[lo]! + (h - lo) * (values[hi]! - values[lo]!)
}

/** Quantile `q` in [0, 1] of values in any order (type 7). NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sorted(values), q)
}

/** The median: the mean of the two middle values when their number is even. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

/** Median of already sorted values. */
export function medianSorted(values: ArrayLike<number>): number {
  return quantileSorted(values, 0.5)
}

/** Interquartile range: the 75th minus the 25th percentile. */
export function iqr(values: readonly number[]): number {
  const s = sorted(values)
  return quantileSorted(s, 0.75) - quantileSorted(s, 0.25)
}
