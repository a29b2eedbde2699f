// Synthetic vscsiStats: realistic, EVOLVING cumulative captures generated from a seeded workload,
// for tests, the bench and the stub `vscsiStats` script on the test sshd.
//
//   synthCaptures({ disks, samples, intervalS, seed, start, workload }) → Capture[]
//       samples + 1 cumulative captures taken every intervalS seconds from `start`; the first is
//       all zeros (right after `vscsiStats -s`), so intervalSamples() of the result yields
//       `samples` samples per disk whose differences reproduce workload(disk, k) for k = 0…
//   captureAt({ disks, intervalS, seed, start, workload }, elapsedSeconds) → Capture
//       the cumulative capture `elapsedSeconds` after `-s`, computed from the seed alone (no
//       history kept), so a stub script started afresh on every call prints consistent,
//       monotonically growing histograms: captureAt(o, t) at t = k·intervalS equals
//       synthCaptures(o)[k]; between sample times every count grows monotonically.
//   renderCapture(captureAt(...).disks) is what `vscsiStats -p all -c` would print.
//
// What one interval k of disk d contains (n = iops·intervalS ±3 %, reads = round(n·readShare)):
//   - ioLength: reads and writes distributed over readSizes / writeSizes weights (largest
//     remainder, exact sizes), bucketed on the real limits (a size ≤ limit goes in that bucket;
//     above 524288 the overflow); min/max/mean are the exact sizes.
//   - seekDistance: round(count·sequentialShare) in the +1 bucket, the rest spread over far
//     buckets (|d| ≥ 5000 mostly, a few short hops, never +1); seekDistanceClosest likewise with
//     nearer distances.
//   - latency: log-normal around readLatencyUs / writeLatencyUs (the medians, σ = 0.5) binned on
//     the real limits; interarrival: log-normal around 1e6 / (op IOPS) µs (σ = 0.8);
//     outstandingIOs: 1 + Poisson(outstanding − 1), so its mean is `outstanding`.
//   - every 'all' histogram is read + write bucket by bucket (seekDistanceClosest exists only as
//     'all'); latency/interarrival values are the log-normal's own mean within each bucket, other
//     values the integer middles of their buckets (overflow: 1.5 × the last limit), so
//     min ≤ mean ≤ max and the means are consistent with the buckets.
// Cumulative min/max are the extremes so far, mean = round(sum / count) as vscsiStats prints
// integers; an empty histogram prints min, max and mean 0.

import { seededRandom } from '../stats/random.ts'
import { BUCKET_LIMITS, HISTOGRAM_KINDS } from './format/capture.ts'
import { diskKey } from './types.ts'
import type { Capture, DiskHistograms, DiskId, Histogram, HistogramMetric, HistogramOp } from './types.ts'

export interface WorkloadSpec {
  /** Commands per second (reads + writes). */
  iops: number
  /** 0..1, share of commands that are reads. */
  readShare: number
  /** bytes → weight. */
  readSizes: Record<number, number>
  writeSizes: Record<number, number>
  /** 0..1 of commands with seek distance +1. */
  sequentialShare: number
  /** Mean queue depth (outstanding IOs when a new IO is issued), ≥ 1. */
  outstanding: number
  /** Median read latency, µs. */
  readLatencyUs: number
  /** Median write latency, µs. */
  writeLatencyUs: number
}

export interface SynthOptions {
  disks: DiskId[]
  /** Seconds between captures. */
  intervalS: number
  seed: number
  /** The moment of `vscsiStats -s` (capture 0). */
  start: Date
  /** The workload of `disk` during interval `interval` (0-based, [k·intervalS, (k+1)·intervalS)). */
  workload: (disk: DiskId, interval: number) => WorkloadSpec
}

/** A plausible OLTP-ish database disk: 70 % reads of 8 K, 4 K/64 K writes, mostly random. */
export const EXAMPLE_WORKLOAD: WorkloadSpec = Object.freeze({
  iops: 800,
  readShare: 0.7,
  readSizes: { 8192: 70, 4096: 20, 65536: 10 },
  writeSizes: { 4096: 50, 8192: 30, 65536: 20 },
  sequentialShare: 0.2,
  outstanding: 4,
  readLatencyUs: 800,
  writeLatencyUs: 400,
})

/** samples + 1 cumulative captures every intervalS seconds, the first all zeros. */
export function synthCaptures(o: SynthOptions & { samples: number }): Capture[] {
  if (!Number.isInteger(o.samples) || o.samples < 0) throw new Error(`samples must be an integer ≥ 0, got ${o.samples}`)
  checkOptions(o)
  const state = new Map(o.disks.map((d) => [diskKey(d), emptyState()]))
  const out: Capture[] = [snapshot(o, 0, state)]
  for (let k = 0; k < o.samples; k++) {
    for (const d of o.disks) addAtoms(state.get(diskKey(d))!, increment(o, d, k), 1)
    out.push(snapshot(o, (k + 1) * o.intervalS, state))
  }
  return out
}

/** The cumulative capture elapsedSeconds after `-s`, from the seed alone (see the file head). */
export function captureAt(o: SynthOptions, elapsedSeconds: number): Capture {
  checkOptions(o)
  const t = Math.max(0, elapsedSeconds)
  const full = Math.floor(t / o.intervalS + 1e-9)
  const fraction = t / o.intervalS - full
  const state = new Map(o.disks.map((d) => [diskKey(d), emptyState()]))
  for (const d of o.disks) {
    const s = state.get(diskKey(d))!
    for (let k = 0; k < full; k++) addAtoms(s, increment(o, d, k), 1)
    if (fraction > 1e-9) addAtoms(s, increment(o, d, full), fraction)
  }
  return snapshot(o, t, state)
}

function checkOptions(o: SynthOptions): void {
  if (!(o.intervalS > 0)) throw new Error(`intervalS must be > 0, got ${o.intervalS}`)
  if (Number.isNaN(o.start.getTime())) throw new Error('start is not a valid date')
}

// ---- one interval: atoms (value, bucket, count) per histogram ----------------------------------

interface Atom {
  v: number
  b: number
  c: number
}
type Increment = Map<string, Atom[]>
const kindKey = (metric: HistogramMetric, op: HistogramOp) => `${metric}/${op}`

function increment(o: SynthOptions, disk: DiskId, k: number): Increment {
  const w = o.workload(disk, k)
  const rnd = seededRandom(hash(o.seed, disk.worldGroupId, disk.handleId, k)).next
  const n = Math.max(0, Math.round(w.iops * o.intervalS * (1 + 0.06 * (rnd() - 0.5))))
  const reads = Math.round(n * clamp01(w.readShare))
  const writes = n - reads
  const inc: Increment = new Map()
  const seq = clamp01(w.sequentialShare)
  const perOp: [HistogramOp, number, Record<number, number>, number][] = [
    ['read', reads, w.readSizes, w.readLatencyUs],
    ['write', writes, w.writeSizes, w.writeLatencyUs],
  ]
  for (const [op, count, sizes, latency] of perOp) {
    const opIops = count / o.intervalS
    inc.set(kindKey('ioLength', op), sizeAtoms(count, sizes))
    inc.set(kindKey('seekDistance', op), distanceAtoms(count, seq, FAR_WEIGHTS))
    inc.set(kindKey('outstandingIOs', op), outstandingAtoms(count, w.outstanding))
    inc.set(kindKey('latency', op), logNormalAtoms('latency', count, Math.max(1, latency) * (0.92 + 0.16 * rnd()), 0.5))
    inc.set(kindKey('interarrival', op), logNormalAtoms('interarrival', count, opIops > 0 ? (1e6 / opIops) * (0.9 + 0.2 * rnd()) : 1e6, 0.8))
  }
  for (const metric of ['ioLength', 'seekDistance', 'outstandingIOs', 'latency', 'interarrival'] as const) {
    inc.set(kindKey(metric, 'all'), [...inc.get(kindKey(metric, 'read'))!, ...inc.get(kindKey(metric, 'write'))!])
  }
  inc.set(kindKey('seekDistanceClosest', 'all'), distanceAtoms(n, seq, CLOSE_WEIGHTS))
  return inc
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0))
}

/** Splits n by weights, exactly (largest remainder). */
function apportion(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + Math.max(0, b), 0)
  if (n <= 0 || total <= 0) return weights.map(() => 0)
  const exact = weights.map((w) => (Math.max(0, w) / total) * n)
  const out = exact.map(Math.floor)
  let left = n - out.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let j = 0; left > 0; j = (j + 1) % order.length, left--) out[order[j]![1]]!++
  return out
}

function bucketOf(metric: HistogramMetric, value: number): number {
  const lim = BUCKET_LIMITS[metric]
  for (let i = 0; i < lim.length - 1; i++) if (value <= lim[i]!) return i
  return lim.length - 1
}

/** The integer middle of bucket i, (previous limit, limit]; overflow 1.5 × last limit. */
function bucketValue(metric: HistogramMetric, i: number): number {
  const lim = BUCKET_LIMITS[metric]
  const last = lim.length - 1
  if (i === last) return Math.round(lim[last]! * 1.5)
  const hi = lim[i]!
  const lo = i === 0 ? (hi < 0 ? Math.round(hi * 1.5) - 1 : 0) : lim[i - 1]!
  return Math.round((lo + 1 + hi) / 2)
}

function sizeAtoms(n: number, sizes: Record<number, number>): Atom[] {
  const entries = Object.entries(sizes)
    .map(([s, w]) => [Number(s), w] as const)
    .filter(([s, w]) => Number.isFinite(s) && s > 0 && w > 0)
    .sort((a, b) => a[0] - b[0])
  if (n > 0 && entries.length === 0) throw new Error('workload has commands but no block sizes')
  const counts = apportion(n, entries.map((e) => e[1]))
  return entries.map(([s], i) => ({ v: Math.round(s), b: bucketOf('ioLength', s), c: counts[i]! })).filter((a) => a.c > 0)
}

/** Relative weights of non-sequential seek distances per seekDistance bucket (34 buckets). */
const FAR_WEIGHTS = distanceWeights({ 500000: 10, 100000: 6, 50000: 4, 10000: 3, 5000: 2, 1000: 1, 128: 0.5, 8: 0.3, 2: 0.2 }, 12)
const CLOSE_WEIGHTS = distanceWeights({ 100000: 3, 50000: 4, 10000: 5, 5000: 4, 1000: 3, 500: 2, 128: 2, 64: 1, 32: 1, 16: 1, 8: 1, 2: 1 }, 2)

function distanceWeights(byAbsLimit: Record<number, number>, overflow: number): number[] {
  const lim = BUCKET_LIMITS.seekDistance
  return lim.map((l, i) => {
    if (i === lim.length - 1 || i === 0) return overflow / 2 // beyond ±500000
    if (l === 1 || l === 0) return 0 // +1 is the sequential bucket; 0 is a re-read of the same block
    const w = byAbsLimit[Math.abs(l)] ?? 0
    return l < 0 ? w * 0.6 : w // backwards a little less often
  })
}

function distanceAtoms(n: number, sequentialShare: number, weights: readonly number[]): Atom[] {
  const sequential = Math.round(n * sequentialShare)
  const counts = apportion(n - sequential, weights)
  counts[bucketOf('seekDistance', 1)]! += sequential
  return counts.map((c, b) => ({ v: bucketValue('seekDistance', b), b, c })).filter((a) => a.c > 0)
}

function logNormalAtoms(metric: 'latency' | 'interarrival', n: number, median: number, sigma: number): Atom[] {
  const lim = BUCKET_LIMITS[metric]
  const mu = Math.log(median)
  const phi = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2))
  const edges = lim.map((l, i) => [i === 0 ? 0 : lim[i - 1]!, i === lim.length - 1 ? Infinity : l] as const)
  const z = (x: number, shift: number) => (x <= 0 ? -Infinity : x === Infinity ? Infinity : (Math.log(x) - mu - shift) / sigma)
  const p = edges.map(([lo, hi]) => phi(z(hi, 0)) - phi(z(lo, 0)))
  return apportion(n, p)
    .map((c, b) => {
      // The distribution's own mean within the bucket (log-normal partial expectation), kept inside it.
      const [lo, hi] = edges[b]!
      const inside = p[b]! > 1e-12 ? (Math.exp(mu + (sigma * sigma) / 2) * (phi(z(hi, sigma * sigma)) - phi(z(lo, sigma * sigma)))) / p[b]! : bucketValue(metric, b)
      const v = Math.round(Math.min(Math.max(inside, lo + 1), hi === Infinity ? Math.max(inside, lo + 1) : hi))
      return { v: Number.isFinite(v) ? v : bucketValue(metric, b), b, c }
    })
    .filter((a) => a.c > 0)
}

function outstandingAtoms(n: number, mean: number): Atom[] {
  const lambda = Math.max(0, (Number.isFinite(mean) ? mean : 1) - 1)
  const top = Math.ceil(lambda + 10 * Math.sqrt(lambda) + 10)
  const pmf: number[] = []
  for (let q = 0; q <= top; q++) pmf.push(Math.exp(q * Math.log(lambda || 1e-300) - lambda - logFactorial(q)))
  return apportion(n, pmf)
    .map((c, q) => ({ v: q + 1, b: bucketOf('outstandingIOs', q + 1), c }))
    .filter((a) => a.c > 0)
}

function logFactorial(k: number): number {
  let s = 0
  for (let i = 2; i <= k; i++) s += Math.log(i)
  return s
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const s = Math.sign(x)
  const a = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * a)
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a)
  return s * y
}

// ---- cumulative state --------------------------------------------------------------------------

interface CumHist {
  count: number
  sum: number
  min: number
  max: number
  freq: number[]
}
type DiskState = Map<string, CumHist>

function emptyState(): DiskState {
  return new Map(
    HISTOGRAM_KINDS.map((k) => [kindKey(k.metric, k.op), { count: 0, sum: 0, min: Infinity, max: -Infinity, freq: BUCKET_LIMITS[k.metric].map(() => 0) }]),
  )
}

/** Adds floor(fraction·c) of every atom (fraction 1: all of it). Monotonic in fraction. */
function addAtoms(s: DiskState, inc: Increment, fraction: number): void {
  for (const [key, atoms] of inc) {
    const h = s.get(key)!
    for (const a of atoms) {
      const c = fraction >= 1 ? a.c : Math.floor(a.c * fraction)
      if (c <= 0) continue
      h.count += c
      h.sum += a.v * c
      h.freq[a.b]! += c
      if (a.v < h.min) h.min = a.v
      if (a.v > h.max) h.max = a.v
    }
  }
}

function snapshot(o: SynthOptions, elapsedSeconds: number, state: Map<string, DiskState>): Capture {
  const disks: DiskHistograms[] = o.disks.map((d) => {
    const s = state.get(diskKey(d))!
    const histograms: Histogram[] = HISTOGRAM_KINDS.map(({ metric, op }) => {
      const h = s.get(kindKey(metric, op))!
      return {
        metric,
        op,
        count: h.count,
        min: h.count ? h.min : 0,
        max: h.count ? h.max : 0,
        mean: h.count ? Math.round(h.sum / h.count) : 0,
        buckets: BUCKET_LIMITS[metric].map((limit, i) => ({ limit, frequency: h.freq[i]! })),
      }
    })
    return { disk: { ...d }, histograms }
  })
  return { at: new Date(o.start.getTime() + Math.round(elapsedSeconds * 1000)).toISOString(), disks }
}

// ---- deterministic randomness ------------------------------------------------------------------

function hash(...xs: number[]): number {
  let h = 0x811c9dc5
  for (const x of xs) {
    let v = Math.floor(x) | 0
    for (let i = 0; i < 4; i++) {
      h ^= v & 0xff
      h = Math.imul(h, 0x01000193)
      v >>>= 8
    }
    h ^= Math.floor(x / 2 ** 32) | 0
  }
  return h >>> 0
}
