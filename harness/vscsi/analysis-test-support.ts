// Tiny builders of per-interval vscsiStats samples for the analysis tests: the real bucket limits
// (as vscsiStats -p all prints them) and a workload described by IO counts per value.
import type { DiskId, Histogram, HistogramMetric, HistogramOp, IntervalSample } from './types.ts'

export const LIMITS: Readonly<Record<HistogramMetric, readonly number[]>> = {
  ioLength: [512, 1024, 2048, 4095, 4096, 8191, 8192, 16383, 16384, 32768, 49152, 65535, 65536, 81920, 131072, 262144, 524288, 524288],
  seekDistance: [-500000, -100000, -50000, -10000, -5000, -1000, -500, -128, -64, -32, -16, -8, -6, -4, -2, -1, 0, 1, 2, 4, 6, 8, 16, 32, 64, 128, 500, 1000, 5000, 10000, 50000, 100000, 500000, 500000],
  seekDistanceClosest: [-500000, -100000, -50000, -10000, -5000, -1000, -500, -128, -64, -32, -16, -8, -6, -4, -2, -1, 0, 1, 2, 4, 6, 8, 16, 32, 64, 128, 500, 1000, 5000, 10000, 50000, 100000, 500000, 500000],
  outstandingIOs: [1, 2, 4, 6, 8, 12, 16, 20, 24, 28, 32, 64, 64],
  latency: [1, 10, 100, 500, 1000, 5000, 15000, 30000, 50000, 100000, 100000],
  interarrival: [1, 10, 100, 500, 1000, 5000, 15000, 30000, 50000, 100000, 100000],
}

/** A histogram of `metric`/`op` holding `counts` (value → IOs); values above the last limit overflow. */
export function histogram(metric: HistogramMetric, op: HistogramOp, counts: Readonly<Record<number, number>>): Histogram {
  const limits = LIMITS[metric]
  const last = limits.length - 1
  const buckets = limits.map((limit) => ({ limit, frequency: 0 }))
  let count = 0
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const [k, n] of Object.entries(counts)) {
    const v = Number(k)
    if (n <= 0) continue
    let i = limits.findIndex((l, j) => j < last && v <= l)
    if (i < 0) i = last
    buckets[i]!.frequency += n
    count += n
    sum += v * n
    min = Math.min(min, v)
    max = Math.max(max, v)
  }
  return { metric, op, count, min: count ? min : 0, max: count ? max : 0, mean: count ? sum / count : 0, buckets }
}

export interface TestWorkload {
  /** IOs in the interval. */
  reads: number
  writes: number
  /** Size in bytes → weight. */
  readSizes: Readonly<Record<number, number>>
  writeSizes: Readonly<Record<number, number>>
  /** Share (0–1) of commands at distance +1; the rest at distance 40000. */
  sequential: number
  /** Every IO finds this many outstanding. */
  outstanding: number
  readLatencyUs: number
  writeLatencyUs: number
}

export const VM_WORKLOAD: TestWorkload = {
  reads: 7000,
  writes: 3000,
  readSizes: { 4096: 50, 8192: 30, 65536: 20 },
  writeSizes: { 4096: 70, 16384: 30 },
  sequential: 0.3,
  outstanding: 8,
  readLatencyUs: 800,
  writeLatencyUs: 2000,
}

/** Splits `n` IOs by weights into whole counts (the last weight takes the rounding). */
function spread(n: number, weights: Readonly<Record<number, number>>): Record<number, number> {
  const keys = Object.keys(weights).map(Number)
  const total = keys.reduce((a, k) => a + weights[k]!, 0)
  const out: Record<number, number> = {}
  let left = n
  keys.forEach((k, i) => {
    const c = i === keys.length - 1 ? left : Math.round((n * weights[k]!) / total)
    out[k] = c
    left -= c
  })
  return out
}

function merge(a: Record<number, number>, b: Record<number, number>): Record<number, number> {
  const out = { ...a }
  for (const [k, v] of Object.entries(b)) out[Number(k)] = (out[Number(k)] ?? 0) + v
  return out
}

/** The 16 histograms of one disk over one interval doing `w`. */
export function workloadHistograms(w: TestWorkload): Histogram[] {
  const rs = spread(w.reads, w.readSizes)
  const ws = spread(w.writes, w.writeSizes)
  const seek = (n: number) => {
    const seq = Math.round(n * w.sequential)
    return { 1: seq, 40000: n - seq }
  }
  const total = w.reads + w.writes
  return [
    histogram('ioLength', 'all', merge(rs, ws)),
    histogram('ioLength', 'read', rs),
    histogram('ioLength', 'write', ws),
    histogram('seekDistance', 'all', seek(total)),
    histogram('seekDistance', 'read', seek(w.reads)),
    histogram('seekDistance', 'write', seek(w.writes)),
    histogram('seekDistanceClosest', 'all', seek(total)),
    histogram('latency', 'all', { [w.readLatencyUs]: w.reads, [w.writeLatencyUs]: w.writes }),
    histogram('latency', 'read', { [w.readLatencyUs]: w.reads }),
    histogram('latency', 'write', { [w.writeLatencyUs]: w.writes }),
    histogram('outstandingIOs', 'all', { [w.outstanding]: total }),
    histogram('outstandingIOs', 'read', { [w.outstanding]: w.reads }),
    histogram('outstandingIOs', 'write', { [w.outstanding]: w.writes }),
    histogram('interarrival', 'all', { 100: total }),
    histogram('interarrival', 'read', { 100: w.reads }),
    histogram('interarrival', 'write', { 100: w.writes }),
  ]
}

export function disk(handleId: number, device = `scsi0:${handleId - 8194}`): DiskId {
  return { worldGroupId: 2099979, handleId, device, vm: 'vm01' }
}

const T0 = Date.parse('2026-11-24T10:00:00Z')

/** Interval `i` (0-based) of `seconds` length from 10:00 UTC. */
export function sample(d: DiskId, i: number, w: TestWorkload, seconds = 60): IntervalSample {
  return {
    disk: d,
    start: new Date(T0 + i * seconds * 1000).toISOString(),
    end: new Date(T0 + (i + 1) * seconds * 1000).toISOString(),
    seconds,
    histograms: workloadHistograms(w),
  }
}

/** `intervals` intervals of every disk in `disks`; `scale(i, d)` multiplies the IO counts. */
export function samples(disks: readonly DiskId[], intervals: number, w: TestWorkload = VM_WORKLOAD, scale: (i: number, d: number) => number = () => 1, seconds = 60): IntervalSample[] {
  const out: IntervalSample[] = []
  for (let i = 0; i < intervals; i++) {
    disks.forEach((dk, j) => {
      const f = scale(i, j)
      out.push(sample(dk, i, { ...w, reads: Math.round(w.reads * f), writes: Math.round(w.writes * f) }, seconds))
    })
  }
  return out
}
