import { describe, expect, test } from 'vitest'
import type { BenchgateMeta } from '../results.ts'
import { seededRandom } from '../stats/random.ts'
import { gateMatchers, markPaired } from './matchers.ts'

expect.extend(gateMatchers)

function samples(center: number, n = 40, spread = 0.01, seed = 1): number[] {
  const rnd = seededRandom(seed)
  return Array.from({ length: n }, () => center * (1 + (rnd.next() - 0.5) * 2 * spread))
}

function withMeta(task: { meta: object }): BenchgateMeta {
  const m: BenchgateMeta = { runDir: '/tmp/x', project: 'unit', kpis: [], artifacts: [] }
  ;(task.meta as { benchgate?: BenchgateMeta }).benchgate = m
  return m
}

describe('toRegressFrom', () => {
  test('a clear 10 % slowdown is a regression, and .not fails with a readable sentence', ({ task }) => {
    const meta = withMeta(task)
    const base = { label: 'main', samples: samples(10, 40, 0.01, 1) }
    const head = { label: 'PR', samples: samples(11, 40, 0.01, 2) }
    expect(head).toRegressFrom(base, { by: 0.05, name: 'copy 1 GiB' })
    let message = ''
    try {
      expect(head).not.toRegressFrom(base, { by: 0.05, name: 'copy 1 GiB' })
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/^copy 1 GiB: PR regressed from main by more than \+5\.0 % \(time\)\. PR 1\d\.\d\d ms vs main \d+\.\d\d ms/)
    expect(message).toMatch(/\+10\.\d %, 95 % CI \+\d+\.\d % to \+\d+\.\d %; verdict regressed/)
    expect(meta.comparisons?.map((c) => c.verdict)).toEqual(['regressed', 'regressed'])
  })

  test('identical workloads do not regress', () => {
    expect(samples(10, 40, 0.01, 3)).not.toRegressFrom(samples(10, 40, 0.01, 4))
  })

  test('higher-is-better metrics regress when they drop', () => {
    expect(samples(90, 40, 0.01, 5)).toRegressFrom(samples(100, 40, 0.01, 6), { better: 'higher', metric: 'throughput', unit: 'MB/s' })
    expect(samples(110, 40, 0.01, 5)).not.toRegressFrom(samples(100, 40, 0.01, 6), { better: 'higher' })
  })

  test('samples marked as interleaved pairs are judged as pairs', ({ task }) => {
    const meta = withMeta(task)
    const base = samples(10, 30, 0.01, 7)
    const head = samples(10, 30, 0.01, 8)
    markPaired(base, head)
    expect(head).not.toRegressFrom(base)
    expect(meta.comparisons?.[0]?.order).toBe('interleaved')
  })

  test('a bench result without raw samples gets a hint, not a crash', () => {
    expect(() => expect({ name: 'x', latency: {} }).not.toRegressFrom([1, 2, 3])).toThrow(/no raw samples.*retainSamples/)
    expect(() => expect([1]).not.toRegressFrom([1, 2, 3])).toThrow(/too few to judge/)
  })
})

describe('toHoldParity', () => {
  test('3 % slower holds parity at 0.95; 20 % slower does not, and says by how much', () => {
    const rsync = { label: 'rsync', samples: samples(10, 40, 0.01, 9) }
    expect({ label: 'blit', samples: samples(10.3, 40, 0.01, 10) }).toHoldParity(rsync, { atLeast: 0.95 })
    const slow = { label: 'blit', samples: samples(12.5, 40, 0.01, 11) }
    expect(() => expect(slow).toHoldParity(rsync, { atLeast: 0.95, name: 'copy 1 GiB' })).toThrow(
      /^copy 1 GiB: parity not held: blit reaches 0\.8\d\d× of rsync's performance \(95 % CI 0\.\d+–0\.\d+×; medians 12\.\d\d vs 10\.\d\d ms\); expected at least 0\.95×/,
    )
  })

  test('throughputs: higher is better', () => {
    expect(samples(97, 40, 0.01, 12)).toHoldParity(samples(100, 40, 0.01, 13), { atLeast: 0.95, better: 'higher' })
    expect(() => expect(samples(80, 40, 0.01, 12)).toHoldParity(samples(100, 40, 0.01, 13), { atLeast: 0.95, better: 'higher' })).toThrow(
      /parity not held/,
    )
  })

  test('atLeast 1: "not slower" holds for equal samples and fails only when the data show it slower', () => {
    const peer = { label: 'aria2c', samples: samples(10, 40, 0.01, 14) }
    expect({ label: 'probe', samples: samples(10, 40, 0.01, 15) }).toHoldParity(peer, { atLeast: 1 })
    expect(() => expect({ label: 'probe', samples: samples(10.5, 40, 0.01, 16) }).toHoldParity(peer, { atLeast: 1 })).toThrow(/parity not held/)
  })

  test('a limit is judged at the limit itself and recorded as a limit (holds / fails), not by the regression rule', ({ task }) => {
    const m = withMeta(task)
    // 4.5× is within "at most 8×": the catch rule's midpoint (√8 = 2.8×) must not apply to a limit
    const a = { label: 'A', samples: samples(10, 40, 0.01, 17) }
    expect({ label: 'B', samples: samples(45, 40, 0.01, 18) }).toHoldParity(a, { atLeast: 1 / 8, name: 'B within 8× A' })
    expect(m.comparisons?.at(-1)).toMatchObject({ name: 'B within 8× A', kind: 'limit', rule: 'conservative' })
    // a regression rule comparison of the same data is no limit
    expect({ label: 'B', samples: samples(10.4, 40, 0.01, 18) }).toRegressFrom(a, { by: 0.05 })
    expect(m.comparisons?.at(-1)).toMatchObject({ rule: 'catch', verdict: 'regressed' })
    expect(m.comparisons?.at(-1)?.kind).toBeUndefined()
    expect({ label: 'B', samples: samples(10.4, 40, 0.01, 18) }).not.toRegressFrom(a, { by: 0.05, rule: 'conservative' })
  })

  test('atLeast is required', () => {
    expect(() => expect([1, 2]).toHoldParity([1, 2], {} as { atLeast: number })).toThrow(/give \{ atLeast \}/)
  })
})

describe('toBeAtMost', () => {
  test('a bound with a unit phrase in the message', () => {
    expect(1.05).toBeAtMost(1.1, 'of baseline')
    expect(() => expect(1.14).toBeAtMost(1.1, 'of baseline')).toThrow('1.14 of baseline exceeds the limit: expected at most 1.1 of baseline')
    expect(() => expect(Number.NaN).toBeAtMost(1)).toThrow(/finite number/)
  })
})
