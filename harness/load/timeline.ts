// Merges what the load threads record into the run's figures: each thread hands over every
// second's two histograms (corrected, uncorrected) in order; once all threads have handed second t
// over, its row's latency figures are taken (p50, p99, max corrected; p99 uncorrected), its
// histograms are added into the run's totals and dropped — so memory stays at a few histograms
// per thread however long the run. Warm-up seconds (t ≤ 0) only feed progress. The per-second
// counters come from each thread at the end and are summed row by row.
import type { Histogram } from 'hdr-histogram-js'
import { latencyHistogram } from './histogram.ts'
import { COUNTER_NAMES, type SecondCounters } from './recorder.ts'
import type { LoadProgress, TimelineSecond } from './types.ts'

interface Pending {
  corrected: Histogram
  uncorrected: Histogram
  threads: number
}

interface Row {
  p50: number
  p99: number
  max: number
  p99Uncorrected: number
}

const ms = (us: number) => us / 1000

export class TimelineMerger {
  readonly #threads: number
  readonly #durationS: number
  readonly #onProgress: ((p: LoadProgress) => void) | undefined
  readonly #pending = new Map<number, Pending>()
  readonly #rows = new Map<number, Row>()
  readonly corrected = latencyHistogram()
  readonly uncorrected = latencyHistogram()

  constructor(options: { threads: number; durationS: number; onProgress?: (p: LoadProgress) => void }) {
    this.#threads = options.threads
    this.#durationS = options.durationS
    this.#onProgress = options.onProgress
  }

  /** One thread's second t. The histograms are read (added) before this returns. */
  add(t: number, corrected: Histogram, uncorrected: Histogram): void {
    let p = this.#pending.get(t)
    if (!p) this.#pending.set(t, (p = { corrected: latencyHistogram(), uncorrected: latencyHistogram(), threads: 0 }))
    p.corrected.add(corrected)
    p.uncorrected.add(uncorrected)
    if (++p.threads === this.#threads) this.#close(t, p)
  }

  /** Closes seconds some thread never handed over (an interrupted run). */
  flush(): void {
    for (const [t, p] of [...this.#pending].sort((a, b) => a[0] - b[0])) this.#close(t, p)
  }

  /** The measured part's rows, t = 1 … ⌈duration⌉, with the threads' counters summed. */
  timeline(counters: readonly SecondCounters[]): TimelineSecond[] {
    const out: TimelineSecond[] = []
    for (let t = 1; t <= Math.ceil(this.#durationS); t++) {
      const row = this.#rows.get(t) ?? { p50: 0, p99: 0, max: 0, p99Uncorrected: 0 }
      const sum = (name: (typeof COUNTER_NAMES)[number]) => counters.reduce((a, c) => a + (c[name][t] ?? 0), 0)
      out.push({ t, scheduled: sum('scheduled'), sent: sum('sent'), completed: sum('completed'), errors: sum('errors'), late: sum('late'), dropped: sum('dropped'), ...row })
    }
    return out
  }

  #close(t: number, p: Pending): void {
    this.#pending.delete(t)
    const c = p.corrected
    const n = c.totalCount
    const p99 = n ? ms(c.getValueAtPercentile(99)) : 0
    if (t >= 1) {
      this.#rows.set(t, {
        p50: n ? ms(c.getValueAtPercentile(50)) : 0,
        p99,
        max: n ? ms(c.maxValue) : 0,
        p99Uncorrected: p.uncorrected.totalCount ? ms(p.uncorrected.getValueAtPercentile(99)) : 0,
      })
      this.corrected.add(c)
      this.uncorrected.add(p.uncorrected)
    }
    this.#onProgress?.({
      elapsedS: Math.min(Math.max(t, 0), this.#durationS),
      durationS: this.#durationS,
      rate: n,
      p99Ms: p99,
      warmup: t <= 0,
    })
  }
}
