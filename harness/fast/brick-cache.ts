// The reader's bounded in-memory brick cache (what Petrel keeps of a volume in RAM): least
// recently used bricks are evicted once the cached bytes pass the bound. Concurrent requests for
// one brick share a single load, so a brick is never fetched twice at the same time.

export class BrickCache<T extends { byteLength: number }> {
  readonly maxBytes: number
  #entries = new Map<number, T>()
  #loading = new Map<number, Promise<T>>()
  #bytes = 0
  hits = 0
  misses = 0

  constructor(maxBytes: number) {
    if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) throw new RangeError(`brick cache size must be ≥ 0 bytes, got ${maxBytes}`)
    this.maxBytes = maxBytes
  }

  get bytes(): number {
    return this.#bytes
  }

  get size(): number {
    return this.#entries.size
  }

  has(key: number): boolean {
    return this.#entries.has(key)
  }

  /** The cached value, else the one being loaded, else `load()`'s (cached if it fits). */
  get(key: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      this.hits++
      this.#entries.delete(key) // re-insert: Map order is the recency order
      this.#entries.set(key, hit)
      return Promise.resolve(hit)
    }
    const pending = this.#loading.get(key)
    if (pending) return pending
    this.misses++
    const p = load().then(
      (value) => {
        this.#loading.delete(key)
        this.#put(key, value)
        return value
      },
      (e: unknown) => {
        this.#loading.delete(key)
        throw e
      },
    )
    this.#loading.set(key, p)
    return p
  }

  #put(key: number, value: T): void {
    if (value.byteLength > this.maxBytes) return
    this.#entries.set(key, value)
    this.#bytes += value.byteLength
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break
      this.#entries.delete(k)
      this.#bytes -= v.byteLength
    }
  }
}
