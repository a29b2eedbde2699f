// Samples measured outside Tinybench (an interleaved comparison, a workflow span another process
// marked) as the BaselineData `bench.from()` takes, so Vitest prints them in its own benchmark
// tables beside anything Tinybench measured. Latency statistics follow Tinybench's definitions
// (type-7 quantiles, sample variance, Student-t margin of error at 95 %); throughput is 1000 / ms.
import type { BaselineData } from 'vitest'
import { quantileSorted } from '../stats/quantile.ts'

// Student's t, two-sided 95 %, for df 1..30 (any t table); beyond, the Cornish-Fisher expansion.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042]

export function tCritical95(df: number): number {
  if (!(df >= 1)) return Number.NaN
  if (Number.isInteger(df) && df <= T95.length) return T95[df - 1]!
  const z = 1.959963984540054
  const z3 = z ** 3, z5 = z ** 5, z7 = z ** 7
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
}

export interface SampleStatistics {
  aad: number; critical: number; df: number; mad: number; max: number; mean: number; min: number; moe: number
  p50: number; p75: number; p99: number; p995: number; p999: number; rme: number; samples: number[] | undefined
  samplesCount: number; sd: number; sem: number; variance: number
}

export function statisticsOf(values: readonly number[]): SampleStatistics {
  if (values.length === 0) throw new RangeError('statisticsOf: no samples')
  const s = [...values].sort((a, b) => a - b)
  const n = s.length
  const mean = s.reduce((a, b) => a + b, 0) / n
  const variance = n > 1 ? s.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0
  const sd = Math.sqrt(variance)
  const sem = sd / Math.sqrt(n)
  const critical = n > 1 ? tCritical95(n - 1) : 0
  const moe = sem * critical
  const p50 = quantileSorted(s, 0.5)
  const deviations = s.map((v) => Math.abs(v - p50)).sort((a, b) => a - b)
  return {
    aad: s.reduce((a, v) => a + Math.abs(v - mean), 0) / n,
    critical, df: n - 1, mad: quantileSorted(deviations, 0.5), max: s[n - 1]!, mean, min: s[0]!, moe,
    p50, p75: quantileSorted(s, 0.75), p99: quantileSorted(s, 0.99), p995: quantileSorted(s, 0.995), p999: quantileSorted(s, 0.999),
    rme: mean === 0 ? Number.POSITIVE_INFINITY : (moe / Math.abs(mean)) * 100,
    samples: s, samplesCount: n, sd, sem, variance,
  }
}

/** `bench.from()` data for samples in ms per iteration. */
export function benchDataOf(samplesMs: readonly number[]): BaselineData {
  const latency = statisticsOf(samplesMs)
  const throughput = statisticsOf(samplesMs.map((ms) => (ms > 0 ? 1000 / ms : 0)))
  const totalTime = samplesMs.reduce((a, b) => a + b, 0)
  // Tinybench brands its sorted sample arrays; ours are sorted too
  return { latency, throughput, period: totalTime / samplesMs.length, totalTime } as unknown as BaselineData
}
