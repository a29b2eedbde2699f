// What one load thread records: per-second counters and the latency histograms of the second in
// progress. Called once per event by the engine, so each call is a few array writes and at most two
// histogram records — no allocation per request.
//
// Method. Times are ms from the run's start. Second t of the measured part (t = 1 first) covers
// [warmup + (t − 1) s, warmup + t s); warm-up seconds have t ≤ 0. Requests are attributed:
//   scheduled, sent, late, dropped   to the second of their INTENDED time (closed model: of the send),
//                                    so a row tells what became of the requests meant for it;
//   completed, errors, latency       to the second they were answered (or failed).
// A completion after the measured end (a request sent in the last second and answered during the
// drain) counts in the last second. Warm-up requests (intended before the warm-up's end) are not
// counted at all; their latencies go to warm-up seconds, reported to progress only.
// Latency: corrected = answer − intended, uncorrected = answer − send (equal in the closed model).
// Only successful requests have a latency; an error is counted by kind instead.
// When the second in progress ends (`advance`) its two histograms are handed to `onSecond`, which
// must consume them before returning (they are reset for the next second) — so a thread holds two
// histograms whatever the run's length. The per-second counters are arrays of the run's duration.
import type { Histogram } from 'hdr-histogram-js'
import { latencyHistogram, recordMs } from './histogram.ts'

export type SecondSink = (t: number, corrected: Histogram, uncorrected: Histogram) => void

export interface SecondCounters {
  scheduled: number[]
  sent: number[]
  completed: number[]
  errors: number[]
  late: number[]
  dropped: number[]
}

export const COUNTER_NAMES = ['scheduled', 'sent', 'completed', 'errors', 'late', 'dropped'] as const

export class LoadRecorder {
  readonly #warmupMs: number
  readonly #durationS: number
  readonly #lateMs: number
  readonly #onSecond: SecondSink
  readonly #scheduled: Float64Array
  readonly #sent: Float64Array
  readonly #completed: Float64Array
  readonly #errors: Float64Array
  readonly #late: Float64Array
  readonly #dropped: Float64Array
  readonly #corrected = latencyHistogram()
  readonly #uncorrected = latencyHistogram()
  readonly errorKinds: Record<string, number> = {}
  /** The second whose histograms are being filled (may be ≤ 0 in the warm-up). */
  #second: number
  /** Run time (ms) at which #second ends. */
  #secondEndMs: number
  #finished = false

  constructor(options: { warmupS: number; durationS: number; lateMs: number; onSecond: SecondSink }) {
    this.#warmupMs = options.warmupS * 1000
    this.#durationS = options.durationS
    this.#lateMs = options.lateMs
    this.#onSecond = options.onSecond
    const n = Math.ceil(options.durationS) + 1 // index t, 1-based
    this.#scheduled = new Float64Array(n)
    this.#sent = new Float64Array(n)
    this.#completed = new Float64Array(n)
    this.#errors = new Float64Array(n)
    this.#late = new Float64Array(n)
    this.#dropped = new Float64Array(n)
    this.#second = this.#secondOf(0)
    this.#secondEndMs = this.#warmupMs + this.#second * 1000
  }

  /** The second a run time falls in: ≤ 0 in the warm-up, clamped to the last measured second after the end. */
  #secondOf(ms: number): number {
    const t = Math.floor((ms - this.#warmupMs) / 1000) + 1
    return t > this.#durationS ? Math.ceil(this.#durationS) : t
  }

  scheduled(intendedMs: number): void {
    if (intendedMs >= this.#warmupMs) this.#scheduled[this.#secondOf(intendedMs)]!++
  }

  dropped(intendedMs: number): void {
    if (intendedMs >= this.#warmupMs) this.#dropped[this.#secondOf(intendedMs)]!++
  }

  sent(intendedMs: number, sentMs: number): void {
    if (intendedMs < this.#warmupMs) return
    const t = this.#secondOf(intendedMs)
    this.#sent[t]!++
    if (sentMs - intendedMs > this.#lateMs) this.#late[t]!++
  }

  completed(intendedMs: number, sentMs: number, doneMs: number): void {
    this.advance(doneMs)
    const measured = intendedMs >= this.#warmupMs
    // a warm-up request answered in the measured part is not the measured part's latency
    if (!measured && this.#second > 0) return
    recordMs(this.#corrected, doneMs - intendedMs)
    recordMs(this.#uncorrected, doneMs - sentMs)
    if (measured) this.#completed[this.#secondOf(doneMs)]!++
  }

  failed(intendedMs: number, doneMs: number, kind: string): void {
    this.advance(doneMs)
    if (intendedMs < this.#warmupMs) return
    this.#errors[this.#secondOf(doneMs)]!++
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1
  }

  /** Hands over every second that ended by `nowMs` (empty ones too), oldest first. */
  advance(nowMs: number): void {
    const last = Math.ceil(this.#durationS)
    while (nowMs >= this.#secondEndMs && this.#second < last) this.#roll()
  }

  /** Hands over the rest, up to the last measured second. */
  finish(): void {
    if (this.#finished) return
    const last = Math.ceil(this.#durationS)
    while (this.#second < last) this.#roll()
    this.#onSecond(this.#second, this.#corrected, this.#uncorrected)
    this.#finished = true
  }

  counters(): SecondCounters {
    const out = (a: Float64Array) => Array.from(a)
    return { scheduled: out(this.#scheduled), sent: out(this.#sent), completed: out(this.#completed), errors: out(this.#errors), late: out(this.#late), dropped: out(this.#dropped) }
  }

  #roll(): void {
    this.#onSecond(this.#second, this.#corrected, this.#uncorrected)
    this.#corrected.reset()
    this.#uncorrected.reset()
    this.#second++
    this.#secondEndMs += 1000
  }
}
