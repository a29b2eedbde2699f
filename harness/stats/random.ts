// A small seeded pseudo-random generator, so that every bootstrap (and every synthetic test) is
// reproducible from its seed. mulberry32: 32 bits of state, period 2^32, passes the usual
// statistical batteries well enough for resampling; not for cryptography.

export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
}

/** The generator for `seed` (any finite number; its low 32 bits are used). */
export function seededRandom(seed: number): Random {
  let state = Math.trunc(seed) >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
  }
}
