// The checks of acknowledged reads, one key at a time (checkReads) and one process at a time
// (checkMonotonic):
//
//   committed values   a read's value is the token of a write of that key that was acknowledged
//                      (ok) or of unknown outcome (info): the token of a failed write is an
//                      aborted-read; a token no write of the key had is a garbage-read; the token
//                      of an ok write returned with another version than that write committed is an
//                      inconsistent-read. Null (absent) is the initial state at version 0, or a
//                      delete's: null at the version of an ok write of a value is inconsistent, at a
//                      version no ok delete has (and no delete of unknown outcome could have) garbage.
//                      A value of an unknown-outcome write took effect: the version first read with it
//                      is remembered (`Observed`) for the chain, and another version read with it
//                      later, or the version of a different ok write, is an inconsistent-read.
//   real time          a read invoked after an ok write of the key completed (strictly later) returns
//                      that version or a newer one: the highest version acknowledged before the read
//                      began is found by binary search in the writes by end time. Older is a
//                      stale-read, or a lost-update when the read began after every write of the key
//                      (of any outcome) had ended — the final read-back: nothing was in flight that
//                      could still supersede it, so the acknowledged write is simply gone.
//   monotonic          each process's reads of a key never go back in version: compared with the
//                      highest version the process had read of the key before (non-monotonic-read).
//                      Rows are in invoke order and a process runs one operation at a time, so one
//                      pass in row order sees each process's reads in the order it made them.
import type { AnomalyLog } from './anomaly.ts'
import { findVersion, lastEndedBefore, type KeyView } from './key-view.ts'
import { DELETE, FAIL, OK, READ, WRITE, type OpTable } from './op-table.ts'

/** What reads revealed about writes of unknown outcome: the version each was read with, and the read. */
export interface Observed {
  version: Float64Array
  read: Int32Array
}

export function observed(n: number): Observed {
  return { version: new Float64Array(n).fill(NaN), read: new Int32Array(n).fill(-1) }
}

/**
 * Token → row of the write attempt that wrote it (deletes write no token). Most reads return the
 * value of the acknowledged write of the version they read, found by version without any token
 * map; only the writes not acknowledged (failed or of unknown outcome, a few) are mapped up front,
 * and the full map is built the first time a read matches neither.
 */
export class Tokens {
  readonly #t: OpTable
  readonly #unsettled = new Map<string, number>()
  #all: Map<string, number> | null = null

  constructor(t: OpTable) {
    this.#t = t
    for (let i = 0; i < t.size; i++) {
      const v = t.value[i]
      if (t.f[i] === WRITE && t.status[i] !== OK && v !== null && v !== undefined) this.#unsettled.set(v, i)
    }
  }

  /** The failed or unknown-outcome write of token `v`, or undefined. */
  unsettled(v: string): number | undefined {
    return this.#unsettled.get(v)
  }

  /** The write of token `v`, of any outcome, or undefined. */
  any(v: string): number | undefined {
    if (this.#all === null) {
      const t = this.#t
      this.#all = new Map()
      for (let i = 0; i < t.size; i++) {
        const w = t.value[i]
        if (t.f[i] === WRITE && w !== null && w !== undefined) this.#all.set(w, i)
      }
    }
    return this.#all.get(v)
  }
}

export function checkReads(t: OpTable, view: KeyView, tokens: Tokens, seen: Observed, log: AnomalyLog): void {
  const key = t.keys[view.k]!
  const rec = (...rows: number[]) => () => rows.map((r) => t.record(r))
  for (const r of view.reads) {
    const v = t.value[r] ?? null
    const x = t.version[r]!
    if (v === null) checkAbsent(t, view, r, x, log, rec)
    else {
      const j = Number.isNaN(x) ? -1 : findVersion(view, x)
      const w = j >= 0 && t.value[view.byVersion[j]!] === v ? view.byVersion[j]! : (tokens.unsettled(v) ?? tokens.any(v))
      if (w === undefined) {
        log.report('garbage-read', key, () => `${t.describe(r)} of ${key} returned ${v}, a value no write produced`, rec(r))
      } else if (t.key[w] !== view.k) {
        log.report('garbage-read', key, () => `${t.describe(r)} of ${key} returned ${v}, a value written to another key, ${t.keys[t.key[w]!]}`, rec(w, r))
      } else if (t.status[w] === FAIL) {
        log.report('aborted-read', key, () => `${t.describe(r)} of ${key} returned the value of ${t.describe(w)}, which failed and did not take effect`, rec(w, r))
      } else if (t.status[w] === OK) {
        if (!Number.isNaN(x) && x !== t.version[w]) {
          log.report('inconsistent-read', key, () => `${t.describe(r)} of ${key} returned ${v} at version ${x}, but ${t.describe(w)} committed it at version ${t.version[w]}`, rec(w, r))
        }
      } else if (!Number.isNaN(x)) observeUnknown(t, view, w, r, x, seen, log, rec)
    }
    // real time: at least the highest version acknowledged before the read began
    const j = lastEndedBefore(view, t.start[r]!)
    if (j >= 0 && x < view.maxVersion[j]!) {
      const w = view.maxRow[j]!
      const final = t.start[r]! > view.lastWriteEnd
      if (final) {
        log.report('lost-update', key, () => `${t.describe(w)} of ${key} was acknowledged at version ${t.version[w]}, yet ${t.describe(r)}, begun after every write of the key had ended, returned the older version ${x}`, rec(w, r))
      } else {
        log.report('stale-read', key, () => `${t.describe(r)} of ${key} began after ${t.describe(w)} was acknowledged at version ${t.version[w]}, yet returned the older version ${x}`, rec(w, r))
      }
    }
  }
}

type Rec = (...rows: number[]) => () => ReturnType<OpTable['record']>[]

function checkAbsent(t: OpTable, view: KeyView, r: number, x: number, log: AnomalyLog, rec: Rec): void {
  if (Number.isNaN(x) || x === 0) return
  const key = t.keys[view.k]!
  const j = findVersion(view, x)
  if (j >= 0) {
    const w = view.byVersion[j]!
    if (t.f[w] !== DELETE) {
      log.report('inconsistent-read', key, () => `${t.describe(r)} of ${key} returned no value at version ${x}, but ${t.describe(w)} committed a value at that version`, rec(w, r))
    }
  } else if (view.unknownDeletes === 0) {
    log.report('garbage-read', key, () => `${t.describe(r)} of ${key} returned no value at version ${x}, a version no delete of the key produced`, rec(r))
  }
}

function observeUnknown(t: OpTable, view: KeyView, w: number, r: number, x: number, seen: Observed, log: AnomalyLog, rec: Rec): void {
  const key = t.keys[view.k]!
  const j = findVersion(view, x)
  if (j >= 0) {
    const other = view.byVersion[j]!
    log.report('inconsistent-read', key, () => `${t.describe(r)} of ${key} returned the value of ${t.describe(w)} (outcome unknown) at version ${x}, the version ${t.describe(other)} committed`, rec(other, w, r))
    return
  }
  const before = seen.version[w]!
  if (Number.isNaN(before)) {
    seen.version[w] = x
    seen.read[w] = r
  } else if (before !== x) {
    const first = seen.read[w]!
    log.report('inconsistent-read', key, () => `${t.describe(w)} (outcome unknown) of ${key} was read at version ${before} by ${t.describe(first)} and at version ${x} by ${t.describe(r)}`, rec(w, first, r))
  }
}

export function checkMonotonic(t: OpTable, log: AnomalyLog): void {
  const keys = t.keys.length
  // (process, key) → the row of the highest version the process has read of the key
  const highest = new Map<number, number>()
  for (let r = 0; r < t.size; r++) {
    if (t.f[r] !== READ || t.status[r] !== OK) continue
    const x = t.version[r]!
    if (Number.isNaN(x)) continue
    const slot = t.proc[r]! * keys + t.key[r]!
    const h = highest.get(slot)
    if (h === undefined || x > t.version[h]!) highest.set(slot, r)
    else if (x < t.version[h]!) {
      const key = t.keys[t.key[r]!]!
      log.report(
        'non-monotonic-read',
        key,
        () => `${t.processes[t.proc[r]!]} read ${key} at version ${t.version[h]} (op ${t.opId[h]}), then at the older version ${x} (op ${t.opId[r]})`,
        () => [t.record(h), t.record(r)],
      )
    }
  }
}
