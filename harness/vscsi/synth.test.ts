import { describe, expect, test } from 'vitest'
import { BUCKET_LIMITS, HISTOGRAM_KINDS, intervalSamples, parseCapture, renderCapture } from './format/capture.ts'
import { EXAMPLE_WORKLOAD, captureAt, synthCaptures } from './synth.ts'
import type { SynthOptions, WorkloadSpec } from './synth.ts'
import type { Capture, DiskId, Histogram, HistogramMetric, HistogramOp } from './types.ts'

const disks: DiskId[] = [
  { worldGroupId: 2099979, handleId: 8194, device: 'scsi0:0', vm: 'vm01' },
  { worldGroupId: 2101342, handleId: 8201, device: 'scsi0:0', vm: 'db01' },
]
const oltp: WorkloadSpec = {
  iops: 1200,
  readShare: 0.72,
  readSizes: { 8192: 60, 4096: 25, 65536: 15 },
  writeSizes: { 4096: 50, 16384: 30, 131072: 20 },
  sequentialShare: 0.15,
  outstanding: 6,
  readLatencyUs: 800,
  writeLatencyUs: 300,
}
const backup: WorkloadSpec = { ...oltp, iops: 300, readShare: 0.95, readSizes: { 262144: 1 }, writeSizes: { 65536: 1 }, sequentialShare: 0.85, outstanding: 16, readLatencyUs: 3000 }
const opts: SynthOptions & { samples: number } = {
  disks,
  samples: 12,
  intervalS: 5,
  seed: 42,
  start: new Date('2026-11-24T10:00:00Z'),
  workload: (d) => (d.handleId === 8194 ? oltp : backup),
}
const h = (hs: Histogram[], metric: HistogramMetric, op: HistogramOp) => hs.find((x) => x.metric === metric && x.op === op)!
const meanSize = (x: Histogram) => x.buckets.reduce((a, b) => a + b.frequency * b.limit, 0) / x.count
const specMeanSize = (sizes: Record<number, number>) => {
  const w = Object.values(sizes).reduce((a, b) => a + b, 0)
  return Object.entries(sizes).reduce((a, [s, x]) => a + Number(s) * x, 0) / w
}

describe('synthCaptures', () => {
  const caps = synthCaptures(opts)
  const samples = intervalSamples(caps)

  test('samples + 1 cumulative captures, the first all zeros, times intervalS apart, every count growing', () => {
    expect(caps).toHaveLength(13)
    expect(caps.map((c) => c.at).slice(0, 3)).toEqual(['2026-11-24T10:00:00.000Z', '2026-11-24T10:00:05.000Z', '2026-11-24T10:00:10.000Z'])
    for (const d of caps[0]!.disks) for (const x of d.histograms) expect([x.count, x.min, x.max, x.mean, ...x.buckets.map((b) => b.frequency)].every((v) => v === 0)).toBe(true)
    for (let i = 1; i < caps.length; i++) {
      for (const [di, d] of caps[i]!.disks.entries()) {
        expect(d.histograms.map((x) => `${x.metric}/${x.op}`)).toEqual(HISTOGRAM_KINDS.map((k) => `${k.metric}/${k.op}`))
        for (const [hi, x] of d.histograms.entries()) {
          const before = caps[i - 1]!.disks[di]!.histograms[hi]!
          expect(x.count).toBeGreaterThan(before.count)
          x.buckets.forEach((b, k) => expect(b.frequency).toBeGreaterThanOrEqual(before.buckets[k]!.frequency))
          expect(x.buckets.map((b) => b.limit)).toEqual(BUCKET_LIMITS[x.metric])
          expect(x.buckets.reduce((a, b) => a + b.frequency, 0)).toBe(x.count)
          expect(x.min).toBeLessThanOrEqual(x.mean)
          expect(x.mean).toBeLessThanOrEqual(x.max)
        }
      }
    }
  })

  test('interval differences reproduce the spec: IOPS, read share, mean block sizes, sequential share', () => {
    expect(samples).toHaveLength(24)
    for (const s of samples) {
      const spec = s.disk.handleId === 8194 ? oltp : backup
      const all = h(s.histograms, 'ioLength', 'all')
      const reads = h(s.histograms, 'ioLength', 'read')
      const writes = h(s.histograms, 'ioLength', 'write')
      expect(s.seconds).toBe(5)
      expect(all.count / s.seconds).toBeGreaterThan(spec.iops * 0.96)
      expect(all.count / s.seconds).toBeLessThan(spec.iops * 1.04)
      expect(Math.abs(reads.count / all.count - spec.readShare)).toBeLessThan(0.005)
      expect(meanSize(reads) / specMeanSize(spec.readSizes)).toBeCloseTo(1, 2)
      expect(meanSize(writes) / specMeanSize(spec.writeSizes)).toBeCloseTo(1, 2)
      // the interval means computed from the printed (rounded) cumulative means agree with the buckets
      expect(Math.abs(all.mean / meanSize(all) - 1)).toBeLessThan(0.02)
      const seek = h(s.histograms, 'seekDistance', 'all')
      const plusOne = seek.buckets[BUCKET_LIMITS.seekDistance.indexOf(1)]!.frequency
      expect(Math.abs(plusOne / seek.count - spec.sequentialShare)).toBeLessThan(0.005)
      expect(h(s.histograms, 'seekDistanceClosest', 'all').count).toBe(all.count)
    }
  })

  test('every all-commands histogram is read + write bucket by bucket', () => {
    for (const s of samples) {
      for (const metric of ['ioLength', 'seekDistance', 'outstandingIOs', 'latency', 'interarrival'] as const) {
        const [a, r, w] = (['all', 'read', 'write'] as const).map((op) => h(s.histograms, metric, op))
        expect(a!.count).toBe(r!.count + w!.count)
        expect(a!.buckets.map((b) => b.frequency)).toEqual(r!.buckets.map((b, k) => b.frequency + w!.buckets[k]!.frequency))
      }
    }
  })

  test('latency medians, queue depth and interarrival sit where the spec puts them', () => {
    const median = (x: Histogram) => {
      let acc = 0
      for (const b of x.buckets) if ((acc += b.frequency) >= x.count / 2) return b.limit
      return NaN
    }
    for (const s of samples) {
      const spec = s.disk.handleId === 8194 ? oltp : backup
      const bucketOf = (v: number) => BUCKET_LIMITS.latency.find((l) => v <= l)
      expect(median(h(s.histograms, 'latency', 'read'))).toBe(bucketOf(spec.readLatencyUs))
      expect(median(h(s.histograms, 'latency', 'write'))).toBe(bucketOf(spec.writeLatencyUs))
      const q = h(s.histograms, 'outstandingIOs', 'all')
      expect(q.mean / spec.outstanding).toBeGreaterThan(0.9)
      expect(q.mean / spec.outstanding).toBeLessThan(1.1)
      const ia = h(s.histograms, 'interarrival', 'read')
      const readIops = h(s.histograms, 'ioLength', 'read').count / s.seconds
      expect(median(ia)).toBe(bucketOf(1e6 / readIops))
    }
  })

  test('a workload that changes per interval shows in the samples (the peak is where it was put)', () => {
    const peak = synthCaptures({ ...opts, disks: [disks[0]!], workload: (_d, k) => ({ ...oltp, iops: k === 7 ? 4000 : 500 }) })
    const iops = intervalSamples(peak).map((s) => h(s.histograms, 'ioLength', 'all').count / s.seconds)
    expect(iops.indexOf(Math.max(...iops))).toBe(7)
    expect(iops[7]! / iops[6]!).toBeGreaterThan(7)
  })

  test('deterministic from the seed; another seed differs', () => {
    expect(synthCaptures(opts)).toEqual(caps)
    expect(synthCaptures({ ...opts, seed: 43 })).not.toEqual(caps)
  })

  test('renders to the real format and parses back unchanged', () => {
    const last = caps.at(-1)!
    expect(parseCapture(renderCapture(last.disks), 'synth.txt')).toEqual(last.disks.map((d) => ({ ...d, disk: { worldGroupId: d.disk.worldGroupId, handleId: d.disk.handleId, device: d.disk.device } })))
  })
})

describe('captureAt (stateless, for the stub vscsiStats)', () => {
  test('at sample times it equals the synthCaptures capture', () => {
    const caps = synthCaptures(opts)
    for (const k of [0, 1, 7, 12]) expect(captureAt(opts, k * opts.intervalS)).toEqual(caps[k])
  })

  test('between sample times every bucket grows monotonically and the time is start + elapsed', () => {
    const times = [0, 1.3, 2.5, 4.99, 5, 6.2, 9.9, 10]
    const caps: Capture[] = times.map((t) => captureAt(opts, t))
    expect(caps[1]!.at).toBe('2026-11-24T10:00:01.300Z')
    for (let i = 1; i < caps.length; i++) {
      for (const [di, d] of caps[i]!.disks.entries()) {
        for (const [hi, x] of d.histograms.entries()) {
          const before = caps[i - 1]!.disks[di]!.histograms[hi]!
          expect(x.count).toBeGreaterThanOrEqual(before.count)
          x.buckets.forEach((b, k) => expect(b.frequency).toBeGreaterThanOrEqual(before.buckets[k]!.frequency))
        }
      }
    }
    const c = (i: number) => h(caps[i]!.disks[0]!.histograms, 'ioLength', 'all').count
    expect(c(2)).toBeGreaterThan(c(0))
    expect(c(2)).toBeLessThan(c(4))
  })

  test('a long run (30 minutes of 5 s intervals) keeps counts consistent', () => {
    const c = captureAt({ ...opts, workload: () => EXAMPLE_WORKLOAD }, 1800)
    const all = h(c.disks[0]!.histograms, 'ioLength', 'all')
    expect(all.count).toBeGreaterThan(EXAMPLE_WORKLOAD.iops * 1800 * 0.97)
    expect(all.count).toBeLessThan(EXAMPLE_WORKLOAD.iops * 1800 * 1.03)
    expect(all.count).toBe(h(c.disks[0]!.histograms, 'ioLength', 'read').count + h(c.disks[0]!.histograms, 'ioLength', 'write').count)
  })
})
