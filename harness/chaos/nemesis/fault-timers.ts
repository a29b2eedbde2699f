// The timers of the nemeses whose faults are due during the run (restart, pause, network): a
// fault due at fraction f of a run of d seconds that started at performance.now() = runStart
// fires at runStart + f × d × 1000 (at once if that moment has passed). Every timer is unref'd
// (a fault never keeps the process alive) and cleared by `clear()`, which the nemesis's stop()
// calls: a fault not yet due when the run ends never happens — and its nemesis's figures show it.

export class FaultTimers {
  readonly #timers = new Set<NodeJS.Timeout>()
  #cleared = false

  /** ms from now until fraction `fraction` of the run. */
  static dueIn(runStart: number, fraction: number, durationS: number): number {
    return Math.max(0, runStart + fraction * durationS * 1000 - performance.now())
  }

  /** Runs `f` once after `ms` (nothing after clear()). */
  after(ms: number, f: () => void): void {
    if (this.#cleared) return
    const t = setTimeout(() => {
      this.#timers.delete(t)
      f()
    }, ms)
    t.unref()
    this.#timers.add(t)
  }

  /** Runs `f` every `ms` until clear() or the returned cancel. */
  every(ms: number, f: () => void): () => void {
    if (this.#cleared) return () => {}
    const t = setInterval(f, ms)
    t.unref()
    this.#timers.add(t)
    return () => {
      clearInterval(t)
      this.#timers.delete(t)
    }
  }

  clear(): void {
    this.#cleared = true
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
  }
}
