import { describe, expect, test } from 'vitest'
import { ConfigSchema } from '../config/schema.ts'
import { isUserError } from '../errors.ts'
import {
  analysisOptions,
  analyzeSamples,
  blockSizeOfBucket,
  checkGates,
  DEFAULT_ANALYSIS_OPTIONS,
  filterSamples,
  intervalsOf,
  profileFigures,
  type AnalysisOptions,
} from './analysis.ts'
import { disk, LIMITS, sample, samples, VM_WORKLOAD, type TestWorkload } from './analysis-test-support.ts'
import { intervalSamples } from './format/capture.ts'
import { synthCaptures } from './synth.ts'

const O: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS }
const D1 = disk(8194)
const D2 = disk(8195)

describe('analysisOptions', () => {
  test('copies the vscsi section of the config', () => {
    const vscsi = ConfigSchema.parse({ vscsi: { filter: 'statistical', k: 2, min_iops: 50, sequential_lbns: 8, percentile: 90 } }).vscsi
    expect(analysisOptions(vscsi)).toEqual({ filter: 'statistical', percentile: 90, k: 2, minIops: 50, sequentialLbns: 8 })
    expect(analysisOptions(ConfigSchema.parse({}).vscsi)).toEqual(DEFAULT_ANALYSIS_OPTIONS)
  })
})

describe('blockSizeOfBucket (sizes when the exact bytes are unknown)', () => {
  const L = LIMITS.ioLength
  const at = (limit: number) => blockSizeOfBucket(L, L.indexOf(limit))
  test('narrow buckets (one aligned size) stand for that size', () => {
    expect([512, 1024, 4096, 8192, 16384, 65536].map(at)).toEqual([512, 1024, 4096, 8192, 16384, 65536])
  })
  test('wide buckets stand for the aligned middle of their range, not their limit', () => {
    expect([2048, 4095, 8191, 16383, 32768, 49152, 65535, 81920, 131072, 524288].map(at)).toEqual([2048, 3072, 6144, 12288, 25088, 41472, 57344, 74240, 107008, 393728])
    for (const limit of L) expect(at(limit) % 512).toBe(0)
  })
  test('the overflow bucket: the largest IO seen (aligned up), else twice the last limit', () => {
    expect(blockSizeOfBucket(L, L.length - 1)).toBe(1048576)
    expect(blockSizeOfBucket(L, L.length - 1, 1000000)).toBe(1000448)
    expect(blockSizeOfBucket(L, L.length - 1, 4096)).toBe(1048576)
  })
})

describe('exact bytes and representative sizes (IO sizes off the bucket limits)', () => {
  // reads: 4 KiB 35 %, 20 KiB 40 % (in (16384, 32768]), 128 KiB 25 % (top of (81920, 131072]);
  // writes: 24 KiB 50 %, 96 KiB 30 % (in (81920, 131072]), 768 KiB 20 % (overflow, max 768 KiB)
  const w: TestWorkload = { ...VM_WORKLOAD, reads: 6000, writes: 4000, readSizes: { 4096: 35, 20480: 40, 131072: 25 }, writeSizes: { 24576: 50, 98304: 30, 786432: 20 } }
  const p = analyzeSamples(samples([D1, D2], 3, w), { ...O, percentile: 0 })
  const readBytes = 2100 * 4096 + 2400 * 20480 + 1500 * 131072
  const writeBytes = 2000 * 24576 + 1200 * 98304 + 800 * 786432
  const implied = (split: Record<string, number>, ios: number) => Object.entries(split).reduce((a, [size, share]) => a + Number(size) * share * ios, 0)

  test('MB/s and mean block sizes are the exact bytes (Σ mean × count), not bucket limits', () => {
    expect(p.MB_s.read).toBeCloseTo((6 * readBytes) / 180 / 1e6, 9)
    expect(p.MB_s.write).toBeCloseTo((6 * writeBytes) / 180 / 1e6, 9)
    expect(p.MB_s.total).toBeCloseTo((6 * (readBytes + writeBytes)) / 180 / 1e6, 9)
    expect(p.mean_block_bytes.read).toBeCloseTo(readBytes / 6000, 9)
    expect(p.mean_block_bytes.write).toBeCloseTo(writeBytes / 4000, 9)
    expect(p.mean_block_bytes.all).toBeCloseTo((readBytes + writeBytes) / 10000, 9)
  })

  test('bssplit sizes: narrow buckets exact, wide ones sector aligned inside their bucket and implying the exact bytes', () => {
    const read = Object.keys(p.block_sizes.read).map(Number)
    const write = Object.keys(p.block_sizes.write).map(Number)
    expect(read[0]).toBe(4096)
    expect(read[1]).toBeGreaterThan(16384)
    expect(read[1]).toBeLessThanOrEqual(32768)
    expect(read[2]).toBeGreaterThan(81920)
    expect(read[2]).toBeLessThanOrEqual(131072)
    expect(write[0]).toBeGreaterThan(16384)
    expect(write[0]).toBeLessThanOrEqual(32768)
    expect(write[2]).toBeGreaterThan(524288)
    expect(write[2]).toBeLessThanOrEqual(786432)
    for (const size of [...read, ...write]) expect(size % 512).toBe(0)
    // sector rounding moves a size by at most 256 bytes
    expect(Math.abs(implied(p.block_sizes.read, 6000) - readBytes) / 6000).toBeLessThanOrEqual(256)
    expect(Math.abs(implied(p.block_sizes.write, 4000) - writeBytes) / 4000).toBeLessThanOrEqual(256)
  })

  test('a single wide bucket gets its exact size; sizes at the top of their buckets stay exact', () => {
    const one = analyzeSamples(samples([D1], 2, { ...w, readSizes: { 4096: 1, 20480: 1 }, writeSizes: { 32768: 1, 131072: 1, 524288: 1 } }), O)
    expect(one.block_sizes.read).toEqual({ '4096': 0.5, '20480': 0.5 })
    expect(Object.keys(one.block_sizes.write)).toEqual(['32768', '131072', '524288'])
  })

  test('samples whose count differs from their frequencies fall back to the bucket middles', () => {
    const s = samples([D1], 1, { ...w, writes: 0, readSizes: { 20480: 1 } })
    s[0]!.histograms.find((h) => h.metric === 'ioLength' && h.op === 'read')!.count += 1
    const r = analyzeSamples(s, O)
    expect(r.block_sizes.read).toEqual({ '25088': 1 }) // the aligned middle of [16896, 32768], half up
    expect(r.mean_block_bytes.read).toBe(25088)
  })
})

describe('filterSamples', () => {
  // interval totals over two disks: 100, 200, 300, 400, 1000 IOPS (10 000 IOs per disk per 60 s = 166.7 IOPS at scale 1)
  const totals = [100, 200, 300, 400, 1000]
  const perDiskScale = (i: number) => (totals[i]! * 60) / 2 / 10000
  const s = samples([D1, D2], 5, VM_WORKLOAD, perDiskScale)
  const keptTotals = (o: Partial<AnalysisOptions>) => filterSamples(s, { ...O, ...o }).keptIntervals.map((iv) => Math.round(iv.iops))

  test('intervals sum their disks', () => {
    expect(intervalsOf(s).map((iv) => Math.round(iv.iops))).toEqual(totals)
    expect(intervalsOf(s).every((iv) => iv.samples.length === 2)).toBe(true)
  })
  test('percentile: at or above the 75th percentile (type 7) of the totals', () => {
    const f = filterSamples(s, O)
    expect(f.threshold).toBeCloseTo(400, 6)
    expect(keptTotals({})).toEqual([400, 1000])
    expect(f.kept).toHaveLength(4)
    expect(keptTotals({ percentile: 50 })).toEqual([300, 400, 1000])
  })
  test('statistical: at or above mean + k standard deviations', () => {
    const f = filterSamples(s, { ...O, filter: 'statistical', k: 1 })
    expect(f.threshold).toBeCloseTo(400 + Math.sqrt(500000 / 4), 6)
    expect(keptTotals({ filter: 'statistical', k: 1 })).toEqual([1000])
    expect(keptTotals({ filter: 'statistical', k: 0 })).toEqual([400, 1000])
  })
  test('absolute: at or above min_iops', () => {
    expect(keptTotals({ filter: 'absolute', minIops: 250 })).toEqual([300, 400, 1000])
    expect(keptTotals({ filter: 'absolute', minIops: 5000 })).toEqual([])
  })
})

describe('analyzeSamples', () => {
  const s = samples([D1, D2], 4, VM_WORKLOAD) // 2 disks × 4 intervals of 60 s, 10 000 IOs each
  const p = analyzeSamples(s, { ...O, percentile: 0 })

  test('IOPS, MB/s and the read share of the kept intervals', () => {
    expect(p.samples_total).toBe(4)
    expect(p.samples_kept).toBe(4)
    expect(p.disk_samples_kept).toBe(8)
    expect(p.iops.total).toBeCloseTo(20000 / 60, 9)
    expect(p.iops.read).toBeCloseTo(14000 / 60, 9)
    expect(p.iops.write).toBeCloseTo(6000 / 60, 9)
    expect(p.read_ratio).toBeCloseTo(0.7, 12)
    const readBytes = 3500 * 4096 + 2100 * 8192 + 1400 * 65536
    const writeBytes = 2100 * 4096 + 900 * 16384
    expect(p.MB_s.read).toBeCloseTo((2 * readBytes) / 60 / 1e6, 9)
    expect(p.MB_s.total).toBeCloseTo((2 * (readBytes + writeBytes)) / 60 / 1e6, 9)
    expect(p.mean_block_bytes.read).toBeCloseTo(readBytes / 7000, 9)
    expect(p.mean_block_bytes.write).toBeCloseTo(writeBytes / 3000, 9)
  })

  test('block sizes by direction, sequential share, queue depth and latency', () => {
    expect(p.block_sizes.read).toEqual({ '4096': 0.5, '8192': 0.3, '65536': 0.2 })
    expect(p.block_sizes.write).toEqual({ '4096': 0.7, '16384': 0.3 })
    expect(p.sequential.all).toBeCloseTo(0.3, 12)
    expect(p.sequential.read).toBeCloseTo(0.3, 12)
    // a constant queue depth of 8: the exact mean, and percentiles inside the whole numbers (6, 8]
    // holds, placed by that mean (8 is the top of the bucket)
    expect(p.queue_depth.avg).toBe(8)
    expect(p.queue_depth.p50).toBe(8)
    expect(p.queue_depth.p99).toBe(8)
    expect(p.latency_ms.read.p50_ms).toBeCloseTo(0.75, 12) // 800 µs in (500, 1000]
    expect(p.latency_ms.read.p99_ms).toBeCloseTo(0.995, 12)
    expect(p.latency_ms.write.p50_ms).toBeCloseTo(3, 12) // 2000 µs in (1000, 5000]
    expect(p.latency_ms.write.p99_ms).toBeCloseTo(4.96, 12)
    expect(p.lower_bounds).toEqual([])
    expect(p.warnings).toEqual([])
  })

  test('per-disk breakdown over the same kept intervals', () => {
    expect(p.disks.map((d) => d.key)).toEqual(['2099979-8194', '2099979-8195'])
    expect(p.disks[0]!.iops.total).toBeCloseTo(10000 / 60, 9)
    expect(p.disks[0]!.iops_peak).toBeCloseTo(10000 / 60, 9)
    expect(p.disks[1]!.samples_kept).toBe(4)
  })

  test('sequential_lbns widens the sequential buckets', () => {
    const near = samples([D1], 2, { ...VM_WORKLOAD, sequential: 0 }).map((x) => ({
      ...x,
      histograms: x.histograms.map((h) => h.metric !== 'seekDistance' ? h : { ...h, buckets: h.buckets.map((b) => (b.limit === 8 ? { ...b, frequency: 100 } : b)) }),
    }))
    const one = analyzeSamples(near, { ...O, sequentialLbns: 1 })
    const eight = analyzeSamples(near, { ...O, sequentialLbns: 8 })
    expect(one.sequential.all).toBe(0)
    expect(eight.sequential.all).toBeCloseTo(100 / 10100, 12)
  })

  test('a partial job says how many samples were collected', () => {
    const partial = analyzeSamples(samples([D1], 18, VM_WORKLOAD), O, 30)
    expect(partial.warnings).toContain('partial job: 18 of 30 samples collected; the profile covers what was collected')
    expect(partial.samples_expected).toBe(30)
    expect(analyzeSamples(samples([D1], 30, VM_WORKLOAD), O, 30).warnings).toEqual([])
  })

  test('no samples: a warning, figures not measured', () => {
    const empty = analyzeSamples([], O)
    expect(empty.warnings).toContain('no interval samples: nothing to analyze')
    expect(empty.iops.total).toBeNaN()
    expect(profileFigures(empty).read_lat_p99_ms).toBeNaN()
  })

  test('latency in the overflow bucket is a lower bound and says so', () => {
    const slow = analyzeSamples(samples([D1], 2, { ...VM_WORKLOAD, readLatencyUs: 250000 }), O)
    expect(slow.latency_ms.read.p99_ms).toBe(100)
    expect(slow.lower_bounds).toContain('read_lat_p99_ms')
    expect(slow.warnings.some((w) => w.startsWith('read_lat_p99_ms is a lower bound'))).toBe(true)
  })

  test('samples with negative differences are left out with a warning', () => {
    const s2 = samples([D1], 3, VM_WORKLOAD)
    s2[1]!.histograms[0]!.buckets[4]!.frequency = -5
    const r = analyzeSamples(s2, O)
    expect(r.samples_total).toBe(2)
    expect(r.warnings[0]).toMatch(/^1 sample\(s\) left out: negative bucket differences/)
  })
})

describe('intervals by end capture, short captures and idle captures', () => {
  test('a disk missing from a capture: its longer sample joins the interval of its end capture, IOPS over its own seconds', () => {
    // D2 is missing from the capture at 10:02: its sample runs 10:01 → 10:03 (120 s, twice the IOs)
    const s = samples([D1, D2], 4, VM_WORKLOAD).filter((x) => !(x.disk === D2 && (x.end === '2026-11-24T10:02:00.000Z' || x.end === '2026-11-24T10:03:00.000Z')))
    const long = sample(D2, 0, { ...VM_WORKLOAD, reads: 14000, writes: 6000 }, 120)
    s.push({ ...long, start: '2026-11-24T10:01:00.000Z', end: '2026-11-24T10:03:00.000Z' })
    const ivs = intervalsOf(s)
    expect(ivs.map((iv) => [iv.end.slice(11, 16), iv.seconds, iv.samples.length])).toEqual([['10:01', 60, 2], ['10:02', 60, 1], ['10:03', 60, 2], ['10:04', 60, 2]])
    expect(ivs[2]!.iops).toBeCloseTo(20000 / 60, 9) // D1 10000/60 + D2 20000/120
    const p = analyzeSamples(s, { ...O, percentile: 0 })
    expect(p.samples_total).toBe(4)
    expect(p.seconds).toBe(240)
    expect(p.disks.map((d) => d.seconds)).toEqual([240, 240])
    expect(p.disks[1]!.iops.total).toBeCloseTo(10000 / 60, 9)
    expect(p.iops.total).toBeCloseTo(20000 / 60, 9)
    expect(p.MB_s.total).toBeCloseTo(p.disks[0]!.MB_s.total + p.disks[1]!.MB_s.total, 12)
  })

  test('statistical filter on a short capture: k unreachable for n samples keeps the busiest interval and says so', () => {
    // 3 intervals: the largest possible z is (3 − 1)/√3 = 1.15, so k = 2 can never be reached
    const s = samples([D1], 3, VM_WORKLOAD, (i) => [1, 2, 3][i]!)
    const f = filterSamples(s, { ...O, filter: 'statistical', k: 2 })
    expect(f.keptIntervals.map((iv) => Math.round(iv.iops))).toEqual([500])
    expect(f.warning).toMatch(/k = 2 is unreachable with 3 interval sample\(s\).*1\.15.*kept the busiest interval/)
    const p = analyzeSamples(s, { ...O, filter: 'statistical', k: 2 })
    expect(p.samples_kept).toBe(1)
    expect(p.iops.total).toBeCloseTo(30000 / 60, 9)
    expect(p.warnings).toContain(f.warning)
    // reachable k: no fallback, no warning
    expect(filterSamples(s, { ...O, filter: 'statistical', k: 1 }).warning).toBeUndefined()
  })

  test('captures without IOs: a warning, rates 0 and the rest not measured (never NaN in JSON)', () => {
    const idle = samples([D1, D2], 3, { ...VM_WORKLOAD, reads: 0, writes: 0 })
    const p = analyzeSamples(idle, O)
    expect(p.warnings).toContain('no IOs in the kept intervals (was collection running?)')
    expect(p.iops).toEqual({ total: 0, read: 0, write: 0 })
    expect(p.MB_s).toEqual({ total: 0, read: 0, write: 0 })
    expect(p.read_ratio).toBeNaN()
    expect(p.queue_depth.avg).toBeNaN()
    expect(JSON.stringify(p)).not.toMatch(/NaN/)
  })
})

describe('profileFigures and checkGates', () => {
  const p = analyzeSamples(samples([D1, D2], 4, VM_WORKLOAD), { ...O, percentile: 0 })
  const f = profileFigures(p)

  test('flat figures in gate units', () => {
    expect(f.read_pct).toBeCloseTo(70, 9)
    expect(f.sequential_pct).toBeCloseTo(30, 9)
    expect(f.read_lat_p99_ms).toBeCloseTo(0.995, 12)
    expect(f.mean_block_kib).toBeCloseTo(p.mean_block_bytes.all / 1024, 12)
    expect(f.disk_iops_max).toBeCloseTo(10000 / 60, 9)
  })

  test('max and min bounds', () => {
    const r = checkGates(f, { read_lat_p99_ms: { max: 1 }, write_lat_p99_ms: { max: 4 }, iops_total: { min: 300, max: 400 } })
    expect(r.map((g) => `${g.name} ${g.kind} ${g.pass}`)).toEqual([
      'read_lat_p99_ms max true',
      'write_lat_p99_ms max false',
      'iops_total max true',
      'iops_total min true',
    ])
  })

  test('a figure that was not measured fails its gate', () => {
    const r = checkGates({ ...f, read_lat_p99_ms: Number.NaN }, { read_lat_p99_ms: { max: 1 } })
    expect(r[0]).toMatchObject({ pass: false, note: 'not measured' })
  })

  test('an unknown figure name names vscsi.gates.<name> and the known names', () => {
    let error: unknown
    try {
      checkGates(f, { read_p99: { max: 1 } }, 'bench.yaml')
    } catch (e) {
      error = e
    }
    expect(isUserError(error)).toBe(true)
    const message = (error as Error).message
    expect(message).toContain('bench.yaml: vscsi.gates.read_p99:')
    expect(message).toContain('read_lat_p99_ms')
    expect(message).toContain('iops_total')
  })
})

describe('from synthetic cumulative captures (synth.ts → intervalSamples)', () => {
  test('the profile recovers the workload the captures were made from', () => {
    const captures = synthCaptures({
      disks: [D1, D2],
      samples: 12,
      intervalS: 60,
      seed: 3,
      start: new Date('2026-11-24T10:00:00Z'),
      workload: (_d, k) => ({ ...SYNTH, iops: k === 7 || k === 9 ? 2000 : 500 }),
    })
    const p = analyzeSamples(intervalSamples(captures), O, 12)
    expect(p.warnings).toEqual([])
    expect(p.samples_total).toBe(12)
    expect(p.samples_kept).toBe(3) // the two busy intervals and the busiest of the rest (75th percentile)
    expect(p.read_ratio).toBeCloseTo(0.7, 2)
    expect(p.block_sizes.read).toEqual({ '4096': expect.closeTo(0.5, 3), '8192': expect.closeTo(0.3, 3), '65536': expect.closeTo(0.2, 3) })
    expect(p.sequential.all).toBeCloseTo(0.3, 2)
    expect(p.queue_depth.avg).toBeGreaterThan(7)
    expect(p.queue_depth.avg).toBeLessThan(9)
    expect(p.queue_depth.p50).toBeGreaterThanOrEqual(7) // 1 + Poisson(7): the median is 8
    expect(p.queue_depth.p50).toBeLessThanOrEqual(8.5)
    expect(p.latency_ms.read.p50_ms).toBeGreaterThan(0.5) // a log-normal around 800 µs, (500, 1000] bucket
    expect(p.latency_ms.read.p50_ms).toBeLessThan(1)
  })
})

const SYNTH = {
  iops: 500,
  readShare: 0.7,
  readSizes: { 4096: 50, 8192: 30, 65536: 20 },
  writeSizes: { 4096: 70, 16384: 30 },
  sequentialShare: 0.3,
  outstanding: 8,
  readLatencyUs: 800,
  writeLatencyUs: 2000,
}
