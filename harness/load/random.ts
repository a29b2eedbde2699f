// Seeded pseudo-random numbers for the load generator: the Poisson schedule, the request-mix
// picker and key choice — harness/stats/random.ts's mulberry32 (the bootstrap's generator), which
// gives the same sequence for the same seed on every platform. Default: none — every caller
// passes a seed, so every run is reproducible.
import { seededRandom } from '../stats/random.ts'

/** A function returning uniform numbers in [0, 1), the same sequence for the same seed. */
export type Uniform = () => number

export function seededUniform(seed: number): Uniform {
  return seededRandom(seed).next
}

/**
 * Picks an index with probability weight / Σ weights. Cumulative weights are computed once; a
 * pick is one uniform draw and a scan of the (few) kinds.
 */
export function weightedPicker(weights: readonly number[], uniform: Uniform): () => number {
  const total = weights.reduce((a, b) => a + b, 0)
  if (!(total > 0) || weights.some((w) => !(w >= 0))) throw new Error(`request mix: weights must be ≥ 0 with a positive sum, got [${weights.join(', ')}]`)
  if (weights.length === 1) return () => 0
  const cumulative = new Float64Array(weights.length)
  let sum = 0
  for (let i = 0; i < weights.length; i++) cumulative[i] = sum += weights[i]! / total
  const last = weights.length - 1
  return () => {
    const u = uniform()
    for (let i = 0; i < last; i++) if (u < cumulative[i]!) return i
    return last
  }
}
