import { expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import type { RatioInterval } from '../results.ts'
import { compareSamples, decisionPoint, describeRule, verdictOf } from './verdict.ts'

const iv = (lo: number, hi: number): RatioInterval => ({ estimate: (lo + hi) / 2, lo, hi, confidence: 0.95 })

const M = Math.sqrt(1.05) // the default rule's decision point at 5 %: 1.0247

test("the default rule ('catch'), lower is better (time): each verdict and its boundaries", () => {
  const t = 0.05
  expect(verdictOf(iv(1.06, 1.2), t, 'lower')).toBe('regressed')
  expect(verdictOf(iv(1.03, 1.07), t, 'lower')).toBe('regressed') // a 5 % slowdown whose interval is above the midpoint
  expect(verdictOf(iv(M + 1e-7, 1.06), t, 'lower')).toBe('regressed')
  expect(verdictOf(iv(M, 1.06), t, 'lower')).toBe('inconclusive') // touching the decision point is not beyond it
  expect(verdictOf(iv(1.02, 1.08), t, 'lower')).toBe('inconclusive')
  expect(verdictOf(iv(0.98, 1.02), t, 'lower')).toBe('unchanged')
  expect(verdictOf(iv(0.98, 1.03), t, 'lower')).toBe('inconclusive') // could be past the midpoint: measure more
  expect(verdictOf(iv(1 / M, M), t, 'lower')).toBe('unchanged') // the band's edges are inside it
  expect(verdictOf(iv(0.9, 1.0), t, 'lower')).toBe('inconclusive')
  expect(verdictOf(iv(0.93, 0.97), t, 'lower')).toBe('improved') // 0.97 < 1/M = 0.9759
  expect(verdictOf(iv(0.8, 1 / M), t, 'lower')).toBe('inconclusive')
  expect(verdictOf(iv(0.5, 2), t, 'lower')).toBe('inconclusive')
})

test("the default rule ('catch'), higher is better (throughput): each verdict and its boundaries", () => {
  const t = 0.05
  expect(verdictOf(iv(0.93, 0.97), t, 'higher')).toBe('regressed')
  expect(verdictOf(iv(0.8, 1 / M), t, 'higher')).toBe('inconclusive')
  expect(verdictOf(iv(1.03, 1.2), t, 'higher')).toBe('improved')
  expect(verdictOf(iv(M, 1.2), t, 'higher')).toBe('inconclusive')
  expect(verdictOf(iv(0.98, 1.02), t, 'higher')).toBe('unchanged')
  expect(verdictOf(iv(0.97, 1.1), t, 'higher')).toBe('inconclusive')
})

test("the 'conservative' rule, by name: the whole interval beyond 1 + t", () => {
  const t = 0.05
  expect(verdictOf(iv(1.06, 1.2), t, 'lower', 'conservative')).toBe('regressed')
  expect(verdictOf(iv(1.0500001, 1.06), t, 'lower', 'conservative')).toBe('regressed')
  expect(verdictOf(iv(1.05, 1.06), t, 'lower', 'conservative')).toBe('inconclusive')
  expect(verdictOf(iv(1.03, 1.07), t, 'lower', 'conservative')).toBe('inconclusive') // what 'catch' calls regressed
  expect(verdictOf(iv(0.98, 1.03), t, 'lower', 'conservative')).toBe('unchanged')
  expect(verdictOf(iv(1 / 1.05, 1.05), t, 'lower', 'conservative')).toBe('unchanged')
  expect(verdictOf(iv(0.8, 0.95), t, 'lower', 'conservative')).toBe('improved')
  expect(verdictOf(iv(0.8, 0.95), t, 'higher', 'conservative')).toBe('regressed')
  expect(verdictOf(iv(0.8, 1 / 1.05), t, 'higher', 'conservative')).toBe('inconclusive')
  expect(compareSamples([10, 10, 10, 10], [10.35, 10.35, 10.35, 10.35], { rule: 'conservative' })).toMatchObject({ verdict: 'unchanged', rule: 'conservative' })
  expect(compareSamples([10, 10, 10, 10], [10.35, 10.35, 10.35, 10.35])).toMatchObject({ verdict: 'regressed', rule: 'catch' })
})

test('the decision point and the sentence that names it', () => {
  expect(decisionPoint(0.05)).toBeCloseTo(1.0247, 4)
  expect(decisionPoint(0.05, 'conservative')).toBe(1.05)
  expect(decisionPoint(0)).toBe(1)
  expect(describeRule(0.05)).toBe('threshold 5 % (rule catch: interval above +2.5 %)')
  expect(describeRule(0.05, 'conservative', 'higher')).toBe('threshold 5 % (rule conservative: interval below −4.8 %)')
})

test('a throughput ratio judged "higher" gets the verdict of its time ratio judged "lower", under both rules', () => {
  for (const rule of ['catch', 'conservative'] as const) {
    for (const [lo, hi] of [[1.06, 1.1], [1.03, 1.04], [0.9, 0.94], [0.97, 1.02], [0.99, 1.2], [0.93, 1.01]] as const) {
      const time = iv(lo, hi)
      const throughput = iv(1 / hi, 1 / lo)
      expect(verdictOf(throughput, 0.05, 'higher', rule)).toBe(verdictOf(time, 0.05, 'lower', rule))
    }
  }
})

test('the threshold moves the boundaries', () => {
  expect(verdictOf(iv(1.02, 1.07), 0.02, 'lower')).toBe('regressed')
  expect(verdictOf(iv(1.02, 1.04), 0.1, 'lower')).toBe('unchanged')
  expect(verdictOf(iv(1.03, 1.07), 0.1, 'lower')).toBe('inconclusive')
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
    rule: 'catch',
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
    [() => verdictOf(iv(1, 1), 0.05, 'lower', 'strict' as 'catch'), /rule: invalid value strict; expected 'catch' \(the default\) or 'conservative'/],
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
