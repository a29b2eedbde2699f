// The operations of a history, paired and stored by column: one row per operation (its invoke),
// filled in by its completion. Columns are typed arrays (numbers) and arrays of strings, so a
// million operations cost no object, closure or Map entry each: only operations in flight are in a Map
// (op id → row), removed when they complete. Rows are in invoke order, so a process's rows are in
// the order it ran them (it runs one at a time).
//
// `add` checks each event's shape and pairing and returns a message for the first problem (the
// caller names the line): a field missing or of the wrong type, a completion of an operation that
// is not in flight (never invoked, or completed twice), a completion whose process or operation
// differs from its invoke's. An invoke never completed is, at the end, an unknown outcome (info)
// with no end time (end = Infinity here; null in an OpRecord).
import type { OpRecord } from './anomaly.ts'
import type { HistoryEvent, OpName } from '../types.ts'

export const OK = 0
export const FAIL = 1
export const INFO = 2
/** Invoked, not completed (yet, or ever: counted as info). */
export const PENDING = 3

export const READ = 0
export const WRITE = 1
export const DELETE = 2

const F_CODES: Record<string, number> = { read: READ, write: WRITE, delete: DELETE }
const F_NAMES: readonly OpName[] = ['read', 'write', 'delete']
const STATUS_CODES: Record<string, number> = { ok: OK, fail: FAIL, info: INFO }
const STATUS_NAMES = ['ok', 'fail', 'info', 'info'] as const
const INITIAL = 1024

function isVersioned(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false
  const o = v as { value?: unknown; version?: unknown }
  return (o.value === null || typeof o.value === 'string') && typeof o.version === 'number'
}

export class OpTable {
  // numeric columns: typed arrays grown by doubling (far cheaper than a million pushes each);
  // entries at and past `size` are spare capacity
  opId = new Float64Array(INITIAL)
  proc = new Int32Array(INITIAL)
  key = new Int32Array(INITIAL)
  f = new Uint8Array(INITIAL)
  status = new Uint8Array(INITIAL)
  /** ok: the version written or read; NaN when unknown. */
  version = new Float64Array(INITIAL)
  /** ok writes: prev.version; NaN when unknown. */
  prevVersion = new Float64Array(INITIAL)
  start = new Float64Array(INITIAL)
  /** Completion time; Infinity while (or when never) completed. */
  end = new Float64Array(INITIAL)
  /** Writes: the token written (null: delete). Reads: the token read (null: absent or not ok). */
  readonly value: (string | null)[] = []
  /** ok writes: prev.value (null when absent or unknown). */
  readonly prevValue: (string | null)[] = []
  readonly txn: (string | undefined)[] = []
  readonly processes: string[] = []
  readonly keys: string[] = []
  readonly #procIndex = new Map<string, number>()
  readonly #keyIndex = new Map<string, number>()
  readonly #inFlight = new Map<number, number>()
  #size = 0

  get size(): number {
    return this.#size
  }

  /** Adds one event; returns what is wrong with it, or null. */
  add(e: HistoryEvent): string | null {
    if (typeof e !== 'object' || e === null) return 'not a JSON object'
    const { op, type, time } = e
    if (typeof op !== 'number' || !Number.isInteger(op)) return 'op: expected an integer operation id'
    if (typeof e.process !== 'string') return `op ${op}: process: expected a string`
    if (typeof e.key !== 'string') return `op ${op}: key: expected a string`
    const f = F_CODES[e.f]
    if (f === undefined) return `op ${op}: f: expected 'read', 'write' or 'delete', got ${JSON.stringify(e.f)}`
    if (typeof time !== 'number' || !Number.isFinite(time)) return `op ${op}: time: expected a number of milliseconds`
    if (e.value !== undefined && e.value !== null && typeof e.value !== 'string') return `op ${op}: value: expected a string or null`
    if (type === 'invoke') return this.#invoke(e, f)
    const status = STATUS_CODES[type]
    if (status === undefined) return `op ${op}: type: expected 'invoke', 'ok', 'fail' or 'info', got ${JSON.stringify(type)}`
    const row = this.#inFlight.get(op)
    if (row === undefined) return `op ${op}: a completion (${type}) of an operation that is not in flight (never invoked, or already completed)`
    if (this.processes[this.proc[row]!] !== e.process) return `op ${op}: completed by process ${e.process}, invoked by ${this.processes[this.proc[row]!]}`
    if (this.f[row] !== f) return `op ${op}: completed as ${e.f}, invoked as ${F_NAMES[this.f[row]!]}`
    this.#inFlight.delete(op)
    this.status[row] = status
    this.end[row] = time
    if (status !== OK) return null
    if (e.version !== undefined && typeof e.version !== 'number') return `op ${op}: version: expected a number`
    this.version[row] = e.version ?? NaN
    if (f === READ) {
      this.value[row] = e.value ?? null
      return null
    }
    if (e.prev !== undefined) {
      if (!isVersioned(e.prev)) return `op ${op}: prev: expected {value: string | null, version: number}`
      this.prevVersion[row] = e.prev.version
      this.prevValue[row] = e.prev.value
    }
    if (e.txn !== undefined) this.txn[row] = e.txn
    return null
  }

  #invoke(e: HistoryEvent, f: number): string | null {
    if (this.#inFlight.has(e.op)) return `op ${e.op}: invoked again while in flight (operation ids must be unique)`
    let p = this.#procIndex.get(e.process)
    if (p === undefined) {
      p = this.processes.push(e.process) - 1
      this.#procIndex.set(e.process, p)
    }
    let k = this.#keyIndex.get(e.key)
    if (k === undefined) {
      k = this.keys.push(e.key) - 1
      this.#keyIndex.set(e.key, k)
    }
    if (this.#size === this.opId.length) this.#grow()
    const row = this.#size++
    this.#inFlight.set(e.op, row)
    this.opId[row] = e.op
    this.proc[row] = p
    this.key[row] = k
    this.f[row] = f
    this.status[row] = PENDING
    this.version[row] = NaN
    this.prevVersion[row] = NaN
    this.start[row] = e.time
    this.end[row] = Infinity
    this.value.push(f === READ ? null : (e.value ?? null))
    this.prevValue.push(null)
    this.txn.push(e.txn)
    return null
  }

  #grow(): void {
    const n = this.opId.length * 2
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(n)
      b.set(a)
      return b
    }
    this.opId = grown(this.opId, Float64Array)
    this.proc = grown(this.proc, Int32Array)
    this.key = grown(this.key, Int32Array)
    this.f = grown(this.f, Uint8Array)
    this.status = grown(this.status, Uint8Array)
    this.version = grown(this.version, Float64Array)
    this.prevVersion = grown(this.prevVersion, Float64Array)
    this.start = grown(this.start, Float64Array)
    this.end = grown(this.end, Float64Array)
  }

  /** True for a write or delete whose outcome is unknown (info, or never completed). */
  unknown(row: number): boolean {
    return this.status[row]! >= INFO
  }

  /** A short name for explanations: `write w1-3-a0 (op 17, w1)`. */
  describe(row: number): string {
    const f = F_NAMES[this.f[row]!]!
    const what = f === 'delete' ? 'delete' : f === 'write' ? `write ${this.value[row]}` : 'read'
    return `${what} (op ${this.opId[row]}, ${this.processes[this.proc[row]!]})`
  }

  /** The full record of a row, as anomalies show it. */
  record(row: number): OpRecord {
    const f = this.f[row]!
    const status = this.status[row]!
    const version = this.version[row]!
    const txn = this.txn[row]
    // the fields in the order a reader wants them: who, what, on which key, the outcome, when
    const rec: OpRecord = {
      op: this.opId[row]!,
      process: this.processes[this.proc[row]!]!,
      type: STATUS_NAMES[status]!,
      f: F_NAMES[f]!,
      key: this.keys[this.key[row]!]!,
      value: this.value[row] ?? null,
      ...(Number.isNaN(version) ? {} : { version }),
      ...(Number.isNaN(this.prevVersion[row]!) ? {} : { prev: { value: this.prevValue[row] ?? null, version: this.prevVersion[row]! } }),
      ...(txn === undefined ? {} : { txn }),
      start: this.start[row]!,
      end: Number.isFinite(this.end[row]!) ? this.end[row]! : null,
    }
    return rec
  }
}
