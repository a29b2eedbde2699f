import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { compareInterleaved, seededPhases, type Side } from './interleave.ts'

/** Burns the CPU for about `ms` milliseconds (wall clock; preemption only adds). */
function busy(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin
  }
}

/** Two sides that append their label to `calls` on every timed call. */
function recording(calls: string[], work = 0.02): [Side, Side] {
  return [
    { label: 'base', fn: () => { calls.push('base'); busy(work) } },
    { label: 'head', fn: () => { calls.push('head'); busy(work) } },
  ]
}

/** The side that went first in each round, from a log of labels with `per` calls per side. */
function firstSides(calls: string[], per = 1): string[] {
  const firsts: string[] = []
  for (let i = 0; i < calls.length; i += 2 * per) firsts.push(calls[i]!)
  return firsts
}

test('rounds alternate which side goes first, in pairs whose phase the seed draws', async () => {
  const calls: string[] = []
  const [base, head] = recording(calls)
  const r = await compareInterleaved(base, head, { rounds: 40, warmupRounds: 2, maxRounds: 40, seed: 1 })
  for (let i = 0; i < calls.length; i += 2) expect([calls[i], calls[i + 1]].sort()).toEqual(['base', 'head'])
  const firsts = firstSides(calls)
  expect(firsts.slice(0, 2)).toEqual(['base', 'head']) // warm-up: plain AB BA
  const measured = firsts.slice(2)
  for (let k = 0; k < 40; k += 2) expect(measured[k]).not.toBe(measured[k + 1]) // each pair: AB BA or BA AB
  const pairStarts = measured.filter((_, k) => k % 2 === 0)
  expect(pairStarts).toContain('base') // both phases occur
  expect(pairStarts).toContain('head')
  expect(measured.filter((s) => s === 'base')).toHaveLength(20) // each side first equally often

  const again: string[] = []
  await compareInterleaved(...recording(again), { rounds: 40, warmupRounds: 2, maxRounds: 40, seed: 1 })
  expect(again).toEqual(calls) // the same seed, the same order
  expect(r.base).toHaveLength(40)
  expect(r.head).toHaveLength(40)
  expect(r.comparison.rounds).toBe(40)
  expect(r.comparison.order).toBe('interleaved')
  expect(r.comparison.name).toBe('base vs head')
  expect(r.comparison.method).toMatch(/^bootstrap median of per-round ratios/)
})

test('without a seed, each comparison draws its own order', async () => {
  const a: string[] = []
  const b: string[] = []
  await compareInterleaved(...recording(a), { rounds: 40, warmupRounds: 0, maxRounds: 40 })
  await compareInterleaved(...recording(b), { rounds: 40, warmupRounds: 0, maxRounds: 40 })
  expect(a).not.toEqual(b) // 20 pairs: the same order by chance once in a million
})

test('seededPhases: deterministic per seed, and seeds differ', () => {
  const a = seededPhases(5)
  const b = seededPhases(5)
  const c = seededPhases(6)
  const seq = (p: (k: number) => boolean) => Array.from({ length: 64 }, (_, k) => p(k))
  expect(seq(a)).toEqual(seq(b))
  expect(seq(a)).not.toEqual(seq(c))
})

test('iterations are timed one by one, in per-side blocks within a round', async () => {
  const calls: string[] = []
  const [base, head] = recording(calls)
  const r = await compareInterleaved(base, head, { rounds: 4, warmupRounds: 0, iterations: 2, maxRounds: 4 })
  for (let i = 0; i < calls.length; i += 2) expect(calls[i]).toBe(calls[i + 1]) // a side's iterations in one block
  const firsts = firstSides(calls, 2)
  expect(firsts[0]).not.toBe(firsts[1])
  expect(firsts[2]).not.toBe(firsts[3])
  expect(calls).toHaveLength(16)
  expect(r.base).toHaveLength(8)
  expect(r.head).toHaveLength(8)
  expect(r.comparison.base.n).toBe(8)
})

test('sequential order runs every base round, then every head round', async () => {
  const calls: string[] = []
  const [base, head] = recording(calls)
  const r = await compareInterleaved(base, head, { rounds: 3, warmupRounds: 1, maxRounds: 3, order: 'sequential' })
  expect(calls).toEqual(['base', 'base', 'base', 'base', 'head', 'head', 'head', 'head'])
  expect(r.comparison.order).toBe('sequential')
  expect(r.comparison.method).toMatch(/^bootstrap ratio of medians/)
})

test('beforeEach and afterEach run around every iteration, untimed', async () => {
  const events: string[] = []
  const side = (label: string): Side => ({
    label,
    beforeEach: async () => {
      events.push(`${label}:before`)
      await sleep(50)
    },
    fn: () => events.push(`${label}:fn`),
    afterEach: async () => {
      await sleep(50)
      events.push(`${label}:after`)
    },
  })
  const r = await compareInterleaved(side('cold'), side('warm'), { rounds: 3, warmupRounds: 0, maxRounds: 3 })
  const first = events[0]!.split(':')[0]!
  const second = first === 'cold' ? 'warm' : 'cold'
  expect(events.slice(0, 6)).toEqual([`${first}:before`, `${first}:fn`, `${first}:after`, `${second}:before`, `${second}:fn`, `${second}:after`])
  expect(events).toHaveLength(18)
  // Each hook sleeps 50 ms; a trivial fn takes far less than that even on a loaded machine.
  for (const ms of [...r.base, ...r.head]) expect(ms).toBeLessThan(25)
})

test('an async fn is awaited and timed', async () => {
  const r = await compareInterleaved(
    { label: 'a', fn: () => sleep(20) },
    { label: 'b', fn: async () => sleep(20) },
    { rounds: 3, warmupRounds: 0, maxRounds: 3 },
  )
  for (const ms of [...r.base, ...r.head]) expect(ms).toBeGreaterThanOrEqual(15)
})

test("timing 'reported': the sample is what fn resolves to, not its wall time", async () => {
  let n = 0
  const r = await compareInterleaved(
    { label: 'a', timing: 'reported', fn: async () => { await sleep(5); return 100 + n++ } },
    { label: 'b', timing: 'reported', fn: () => 200 },
    { rounds: 3, warmupRounds: 1, maxRounds: 3, seed: 1 },
  )
  expect(r.head).toEqual([200, 200, 200])
  // the warm-up call is not a sample: side a's one warm-up round gave 100
  expect([...r.base].sort()).toEqual([101, 102, 103])
  const bad = await compareInterleaved(
    { label: 'bad', timing: 'reported', fn: () => undefined },
    { label: 'b', fn: () => {} },
    { rounds: 3, warmupRounds: 0, maxRounds: 3 },
  ).then(() => null, (e: unknown) => e as Error)
  expect(bad?.message).toMatch(/side bad has timing 'reported' but its fn gave undefined/)
})

/** A side taking 1 ms and 6 ms in turn (head out of step with base): each median sits between the
 * two and resampled medians jump from one to the other, so the interval is wide whatever the
 * machine does. */
function bimodal(label: string, log: string[], phase: number): Side {
  let n = phase
  return {
    label,
    fn: async () => {
      log.push(label)
      await sleep(n++ % 2 === 0 ? 1 : 6)
    },
  }
}

test('an inconclusive verdict adds rounds in batches up to maxRounds, and no further', async () => {
  const log: string[] = []
  const r = await compareInterleaved(bimodal('base', log, 0), bimodal('head', log, 1), { rounds: 6, warmupRounds: 1, maxRounds: 11, batchRounds: 2 })
  expect(r.comparison.verdict).toBe('inconclusive')
  expect(r.comparison.rounds).toBe(11) // 6 + 2 + 2 + 1
  expect(r.base).toHaveLength(11)
  expect(r.head).toHaveLength(11)
  expect(log.filter((l) => l === 'base')).toHaveLength(12) // one warm-up round, then 11 measured
  expect(log.filter((l) => l === 'head')).toHaveLength(12)
})

test('sequential extra rounds: a batch of base, then a batch of head', async () => {
  const log: string[] = []
  const r = await compareInterleaved(bimodal('b', log, 0), bimodal('h', log, 1), { rounds: 4, warmupRounds: 0, maxRounds: 6, batchRounds: 2, order: 'sequential' })
  expect(r.comparison.verdict).toBe('inconclusive')
  expect(log.join('')).toBe('bbbbhhhhbbhh')
})

test('a clear verdict stops at the planned rounds', async () => {
  const r = await compareInterleaved({ label: 'fast', fn: () => busy(2) }, { label: 'slow', fn: () => busy(10) }, { rounds: 7, warmupRounds: 0 })
  expect(r.comparison.verdict).toBe('regressed')
  expect(r.comparison.rounds).toBe(7)
  expect(r.base).toHaveLength(7)
  expect(r.head).toHaveLength(7)
})

test('an abort signal stops the comparison between iterations', async () => {
  const controller = new AbortController()
  let n = 0
  const side = (label: string): Side => ({
    label,
    fn: () => {
      if (++n === 5) controller.abort(new Error('stop here'))
    },
  })
  await expect(compareInterleaved(side('a'), side('b'), { rounds: 100, signal: controller.signal })).rejects.toThrow('stop here')
  expect(n).toBe(5)
})

test('bad options are user errors naming the option', async () => {
  const ok: Side = { label: 'x', fn: () => {} }
  for (const [base, options, pattern] of [
    [ok, { rounds: 0 }, /^compareInterleaved: rounds: invalid value 0; expected an integer from 3/],
    [ok, { rounds: 10, maxRounds: 5 }, /maxRounds: invalid value 5; expected at least rounds \(10\)/],
    [ok, { order: 'random' }, /order: invalid value random; expected 'interleaved' or 'sequential'/],
    [ok, { threshold: -1 }, /threshold: invalid value -1/],
    [ok, { iterations: 1.5 }, /iterations: invalid value 1.5/],
    [{ label: 'x' } as Side, {}, /base.fn: invalid value undefined; expected the function to time/],
  ] as const) {
    const error = await compareInterleaved(base, ok, options as object).then(() => undefined, (e: unknown) => e)
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toMatch(pattern)
  }
})
