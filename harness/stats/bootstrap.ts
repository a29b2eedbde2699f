// The ratio head/base with a percentile-bootstrap confidence interval: the ratio of the two
// medians for independent samples, the median of the per-round ratios for paired ones.
// Method, defaults and the reasons for them: see the header of ./verdict.ts.
import { UserError } from '../errors.ts'
import type { RatioInterval } from '../results.ts'
import { medianSorted, quantileSorted, sorted } from './quantile.ts'
import { seededRandom, type Random } from './random.ts'

export const DEFAULT_RESAMPLES = 2000
export const DEFAULT_CONFIDENCE = 0.95
/** The seed used when none is given: the same samples always give the same interval. */
export const DEFAULT_SEED = 0x5eed
const MAX_RESAMPLES = 1_000_000

export interface BootstrapOptions {
  /** Bootstrap resamples; default 2000. */
  resamples?: number
  /** Coverage of the interval, in (0, 1); default 0.95. */
  confidence?: number
  /** Seed of the resampling; default DEFAULT_SEED. */
  seed?: number
  /**
   * Samples come in pairs: base[i] and head[i] were taken side by side (the same interleaved
   * round). The figure is then the median of the ratios head[i]/base[i], and the pairs are
   * resampled. Needs equally many samples per side, base samples > 0.
   * Default false: the ratio of the medians, each side resampled independently.
   */
  paired?: boolean
}

function bad(field: string, message: string, expected: string, hint?: string): UserError {
  return new UserError({ file: 'bootstrapRatio', field, message, expected, ...(hint ? { hint } : {}) })
}

/** Checks a sample list: at least one value, every value finite and ≥ 0. */
export function checkSamples(values: readonly number[], field: string, where = 'bootstrapRatio'): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new UserError({ file: where, field, message: 'no samples', expected: 'at least one measured value', hint: 'measure at least one round' })
  }
  const i = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0)
  if (i >= 0) {
    throw new UserError({ file: where, field: `${field}[${i}]`, message: `invalid sample ${String(values[i])}`, expected: 'a finite number ≥ 0' })
  }
}

/** Checks a confidence level: a number strictly between 0 and 1. */
export function checkConfidence(confidence: number, where: string): void {
  if (!(typeof confidence === 'number' && confidence > 0 && confidence < 1)) {
    throw new UserError({ file: where, field: 'confidence', message: `invalid value ${String(confidence)}`, expected: 'a number between 0 and 1, e.g. 0.95' })
  }
}

export function bootstrapRatio(base: readonly number[], head: readonly number[], opts: BootstrapOptions = {}): RatioInterval {
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES
  const confidence = opts.confidence ?? DEFAULT_CONFIDENCE
  const seed = opts.seed ?? DEFAULT_SEED
  const paired = opts.paired ?? false
  checkSamples(base, 'base')
  checkSamples(head, 'head')
  checkConfidence(confidence, 'bootstrapRatio')
  if (!(Number.isInteger(resamples) && resamples >= 1 && resamples <= MAX_RESAMPLES)) {
    throw bad('resamples', `invalid value ${String(resamples)}`, `an integer from 1 to ${MAX_RESAMPLES}`, 'the default, 2000, suits a 95 % interval')
  }
  if (!Number.isFinite(seed)) throw bad('seed', `invalid value ${String(seed)}`, 'a finite number')
  if (paired && base.length !== head.length) {
    throw bad('head', `${head.length} samples against ${base.length} of base`, 'as many samples on each side for a paired bootstrap', 'pair samples only when they come from the same rounds')
  }
  const random = seededRandom(seed)
  const figures = new Float64Array(resamples)
  const estimate = paired ? pairedRatios(base, head, random, figures) : independentRatios(base, head, random, figures)
  figures.sort()
  const alpha = 1 - confidence
  return {
    estimate,
    lo: quantileSorted(figures, alpha / 2),
    hi: quantileSorted(figures, 1 - alpha / 2),
    confidence,
  }
}

/** Ratio of medians; fills `into` with the ratios of resampled medians. Returns the estimate. */
function independentRatios(base: readonly number[], head: readonly number[], random: Random, into: Float64Array): number {
  const baseMedian = medianSorted(sorted(base))
  if (!(baseMedian > 0)) throw bad('base', 'median is 0', 'a positive median on the base side to divide by')
  const b = new Float64Array(base.length)
  const h = new Float64Array(head.length)
  for (let r = 0; r < into.length; r++) {
    for (let i = 0; i < b.length; i++) b[i] = base[random.int(b.length)]!
    for (let i = 0; i < h.length; i++) h[i] = head[random.int(h.length)]!
    b.sort()
    h.sort()
    // A resample whose base median is 0 (possible only with zero samples) gives an infinite
    // ratio, which sorts last and widens the interval rather than breaking it.
    into[r] = medianSorted(h) / medianSorted(b)
  }
  return medianSorted(sorted(head)) / baseMedian
}

/** Median of per-pair ratios; fills `into` with resampled medians. Returns the estimate. */
function pairedRatios(base: readonly number[], head: readonly number[], random: Random, into: Float64Array): number {
  const zero = base.findIndex((v) => v === 0)
  if (zero >= 0) {
    throw bad(`base[${zero}]`, 'sample is 0', 'base samples > 0 to divide by', 'time more work per sample (more iterations, or a larger workload)')
  }
  const ratios = Float64Array.from(base, (b, i) => head[i]! / b)
  const n = ratios.length
  const s = new Float64Array(n)
  for (let r = 0; r < into.length; r++) {
    for (let i = 0; i < n; i++) s[i] = ratios[random.int(n)]!
    s.sort()
    into[r] = medianSorted(s)
  }
  return medianSorted(ratios.sort())
}
