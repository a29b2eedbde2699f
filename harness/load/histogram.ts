// Latency histograms of the load generator and their summaries.
//
// Method: HDR histograms (hdr-histogram-js) in microseconds, 3 significant digits (a recorded
// value is within 0.1 % of the true one), lowest discernible 1 µs, with autoResize ON and no
// highest value: a 5 s (or 5 min) latency is recorded as itself, never clamped or dropped — the
// original tool capped its histogram at 60 ms and lost everything above. Memory is bounded by the
// range of values, not by their number (a histogram covering 1 µs–1 h at 3 digits is ~100 KB), so
// long runs do not grow. Histograms of threads and seconds are merged with `add` (exact: counts
// add up). Summaries are in milliseconds.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js'
import type { Percentiles, SpectrumPoint } from './types.ts'

/** A fresh latency histogram (µs, 3 digits, uncapped). */
export function latencyHistogram(): Histogram {
  // start covering 1 µs–~1 s; autoResize grows the range on the first larger value
  return build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 20, numberOfSignificantValueDigits: 3 })
}

/** Records a latency given in milliseconds (fractional), at microsecond resolution; never capped. */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(ms > 0.001 ? Math.round(ms * 1000) : 1)
}

export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h)
}

export function decodeHistogram(base64: string): Histogram {
  const h = decodeFromCompressedBase64(base64, 32)
  h.autoResize = true
  return h
}

const us = (v: number) => v / 1000

/** Count, mean and the usual percentiles in ms; zeros when nothing was recorded. */
export function percentilesOf(h: Histogram): Percentiles {
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }
  return {
    count: h.totalCount,
    mean: us(h.mean),
    p50: us(h.getValueAtPercentile(50)),
    p90: us(h.getValueAtPercentile(90)),
    p99: us(h.getValueAtPercentile(99)),
    p999: us(h.getValueAtPercentile(99.9)),
    max: us(h.maxValue),
  }
}

/**
 * The percentile spectrum for a 1/(1−p) axis: p = 100·(1 − 2^(−k/4)) for k = 0, 1, 2, … (four
 * points per halving of the tail, as HdrHistogram's own output), while at least one request lies
 * beyond p, then 100 (the max).
 */
export function spectrumOf(h: Histogram): SpectrumPoint[] {
  const points: SpectrumPoint[] = []
  if (h.totalCount === 0) return points
  for (let k = 0; ; k++) {
    const tail = 2 ** (-k / 4)
    if (tail * h.totalCount < 1) break
    const percentile = 100 * (1 - tail)
    points.push({ percentile, ms: us(h.getValueAtPercentile(percentile)) })
  }
  points.push({ percentile: 100, ms: us(h.maxValue) })
  return points
}
