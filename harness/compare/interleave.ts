// Head against base, measured side by side. Each round runs base and head once each
// (`iterations` timed calls per side), alternating which goes first, so a machine that slows down
// or speeds up mid-run affects both sides alike. Rounds come in pairs, AB BA or BA AB: each side
// goes first equally often, and the phase of each pair is drawn at random (from `seed` when one
// is given), so a periodic disturbance (a scheduler tick, a neighbour's timer) cannot line up
// with one side the way it can with a fixed ABBA ABBA pattern, and no two comparisons share one
// fixed order. Warm-up rounds use plain AB BA. Only `fn` is timed, with
// performance.now() (or reports its own duration: `timing: 'reported'`); the per-iteration hooks are not. Counts are explicit — no time-based
// calibration — and every loop is bounded: warm-up rounds, then `rounds`, then, while the verdict
// is inconclusive, batches of `batchRounds` more up to `maxRounds`.
// The verdict and its interval come from ../stats/verdict.ts (method documented there).
import type { Comparison } from '../results.ts'
import { seededRandom } from '../stats/random.ts'
import { compareSamples } from '../stats/verdict.ts'
import { resolveCompareOptions, type CompareOptions, type ResolvedCompareOptions, type Side } from './options.ts'

export type { CompareOptions, Order, Side } from './options.ts'
export { DEFAULT_ROUNDS, DEFAULT_WARMUP_ROUNDS, MAX_ROUNDS_FACTOR } from './options.ts'

interface Samples {
  /** ms per iteration, every measured sample in the order taken (warm-up excluded); sample i of
   * base and of head come from the same round. */
  base: number[]
  head: number[]
}

export interface CompareResult extends Samples {
  comparison: Comparison
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function reported(side: Side, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  throw new TypeError(`compare: side ${side.label} has timing 'reported' but its fn gave ${String(value)}, not a duration in ms`)
}

/** One timed iteration: hooks around it, untimed. */
async function timeOnce(side: Side): Promise<number> {
  if (side.beforeEach) await side.beforeEach()
  const t0 = performance.now()
  let result = side.fn()
  if (isThenable(result)) result = await result
  const wall = performance.now() - t0
  const ms = side.timing === 'reported' ? reported(side, result) : wall
  if (side.afterEach) await side.afterEach()
  return ms
}

async function runSide(side: Side, o: ResolvedCompareOptions, into: number[] | null): Promise<void> {
  for (let i = 0; i < o.iterations; i++) {
    o.signal?.throwIfAborted()
    const ms = await timeOnce(side)
    into?.push(ms)
  }
}

/** The phase of pair k (rounds 2k and 2k+1): false runs AB BA, true runs BA AB. */
export type PairPhase = (pair: number) => boolean

/** Pair phases drawn from the seed, the same for the same seed. */
export function seededPhases(seed: number): PairPhase {
  const random = seededRandom(seed ^ 0x9e3779b9)
  const flips: boolean[] = []
  return (pair) => {
    while (flips.length <= pair) flips.push(random.next() < 0.5)
    return flips[pair]!
  }
}

const PLAIN: PairPhase = () => false

/** Interleaved rounds [first, first + n). */
async function interleavedRounds(base: Side, head: Side, o: ResolvedCompareOptions, first: number, n: number, phase: PairPhase, into: Samples | null): Promise<void> {
  for (let r = first; r < first + n; r++) {
    const baseFirst = (r % 2 === 0) !== phase(Math.floor(r / 2))
    await runSide(baseFirst ? base : head, o, into && (baseFirst ? into.base : into.head))
    await runSide(baseFirst ? head : base, o, into && (baseFirst ? into.head : into.base))
  }
}

/** Sequential: n rounds of base, then n rounds of head. */
async function sequentialRounds(side: Side, o: ResolvedCompareOptions, n: number, into: number[] | null): Promise<void> {
  for (let r = 0; r < n; r++) await runSide(side, o, into)
}

export async function compareInterleaved(base: Side, head: Side, options: CompareOptions = {}): Promise<CompareResult> {
  const o = resolveCompareOptions(base, head, options)
  const samples: Samples = { base: [], head: [] }
  const phase = seededPhases(o.orderSeed)
  const measure = async (first: number, n: number, warm: boolean): Promise<void> => {
    if (o.order === 'interleaved') {
      if (warm) await interleavedRounds(base, head, o, 0, o.warmupRounds, PLAIN, null)
      await interleavedRounds(base, head, o, first, n, phase, samples)
    } else {
      if (warm) await sequentialRounds(base, o, o.warmupRounds, null)
      await sequentialRounds(base, o, n, samples.base)
      if (warm) await sequentialRounds(head, o, o.warmupRounds, null)
      await sequentialRounds(head, o, n, samples.head)
    }
  }
  const evaluate = (rounds: number): Comparison =>
    compareSamples(samples.base, samples.head, {
      name: o.name,
      metric: o.metric,
      unit: 'ms',
      better: 'lower',
      threshold: o.threshold,
      rule: o.rule,
      confidence: o.confidence,
      seed: o.seed,
      paired: o.order === 'interleaved',
      order: o.order,
      rounds,
      baseLabel: base.label,
      headLabel: head.label,
    })

  let rounds = o.rounds
  await measure(0, rounds, true)
  let comparison = evaluate(rounds)
  // Bounded: at most ceil((maxRounds - rounds) / batchRounds) extra batches.
  while (comparison.verdict === 'inconclusive' && rounds < o.maxRounds) {
    const batch = Math.min(o.batchRounds, o.maxRounds - rounds)
    await measure(rounds, batch, false)
    rounds += batch
    comparison = evaluate(rounds)
  }
  return { base: samples.base, head: samples.head, comparison }
}
