// The checker on small synthetic histories: for each anomaly kind one history that has it (the
// checker finds exactly that kind, with the operations that show it) beside a near-identical
// valid one, plus the cases unknown outcomes allow — info writes whose values may appear (or that
// may fill a gap in the chain), concurrent reads that may see the old or the new value, an invoke
// never completed — and the cap on stored anomalies.
import { describe, expect, test } from 'vitest'
import type { HistoryEvent, Versioned } from '../types.ts'
import { ANOMALY_KINDS, checkHistory, summarizeCheck, type AnomalyKind, type CheckResult } from './index.ts'

interface OpSpec {
  start: number
  end?: number
  type?: 'ok' | 'fail' | 'info'
  value?: string | null
  version?: number
  prev?: Versioned
}

/** A history built op by op; `op` returns the op id. Events are emitted in time order. */
class History {
  #events: HistoryEvent[] = []
  #next = 0
  op(process: string, f: 'read' | 'write' | 'delete', key: string, s: OpSpec): number {
    const op = this.#next++
    const written = f === 'read' ? {} : { value: f === 'delete' ? null : s.value, txn: `t:${process}-${op}` }
    this.#events.push({ op, process, type: 'invoke', f, key, time: s.start, ...written })
    if (s.end === undefined) return op // never completed
    const type = s.type ?? 'ok'
    const done: HistoryEvent = { op, process, type, f, key, time: s.end, ...written }
    if (f === 'read' && type === 'ok') Object.assign(done, { value: s.value ?? null, version: s.version })
    if (f !== 'read' && type === 'ok') Object.assign(done, { version: s.version, prev: s.prev })
    if (type === 'fail') Object.assign(done, { error: 'conflict', conflict: true })
    if (type === 'info') done.error = 'timeout'
    this.#events.push(done)
    return op
  }
  check(): CheckResult {
    return checkHistory([...this.#events].sort((a, b) => a.time - b.time))
  }
}

const v = (value: string | null, version: number): Versioned => ({ value, version })
const kinds = (r: CheckResult) => ANOMALY_KINDS.filter((k) => r.counts[k] > 0)

function expectOnly(r: CheckResult, kind: AnomalyKind, ops: number[]): void {
  expect(kinds(r), summarizeCheck(r)).toEqual([kind])
  expect(r.valid).toBe(false)
  expect(r.counts[kind]).toBe(1)
  expect(r.anomalies).toHaveLength(1)
  const a = r.anomalies[0]!
  expect(a.kind).toBe(kind)
  expect(a.key).toBe('k')
  expect(a.explanation).toMatch(/^[^\n]+$/)
  expect(a.ops.map((o) => o.op).sort((x, y) => x - y)).toEqual([...ops].sort((x, y) => x - y))
}

function expectValid(r: CheckResult): void {
  expect(kinds(r), r.anomalies.map((a) => a.explanation).join(' | ')).toEqual([])
  expect(r.valid).toBe(true)
}

/** w0 writes a (v1), w1 writes b (v2) on top of it: a correct start most cases build on. */
function twoWrites(): { h: History; a: number; b: number } {
  const h = new History()
  const a = h.op('w0', 'write', 'k', { start: 0, end: 1, value: 'a', version: 1, prev: v(null, 0) })
  const b = h.op('w1', 'write', 'k', { start: 2, end: 3, value: 'b', version: 2, prev: v('a', 1) })
  return { h, a, b }
}

describe('lost-update', () => {
  test('two ok writes with one version', () => {
    const h = new History()
    const a = h.op('w0', 'write', 'k', { start: 0, end: 2, value: 'a', version: 1, prev: v(null, 0) })
    const b = h.op('w1', 'write', 'k', { start: 0.5, end: 3, value: 'b', version: 1, prev: v(null, 0) })
    const r = h.check()
    expectOnly(r, 'lost-update', [a, b])
    expect(r.anomalies[0]!.explanation).toContain('both acknowledged at version 1')
    expect(r.anomalies[0]!.ops[1]).toEqual({ op: b, process: 'w1', type: 'ok', f: 'write', key: 'k', value: 'b', version: 1, prev: v(null, 0), txn: `t:w1-${b}`, start: 0.5, end: 3 })
  })
  test('two ok writes that read the same version', () => {
    const h = new History()
    const a = h.op('w0', 'write', 'k', { start: 0, end: 2, value: 'a', version: 1, prev: v(null, 0) })
    const b = h.op('w1', 'write', 'k', { start: 0.5, end: 3, value: 'b', version: 2, prev: v(null, 0) })
    const r = h.check()
    expectOnly(r, 'lost-update', [a, b])
    expect(r.anomalies[0]!.explanation).toContain('both read version 0')
  })
  test('the valid twin: the second write read the first', () => expectValid(twoWrites().h.check()))
  test('the final read-back sees an older version than the highest acknowledged', () => {
    const { h, b } = twoWrites()
    const f = h.op('final', 'read', 'k', { start: 10, end: 11, value: 'a', version: 1 })
    expectOnly(h.check(), 'lost-update', [b, f])
  })
  test('the valid twin: the read-back sees the last write', () => {
    const { h } = twoWrites()
    h.op('final', 'read', 'k', { start: 10, end: 11, value: 'b', version: 2 })
    expectValid(h.check())
  })
  test('a write of unknown outcome that a read saw, overwritten unseen', () => {
    const h = new History()
    h.op('w0', 'write', 'k', { start: 0, end: 1, value: 'a', version: 1, prev: v(null, 0) })
    const i = h.op('w1', 'write', 'k', { start: 2, end: 3, type: 'info', value: 'i' })
    const r = h.op('r0', 'read', 'k', { start: 4, end: 5, value: 'i', version: 2 })
    const b = h.op('w0', 'write', 'k', { start: 6, end: 7, value: 'b', version: 3, prev: v('a', 1) })
    expectOnly(h.check(), 'lost-update', [i, r, b])
  })
  test('the valid twin: the later write read the unknown-outcome write', () => {
    const h = new History()
    h.op('w0', 'write', 'k', { start: 0, end: 1, value: 'a', version: 1, prev: v(null, 0) })
    h.op('w1', 'write', 'k', { start: 2, end: 3, type: 'info', value: 'i' })
    h.op('r0', 'read', 'k', { start: 4, end: 5, value: 'i', version: 2 })
    h.op('w0', 'write', 'k', { start: 6, end: 7, value: 'b', version: 3, prev: v('i', 2) })
    expectValid(h.check())
  })
})

describe('broken-chain', () => {
  test('a commit read a version no write produced', () => {
    const { h, b } = twoWrites()
    const c = h.op('w0', 'write', 'k', { start: 4, end: 5, value: 'c', version: 9, prev: v('x', 5) })
    expectOnly(h.check(), 'broken-chain', [b, c])
  })
  test('the valid twin: a write of unknown outcome may have produced it (versions may have gaps)', () => {
    const { h } = twoWrites()
    h.op('w1', 'write', 'k', { start: 3.5, end: 4.5, type: 'info', value: 'x' })
    h.op('w0', 'write', 'k', { start: 4, end: 5, value: 'c', version: 9, prev: v('x', 5) })
    expectValid(h.check())
  })
  test('a write of unknown outcome invoked only after the commit ended cannot have produced it', () => {
    const { h, b } = twoWrites()
    const c = h.op('w0', 'write', 'k', { start: 4, end: 5, value: 'c', version: 9, prev: v('x', 5) })
    h.op('w1', 'write', 'k', { start: 6, end: 7, type: 'info', value: 'x' })
    expectOnly(h.check(), 'broken-chain', [b, c])
  })
  test('a gap an unknown-outcome write could fill, but read with a value it did not write', () => {
    const { h, b } = twoWrites()
    h.op('w1', 'write', 'k', { start: 3.5, end: 4.5, type: 'info', value: 'x' })
    const c = h.op('w0', 'write', 'k', { start: 4, end: 5, value: 'c', version: 9, prev: v('y', 5) })
    expectOnly(h.check(), 'broken-chain', [b, c])
  })
  test('the valid twin: a gap an unknown-outcome delete could fill, read as absent', () => {
    const { h } = twoWrites()
    h.op('w1', 'delete', 'k', { start: 3.5, end: 4.5, type: 'info' })
    h.op('w0', 'write', 'k', { start: 4, end: 5, value: 'c', version: 9, prev: v(null, 5) })
    expectValid(h.check())
  })
  test('a commit that read its own version', () => {
    const h = new History()
    const a = h.op('w0', 'write', 'k', { start: 0, end: 1, value: 'a', version: 4, prev: v(null, 4) })
    expectOnly(h.check(), 'broken-chain', [a])
  })
  test('the valid twin: versions from a global counter, with gaps', () => {
    const h = new History()
    h.op('w0', 'write', 'k', { start: 0, end: 1, value: 'a', version: 4, prev: v(null, 0) })
    h.op('w0', 'write', 'k', { start: 2, end: 3, value: 'b', version: 17, prev: v('a', 4) })
    expectValid(h.check())
  })
})

describe('reads of values not committed', () => {
  test('aborted-read: the value of a failed write', () => {
    const h = new History()
    const a = h.op('w0', 'write', 'k', { start: 0, end: 1, type: 'fail', value: 'a' })
    const r = h.op('r0', 'read', 'k', { start: 2, end: 3, value: 'a', version: 1 })
    expectOnly(h.check(), 'aborted-read', [a, r])
  })
  test('the valid twin: the value of a write of unknown outcome may appear', () => {
    const h = new History()
    h.op('w0', 'write', 'k', { start: 0, end: 1, type: 'info', value: 'a' })
    h.op('r0', 'read', 'k', { start: 2, end: 3, value: 'a', version: 1 })
    h.op('r1', 'read', 'k', { start: 2, end: 3, value: null, version: 0 }) // concurrent: also fine before it
    expectValid(h.check())
  })
  test('garbage-read: a token never written', () => {
    const { h } = twoWrites()
    const r = h.op('r0', 'read', 'k', { start: 4, end: 5, value: 'zz', version: 2 })
    expectOnly(h.check(), 'garbage-read', [r])
  })
  test('garbage-read: absent at a version no delete produced', () => {
    const { h } = twoWrites()
    const r = h.op('r0', 'read', 'k', { start: 4, end: 5, value: null, version: 7 })
    expectOnly(h.check(), 'garbage-read', [r])
  })
  test('the valid twin: absent after a delete, and after a delete of unknown outcome', () => {
    const { h } = twoWrites()
    h.op('w0', 'delete', 'k', { start: 4, end: 5, version: 3, prev: v('b', 2) })
    h.op('r0', 'read', 'k', { start: 6, end: 7, value: null, version: 3 })
    h.op('w1', 'delete', 'k', { start: 8, end: 9, type: 'info' })
    h.op('r0', 'read', 'k', { start: 10, end: 11, value: null, version: 6 })
    expectValid(h.check())
  })
  test('inconsistent-read: an ok write\'s value with another version', () => {
    const { h, a } = twoWrites()
    const r = h.op('r0', 'read', 'k', { start: 0.5, end: 1.5, value: 'a', version: 2 })
    expectOnly(h.check(), 'inconsistent-read', [a, r])
  })
  test('the valid twin: a read overlapping a write sees the old value', () => {
    const { h } = twoWrites()
    h.op('r0', 'read', 'k', { start: 1.5, end: 2.5, value: 'a', version: 1 })
    h.op('r1', 'read', 'k', { start: 1.5, end: 2.5, value: 'b', version: 2 })
    expectValid(h.check())
  })
})

describe('order of reads', () => {
  /** a acknowledged at v1, b committing at v2 until t = 20: reads in between may see either. */
  function slowSecondWrite(): History {
    const h = new History()
    h.op('w0', 'write', 'k', { start: 0, end: 1, value: 'a', version: 1, prev: v(null, 0) })
    h.op('w1', 'write', 'k', { start: 2, end: 20, value: 'b', version: 2, prev: v('a', 1) })
    return h
  }
  test('non-monotonic-read: a process reads b, then a again', () => {
    const h = slowSecondWrite()
    const r1 = h.op('r0', 'read', 'k', { start: 3, end: 4, value: 'b', version: 2 })
    const r2 = h.op('r0', 'read', 'k', { start: 5, end: 6, value: 'a', version: 1 })
    expectOnly(h.check(), 'non-monotonic-read', [r1, r2])
  })
  test('the valid twin: two processes, one sees b, the other still a', () => {
    const h = slowSecondWrite()
    h.op('r0', 'read', 'k', { start: 3, end: 4, value: 'b', version: 2 })
    h.op('r1', 'read', 'k', { start: 5, end: 6, value: 'a', version: 1 })
    expectValid(h.check())
  })
  test('stale-read: a read begun after b was acknowledged returns a', () => {
    const h = slowSecondWrite()
    h.op('w0', 'write', 'k', { start: 21, end: 40, value: 'c', version: 3, prev: v('b', 2) }) // still in flight
    const r = h.op('r0', 'read', 'k', { start: 22, end: 23, value: 'a', version: 1 })
    const r2 = expectOnlyStale(h.check(), r)
    expect(r2).toContain('began after')
  })
  test('the valid twin: the same read returns b', () => {
    const h = slowSecondWrite()
    h.op('w0', 'write', 'k', { start: 21, end: 40, value: 'c', version: 3, prev: v('b', 2) })
    h.op('r0', 'read', 'k', { start: 22, end: 23, value: 'b', version: 2 })
    h.op('r1', 'read', 'k', { start: 22, end: 23, value: 'c', version: 3 }) // overlaps c: may see it
    expectValid(h.check())
  })
})

function expectOnlyStale(r: CheckResult, read: number): string {
  expectOnly(r, 'stale-read', [1, read]) // op 1: the write of b, acknowledged at t = 20
  return r.anomalies[0]!.explanation
}

describe('unknown outcomes and bookkeeping', () => {
  test('an invoke never completed counts as info: its value may appear', () => {
    const h = new History()
    h.op('w0', 'write', 'k', { start: 0, value: 'a' })
    h.op('r0', 'read', 'k', { start: 2, end: 3, value: 'a', version: 5 })
    const r = h.check()
    expectValid(r)
    expect(r.ops).toBe(2)
  })
  test('an unknown-outcome value read with two versions is inconsistent', () => {
    const h = new History()
    const i = h.op('w0', 'write', 'k', { start: 0, end: 1, type: 'info', value: 'a' })
    const r1 = h.op('r0', 'read', 'k', { start: 2, end: 3, value: 'a', version: 5 })
    const r2 = h.op('r1', 'read', 'k', { start: 2, end: 3, value: 'a', version: 6 })
    expectOnly(h.check(), 'inconsistent-read', [i, r1, r2])
  })
  test('stores at most the cap per kind and counts all', () => {
    const h = new History()
    for (let n = 0; n < 30; n++) h.op('r0', 'read', 'k', { start: 2 * n, end: 2 * n + 1, value: `zz${n}`, version: 1 })
    expect(checkHistory([]).valid).toBe(true) // an empty history is valid
    const full = h.check()
    expect(full.counts['garbage-read']).toBe(30)
    expect(full.anomalies).toHaveLength(20)
    expect(summarizeCheck(full)).toBe('garbage-read ×30 (30 ops)')
  })
  test('a malformed event names its position', () => {
    expect(() => checkHistory([{ op: 0, process: 'r0', type: 'ok', f: 'read', key: 'k', time: 1 }])).toThrow(/history event 1: op 0: a completion \(ok\) of an operation that is not in flight/)
    expect(() => checkHistory([{ op: 0, process: 'r0', type: 'invoke', f: 'scan' as 'read', key: 'k', time: 1 }])).toThrow(/history event 1: op 0: f: expected/)
  })
})
