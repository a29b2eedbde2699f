import type { Histogram } from 'hdr-histogram-js'
import { describe, expect, it } from 'vitest'
import { decodeHistogram, encodeHistogram, latencyHistogram, percentilesOf, recordMs, spectrumOf } from './histogram.ts'
import { LoadRecorder } from './recorder.ts'
import { TimelineMerger } from './timeline.ts'
import type { LoadProgress } from './types.ts'

/** A recorder feeding a merger, as one thread does. */
function pair(options: { warmupS: number; durationS: number; lateMs?: number }, progress: LoadProgress[] = []) {
  const merger = new TimelineMerger({ threads: 1, durationS: options.durationS, onProgress: (p) => progress.push(p) })
  const recorder = new LoadRecorder({ warmupS: options.warmupS, durationS: options.durationS, lateMs: options.lateMs ?? 1, onSecond: (t, c, u) => merger.add(t, c, u) })
  return { merger, recorder }
}

describe('latency histograms', () => {
  it('record without an upper cap: a 5 s and a 10 min latency are recorded as themselves', () => {
    const h = latencyHistogram()
    recordMs(h, 0.08)
    recordMs(h, 5000)
    recordMs(h, 600_000)
    const p = percentilesOf(h)
    expect(p.count).toBe(3)
    expect(p.max).toBeCloseTo(600_000, -3)
    expect(h.getValueAtPercentile(60) / 1000).toBeGreaterThan(4995)
    expect(h.getValueAtPercentile(60) / 1000).toBeLessThan(5006)
    expect(h.getValueAtPercentile(1) / 1000).toBeCloseTo(0.08, 3)
  })

  it('percentiles of 1..1000 ms within HDR precision (0.1 %), spectrum up to the max', () => {
    const h = latencyHistogram()
    for (let ms = 1; ms <= 1000; ms++) recordMs(h, ms)
    const p = percentilesOf(h)
    expect(p.mean).toBeCloseTo(500.5, 0)
    for (const [got, want] of [[p.p50, 500], [p.p90, 900], [p.p99, 990], [p.p999, 999], [p.max, 1000]] as const) {
      expect(Math.abs(got / want - 1)).toBeLessThan(0.002)
    }
    const spectrum = spectrumOf(h)
    expect(spectrum[0]).toEqual({ percentile: 0, ms: expect.closeTo(1, 2) })
    expect(spectrum.at(-1)!.percentile).toBe(100)
    expect(spectrum.every((s, i) => i === 0 || (s.percentile > spectrum[i - 1]!.percentile && s.ms >= spectrum[i - 1]!.ms))).toBe(true)
    expect(percentilesOf(latencyHistogram())).toEqual({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 })
  })

  it('survive encoding (as worker threads hand them over) and add up exactly', () => {
    const a = latencyHistogram()
    const b = latencyHistogram()
    for (let i = 0; i < 100; i++) recordMs(a, 1)
    recordMs(b, 7000)
    const merged = latencyHistogram()
    merged.add(decodeHistogram(encodeHistogram(a)))
    merged.add(decodeHistogram(encodeHistogram(b)))
    expect(merged.totalCount).toBe(101)
    expect(percentilesOf(merged).max).toBeCloseTo(7000, -1)
  })
})

describe('recorder and timeline', () => {
  it('counts late and dropped by intended second, latencies by answer second, corrected vs uncorrected', () => {
    const { merger, recorder: r } = pair({ warmupS: 1, durationS: 3, lateMs: 1 })
    // warm-up request: not counted anywhere
    r.scheduled(500)
    r.sent(500, 500)
    r.completed(500, 500, 510)
    // second 1 (run time 1000–2000): on time, late by 5 ms, dropped
    r.scheduled(1100)
    r.sent(1100, 1100.5)
    r.scheduled(1200)
    r.sent(1200, 1205)
    r.scheduled(1300)
    r.dropped(1300)
    r.completed(1100, 1100.5, 1102)
    // answered in second 2 after a 900 ms stall: corrected 1000 ms, uncorrected 995 ms
    r.completed(1200, 1205, 2200)
    // second 3: one error
    r.scheduled(3100)
    r.sent(3100, 3100)
    r.failed(3100, 3150, 'status 500')
    r.finish()
    merger.flush()
    const rows = merger.timeline([r.counters()])
    expect(rows.map((x) => [x.t, x.scheduled, x.sent, x.late, x.dropped, x.completed, x.errors])).toEqual([
      [1, 3, 2, 1, 1, 1, 0],
      [2, 0, 0, 0, 0, 1, 0],
      [3, 1, 1, 0, 0, 0, 1],
    ])
    expect(rows[1]!.max).toBeCloseTo(1000, 0)
    expect(rows[1]!.p99Uncorrected).toBeCloseTo(995, 0)
    expect(rows[0]!.p99).toBeCloseTo(2, 1)
    expect(r.errorKinds).toEqual({ 'status 500': 1 })
    expect(merger.corrected.totalCount).toBe(2) // the warm-up one is not in the totals
    expect(percentilesOf(merger.corrected).max).toBeCloseTo(1000, 0)
    expect(percentilesOf(merger.uncorrected).max).toBeCloseTo(995, 0)
  })

  it('a warm-up request answered in the measured part is discarded; answers after the end count in the last second', () => {
    const { merger, recorder: r } = pair({ warmupS: 1, durationS: 2 })
    r.completed(900, 900, 1500)
    r.scheduled(2900)
    r.sent(2900, 2900)
    r.completed(2900, 2900, 4000)
    r.finish()
    const rows = merger.timeline([r.counters()])
    expect(rows.map((x) => x.completed)).toEqual([0, 1])
    expect(merger.corrected.totalCount).toBe(1)
    expect(rows[1]!.max).toBeCloseTo(1100, 0)
  })

  it('hands over every second, empty ones too, and reports progress once per second', () => {
    const progress: LoadProgress[] = []
    const handed: number[] = []
    const merger = new TimelineMerger({ threads: 2, durationS: 3, onProgress: (p) => progress.push(p) })
    const sink = (t: number, c: Histogram, u: Histogram) => (handed.push(t), merger.add(t, c, u))
    const a = new LoadRecorder({ warmupS: 1, durationS: 3, lateMs: 1, onSecond: sink })
    const b = new LoadRecorder({ warmupS: 1, durationS: 3, lateMs: 1, onSecond: sink })
    a.completed(1000, 1000, 1001)
    b.completed(1000, 1000, 1003)
    a.advance(3500)
    // both answers rolled the warm-up second (t = 0) over; second 1 waits for b
    expect(progress.map((p) => [p.elapsedS, p.warmup])).toEqual([[0, true]])
    b.advance(3500)
    expect(progress.map((p) => [p.elapsedS, p.warmup, p.rate])).toEqual([[0, true, 0], [1, false, 2], [2, false, 0]])
    a.finish()
    b.finish()
    expect(progress).toHaveLength(4)
    expect(handed.filter((t) => t === 3)).toHaveLength(2)
    expect(merger.timeline([a.counters(), b.counters()]).map((x) => x.completed)).toEqual([2, 0, 0])
  })
})
