// Progress of a probe run: one line per finished step with the step count, elapsed time and an
// estimate of the time left (from the mean time per step so far), plus failure lines. Lines go
// to a sink (stderr by default) so the CLI, the bench and the tests choose where they land.

export type LogSink = (line: string) => void

export const stderrSink: LogSink = (line) => {
  process.stderr.write(`${line}\n`)
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
}

export class Progress {
  readonly #sink: LogSink
  readonly #t0 = performance.now()
  #total: number
  #done = 0

  constructor(total: number, sink: LogSink = stderrSink) {
    this.#total = Math.max(1, total)
    this.#sink = sink
  }

  get done(): number {
    return this.#done
  }

  /** Steps that will not run after all (a target failed early): the ETA stops counting them. */
  skip(steps: number): void {
    this.#total = Math.max(this.#done, this.#total - steps)
  }

  /** One step finished: `probe [ 3/28] text · 4 s elapsed, ETA 33 s`. */
  step(text: string): void {
    this.#done++
    const elapsed = performance.now() - this.#t0
    const left = Math.max(0, this.#total - this.#done)
    const eta = left === 0 ? 'done' : `ETA ${duration((elapsed / this.#done) * left)}`
    const width = String(this.#total).length
    this.#sink(`probe [${String(this.#done).padStart(width)}/${this.#total}] ${text} · ${duration(elapsed)} elapsed, ${eta}`)
  }

  /** A line outside the step count (a failure, a note). */
  note(text: string): void {
    this.#sink(`probe: ${text}`)
  }
}
