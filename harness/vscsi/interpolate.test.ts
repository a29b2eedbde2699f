import { describe, expect, test } from 'vitest'
import { bucketMean, bucketPercentile, exactMean, meanPosition, overflowIndex } from './interpolate.ts'
import { histogram, LIMITS } from './analysis-test-support.ts'

const latency = (counts: Record<number, number>) => histogram('latency', 'read', counts).buckets

describe('bucketPercentile', () => {
  test('interpolates linearly within [previous limit, limit]', () => {
    const b = latency({ 300: 100 }) // all in (100, 500]
    expect(bucketPercentile(b, 50)).toEqual({ value: 300, lowerBound: false })
    expect(bucketPercentile(b, 99).value).toBeCloseTo(496, 9)
    expect(bucketPercentile(b, 0).value).toBe(100)
    expect(bucketPercentile(b, 100).value).toBe(500)
  })

  test('skips empty buckets and lands on the bucket that reaches the rank', () => {
    const b = latency({ 5: 50, 300: 50 }) // (1, 10] and (100, 500]
    expect(bucketPercentile(b, 50).value).toBe(10)
    expect(bucketPercentile(b, 75).value).toBe(300)
    expect(bucketPercentile(b, 25).value).toBeCloseTo(5.5, 9) // 1 + 9 × 25/50
  })

  test('the first bucket ranges from 0 when its limit is positive', () => {
    expect(bucketPercentile(latency({ 1: 10 }), 50).value).toBe(0.5)
  })

  test('a non-positive first limit stands alone (seek distance)', () => {
    const b = histogram('seekDistance', 'all', { [-900000]: 10 }).buckets
    expect(bucketPercentile(b, 50).value).toBe(-500000)
  })

  test('the overflow bucket reports the last limit as a lower bound', () => {
    const b = latency({ 300: 90, 250000: 10 })
    expect(overflowIndex(b)).toBe(LIMITS.latency.length - 1)
    expect(bucketPercentile(b, 50).value).toBeCloseTo(100 + (400 * 50) / 90, 9)
    expect(bucketPercentile(b, 95)).toEqual({ value: 100000, lowerBound: true })
    expect(bucketPercentile(b, 90).lowerBound).toBe(false)
  })

  test('an empty histogram has no percentile; a bad p is refused', () => {
    expect(bucketPercentile(latency({}), 50).value).toBeNaN()
    expect(() => bucketPercentile(latency({ 5: 1 }), 101)).toThrow(/within \[0, 100\]/)
  })
})

describe('whole-number percentiles (outstanding IOs)', () => {
  const qd = (counts: Record<number, number>) => histogram('outstandingIOs', 'all', counts).buckets
  test('interpolate within the whole numbers a bucket holds: a constant queue depth on a one-number bucket is itself', () => {
    expect(bucketPercentile(qd({ 1: 100 }), 50, { whole: true }).value).toBe(1) // was 0.5 within [0, 1]
    expect(bucketPercentile(qd({ 2: 100 }), 50, { whole: true }).value).toBe(2)
    expect(bucketPercentile(qd({ 1: 100 }), 99, { whole: true }).value).toBe(1)
    // (6, 8] holds 7 and 8: without a mean, evenly spread over [7, 8]
    expect(bucketPercentile(qd({ 8: 100 }), 50, { whole: true }).value).toBe(7.5)
    expect(bucketPercentile(qd({ 8: 100 }), 0, { whole: true }).value).toBe(7)
  })

  test('an exact mean places values within their buckets: constant 8 gives 8, constant 7 gives 7', () => {
    expect(bucketPercentile(qd({ 8: 100 }), 50, { whole: true, mean: 8 }).value).toBe(8)
    expect(bucketPercentile(qd({ 8: 100 }), 95, { whole: true, mean: 8 }).value).toBe(8)
    expect(bucketPercentile(qd({ 7: 100 }), 50, { whole: true, mean: 7 }).value).toBe(7)
    expect(bucketPercentile(qd({ 32: 100 }), 50, { whole: true, mean: 32 }).value).toBe(32)
    expect(bucketPercentile(qd({ 7: 50, 8: 50 }), 50, { whole: true, mean: 7.5 }).value).toBe(7.5)
    // 1 is alone in its bucket; (6, 8] carries the position: all its IOs at 8
    expect(meanPosition(qd({ 1: 50, 8: 50 }), 4.5)).toBe(1)
    expect(bucketPercentile(qd({ 1: 50, 8: 50 }), 75, { whole: true, mean: 4.5 }).value).toBe(8)
    // IOs in the overflow: the mean says nothing about the other buckets
    expect(meanPosition(qd({ 8: 50, 100: 50 }), 54)).toBe(0.5)
  })

  test('exactMean clamps a printed mean into what the buckets allow', () => {
    expect(exactMean(qd({ 8: 10 }), 9)).toBe(8)
    expect(exactMean(qd({ 8: 10 }), 3)).toBe(7)
    expect(exactMean(qd({ 8: 10 }), 7.25)).toBe(7.25)
    expect(exactMean(qd({ 100: 10 }), 200, 120)).toBe(120)
    expect(exactMean(qd({}), 3)).toBeNaN()
    expect(exactMean(qd({ 8: 10 }), Number.NaN)).toBeNaN()
  })
})

describe('bucketMean', () => {
  test('each bucket stands for the middle of the integers it holds', () => {
    const qd = (counts: Record<number, number>) => histogram('outstandingIOs', 'all', counts).buckets
    expect(bucketMean(qd({ 8: 10 })).value).toBe(7.5) // (6, 8] holds 7 and 8
    expect(bucketMean(qd({ 1: 10 })).value).toBe(1)
    expect(bucketMean(qd({ 1: 10, 8: 10 })).value).toBe(4.25)
  })

  test('the overflow bucket stands for its limit and flags the mean as a lower bound', () => {
    const m = bucketMean(histogram('outstandingIOs', 'all', { 100: 4 }).buckets)
    expect(m).toEqual({ value: 64, lowerBound: true })
    expect(bucketMean(histogram('outstandingIOs', 'all', {}).buckets).value).toBeNaN()
  })
})
