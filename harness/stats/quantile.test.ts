import { expect, test } from 'vitest'
import { iqr, median, quantile } from './quantile.ts'

test('median of odd and even counts, in any order', () => {
  expect(median([3, 1, 2])).toBe(2)
  expect(median([4, 1, 3, 2])).toBe(2.5)
  expect(median([5])).toBe(5)
  expect(median([])).toBeNaN()
})

test('quantiles interpolate between order statistics (type 7, as R and NumPy)', () => {
  const xs = [10, 20, 30, 40, 50]
  expect(quantile(xs, 0)).toBe(10)
  expect(quantile(xs, 1)).toBe(50)
  expect(quantile(xs, 0.25)).toBe(20)
  expect(quantile(xs, 0.1)).toBeCloseTo(14)
  expect(quantile([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25)
  expect(() => quantile(xs, 1.5)).toThrow(/within \[0, 1\]/)
})

test('interquartile range', () => {
  expect(iqr([1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe(4)
})
