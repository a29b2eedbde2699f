// The chaos workload: writers and readers as logical processes against one StoreSession, every
// operation recorded in the history (history.ts) as an invoke and its completion.
//
// Processes. Writers w0…w{writers-1}, readers r0…r{readers-1}. Each runs one operation at a time
// on an OPEN-MODEL schedule (../load/schedule.ts, constant arrival): the start times are fixed
// from the run's start — process i of N takes slots i, i + N, … of a schedule at N × rate, so each
// runs at `rate` and the processes are evenly staggered — never from when the previous operation
// ended. When an operation overruns its slot the next starts as soon as it can: late, and
// counted (a start more than LATE_MS after its slot). No slot at or after `duration_s` is started,
// and no slot is started once `duration_s` has passed (dropped, counted): the run ends on time.
//
// Keys k0…k{key_pool-1}: split into writers + 1 equal parts, the first (with the remainder) shared
// by all writers, one part each writer's own (a pool smaller than writers + 1 is all shared).
// Each logical write goes to a random key of the shared part with probability `overlap`, else of
// the writer's own part, and is a delete with probability `delete_ratio` (seeded: seed and process).
// A write that loses the commit race (conflict) is retried at once, up to `retries` more attempts,
// each attempt its own operation with its own value token and transaction id (tokens.ts). A retry
// belongs to the same slot: it does not consume schedule. Readers read uniformly random keys.
//
// Outcomes → history: ok (a write's new version and what it read; a read's value and version);
// conflict → fail with conflict: true; a definite store failure → fail; a timeout (timeout_ms,
// the operation's own AbortSignal), a thrown error (its message) or the run being stopped → info.
// The wait for an answer ends at the timeout or the stop even when the store ignores the signal.
//
// After the duration, once every process has finished its operation in flight, process 'final'
// reads every key once, in order (what lets the checker see lost updates). When `signal` aborts
// the processes stop at once (in-flight operations recorded info, no final read-back), the
// history is abandoned — left partial, flushed — and runWorkload rejects with the signal's reason.
import { performance } from 'node:perf_hooks'
import { arrivalSchedule } from '../load/schedule.ts'
import { seededRandom, type Random } from '../stats/random.ts'
import { FINAL_PROCESS } from './figures.ts'
import type { HistoryWriter } from './history.ts'
import { txnId, valueToken } from './tokens.ts'
import type { CommitOutcome, StoreSession, Versioned, WorkloadParams } from './types.ts'

/** A start more than this after its slot counts as late. */
export const LATE_MS = 1
const PROGRESS_MS = 1000

export interface WorkloadProgress {
  elapsedS: number
  durationS: number
  /** Operations invoked so far (the history's invokes). */
  operations: number
  commits: number
  conflicts: number
  unknown: number
  lateStarts: number
}

export interface WorkloadOptions {
  session: StoreSession
  params: WorkloadParams
  history: HistoryWriter
  signal?: AbortSignal
  /** Called about once a second while the load runs. */
  onProgress?: (p: WorkloadProgress) => void
  /** Awaited when the load has ended and before the read-back: a scenario stops its faults here, so the read-back sees the store as it is. */
  beforeReadBack?: () => Promise<void>
  /** performance.now() of the run's start (history times count from it); default: when runWorkload is called. */
  runStart?: number
}

export interface ProcessCounts {
  /** Slots started (writers: logical writes, retries not counted). */
  starts: number
  /** Starts more than LATE_MS after their slot (the previous operation overran). */
  late: number
  /**
   * Slots never started because the run's duration had passed when the process got to them (its
   * operations overran for so long): the run ends on time instead of working through a backlog.
   */
  dropped: number
}

export interface WorkloadResult {
  processes: Record<string, ProcessCounts>
  lateStarts: number
  droppedStarts: number
  /** Keys read back by process 'final'. */
  finalReads: number
}

/** The shared part of the key pool and each writer's own part. */
export function keyParts(keyPool: number, writers: number): { shared: string[]; own: string[][] } {
  const keys = Array.from({ length: keyPool }, (_, i) => `k${i}`)
  const size = Math.floor(keyPool / (writers + 1))
  if (size === 0) return { shared: keys, own: Array.from({ length: writers }, () => []) }
  const sharedSize = keyPool - size * writers
  return {
    shared: keys.slice(0, sharedSize),
    own: Array.from({ length: writers }, (_, w) => keys.slice(sharedSize + w * size, sharedSize + (w + 1) * size)),
  }
}

type Guarded<T> = { kind: 'done'; value: T } | { kind: 'timeout' } | { kind: 'stopped' } | { kind: 'threw'; message: string }

/** Runs `fn` with a signal that aborts at the timeout or the stop; settles at whichever comes first. */
function guarded<T>(fn: (signal: AbortSignal) => Promise<T>, stop: AbortSignal, timeoutMs: number): Promise<Guarded<T>> {
  return new Promise((resolve) => {
    const controller = new AbortController()
    let settled = false
    const settle = (g: Guarded<T>): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      stop.removeEventListener('abort', onStop)
      resolve(g)
    }
    const timer = setTimeout(() => {
      controller.abort(new DOMException(`no answer after ${timeoutMs} ms`, 'TimeoutError'))
      settle({ kind: 'timeout' })
    }, timeoutMs)
    const onStop = (): void => {
      controller.abort(stop.reason)
      settle({ kind: 'stopped' })
    }
    if (stop.aborted) return onStop()
    stop.addEventListener('abort', onStop, { once: true })
    let p: Promise<T>
    try {
      p = fn(controller.signal)
    } catch (e) {
      p = Promise.reject(e)
    }
    p.then((value) => settle({ kind: 'done', value }), (e: unknown) => settle({ kind: 'threw', message: e instanceof Error ? e.message : String(e) }))
  })
}

function sleepUntil(at: number, stop: AbortSignal): Promise<void> {
  const ms = at - performance.now()
  if (ms <= 0 || stop.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      stop.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    stop.addEventListener('abort', done, { once: true })
  })
}

function paramsProblem(p: WorkloadParams): string | null {
  const whole = (v: number, min: number) => Number.isInteger(v) && v >= min
  if (!whole(p.writers, 1)) return `writers: expected a whole number ≥ 1, got ${p.writers}`
  if (!whole(p.readers, 0)) return `readers: expected a whole number ≥ 0, got ${p.readers}`
  if (!whole(p.key_pool, 1)) return `key_pool: expected a whole number ≥ 1, got ${p.key_pool}`
  if (!whole(p.retries, 0)) return `retries: expected a whole number ≥ 0, got ${p.retries}`
  if (!(p.writer_rate > 0)) return `writer_rate: expected a rate > 0, got ${p.writer_rate}`
  if (p.readers > 0 && !(p.reader_rate > 0)) return `reader_rate: expected a rate > 0, got ${p.reader_rate}`
  if (!(p.overlap >= 0 && p.overlap <= 1)) return `overlap: expected a fraction in [0, 1], got ${p.overlap}`
  if (!(p.delete_ratio >= 0 && p.delete_ratio <= 1)) return `delete_ratio: expected a fraction in [0, 1], got ${p.delete_ratio}`
  if (!(p.duration_s > 0)) return `duration_s: expected seconds > 0, got ${p.duration_s}`
  if (!(p.timeout_ms > 0)) return `timeout_ms: expected milliseconds > 0, got ${p.timeout_ms}`
  return null
}

/** Runs the workload of `params` for its duration, then the read-back; see the header for what is recorded. */
export async function runWorkload(opts: WorkloadOptions): Promise<WorkloadResult> {
  const { session, params, history } = opts
  const problem = paramsProblem(params)
  if (problem) throw new Error(`chaos workload: ${problem}`)
  const stop = opts.signal ?? new AbortController().signal
  const runStart = opts.runStart ?? performance.now()
  const durationMs = params.duration_s * 1000
  const now = (): number => Math.round((performance.now() - runStart) * 1000) / 1000
  const parts = keyParts(params.key_pool, params.writers)
  const processes: Record<string, ProcessCounts> = {}
  const totals = { commits: 0, conflicts: 0, unknown: 0, late: 0, dropped: 0 }

  const info = (op: number, process: string, fields: { f: 'read' | 'write' | 'delete'; key: string; value?: string | null; txn?: string }, g: Guarded<unknown>): void => {
    const error = g.kind === 'timeout' ? `timeout after ${params.timeout_ms} ms` : g.kind === 'stopped' ? 'run stopped' : g.kind === 'threw' ? g.message : 'unknown'
    totals.unknown++
    history.complete(op, process, 'info', { ...fields, time: now(), error })
  }

  const read = async (process: string, key: string): Promise<void> => {
    const op = history.invoke({ process, f: 'read', key, time: now() })
    const g = await guarded<Versioned>((s) => session.read(key, s), stop, params.timeout_ms)
    if (g.kind === 'done') history.complete(op, process, 'ok', { f: 'read', key, value: g.value.value, version: g.value.version, time: now() })
    else info(op, process, { f: 'read', key }, g)
  }

  const write = async (process: string, w: number, seq: number, rng: Random): Promise<void> => {
    const own = parts.own[w]!
    const pool = own.length === 0 || rng.next() < params.overlap ? parts.shared : own
    const key = pool[rng.int(pool.length)]!
    const f = rng.next() < params.delete_ratio ? 'delete' : 'write'
    for (let attempt = 0; attempt <= params.retries && !stop.aborted; attempt++) {
      const value = f === 'delete' ? null : valueToken(process, seq, attempt)
      const txn = txnId(process, seq, attempt)
      const op = history.invoke({ process, f, key, value, txn, time: now() })
      const g = await guarded<CommitOutcome>((s) => session.write({ key, value, txn, computed: params.computed }, s), stop, params.timeout_ms)
      if (g.kind !== 'done') return info(op, process, { f, key, value, txn }, g)
      const o = g.value
      if (o.kind === 'ok') {
        totals.commits++
        return history.complete(op, process, 'ok', { f, key, value, txn, version: o.version, prev: o.prev, time: now() })
      }
      if (o.kind === 'fail') return history.complete(op, process, 'fail', { f, key, value, txn, time: now(), error: o.error })
      totals.conflicts++
      history.complete(op, process, 'fail', { f, key, value, txn, time: now(), error: o.error, conflict: true, ...(o.prev ? { prev: o.prev } : {}) })
    }
  }

  const runProcess = async (process: string, index: number, of: number, rate: number, doOp: (seq: number) => Promise<void>): Promise<void> => {
    const counts: ProcessCounts = { starts: 0, late: 0, dropped: 0 }
    processes[process] = counts
    const schedule = arrivalSchedule({ model: 'constant', rate: rate * of }, index, of)
    for (let seq = 0; !stop.aborted; seq++) {
      const slot = schedule.next()
      if (slot >= durationMs) break
      await sleepUntil(runStart + slot, stop)
      if (stop.aborted) break
      if (performance.now() - runStart >= durationMs) {
        counts.dropped++
        totals.dropped++
        continue
      }
      if (performance.now() - (runStart + slot) > LATE_MS) {
        counts.late++
        totals.late++
      }
      counts.starts++
      await doOp(seq)
    }
  }

  const progress = opts.onProgress
    ? setInterval(() => opts.onProgress!({ elapsedS: (performance.now() - runStart) / 1000, durationS: params.duration_s, operations: history.events, commits: totals.commits, conflicts: totals.conflicts, unknown: totals.unknown, lateStarts: totals.late }), PROGRESS_MS)
    : undefined
  progress?.unref()
  try {
    const running: Promise<void>[] = []
    for (let w = 0; w < params.writers; w++) {
      const process = `w${w}`
      const rng = seededRandom(params.seed * 7919 + 104729 * (w + 1))
      running.push(runProcess(process, w, params.writers, params.writer_rate, (seq) => write(process, w, seq, rng)))
    }
    for (let r = 0; r < params.readers; r++) {
      const process = `r${r}`
      const rng = seededRandom(params.seed * 7919 - 1299709 * (r + 1))
      running.push(runProcess(process, r, params.readers, params.reader_rate, () => read(process, `k${rng.int(params.key_pool)}`)))
    }
    await Promise.all(running)
    await opts.beforeReadBack?.()
    let finalReads = 0
    for (let k = 0; k < params.key_pool && !stop.aborted; k++) {
      await read(FINAL_PROCESS, `k${k}`)
      finalReads++
    }
    if (stop.aborted) throw stop.reason ?? new Error('chaos workload: stopped')
    return { processes, lateStarts: totals.late, droppedStarts: totals.dropped, finalReads }
  } catch (e) {
    history.abandon()
    throw e
  } finally {
    clearInterval(progress)
  }
}
