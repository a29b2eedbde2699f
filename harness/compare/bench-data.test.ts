import { expect, test } from 'vitest'
import { benchDataOf, statisticsOf, tCritical95 } from './bench-data.ts'

test('Student t critical values: the table to df 30, the expansion beyond within 0.1 %', () => {
  // two-sided 95 % values from any t table
  for (const [df, t] of [[3, 3.182], [4, 2.776], [9, 2.262], [29, 2.045], [40, 2.021], [60, 2.0], [120, 1.98]] as const) {
    expect(Math.abs(tCritical95(df) - t) / t).toBeLessThan(0.001)
  }
})

test('statistics of known samples', () => {
  const s = statisticsOf([4, 1, 3, 2, 5])
  expect(s.min).toBe(1)
  expect(s.max).toBe(5)
  expect(s.mean).toBe(3)
  expect(s.p50).toBe(3)
  expect(s.p75).toBe(4)
  expect(s.variance).toBe(2.5)
  expect(s.mad).toBe(1)
  expect(s.aad).toBe(1.2)
  expect(s.samples).toEqual([1, 2, 3, 4, 5])
  expect(s.moe).toBeCloseTo(Math.sqrt(2.5 / 5) * tCritical95(4), 10)
})

test('bench data: throughput is per second of each sample, period the mean time', () => {
  const d = benchDataOf([100, 200, 400])
  expect(d.totalTime).toBe(700)
  expect(d.period).toBeCloseTo(233.333, 3)
  expect(d.throughput.samples).toEqual([2.5, 5, 10])
  expect(() => statisticsOf([])).toThrow(/no samples/)
})
