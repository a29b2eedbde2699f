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
// Verdict (`verdictOf`), with t the threshold (default 0.05) and [lo, hi] the interval:
//
//   better = 'lower' (time, latency, memory)     better = 'higher' (throughput, rates)
//   regressed     lo > 1 + t                     hi < 1 / (1 + t)
//   improved      hi < 1 / (1 + t)               lo > 1 + t
//   unchanged     1/(1+t) ≤ lo  and  hi ≤ 1 + t  (both)
//   inconclusive  anything else: the interval straddles a boundary (too few or too noisy samples)
//
// The band [1/(1+t), 1+t] is symmetric on a log scale: a 5 % threshold on time and on the
// throughput computed from the same runs (throughput = work / time, so its ratio is the
// reciprocal) give the same verdict. Regressed asks that the WHOLE interval lie beyond the
// threshold: the gate fails only when the data show, at the stated confidence, a change at least
// as large as the threshold — so it does not cry wolf, and a change exactly at the threshold is
// caught only rarely (its interval straddles 1 + t; the result is mostly inconclusive). A gate
// meant to catch a slowdown of s reliably uses a threshold of about s / 2. Threshold 0 is the
// plain "not worse" gate (toHoldParity with atLeast 1): regressed only when the whole interval
// lies on the worse side of 1; it is never `unchanged`.
//
// Defaults: threshold 0.05, confidence 0.95, 2000 resamples, seed DEFAULT_SEED. How many rounds
// are measured (30 by default, up to 90 while inconclusive) is `compareInterleaved`'s business:
// ../compare/interleave.ts. benches/harness/gates.bench.ts proves, on the machine it runs on and
// with those defaults: at most 1 `regressed` in 100 A/A evaluations (at t = 0.05 and at 0.025),
// a 10 % slowdown caught in ≥ 95 % of 100 evaluations at t = 0.05, a 5 % slowdown in ≥ 80 % at
// t = 0.025, and interleaving at least halving the spread of the ratio under a changing load.
import { UserError } from '../errors.ts'
import type { Comparison, RatioInterval, Verdict } from '../results.ts'
import { bootstrapRatio, checkSamples, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED } from './bootstrap.ts'
import { median } from './quantile.ts'

export const DEFAULT_THRESHOLD = 0.05

export type Better = 'lower' | 'higher'

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

/** The verdict of a head/base ratio interval against a relative threshold. */
export function verdictOf(ratio: RatioInterval, threshold: number, better: Better): Verdict {
  checkThreshold(threshold, 'verdictOf')
  checkBetter(better, 'verdictOf')
  const up = 1 + threshold
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
    verdict: verdictOf(ratio, threshold, better),
    rounds: opts.rounds ?? Math.min(base.length, head.length),
    order: opts.order ?? (paired ? 'interleaved' : 'sequential'),
    method: `${paired ? 'bootstrap median of per-round ratios' : 'bootstrap ratio of medians'}, ${resamples} resamples, ${Math.round(confidence * 1000) / 10} % percentile interval, seed ${seed}`,
  }
  if (opts.fingerprintWarning !== undefined) comparison.fingerprintWarning = opts.fingerprintWarning
  return comparison
}
