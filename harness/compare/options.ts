// The options of an interleaved comparison, checked once into one resolved, readonly shape.
// Mistakes become a UserError naming the option, what was expected and a hint.
import { UserError } from '../errors.ts'
import { DEFAULT_CONFIDENCE, DEFAULT_SEED } from '../stats/bootstrap.ts'
import { checkRule, DEFAULT_RULE, DEFAULT_THRESHOLD, type GateRule } from '../stats/verdict.ts'

/** One side of a comparison. Only `fn` is timed; the hooks run around every iteration, untimed. */
export interface Side {
  label: string
  fn: () => unknown | Promise<unknown>
  /** Per-iteration setup, not timed (e.g. clearing a cache for a Cold run). */
  beforeEach?: () => unknown | Promise<unknown>
  /** Per-iteration teardown, not timed. */
  afterEach?: () => unknown | Promise<unknown>
  /**
   * 'wall' (default): the sample is the wall time of `fn`. 'reported': `fn` resolves to the
   * sample itself, in ms — for work timed elsewhere, such as a workflow span another process
   * marked, where the process's start-up must not count.
   */
  timing?: 'wall' | 'reported'
}

export type Order = 'interleaved' | 'sequential'

export interface CompareOptions {
  /** The benchmark compared; default '<base label> vs <head label>'. */
  name?: string
  /** Metric name in the Comparison; default 'time' (ms per iteration, lower is better). */
  metric?: string
  /** Measured rounds; default DEFAULT_ROUNDS. */
  rounds?: number
  /** Unmeasured rounds first; default 2. */
  warmupRounds?: number
  /** Iterations per side per round, each timed alone; default 1 (macro benchmarks). */
  iterations?: number
  /** Upper bound of rounds: while the verdict is inconclusive, rounds are added up to this; default 3 × rounds. */
  maxRounds?: number
  /** Rounds added per extra batch; default ceil(rounds / 2). */
  batchRounds?: number
  /** Relative change that counts; default 0.05. */
  threshold?: number
  /** How the threshold decides; default 'catch' (../stats/verdict.ts). */
  rule?: GateRule
  /** Default 0.95. */
  confidence?: number
  /** Default 'interleaved'. 'sequential' runs all base rounds, then all head rounds. */
  order?: Order
  /**
   * Seed of the bootstrap (default DEFAULT_SEED, so the same samples give the same verdict) and
   * of the order of the rounds' pairs (default: drawn afresh for every comparison, so no fixed
   * order is repeated across comparisons for a periodic disturbance to line up with).
   */
  seed?: number
  /** Aborts between iterations with the signal's reason. */
  signal?: AbortSignal
}

/** Rounds measured by default: what the A/A and power proofs (benches/harness/gates.bench.ts) need. */
export const DEFAULT_ROUNDS = 30
export const DEFAULT_WARMUP_ROUNDS = 2
export const MAX_ROUNDS_FACTOR = 3
const LIMIT = 1_000_000

export interface ResolvedCompareOptions {
  readonly name: string
  readonly metric: string
  readonly rounds: number
  readonly warmupRounds: number
  readonly iterations: number
  readonly maxRounds: number
  readonly batchRounds: number
  readonly threshold: number
  readonly rule: GateRule
  readonly confidence: number
  readonly order: Order
  readonly seed: number
  /** Seed of the pair phases: `seed` when given, else a random one. */
  readonly orderSeed: number
  readonly signal: AbortSignal | undefined
}

const WHERE = 'compareInterleaved'

function bad(field: string, value: unknown, expected: string, hint?: string): UserError {
  return new UserError({ file: WHERE, field, message: `invalid value ${String(value)}`, expected, ...(hint ? { hint } : {}) })
}

function count(field: string, value: number, min: number, hint?: string): number {
  if (!(Number.isInteger(value) && value >= min && value <= LIMIT)) throw bad(field, value, `an integer from ${min} to ${LIMIT}`, hint)
  return value
}

function checkSide(side: Side, field: string): void {
  if (typeof side !== 'object' || side === null) throw bad(field, side, '{ label, fn, beforeEach?, afterEach? }')
  if (typeof side.label !== 'string' || side.label === '') throw bad(`${field}.label`, side.label, 'a non-empty name')
  if (typeof side.fn !== 'function') throw bad(`${field}.fn`, side.fn, 'the function to time')
  if (side.timing !== undefined && side.timing !== 'wall' && side.timing !== 'reported') throw bad(`${field}.timing`, side.timing, "'wall' or 'reported'")
  for (const hook of ['beforeEach', 'afterEach'] as const) {
    if (side[hook] !== undefined && typeof side[hook] !== 'function') throw bad(`${field}.${hook}`, side[hook], 'a function or nothing')
  }
}

export function resolveCompareOptions(base: Side, head: Side, options: CompareOptions = {}): ResolvedCompareOptions {
  checkSide(base, 'base')
  checkSide(head, 'head')
  const rounds = count('rounds', options.rounds ?? DEFAULT_ROUNDS, 3, 'a bootstrap needs a few rounds; the default is 30')
  const maxRounds = count('maxRounds', options.maxRounds ?? MAX_ROUNDS_FACTOR * rounds, 1)
  if (maxRounds < rounds) throw bad('maxRounds', maxRounds, `at least rounds (${rounds})`, 'maxRounds bounds the rounds added to an inconclusive comparison')
  const threshold = options.threshold ?? DEFAULT_THRESHOLD
  if (!(Number.isFinite(threshold) && threshold > 0)) throw bad('threshold', threshold, 'a relative change above 0, e.g. 0.05 for 5 %')
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE
  if (!(confidence > 0 && confidence < 1)) throw bad('confidence', confidence, 'a number between 0 and 1, e.g. 0.95')
  const order = options.order ?? 'interleaved'
  if (order !== 'interleaved' && order !== 'sequential') throw bad('order', order, "'interleaved' or 'sequential'")
  const seed = options.seed ?? DEFAULT_SEED
  if (!Number.isFinite(seed)) throw bad('seed', seed, 'a finite number')
  return {
    name: options.name ?? `${base.label} vs ${head.label}`,
    metric: options.metric ?? 'time',
    rounds,
    warmupRounds: count('warmupRounds', options.warmupRounds ?? DEFAULT_WARMUP_ROUNDS, 0),
    iterations: count('iterations', options.iterations ?? 1, 1),
    maxRounds,
    batchRounds: count('batchRounds', options.batchRounds ?? Math.ceil(rounds / 2), 1),
    threshold,
    rule: checkRule(options.rule ?? DEFAULT_RULE, WHERE),
    confidence,
    order,
    seed,
    orderSeed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
    signal: options.signal,
  }
}
