// What the TCP proxy measurably did: every chunk's actual added delay (release time − arrival
// time, in an HDR histogram at µs resolution, ../../load/histogram.ts), bytes forwarded per
// direction, connections accepted, refused and reset. The proxy keeps one tally for its life and
// one per open measurement window (a nemesis measures only its own run).
import { latencyHistogram, percentilesOf, recordMs } from '../../load/histogram.ts'

export interface ProxyEffect {
  /** Chunks forwarded (both directions). */
  chunks: number
  /** Median and 99th percentile of the delay the proxy added per chunk, ms (0 when no chunk passed). */
  addedDelayP50Ms: number
  addedDelayP99Ms: number
  /** Bytes forwarded client → upstream and upstream → client. */
  bytesUp: number
  bytesDown: number
  /** Connections accepted and forwarded. */
  connections: number
  /** Connections closed at once because refuse() was on. */
  refused: number
  /** Connections reset by resetAll(). */
  resets: number
}

export class EffectTally {
  readonly #delays = latencyHistogram()
  #bytesUp = 0
  #bytesDown = 0
  #connections = 0
  #refused = 0
  #resets = 0

  chunk(direction: 'up' | 'down', bytes: number, addedMs: number): void {
    recordMs(this.#delays, addedMs)
    if (direction === 'up') this.#bytesUp += bytes
    else this.#bytesDown += bytes
  }

  connection(): void {
    this.#connections++
  }

  refusal(): void {
    this.#refused++
  }

  reset(): void {
    this.#resets++
  }

  effect(): ProxyEffect {
    const p = percentilesOf(this.#delays)
    return {
      chunks: p.count,
      addedDelayP50Ms: p.p50,
      addedDelayP99Ms: p.p99,
      bytesUp: this.#bytesUp,
      bytesDown: this.#bytesDown,
      connections: this.#connections,
      refused: this.#refused,
      resets: this.#resets,
    }
  }
}
