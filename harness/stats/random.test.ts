import { expect, test } from 'vitest'
import { seededRandom } from './random.ts'

test('the same seed gives the same sequence; another seed another one', () => {
  const a = seededRandom(42)
  const b = seededRandom(42)
  const c = seededRandom(43)
  const xs = Array.from({ length: 100 }, () => a.next())
  expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs)
  expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs)
})

test('floats lie in [0, 1) and integers in [0, n), spread evenly', () => {
  const r = seededRandom(7)
  const counts = new Array<number>(10).fill(0)
  let sum = 0
  let outside = 0
  for (let i = 0; i < 100_000; i++) {
    const x = r.next()
    if (!(x >= 0 && x < 1)) outside++
    sum += x
    counts[r.int(10)]!++
  }
  expect(outside).toBe(0)
  expect(sum / 100_000).toBeCloseTo(0.5, 2)
  for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500)
})
