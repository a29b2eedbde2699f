// One direction of one proxied connection: chunks read from `source` are queued and written to
// `dest` when due, in order.
//
// Method: a chunk arriving at time a gets its due time when it arrives, from the direction's
// settings at that moment: due = max(a + max(0, delay + u), previous chunk's due), u uniform in
// [−jitter, +jitter]. So order is kept and delays do not accumulate: a stream of chunks each
// delayed 100 ms arrives ~100 ms late, not n × 100 ms. A due chunk is then written in pieces the
// direction's token bucket allows (./token-bucket.ts, shared by the direction's connections), and
// not at all while the proxy is blackholed (held, in order, until it is off). The added delay of
// every chunk is measured when its last byte is written (write time − arrival time) — what the
// proxy really did, timers' lateness and bandwidth waits included.
// Timers are never trusted to fire on time: a pump that finds the head not yet due reschedules.
// Back-pressure: with more than HIGH_WATER bytes queued the source is paused, and resumed below
// LOW_WATER; a write the destination does not take at once (write() false) waits for 'drain'.
// The source's end (FIN) is passed on after the last queued chunk.
import type { Socket } from 'node:net'
import type { TokenBucket } from './token-bucket.ts'

export const HIGH_WATER = 1024 * 1024
export const LOW_WATER = 256 * 1024

/** The direction's settings, read when a chunk arrives (delay) and when it is written (held). */
export interface PipeControl {
  delayMs(): number
  jitterMs(): number
  held(): boolean
  readonly bucket: TokenBucket
  /** Called once per chunk when its last byte has been written. */
  released(bytes: number, addedMs: number): void
}

interface Queued {
  chunk: Buffer
  /** Bytes of `chunk` already written. */
  offset: number
  arrival: number
  due: number
}

export class DelayPipe {
  readonly #source: Socket
  readonly #dest: Socket
  readonly #control: PipeControl
  readonly #queue: Queued[] = []
  #queuedBytes = 0
  #lastDue = 0
  #timer: NodeJS.Timeout | undefined
  #waitingDrain = false
  #sourceEnded = false
  #endSent = false
  #pausedSource = false
  #closed = false

  constructor(source: Socket, dest: Socket, control: PipeControl) {
    this.#source = source
    this.#dest = dest
    this.#control = control
    source.on('data', (chunk: Buffer) => this.#push(chunk))
    source.on('end', () => {
      this.#sourceEnded = true
      this.pump()
    })
  }

  /** Bytes waiting in this direction. */
  get queuedBytes(): number {
    return this.#queuedBytes
  }

  #push(chunk: Buffer): void {
    if (this.#closed) return
    const arrival = performance.now()
    const jitter = this.#control.jitterMs()
    const offset = this.#control.delayMs() + (jitter > 0 ? (Math.random() * 2 - 1) * jitter : 0)
    const due = Math.max(arrival + Math.max(0, offset), this.#lastDue)
    this.#lastDue = due
    this.#queue.push({ chunk, offset: 0, arrival, due })
    this.#queuedBytes += chunk.length
    if (this.#queuedBytes > HIGH_WATER && !this.#pausedSource) {
      this.#pausedSource = true
      this.#source.pause()
    }
    if (this.#timer === undefined) this.pump()
  }

  /** Writes what is due and allowed now, then sleeps until the next thing can happen. */
  pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#closed || this.#waitingDrain || this.#control.held()) return
    if (this.#dest.destroyed) return this.close()
    while (this.#queue.length > 0) {
      const now = performance.now()
      const head = this.#queue[0]!
      if (now < head.due) return this.#wake(head.due - now)
      const bucket = this.#control.bucket
      const length = Math.min(head.chunk.length - head.offset, bucket.slice)
      const wait = bucket.take(length, now)
      if (wait > 0) return this.#wake(wait)
      const piece = head.offset === 0 && length === head.chunk.length ? head.chunk : head.chunk.subarray(head.offset, head.offset + length)
      const accepted = this.#dest.write(piece)
      head.offset += length
      this.#queuedBytes -= length
      if (head.offset === head.chunk.length) {
        this.#queue.shift()
        this.#control.released(head.chunk.length, performance.now() - head.arrival)
      }
      if (this.#pausedSource && this.#queuedBytes < LOW_WATER) {
        this.#pausedSource = false
        this.#source.resume()
      }
      if (!accepted) {
        this.#waitingDrain = true
        this.#dest.once('drain', () => {
          this.#waitingDrain = false
          this.pump()
        })
        return
      }
    }
    if (this.#sourceEnded && !this.#endSent) {
      this.#endSent = true
      this.#dest.end()
    }
  }

  #wake(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.pump()
    }, Math.max(1, Math.ceil(ms)))
    this.#timer.unref()
  }

  /** Drops what is queued (the destination is gone) and stops. */
  close(): void {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue.length = 0
    this.#queuedBytes = 0
  }
}
