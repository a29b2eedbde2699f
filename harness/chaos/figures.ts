// A run's figures (RunFigures, types.ts) from its history alone, the columns comprehensive_sweep.csv
// and chaos_sweep.csv share.
//
// Method. Operations are paired by op id (invoke → completion). The load's processes count
// (writers w…, readers r…); the read-back after the run (process 'final') does not, so it adds no
// reads, read latency or read TPS.
//   commit_attempts            every write/delete invoked (each retry is its own attempt)
//   commits                    attempts that completed ok
//   precondition_failures      attempts that failed with conflict: true (lost the commit race)
//   precondition_failure_rate  precondition_failures ÷ commit_attempts — a subset over its set, so
//                              within [0, 1] by construction; 0 when nothing was attempted
//   retries                    attempts after a conflict (attempt index ≥ 1 in the transaction
//                              id, tokens.ts; ids of another form count as first attempts)
//   writes_abandoned           logical writes whose last attempt ended in a conflict (retries
//                              used up, or the run ended before the next one)
//   attempts_per_commit        commit_attempts ÷ commits (NaN when nothing committed)
//   unknown                    operations completed `info`, and invokes never completed (a run
//                              stopped early), reads and writes alike
//   other_failures             write attempts that failed without a conflict
//   reads / read_failures      reads that returned / reads that did not (fail or info)
//   write_tps, read_tps        commits and reads per second of the run (durationS)
//   latencies (ms)             completion time − invoke time: write p50/p95/p99 of committed
//                              attempts, precondition-failure p50/p99, read p50/p95/p99 of reads
//                              that returned; exact order statistics (../stats/quantile.ts,
//                              type 7), NaN when there is no sample.
import { quantileSorted, sorted } from '../stats/quantile.ts'
import { readHistoryEvents } from './history.ts'
import { parseTxn } from './tokens.ts'
import type { HistoryEvent, OpName, RunFigures } from './types.ts'

/** The process of the read-back after the run. */
export const FINAL_PROCESS = 'final'

interface Pending {
  f: OpName
  time: number
  /** Writes: the logical write the attempt belongs to. */
  write?: string
}

/** Figures built event by event (a history of millions of operations need not be held in memory). */
export class FiguresAccumulator {
  #pending = new Map<number, Pending>()
  #attempts = 0
  #commits = 0
  #conflicts = 0
  #otherFailures = 0
  #retries = 0
  #unknown = 0
  #reads = 0
  #readFailures = 0
  /** Logical writes whose last attempt so far ended in a conflict. */
  #lastConflicted = new Set<string>()
  #writeMs: number[] = []
  #conflictMs: number[] = []
  #readMs: number[] = []

  add(e: HistoryEvent): void {
    if (e.process === FINAL_PROCESS) return
    const isWrite = e.f === 'write' || e.f === 'delete'
    if (e.type === 'invoke') {
      const pending: Pending = { f: e.f, time: e.time }
      if (isWrite) {
        this.#attempts++
        const t = e.txn === undefined ? null : parseTxn(e.txn)
        if (t && t.attempt > 0) this.#retries++
        pending.write = t ? t.write : (e.txn ?? `op ${e.op}`)
        this.#lastConflicted.delete(pending.write) // a retry: not given up (yet)
      }
      this.#pending.set(e.op, pending)
      return
    }
    const invoked = this.#pending.get(e.op)
    if (invoked === undefined) return // a completion without its invoke: nothing to pair it with
    this.#pending.delete(e.op)
    const ms = e.time - invoked.time
    if (e.type === 'info') this.#unknown++
    if (isWrite) {
      if (e.type === 'ok') {
        this.#commits++
        this.#writeMs.push(ms)
      } else if (e.type === 'fail' && e.conflict === true) {
        this.#conflicts++
        this.#conflictMs.push(ms)
        if (invoked.write !== undefined) this.#lastConflicted.add(invoked.write)
      } else if (e.type === 'fail') this.#otherFailures++
    } else if (e.type === 'ok') {
      this.#reads++
      this.#readMs.push(ms)
    } else this.#readFailures++
  }

  result(durationS: number): RunFigures {
    let pendingReads = 0
    for (const p of this.#pending.values()) if (p.f === 'read') pendingReads++
    const perSecond = (n: number): number => (durationS > 0 ? n / durationS : Number.NaN)
    const w = sorted(this.#writeMs)
    const c = sorted(this.#conflictMs)
    const r = sorted(this.#readMs)
    return {
      commit_attempts: this.#attempts,
      commits: this.#commits,
      precondition_failures: this.#conflicts,
      precondition_failure_rate: failureRate(this.#conflicts, this.#attempts),
      writes_abandoned: this.#lastConflicted.size,
      retries: this.#retries,
      attempts_per_commit: this.#commits > 0 ? this.#attempts / this.#commits : Number.NaN,
      unknown: this.#unknown + this.#pending.size,
      other_failures: this.#otherFailures,
      reads: this.#reads,
      read_failures: this.#readFailures + pendingReads,
      write_tps: perSecond(this.#commits),
      read_tps: perSecond(this.#reads),
      write_p50_ms: quantileSorted(w, 0.5),
      write_p95_ms: quantileSorted(w, 0.95),
      write_p99_ms: quantileSorted(w, 0.99),
      precondition_failure_p50_ms: quantileSorted(c, 0.5),
      precondition_failure_p99_ms: quantileSorted(c, 0.99),
      read_p50_ms: quantileSorted(r, 0.5),
      read_p95_ms: quantileSorted(r, 0.95),
      read_p99_ms: quantileSorted(r, 0.99),
    }
  }
}

/** failures ÷ attempts, clamped to [0, 1] (failures are a subset of attempts); 0 when there were none. */
export function failureRate(failures: number, attempts: number): number {
  if (!(attempts > 0)) return 0
  return Math.min(1, Math.max(0, failures / attempts))
}

/** The figures of a run of `durationS` seconds from its events. */
export function figuresFromHistory(events: Iterable<HistoryEvent>, durationS: number): RunFigures {
  const acc = new FiguresAccumulator()
  for (const e of events) acc.add(e)
  return acc.result(durationS)
}

/** The figures of a history file (finished or partial), streamed. */
export async function figuresFromHistoryFile(path: string, durationS: number): Promise<RunFigures> {
  const acc = new FiguresAccumulator()
  await readHistoryEvents(path, (e) => acc.add(e))
  return acc.result(durationS)
}
