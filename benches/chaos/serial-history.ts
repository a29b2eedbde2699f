// A correct history of a serial store, generated for the checker's speed proof: writers, readers and
// keys as in a chaos run, simulated event by event. Each operation is invoked, takes effect at one
// instant inside its [invoke, completion] window (the store applies operations one at a time, in
// the order of those instants, numbering commits with a global counter, so a key's versions have
// gaps) and completes; each process then thinks a little and invokes its next operation. Some
// writes fail (a conflict: not applied), some operations end info (timeout: a write then took
// effect or not, at random), a few writes are deletes. After the load, the 'final' process reads
// every key back. Lines are written in time order through a buffer, the header first.
//
// `lostUpdateAt: n` makes the first write at or after the n-th commit whose key was last written by
// an acknowledged write commit as if it had read the state before that write (what READ COMMITTED
// does to a read-then-write): the one injected anomaly, a lost update.
import { closeSync, openSync, writeSync } from 'node:fs'
import type { HistoryEvent, HistoryHeader, Versioned } from '../../harness/chaos/types.ts'
import { seededRandom } from '../../harness/stats/random.ts'

export interface SerialHistoryOptions {
  /** Operations before the final read-back. */
  ops: number
  keys: number
  writers: number
  readers: number
  /** Fraction of operations that end info (outcome unknown). */
  infoRate: number
  /** Fraction of writes that fail (a conflict: not applied). */
  failRate: number
  deleteRate: number
  seed: number
  lostUpdateAt?: number
}

export interface SerialHistory {
  /** Operations in the file, the read-back included. */
  ops: number
  lines: number
  /** The injected lost update: the op id of the commit that overwrote unseen, and its key. */
  lostUpdate?: { op: number; key: string }
}

const INVOKE = 0
const APPLY = 1
const COMPLETE = 2

export function writeSerialHistory(path: string, o: SerialHistoryOptions): SerialHistory {
  const random = seededRandom(o.seed)
  const fd = openSync(path, 'w')
  let buffer: string[] = []
  let lines = 0
  const emit = (e: HistoryEvent | HistoryHeader): void => {
    buffer.push(JSON.stringify(e))
    lines++
    if (buffer.length >= 8192) flush()
  }
  const flush = (): void => {
    if (buffer.length) writeSync(fd, buffer.join('\n') + '\n')
    buffer = []
  }
  const workload = {
    writers: o.writers, writer_rate: 0, readers: o.readers, reader_rate: 0, key_pool: o.keys, overlap: 1, value_size: 16,
    delete_ratio: o.deleteRate, retries: 0, computed: false, duration_s: 0, timeout_ms: 0, seed: o.seed,
  }
  emit({ type: 'header', store: 'synthetic serial store', prefix: 'checker-speed/', started: new Date(0).toISOString(), workload })

  const names = [...Array.from({ length: o.writers }, (_, i) => `w${i}`), ...Array.from({ length: o.readers }, (_, i) => `r${i}`)]
  const P = names.length
  const keyNames = Array.from({ length: o.keys }, (_, i) => `k${i}`)
  const state: Versioned[] = keyNames.map(() => ({ value: null, version: 0 }))
  const before: Versioned[] = keyNames.map(() => ({ value: null, version: 0 }))
  const lastOk = keyNames.map(() => false)
  let counter = 0
  let commits = 0
  let lostUpdate: SerialHistory['lostUpdate']

  // one pending event per process: when, which, and the operation it belongs to
  const at = new Float64Array(P)
  const kind = new Uint8Array(P)
  const current: (HistoryEvent & { outcome: 'ok' | 'fail' | 'info'; applies: boolean })[] = []
  const seq = new Int32Array(P)
  for (let p = 0; p < P; p++) at[p] = random.next()
  let invoked = 0
  let live = P
  let now = 0
  while (live > 0) {
    let p = 0
    for (let q = 1; q < P; q++) if (at[q]! < at[p]!) p = q
    now = at[p]!
    if (kind[p] === INVOKE) {
      if (invoked === o.ops) {
        at[p] = Infinity
        live--
        continue
      }
      const process = names[p]!
      const key = keyNames[random.int(o.keys)]!
      const writer = p < o.writers
      const f = !writer ? 'read' : random.next() < o.deleteRate ? 'delete' : 'write'
      const r = random.next()
      const outcome = r < o.infoRate ? 'info' : writer && r < o.infoRate + o.failRate ? 'fail' : 'ok'
      const value = f === 'read' ? undefined : f === 'delete' ? null : `${process}-${seq[p]!++}-a0`
      const op: (typeof current)[number] = { op: invoked++, process, type: 'invoke', f, key, time: now, outcome, applies: outcome === 'ok' || (outcome === 'info' && random.next() < 0.5) }
      if (f !== 'read') Object.assign(op, { value, txn: `t:${value ?? `${process}-${seq[p]!++}-a0`}` })
      current[p] = op
      emit({ op: op.op, process, type: 'invoke', f, key, time: now, ...(f === 'read' ? {} : { value: op.value, txn: op.txn }) })
      kind[p] = APPLY
      at[p] = now + 0.05 + random.next()
    } else if (kind[p] === APPLY) {
      const op = current[p]!
      const k = Number(op.key.slice(1))
      if (op.f === 'read') {
        if (op.applies) Object.assign(op, { value: state[k]!.value, version: state[k]!.version })
      } else if (op.applies) {
        let prev = state[k]!
        if (o.lostUpdateAt !== undefined && !lostUpdate && commits >= o.lostUpdateAt && op.outcome === 'ok' && lastOk[k] && prev.version > 0) {
          prev = before[k]!
          lostUpdate = { op: op.op, key: op.key }
        }
        before[k] = state[k]!
        state[k] = { value: op.value ?? null, version: ++counter }
        commits++
        lastOk[k] = op.outcome === 'ok'
        Object.assign(op, { version: counter, prev })
      }
      kind[p] = COMPLETE
      at[p] = now + 0.05 + random.next()
    } else {
      const op = current[p]!
      const base = { op: op.op, process: op.process, f: op.f, key: op.key, time: now }
      if (op.outcome === 'info') emit({ ...base, type: 'info', ...(op.f === 'read' ? {} : { value: op.value, txn: op.txn }), error: 'timeout' })
      else if (op.outcome === 'fail') emit({ ...base, type: 'fail', value: op.value, txn: op.txn, error: 'conflict', conflict: true })
      else if (op.f === 'read') emit({ ...base, type: 'ok', value: op.value, version: op.version })
      else emit({ ...base, type: 'ok', value: op.value, version: op.version, prev: op.prev, txn: op.txn })
      kind[p] = INVOKE
      at[p] = now + random.next() * 0.5
    }
  }
  // the read-back: after everything, one key at a time
  let ops = invoked
  for (let k = 0; k < o.keys; k++) {
    const key = keyNames[k]!
    emit({ op: ops, process: 'final', type: 'invoke', f: 'read', key, time: ++now })
    emit({ op: ops++, process: 'final', type: 'ok', f: 'read', key, value: state[k]!.value, version: state[k]!.version, time: ++now })
  }
  flush()
  closeSync(fd)
  return { ops, lines, ...(lostUpdate ? { lostUpdate } : {}) }
}
