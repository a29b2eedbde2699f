// A token bucket that limits one direction of the TCP proxy to a bandwidth, shared by every
// connection in that direction (a link, not a per-connection quota).
//
// Method: tokens are bytes; they refill at `rate` bytes/s up to `capacity`. A sender asks for a
// piece of at most `slice` bytes (20 ms worth of the rate, clamped to 512 B–64 KiB) and either
// gets it at once or is told how long to wait for the missing tokens. The capacity is two slices,
// so the burst above the rate is at most 40 ms worth: a transfer of N bytes takes at least
// (N − capacity) / rate. Pieces never exceed the capacity, so every request can be met.
// A rate of null means unlimited (`take` always answers 0).

const MIN_SLICE = 512
const MAX_SLICE = 64 * 1024

export class TokenBucket {
  #rate: number | null = null
  #capacity = 0
  #slice = MAX_SLICE
  #tokens = 0
  #refilledAt = 0

  /** Bytes/s, or null for unlimited. Takes effect at once; the bucket starts full. */
  setRate(bytesPerS: number | null, now: number): void {
    if (bytesPerS !== null && !(bytesPerS > 0)) throw new Error(`bandwidth must be a positive number of bytes/s or null, got ${bytesPerS}`)
    this.#rate = bytesPerS
    if (bytesPerS === null) return
    this.#slice = Math.max(MIN_SLICE, Math.min(MAX_SLICE, Math.floor(bytesPerS * 0.02)))
    this.#capacity = 2 * this.#slice
    this.#tokens = this.#capacity
    this.#refilledAt = now
  }

  get limited(): boolean {
    return this.#rate !== null
  }

  /** The largest piece a sender should ask for (Infinity when unlimited). */
  get slice(): number {
    return this.#rate === null ? Number.POSITIVE_INFINITY : this.#slice
  }

  /** Takes `bytes` tokens (≤ slice) and answers 0, or answers the ms to wait before asking again. */
  take(bytes: number, now: number): number {
    const rate = this.#rate
    if (rate === null) return 0
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#refilledAt) / 1000) * rate)
    this.#refilledAt = now
    if (this.#tokens >= bytes) {
      this.#tokens -= bytes
      return 0
    }
    return ((bytes - this.#tokens) / rate) * 1000
  }
}
