// Seeded pseudo-random numbers for the load generator: the Poisson schedule, the request-mix
// picker and key choice. Method: mulberry32 (a 32-bit state advanced by a Weyl step and mixed by
// two multiply-xorshift rounds), because it is tiny, fast, allocation-free and gives the same
// sequence for the same seed on every platform; statistical quality is ample for picking request
// kinds and inter-arrival gaps (this is not cryptography). Default: none — every caller passes a
// seed, so every run is reproducible.

/** A function returning uniform numbers in [0, 1), the same sequence for the same seed. */
export type Uniform = () => number

export function seededUniform(seed: number): Uniform {
  // fold any finite number (negative, fractional, > 2^32) into a 32-bit state
  let state = (Math.floor(Math.abs(seed)) ^ 0x9e3779b9) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }
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
