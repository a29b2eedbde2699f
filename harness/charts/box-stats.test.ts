import { describe, expect, test } from 'vitest'
import { boxStats, quantile, thin } from './box-stats.ts'

describe('box-stats', () => {
  test('quantile interpolates linearly between ranks (type 7)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75)
    expect(quantile([5], 0.99)).toBe(5)
  })

  test('boxStats: quartiles, Tukey whiskers and outliers', () => {
    const s = boxStats([10, 1, 2, 3, 4, 5, 6, 7, 8, 100])
    expect(s).toMatchObject({ n: 10, min: 1, max: 100, median: 5.5, q1: 3.25, q3: 7.75, low: 1, high: 10, outliers: [100] })
    expect(s.mean).toBeCloseTo(14.6)
  })

  test('boxStats of one sample', () => {
    expect(boxStats([3])).toMatchObject({ n: 1, q1: 3, median: 3, q3: 3, low: 3, high: 3, outliers: [] })
  })

  test('thin keeps both ends and spreads the rest by rank', () => {
    const values = Array.from({ length: 101 }, (_, i) => i)
    expect(thin(values, 5)).toEqual([0, 25, 50, 75, 100])
    expect(thin([1, 2], 5)).toEqual([1, 2])
  })
})
