import { expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { bootstrapRatio } from './bootstrap.ts'
import { seededRandom, type Random } from './random.ts'

/** Log-normal samples around `center` (median), spread sigma on the log scale. */
function lognormal(random: Random, n: number, center: number, sigma: number): number[] {
  return Array.from({ length: n }, () => {
    const u = 1 - random.next()
    const v = random.next()
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    return center * Math.exp(sigma * z)
  })
}

test('the estimate: ratio of medians, or for pairs the median of the per-pair ratios', () => {
  const r = bootstrapRatio([1, 2, 3], [2, 4, 6, 8, 10])
  expect(r.estimate).toBe(6 / 2)
  expect(r.confidence).toBe(0.95)
  expect(r.lo).toBeLessThanOrEqual(r.estimate)
  expect(r.hi).toBeGreaterThanOrEqual(r.estimate)
  // per-pair ratios 3, 1.5, 1 → median 1.5 (the ratio of medians would be 2.5 / 2)
  const p = bootstrapRatio([1, 2, 3], [3, 3, 3], { paired: true })
  expect(p.estimate).toBe(1.5)
})

for (const paired of [false, true]) test(`the 95 % interval covers the true ratio in about 95 % of synthetic data sets (paired: ${paired})`, () => {
  const random = seededRandom(1)
  const datasets = 300
  let covered = 0
  for (let d = 0; d < datasets; d++) {
    // Round i's machine speed (shared by both sides when paired) times independent noise.
    const speed = lognormal(random, 40, 1, 0.2)
    const base = lognormal(random, 40, 10, 0.1).map((x, i) => (paired ? x * speed[i]! : x))
    const head = lognormal(random, 40, 12, 0.1).map((x, i) => (paired ? x * speed[i]! : x)) // true ratio 1.2
    const r = bootstrapRatio(base, head, { resamples: 1000, seed: d, paired })
    if (r.lo <= 1.2 && 1.2 <= r.hi) covered++
  }
  // The percentile bootstrap of a median is slightly liberal on small samples; 300 sets give ±2.5 %.
  expect(covered / datasets).toBeGreaterThanOrEqual(0.89)
  expect(covered / datasets).toBeLessThanOrEqual(0.99)
})

test('deterministic with a seed; another seed moves the bounds only slightly', () => {
  const random = seededRandom(3)
  const base = lognormal(random, 30, 5, 0.05)
  const head = lognormal(random, 30, 5.5, 0.05)
  const a = bootstrapRatio(base, head, { seed: 11 })
  expect(bootstrapRatio(base, head, { seed: 11 })).toEqual(a)
  expect(bootstrapRatio(base, head)).toEqual(bootstrapRatio(base, head))
  const b = bootstrapRatio(base, head, { seed: 12 })
  expect(b).not.toEqual(a)
  expect(Math.abs(b.lo - a.lo)).toBeLessThan(0.02)
  expect(Math.abs(b.hi - a.hi)).toBeLessThan(0.02)
})

test('a higher confidence gives a wider interval', () => {
  const random = seededRandom(4)
  const base = lognormal(random, 30, 5, 0.1)
  const head = lognormal(random, 30, 5, 0.1)
  const narrow = bootstrapRatio(base, head, { confidence: 0.8 })
  const wide = bootstrapRatio(base, head, { confidence: 0.99 })
  expect(wide.lo).toBeLessThan(narrow.lo)
  expect(wide.hi).toBeGreaterThan(narrow.hi)
})

test('paired resampling sees through drift both sides share; independent resampling cannot', () => {
  const random = seededRandom(5)
  // The machine's speed drifts by up to 2× across rounds; within a round both sides see the same.
  const drift = Array.from({ length: 30 }, (_, i) => 1 + i / 30)
  const base = drift.map((d) => d * 10 * (1 + 0.01 * (random.next() - 0.5)))
  const head = drift.map((d) => d * 11 * (1 + 0.01 * (random.next() - 0.5)))
  const paired = bootstrapRatio(base, head, { paired: true })
  const independent = bootstrapRatio(base, head)
  expect(paired.lo).toBeLessThanOrEqual(1.1)
  expect(paired.hi).toBeGreaterThanOrEqual(1.1)
  expect(paired.hi - paired.lo).toBeLessThan((independent.hi - independent.lo) / 3)
})

test('bad input is a user error naming the field', () => {
  const expectUserError = (fn: () => unknown, pattern: RegExp) => {
    try {
      fn()
    } catch (e) {
      expect(isUserError(e)).toBe(true)
      expect((e as Error).message).toMatch(pattern)
      return
    }
    throw new Error('expected a UserError')
  }
  expectUserError(() => bootstrapRatio([], [1]), /^bootstrapRatio: base: no samples/)
  expectUserError(() => bootstrapRatio([1, Number.NaN], [1]), /base\[1\]: invalid sample NaN/)
  expectUserError(() => bootstrapRatio([1], [-1]), /head\[0\]: invalid sample -1/)
  expectUserError(() => bootstrapRatio([0, 0], [1]), /base: median is 0/)
  expectUserError(() => bootstrapRatio([1], [1], { confidence: 95 }), /confidence: invalid value 95; expected a number between 0 and 1/)
  expectUserError(() => bootstrapRatio([1], [1], { resamples: 0.5 }), /resamples: invalid value 0.5/)
  expectUserError(() => bootstrapRatio([1, 2], [1], { paired: true }), /head: 1 samples against 2 of base/)
  expectUserError(() => bootstrapRatio([1, 0], [1, 1], { paired: true }), /base\[1\]: sample is 0; expected base samples > 0/)
})
