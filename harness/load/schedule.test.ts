import { describe, expect, it } from 'vitest'
import { seededUniform, weightedPicker } from './random.ts'
import { arrivalProblem, arrivalSchedule, meanRate } from './schedule.ts'

const take = (s: { next(): number }, n: number) => Array.from({ length: n }, () => s.next())

describe('arrival schedule', () => {
  it('constant: request i at exactly i / rate, computed from i (no drift after a million)', () => {
    const s = arrivalSchedule({ model: 'constant', rate: 3 })
    expect(take(s, 4)).toEqual([0, 1000 / 3, 2000 / 3, 1000])
    const long = arrivalSchedule({ model: 'constant', rate: 7 })
    let last = 0
    for (let i = 0; i < 1_000_000; i++) last = long.next()
    expect(last).toBe((999_999 * 1000) / 7)
  })

  it('poisson: the same times for the same seed, others for another; mean gap 1 / rate', () => {
    const a = take(arrivalSchedule({ model: 'poisson', rate: 100, seed: 42 }), 20_000)
    const b = take(arrivalSchedule({ model: 'poisson', rate: 100, seed: 42 }), 20_000)
    const c = take(arrivalSchedule({ model: 'poisson', rate: 100, seed: 43 }), 20_000)
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    expect(a.every((t, i) => i === 0 || t >= a[i - 1]!)).toBe(true)
    const meanGap = a.at(-1)! / (a.length - 1)
    expect(meanGap).toBeGreaterThan(9.7)
    expect(meanGap).toBeLessThan(10.3)
    // exponential gaps: about e^-1 of them exceed the mean
    const gaps = a.slice(1).map((t, i) => t - a[i]!)
    const over = gaps.filter((g) => g > 10).length / gaps.length
    expect(over).toBeGreaterThan(0.34)
    expect(over).toBeLessThan(0.40)
  })

  it('burst: `rate` between bursts, `burst_rate` in the last burst_s of every every_s', () => {
    const arrival = { model: 'burst', rate: 10, burst_rate: 100, every_s: 5, burst_s: 1 } as const
    const times = take(arrivalSchedule(arrival), 2 * (40 + 100))
    const inSecond = (from: number) => times.filter((t) => t >= from * 1000 && t < (from + 1) * 1000).length
    expect([0, 1, 2, 3, 4, 5, 9].map(inSecond)).toEqual([10, 10, 10, 10, 100, 10, 100])
    expect(meanRate(arrival)).toBe(28)
    // nothing between bursts when rate is 0
    const quiet = take(arrivalSchedule({ model: 'burst', rate: 0, burst_rate: 4, every_s: 2, burst_s: 1 }), 8)
    expect(quiet).toEqual([1000, 1250, 1500, 1750, 3000, 3250, 3500, 3750])
  })

  it('threads take every T-th request of the one schedule, so the run does not depend on T', () => {
    const arrival = { model: 'poisson', rate: 50, seed: 7 } as const
    const all = take(arrivalSchedule(arrival), 300)
    const parts = [0, 1, 2].flatMap((k) => take(arrivalSchedule(arrival, k, 3), 100))
    expect(parts.sort((x, y) => x - y)).toEqual(all)
  })

  it('names the bad field of an arrival', () => {
    expect(arrivalProblem({ model: 'constant', rate: 0 })).toMatch(/^arrival\.rate: expected/)
    expect(arrivalProblem({ model: 'burst', rate: 1, burst_rate: 5, every_s: 2, burst_s: 3 })).toMatch(/^arrival\.burst_s/)
    expect(arrivalProblem({ model: 'closed' })).toBeNull()
  })
})

describe('seeded picks', () => {
  it('weighted picker: deterministic per seed, proportions follow the weights', () => {
    const pick = weightedPicker([1, 3], seededUniform(5))
    const again = weightedPicker([1, 3], seededUniform(5))
    const a = Array.from({ length: 40_000 }, pick)
    expect(Array.from({ length: 40_000 }, again)).toEqual(a)
    const share = a.filter((i) => i === 1).length / a.length
    expect(share).toBeGreaterThan(0.74)
    expect(share).toBeLessThan(0.76)
    expect(() => weightedPicker([0, 0], seededUniform(1))).toThrow(/weights/)
  })
})
