// Summaries of the probe's timings: min, mean and quantiles (type 7, ../stats/quantile.ts) of a
// list of ms values, null when there is nothing to summarise; and MB/s from bytes and ms.
import { quantileSorted, sorted } from '../stats/quantile.ts'
import type { LatencySummary } from './schema.ts'

const round = (v: number) => Math.round(v * 1000) / 1000

/** n, min, avg, p50, p95, p99 and max of `samples` (ms), rounded to µs; nulls when empty. */
export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { n: 0, min: null, avg: null, p50: null, p95: null, p99: null, max: null }
  const s = sorted(samples)
  const avg = samples.reduce((a, b) => a + b, 0) / samples.length
  return {
    n: samples.length,
    min: round(s[0]!),
    avg: round(avg),
    p50: round(quantileSorted(s, 0.5)),
    p95: round(quantileSorted(s, 0.95)),
    p99: round(quantileSorted(s, 0.99)),
    max: round(s[s.length - 1]!),
  }
}

/** Throughput in MB/s (10^6 bytes per second) of `bytes` moved in `ms`; 0 when nothing was timed. */
export function mbPerSecond(bytes: number, ms: number): number {
  return ms > 0 ? round(bytes / 1e6 / (ms / 1000)) : 0
}

export const MIB = 1024 * 1024

/** Bytes of a size given in MiB (fractions allowed, at least 1 byte). */
export function mibToBytes(mib: number): number {
  return Math.max(1, Math.round(mib * MIB))
}
