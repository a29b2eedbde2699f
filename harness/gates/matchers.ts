// Gates as assertions. Each matcher judges measured samples with the same statistics as every
// verdict (../stats/verdict.ts), records the evaluation with the test (so reporters and the PR
// check see it), and fails with a sentence a person understands:
//
//   expect(head).not.toRegressFrom(base, { by: 0.05 })       regressed by 5 % or more? (the 'catch' rule)
//   expect(candidate).toHoldParity(reference, { atLeast: 0.95 })   at least 95 % of reference's speed?
//   expect(peakRssRatio).toBeAtMost(1.10, 'of baseline')       a plain bound with a readable message
//
// toRegressFrom is a comparison: its verdict follows the configured rule (gates.rule, or `rule`).
// toHoldParity is a limit: it fails only when the data show, at the stated confidence, less than
// `atLeast` of the reference (the conservative rule at the limit itself, so "within 8×" means 8×,
// not a midpoint), and is recorded with kind 'limit' so tables say holds / fails.
import { TestRunner } from 'vitest'
import type { BenchgateMeta, Comparison } from '../results.ts'
import { compareSamples, type Better, type GateRule } from '../stats/verdict.ts'
import { samplesOf, type Samples } from './measured.ts'
import { defaultConfidence, defaultRule, thresholdFor } from './thresholds.ts'

/** Samples taken side by side by one interleaved comparison: judged as pairs. */
const pairs = new WeakMap<object, object>()
/** The comparison already recorded for a pair, which a gate on the same pair replaces. */
const recorded = new WeakMap<object, Comparison>()

export function markPaired(base: readonly number[], head: readonly number[], comparison?: Comparison): void {
  pairs.set(base, head)
  pairs.set(head, base)
  if (comparison) recorded.set(head, comparison)
}

export interface RegressOptions {
  /** Relative change that counts: the smallest regression that must fail (default gates.threshold, 0.05). */
  by?: number
  /** How `by` decides (default gates.rule, 'catch'; see harness/stats/verdict.ts). */
  rule?: GateRule
  better?: Better
  metric?: string
  unit?: string
  name?: string
  confidence?: number
}

export interface ParityOptions {
  /** The least fraction of the reference's performance that holds parity, e.g. 0.95. */
  atLeast: number
  /** 'lower' when the samples are times (default), 'higher' for throughputs. */
  better?: Better
  name?: string
  confidence?: number
}

/** Adds a gate evaluation to the current test's results (replacing the pair's earlier one). */
export function recordComparison(c: Comparison, head?: object): void {
  const test = TestRunner.getCurrentTest()
  const meta = test?.meta as { benchgate?: BenchgateMeta } | undefined
  if (!meta?.benchgate) return
  const list = (meta.benchgate.comparisons ??= [])
  const earlier = head ? recorded.get(head) : undefined
  const at = earlier ? list.indexOf(earlier) : -1
  if (at >= 0) list[at] = c
  else list.push(c)
  if (head) recorded.set(head, c)
}

const pct = (r: number) => `${r >= 1 ? '+' : '−'}${(Math.abs(r - 1) * 100).toFixed(1)} %`
const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3))

function describeChange(c: Comparison): string {
  const conf = `${Math.round(c.ratio.confidence * 100)} % CI`
  return (
    `${c.head.label} ${num(c.head.median)} ${c.unit} vs ${c.base.label} ${num(c.base.median)} ${c.unit} (medians of ${c.head.n} and ${c.base.n}): ` +
    `${pct(c.ratio.estimate)}, ${conf} ${pct(c.ratio.lo)} to ${pct(c.ratio.hi)}; verdict ${c.verdict}`
  )
}

function isPaired(a: unknown, b: unknown): boolean {
  return typeof a === 'object' && a !== null && pairs.get(a) === b
}

/**
 * One gate evaluation of head against base, as pairs when one interleaved comparison took them,
 * recorded with the current test.
 */
function judge(
  received: unknown,
  expected: unknown,
  base: Samples,
  head: Samples,
  o: { name: string; metric: string; unit?: string | undefined; better: Better; threshold: number; rule: GateRule; confidence?: number | undefined },
  kind: Comparison['kind'] = 'comparison',
): Comparison {
  const paired = isPaired(received, expected) && head.samples.length === base.samples.length
  const c = compareSamples(base.samples, head.samples, {
    ...o,
    confidence: o.confidence ?? defaultConfidence(),
    paired,
    order: paired ? 'interleaved' : 'sequential',
    baseLabel: base.label,
    headLabel: head.label,
  })
  if (kind === 'limit') c.kind = 'limit'
  recordComparison(c, paired ? (received as object) : undefined)
  return c
}

export const gateMatchers = {
  toRegressFrom(received: unknown, base: unknown, options: RegressOptions = {}) {
    const h = samplesOf(received, 'head', 'head')
    const name = options.name ?? h.label
    const metric = options.metric ?? 'time'
    const by = options.by ?? thresholdFor(name, metric)
    const better = options.better ?? 'lower'
    const rule = options.rule ?? defaultRule()
    const c = judge(received, base, samplesOf(base, 'base', 'base'), h, { name, metric, unit: options.unit, better, threshold: by, rule, confidence: options.confidence })
    const pass = c.verdict === 'regressed'
    const bound = `${better === 'lower' ? '+' : '−'}${(by * 100).toFixed(1)} %`
    return {
      pass,
      message: () =>
        pass
          ? `${c.name}: ${c.head.label} regressed from ${c.base.label} by more than ${bound} (${c.metric}). ${describeChange(c)}`
          : `${c.name}: expected ${c.head.label} to regress from ${c.base.label} by more than ${bound} (${c.metric}), but it did not. ${describeChange(c)}`,
    }
  },

  toHoldParity(received: unknown, reference: unknown, options: ParityOptions) {
    const atLeast = options?.atLeast
    if (!(typeof atLeast === 'number' && atLeast > 0 && atLeast <= 1)) {
      throw new TypeError('toHoldParity: give { atLeast } as a fraction in (0, 1], e.g. { atLeast: 0.95 }')
    }
    const cand = samplesOf(received, 'candidate', 'candidate')
    const ref = samplesOf(reference, 'reference', 'reference')
    const better = options.better ?? 'lower'
    // Parity fails when the data show, at the stated confidence, less than atLeast of the
    // reference's performance: a regression beyond 1/atLeast − 1 on the head/base ratio.
    const c = judge(received, reference, ref, cand, {
      name: options.name ?? `${cand.label} vs ${ref.label}`,
      metric: better === 'lower' ? 'time' : 'throughput',
      better,
      threshold: 1 / atLeast - 1,
      rule: 'conservative',
      confidence: options.confidence,
    }, 'limit')
    // performance of the candidate relative to the reference (1 = equal, 0.9 = 10 % slower)
    const perf = (r: number) => (better === 'lower' ? 1 / r : r)
    const [lo, hi] = [perf(c.ratio.hi), perf(c.ratio.lo)].sort((x, y) => x - y) as [number, number]
    const held = c.verdict !== 'regressed'
    const figure =
      `${c.head.label} reaches ${perf(c.ratio.estimate).toFixed(3)}× of ${c.base.label}'s performance ` +
      `(${Math.round(c.ratio.confidence * 100)} % CI ${lo.toFixed(3)}–${hi.toFixed(3)}×; medians ${num(c.head.median)} vs ${num(c.base.median)} ${c.unit})`
    return {
      pass: held,
      message: () =>
        held
          ? `${c.name}: expected parity to fail (below ${atLeast}×), but ${figure}`
          : `${c.name}: parity not held: ${figure}; expected at least ${atLeast}×`,
    }
  },

  toBeAtMost(received: unknown, limit: number, what = '') {
    const value = typeof received === 'object' && received !== null && 'ratio' in received ? (received as Comparison).ratio.estimate : received
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError(`toBeAtMost: expected a finite number (or a comparison), got ${String(value)}`)
    }
    const unit = what ? ` ${what}` : ''
    const pass = value <= limit
    return {
      pass,
      message: () => (pass ? `expected more than ${limit}${unit}, but got ${num(value)}${unit}` : `${num(value)}${unit} exceeds the limit: expected at most ${limit}${unit}`),
    }
  },
}

declare module 'vitest' {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    /** Passes when head regressed from base by `by` or more, by the configured rule (harness/stats/verdict.ts). */
    toRegressFrom(base: unknown, options?: RegressOptions): R
    /** Passes unless the data show less than `atLeast` of the reference's performance. */
    toHoldParity(reference: unknown, options: ParityOptions): R
    /** A plain upper bound with a readable message: `toBeAtMost(1.10, 'of baseline')`. */
    toBeAtMost(limit: number, what?: string): R
  }
}
