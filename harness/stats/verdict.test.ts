import { expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import type { RatioInterval, Verdict } from '../results.ts'
import { compareSamples, verdictOf } from './verdict.ts'

const iv = (lo: number, hi: number): RatioInterval => ({ estimate: (lo + hi) / 2, lo, hi, confidence: 0.95 })

test('lower is better (time): each verdict and its boundaries', () => {
  const t = 0.05
  expect(verdictOf(iv(1.06, 1.2), t, 'lower')).toBe('regressed')
  expect(verdictOf(iv(1.0500001, 1.06), t, 'lower')).toBe('regressed')
  expect(verdictOf(iv(1.05, 1.06), t, 'lower')).toBe('inconclusive') // touching the threshold is not beyond it
  expect(verdictOf(iv(1.02, 1.08), t, 'lower')).toBe('inconclusive')
  expect(verdictOf(iv(0.98, 1.03), t, 'lower')).toBe('unchanged')
  expect(verdictOf(iv(1 / 1.05, 1.05), t, 'lower')).toBe('unchanged') // the band's edges are inside it
  expect(verdictOf(iv(0.9, 1.0), t, 'lower')).toBe('inconclusive')
  expect(verdictOf(iv(0.8, 0.95), t, 'lower')).toBe('improved') // 0.95 < 1/1.05 = 0.952
  expect(verdictOf(iv(0.8, 1 / 1.05), t, 'lower')).toBe('inconclusive')
  expect(verdictOf(iv(0.5, 2), t, 'lower')).toBe('inconclusive')
})

test('higher is better (throughput): each verdict and its boundaries', () => {
  const t = 0.05
  expect(verdictOf(iv(0.8, 0.95), t, 'higher')).toBe('regressed')
  expect(verdictOf(iv(0.8, 1 / 1.05), t, 'higher')).toBe('inconclusive')
  expect(verdictOf(iv(1.06, 1.2), t, 'higher')).toBe('improved')
  expect(verdictOf(iv(1.05, 1.2), t, 'higher')).toBe('inconclusive')
  expect(verdictOf(iv(0.97, 1.04), t, 'higher')).toBe('unchanged')
  expect(verdictOf(iv(0.97, 1.1), t, 'higher')).toBe('inconclusive')
})

test('a throughput ratio judged "higher" gets the verdict of its time ratio judged "lower"', () => {
  const flip: Record<Verdict, Verdict> = { regressed: 'regressed', improved: 'improved', unchanged: 'unchanged', inconclusive: 'inconclusive' }
  for (const [lo, hi] of [[1.06, 1.1], [0.9, 0.94], [0.97, 1.02], [0.99, 1.2], [0.93, 1.01]] as const) {
    const time = iv(lo, hi)
    const throughput = iv(1 / hi, 1 / lo)
    expect(verdictOf(throughput, 0.05, 'higher')).toBe(flip[verdictOf(time, 0.05, 'lower')])
  }
})

test('the threshold moves the boundaries', () => {
  expect(verdictOf(iv(1.03, 1.07), 0.02, 'lower')).toBe('regressed')
  expect(verdictOf(iv(1.03, 1.07), 0.1, 'lower')).toBe('unchanged')
})

test('compareSamples fills every field of a Comparison', () => {
  const base = [10, 10.1, 9.9, 10.05, 9.95, 10, 10.02, 9.98]
  const head = base.map((x) => x * 1.2)
  const c = compareSamples(base, head, { name: 'copy 1 GiB', paired: true, baseLabel: 'rsync', headLabel: 'blit', fingerprintWarning: 'CPU differs' })
  expect(c).toMatchObject({
    name: 'copy 1 GiB',
    metric: 'time',
    unit: 'ms',
    better: 'lower',
    base: { label: 'rsync', median: 10, n: 8 },
    head: { label: 'blit', n: 8 },
    threshold: 0.05,
    verdict: 'regressed',
    rounds: 8,
    order: 'interleaved',
    method: 'bootstrap median of per-round ratios, 2000 resamples, 95 % percentile interval, seed 24301',
    fingerprintWarning: 'CPU differs',
  })
  expect(c.head.median).toBeCloseTo(12)
  expect(c.ratio.estimate).toBeCloseTo(1.2)
  expect(c.ratio.confidence).toBe(0.95)

  const throughput = compareSamples([100, 101, 99], [80, 81, 79], { metric: 'throughput', unit: 'MB/s', better: 'higher', order: 'baseline' })
  expect(throughput).toMatchObject({ metric: 'throughput', unit: 'MB/s', better: 'higher', verdict: 'regressed', order: 'baseline', rounds: 3 })
  expect(throughput.fingerprintWarning).toBeUndefined()
  expect(compareSamples([1, 2], [1, 2], { metric: 'peak_rss' }).unit).toBe('')
  const independent = compareSamples([1, 2], [1, 2])
  expect(independent.order).toBe('sequential')
  expect(independent.method).toBe('bootstrap ratio of medians, 2000 resamples, 95 % percentile interval, seed 24301')
})

test('threshold 0 is the plain "not worse" gate: regressed only when the whole interval is on the worse side of 1', () => {
  expect(verdictOf(iv(1.01, 1.2), 0, 'lower')).toBe('regressed')
  expect(verdictOf(iv(0.99, 1.2), 0, 'lower')).toBe('inconclusive')
  expect(verdictOf(iv(0.8, 0.99), 0, 'lower')).toBe('improved')
  expect(verdictOf(iv(0.8, 0.99), 0, 'higher')).toBe('regressed')
})

test('a bad threshold or direction is a user error', () => {
  for (const [fn, pattern] of [
    [() => verdictOf(iv(1, 1), -0.1, 'lower'), /^verdictOf: threshold: invalid value -0.1; expected a relative change of 0 or more/],
    [() => verdictOf(iv(1, 1), 0.05, 'up' as 'lower'), /better: invalid value up; expected 'lower' or 'higher'/],
    [() => compareSamples([1], [1], { threshold: Number.NaN }), /^compareSamples: threshold: invalid value NaN/],
    [() => compareSamples([], [1]), /^compareSamples: base: no samples/],
  ] as const) {
    let error: unknown
    try {
      fn()
    } catch (e) {
      error = e
    }
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toMatch(pattern)
  }
})
