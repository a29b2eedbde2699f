// Regression verdicts: is head worse than base, better, the same, or can we not tell yet?
//
// Method
// ------
// The figure judged is a ratio head/base of a metric's samples (for time: ms per iteration), with
// a percentile-bootstrap confidence interval (`bootstrapRatio`, ./bootstrap.ts): resample with
// replacement, recompute the figure, repeat 2000 times, and read the interval off the 2.5th and
// 97.5th percentiles of the recomputed figures (for 95 %). Which figure depends on how the
// samples were taken:
//
//   - Interleaved rounds (`paired: true`, what `compareInterleaved` uses in its default order):
//     the MEDIAN OF THE PER-ROUND RATIOS head[i]/base[i]; the rounds are resampled. The two
//     samples of a round are taken back to back, so whatever slows the machine at that moment
//     (another job, a throttled core, a cache flushed by a neighbour) mostly divides out of their
//     ratio. On the shared 2-core machine the proofs run on, busy with other jobs, 30 rounds gave
//     an interval 2–3× narrower than the ratio of medians resampled by round, and 3–6× narrower
//     than the ratio of medians resampled per side; it caught a 10 % slowdown in 38 of 40
//     evaluations where those caught 22 and 17, with no false alarm for any of the three.
//     With `iterations` > 1, iteration j of base in round i is paired with iteration j of head.
//   - Samples not taken side by side (sequential order, a stored baseline): the RATIO OF THE
//     MEDIANS, median(head)/median(base), each side resampled independently.
//
//   Medians, not means: a preempted or page-faulting iteration does not move a median, and a
//   macro benchmark's times are skewed; no outlier removal is needed. For a pure change of scale
//   (head = c × base) both figures estimate c. A percentile bootstrap assumes no distribution
//   shape. The seed is fixed (DEFAULT_SEED) unless given, so the same samples always give the
//   same interval and the same verdict.
//
// Verdict (`verdictOf`): the threshold t (default 0.05) is the smallest regression that must
// fail. Two rules, chosen by name (`gates.rule`, or `rule` on a comparison or matcher):
//
//   'catch' (the default): the decision point is the geometric midpoint of "no change" and the
//   threshold, m = √(1 + t) (1.0247 for 5 %; on a log scale, so time and the throughput computed
//   from the same runs, whose ratio is the reciprocal, get the same verdict). With [lo, hi] the
//   interval:
//
//     better = 'lower' (time, latency, memory)     better = 'higher' (throughput, rates)
//     regressed     lo > m                         hi < 1/m
//     improved      hi < 1/m                       lo > m
//     unchanged     1/m ≤ lo  and  hi ≤ m          (both)
//     inconclusive  anything else: the interval straddles m or 1/m
//
//   "Is it t or worse?" is the user's question. A change of t lies t/2 beyond the decision point
//   (on the log scale), so it is caught as soon as the interval's lower half-width is under t/2;
//   no change lies t/2 on the other side, so a false alarm needs the interval to miss the truth
//   by t/2 on top of its own width. Inconclusive asks for more rounds (compareInterleaved adds
//   them, up to maxRounds), so a run near the boundary is measured until it is decided or the
//   budget is spent — and then stays inconclusive, which does not fail a gate. A change under
//   t/2 is regressed only when the interval misses it, below its 2.5 % tail: the tolerance the
//   user set is respected. The rates benches/harness/gates.bench.ts proves on this machine with
//   these defaults (30 rounds, up to 90; each case over at least 200 evaluations): A/A ≤ 1 %
//   regressed; a true +2 % ≤ 10 %; +5 % ≥ 90 %; +10 % ≥ 99 %.
//
//   'conservative': the old rule, "is it at least t, for sure?": regressed only when the WHOLE
//   interval lies beyond 1 + t (improved: below 1/(1 + t)); unchanged inside [1/(1 + t), 1 + t].
//   It never cries wolf, but a change exactly at t is caught only rarely (its interval straddles
//   1 + t): a gate meant to catch s reliably needs a threshold of about s / 2 under this rule.
//
// Threshold 0 is the plain "not worse" gate under both rules (m = 1): regressed only when the
// whole interval lies on the worse side of 1; it is never `unchanged`. Limits (`toHoldParity`:
// "at least 95 % of the reference", "B within 8× A") are not regression questions: they use the
// conservative rule at the limit itself and are reported as holds / fails (../gates/matchers.ts).
//
// Defaults: threshold 0.05, rule 'catch', confidence 0.95, 2000 resamples, seed DEFAULT_SEED. How
// many rounds are measured (30 by default, up to 90 while inconclusive) is `compareInterleaved`'s
// business: ../compare/interleave.ts. The same gates.bench.ts shows interleaving at least halving
// the spread of the ratio under a load that changes mid-run.
import { UserError } from '../errors.ts'
import type { Comparison, RatioInterval, Verdict } from '../results.ts'
import { bootstrapRatio, checkSamples, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED } from './bootstrap.ts'
import { median } from './quantile.ts'

export const DEFAULT_THRESHOLD = 0.05

export type Better = 'lower' | 'higher'

/** How a threshold decides (see the header): 'catch' a regression of t, or only a 'conservative' one proven beyond t. */
export type GateRule = 'catch' | 'conservative'

export const GATE_RULES: readonly GateRule[] = ['catch', 'conservative']
export const DEFAULT_RULE: GateRule = 'catch'

function checkThreshold(threshold: number, where: string): void {
  if (!(typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0)) {
    throw new UserError({ file: where, field: 'threshold', message: `invalid value ${String(threshold)}`, expected: 'a relative change of 0 or more, e.g. 0.05 for 5 %' })
  }
}

function checkBetter(better: string, where: string): void {
  if (better !== 'lower' && better !== 'higher') {
    throw new UserError({ file: where, field: 'better', message: `invalid value ${String(better)}`, expected: "'lower' or 'higher'" })
  }
}

export function checkRule(rule: unknown, where: string): GateRule {
  if (rule !== 'catch' && rule !== 'conservative') {
    throw new UserError({ file: where, field: 'rule', message: `invalid value ${String(rule)}`, expected: "'catch' (the default) or 'conservative'", hint: 'see harness/stats/verdict.ts' })
  }
  return rule
}

/** The ratio beyond which an interval must lie to count as worse, for a threshold and rule. */
export function decisionPoint(threshold: number, rule: GateRule = DEFAULT_RULE): number {
  return rule === 'catch' ? Math.sqrt(1 + threshold) : 1 + threshold
}

/** The threshold and how it decided, for messages: "threshold 5 % (rule catch: interval above +2.5 %)". */
export function describeRule(threshold: number, rule: GateRule = DEFAULT_RULE, better: Better = 'lower'): string {
  const m = decisionPoint(threshold, rule)
  const bound = better === 'lower' ? `above +${(Math.round((m - 1) * 1000) / 10).toFixed(1)} %` : `below −${(Math.round((1 - 1 / m) * 1000) / 10).toFixed(1)} %`
  return `threshold ${Math.round(threshold * 1000) / 10} % (rule ${rule}: interval ${bound})`
}

/** The verdict of a head/base ratio interval against a relative threshold, by a rule (default 'catch'). */
export function verdictOf(ratio: RatioInterval, threshold: number, better: Better, rule: GateRule = DEFAULT_RULE): Verdict {
  checkThreshold(threshold, 'verdictOf')
  checkBetter(better, 'verdictOf')
  checkRule(rule, 'verdictOf')
  const up = decisionPoint(threshold, rule)
  const down = 1 / up
  const worse = better === 'lower' ? ratio.lo > up : ratio.hi < down
  const nicer = better === 'lower' ? ratio.hi < down : ratio.lo > up
  if (worse) return 'regressed'
  if (nicer) return 'improved'
  if (ratio.lo >= down && ratio.hi <= up) return 'unchanged'
  return 'inconclusive'
}

export interface CompareSamplesOptions {
  /** The benchmark compared; default 'unnamed'. */
  name?: string
  /** Default 'time'. */
  metric?: string
  /** Default 'ms' for time, else ''. */
  unit?: string
  /** Default 'lower'. */
  better?: Better
  /** Relative change that counts; default 0.05. */
  threshold?: number
  /** How the threshold decides; default 'catch' (see the header). */
  rule?: GateRule
  /** Default 0.95. */
  confidence?: number
  /** Default 2000. */
  resamples?: number
  /** Default DEFAULT_SEED. */
  seed?: number
  /** base[i] and head[i] come from the same interleaved round (see the header); default false. */
  paired?: boolean
  /** Default 'interleaved' when paired, else 'sequential'. */
  order?: string
  /** Rounds measured; default the smaller sample count. */
  rounds?: number
  /** Default 'base' and 'head'. */
  baseLabel?: string
  headLabel?: string
  fingerprintWarning?: string
}

/** One gate evaluation of head's samples against base's: every field of a Comparison. */
export function compareSamples(base: readonly number[], head: readonly number[], opts: CompareSamplesOptions = {}): Comparison {
  const metric = opts.metric ?? 'time'
  const better = opts.better ?? 'lower'
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD
  const confidence = opts.confidence ?? DEFAULT_CONFIDENCE
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES
  const seed = opts.seed ?? DEFAULT_SEED
  const paired = opts.paired ?? false
  const rule = checkRule(opts.rule ?? DEFAULT_RULE, 'compareSamples')
  checkSamples(base, 'base', 'compareSamples')
  checkSamples(head, 'head', 'compareSamples')
  checkThreshold(threshold, 'compareSamples')
  checkBetter(better, 'compareSamples')
  const ratio = bootstrapRatio(base, head, { resamples, confidence, seed, paired })
  const comparison: Comparison = {
    name: opts.name ?? 'unnamed',
    metric,
    unit: opts.unit ?? (metric === 'time' ? 'ms' : ''),
    better,
    base: { label: opts.baseLabel ?? 'base', median: median(base), n: base.length },
    head: { label: opts.headLabel ?? 'head', median: median(head), n: head.length },
    ratio,
    threshold,
    rule,
    verdict: verdictOf(ratio, threshold, better, rule),
    rounds: opts.rounds ?? Math.min(base.length, head.length),
    order: opts.order ?? (paired ? 'interleaved' : 'sequential'),
    method: `${paired ? 'bootstrap median of per-round ratios' : 'bootstrap ratio of medians'}, ${resamples} resamples, ${Math.round(confidence * 1000) / 10} % percentile interval, seed ${seed}`,
  }
  if (opts.fingerprintWarning !== undefined) comparison.fingerprintWarning = opts.fingerprintWarning
  return comparison
}
