// The five numbers of a Tukey box plot, and the samples beyond its whiskers.

export interface BoxStats {
  n: number
  min: number
  q1: number
  median: number
  q3: number
  max: number
  mean: number
  /** Whiskers: the most extreme samples within 1.5 IQR of the quartiles. */
  low: number
  high: number
  /** Samples outside the whiskers, ascending. */
  outliers: number[]
}

/** Linear-interpolation quantile (type 7, as R and NumPy default) of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** Box-plot statistics of `samples` (at least one finite number). */
export function boxStats(samples: readonly number[]): BoxStats {
  const sorted = [...samples].sort((a, b) => a - b)
  const n = sorted.length
  const q1 = quantile(sorted, 0.25)
  const q3 = quantile(sorted, 0.75)
  const fence = 1.5 * (q3 - q1)
  const inside = sorted.filter((v) => v >= q1 - fence && v <= q3 + fence)
  return {
    n,
    min: sorted[0]!,
    q1,
    median: quantile(sorted, 0.5),
    q3,
    max: sorted[n - 1]!,
    mean: sorted.reduce((s, v) => s + v, 0) / n,
    low: inside[0]!,
    high: inside[inside.length - 1]!,
    outliers: sorted.filter((v) => v < q1 - fence || v > q3 + fence),
  }
}

/** At most `limit` values of ascending `values`, evenly spread by rank, always keeping both ends. */
export function thin(values: readonly number[], limit: number): number[] {
  if (values.length <= limit) return [...values]
  if (limit < 2) return values.slice(0, limit)
  const step = (values.length - 1) / (limit - 1)
  return Array.from({ length: limit }, (_, i) => values[Math.round(i * step)]!)
}
