import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openHistory, readHistory } from './history.ts'
import { parseTxn } from './tokens.ts'
import type { HistoryEvent, StoreSession, WorkloadParams } from './types.ts'
import { memorySession } from './workload-test-support.ts'
import { keyParts, runWorkload, type WorkloadOptions } from './workload.ts'

const base: WorkloadParams = {
  writers: 3,
  writer_rate: 10,
  readers: 2,
  reader_rate: 10,
  key_pool: 16,
  overlap: 0.5,
  value_size: 16,
  delete_ratio: 0.1,
  retries: 2,
  computed: false,
  duration_s: 1,
  timeout_ms: 1000,
  seed: 7,
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function run(params: Partial<WorkloadParams>, session: StoreSession = memorySession(), extra: Partial<WorkloadOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-workload-'))
  dirs.push(dir)
  const p = { ...base, ...params }
  const history = openHistory(join(dir, 'history.jsonl'), { type: 'header', store: 'memory', prefix: 'p', started: new Date().toISOString(), workload: p })
  const result = await runWorkload({ session, params: p, history, ...extra })
  const path = await history.finish()
  return { result, events: (await readHistory(path)).events, path }
}

/** Every invoke's completion (exactly one, same process and f), and each process one operation at a time. */
function expectWellFormed(events: HistoryEvent[]): void {
  const open = new Map<number, HistoryEvent>()
  const busy = new Map<string, number>()
  const completed = new Set<number>()
  for (const e of events) {
    if (e.type === 'invoke') {
      expect(open.has(e.op) || completed.has(e.op), `op ${e.op} invoked twice`).toBe(false)
      expect(busy.has(e.process), `${e.process} began op ${e.op} while op ${busy.get(e.process)} was open`).toBe(false)
      open.set(e.op, e)
      busy.set(e.process, e.op)
    } else {
      const inv = open.get(e.op)
      expect(inv, `completion of op ${e.op} without an open invoke`).toBeDefined()
      expect([e.process, e.f, e.key]).toEqual([inv!.process, inv!.f, inv!.key])
      expect(e.time).toBeGreaterThanOrEqual(inv!.time)
      open.delete(e.op)
      busy.delete(e.process)
      completed.add(e.op)
    }
  }
  expect([...open.keys()], 'invokes never completed').toEqual([])
}

describe('keyParts', () => {
  it('splits the pool into a shared part and one part per writer, disjoint and covering it', () => {
    const { shared, own } = keyParts(16, 3)
    expect(shared).toEqual(['k0', 'k1', 'k2', 'k3'])
    expect(own).toEqual([['k4', 'k5', 'k6', 'k7'], ['k8', 'k9', 'k10', 'k11'], ['k12', 'k13', 'k14', 'k15']])
    expect(keyParts(17, 3).shared).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
    expect(keyParts(2, 3)).toEqual({ shared: ['k0', 'k1'], own: [[], [], []] })
  })
})

describe('runWorkload', () => {
  it('records every operation as an invoke and one completion, then reads every key back', async () => {
    const { result, events } = await run({})
    expectWellFormed(events)
    const final = events.filter((e) => e.process === 'final' && e.type === 'ok')
    expect(final.map((e) => e.key)).toEqual(Array.from({ length: 16 }, (_, i) => `k${i}`))
    expect(result.finalReads).toBe(16)
    const tokens = events.filter((e) => e.type === 'invoke' && e.f === 'write').map((e) => e.value)
    expect(new Set(tokens).size).toBe(tokens.length)
    const txns = events.filter((e) => e.type === 'invoke' && e.f !== 'read').map((e) => e.txn)
    expect(new Set(txns).size).toBe(txns.length)
    const okWrite = events.find((e) => e.type === 'ok' && e.f === 'write')!
    expect(okWrite.version).toBeGreaterThan(0)
    expect(okWrite.prev).toBeDefined()
    expect(events.some((e) => e.type === 'ok' && e.f === 'read' && e.process.startsWith('r') && typeof e.version === 'number')).toBe(true)
  })

  it('starts rate × duration operations per process on the open-model schedule, and counts late starts', async () => {
    const { result } = await run({ writers: 3, writer_rate: 10, readers: 2, reader_rate: 5, duration_s: 1 })
    expect(Object.keys(result.processes).sort()).toEqual(['r0', 'r1', 'w0', 'w1', 'w2'])
    for (const w of ['w0', 'w1', 'w2']) expect(result.processes[w]!.starts).toBe(10)
    for (const r of ['r0', 'r1']) expect(result.processes[r]!.starts).toBe(5)

    // each operation takes 75 ms against 50 ms slots: the process falls behind, every start after the
    // first is late, and the slots it reaches only after the 0.5 s are dropped, not worked through
    const slow = await run({ writers: 1, writer_rate: 20, readers: 0, duration_s: 0.5, retries: 0 }, memorySession({ thinkMs: 75 }))
    const w0 = slow.result.processes['w0']!
    expect(w0.starts + w0.dropped).toBe(10)
    expect(w0.dropped).toBeGreaterThanOrEqual(2)
    expect(w0.late).toBeGreaterThanOrEqual(w0.starts - 1)
    expect(slow.result.droppedStarts).toBe(w0.dropped)
    expect(slow.result.lateStarts).toBe(slow.result.processes['w0']!.late)
  })

  it('overlap 0 keeps each writer on its own keys; overlap 1 sends every write to the shared keys', async () => {
    const parts = keyParts(16, 3)
    const keysOf = (events: HistoryEvent[], p: string): Set<string> => new Set(events.filter((e) => e.type === 'invoke' && e.process === p && e.f !== 'read').map((e) => e.key))
    const apart = await run({ overlap: 0, readers: 0, writer_rate: 20, duration_s: 0.5 })
    for (let w = 0; w < 3; w++) for (const k of keysOf(apart.events, `w${w}`)) expect(parts.own[w]).toContain(k)
    expect(apart.events.some((e) => e.type === 'fail' && e.conflict)).toBe(false)

    const together = await run({ overlap: 1, readers: 0, writer_rate: 20, duration_s: 0.5 })
    for (let w = 0; w < 3; w++) for (const k of keysOf(together.events, `w${w}`)) expect(parts.shared).toContain(k)
  })

  it('retries a conflict at most `retries` times, each attempt its own operation', async () => {
    // one shared key and slow commits: writers collide all the time
    const { events } = await run({ writers: 4, writer_rate: 10, readers: 0, key_pool: 1, overlap: 1, retries: 2, delete_ratio: 0 }, memorySession({ thinkMs: 60 }))
    expectWellFormed(events)
    const conflicts = events.filter((e) => e.type === 'fail' && e.conflict === true)
    expect(conflicts.length).toBeGreaterThan(0)
    expect(conflicts[0]!.error).toMatch(/precondition failed/)
    const attempts = new Map<string, number[]>()
    for (const e of events) {
      if (e.type !== 'invoke' || e.f === 'read') continue
      const t = parseTxn(e.txn!)!
      attempts.set(t.write, [...(attempts.get(t.write) ?? []), t.attempt])
    }
    for (const [write, a] of attempts) {
      expect(a, write).toEqual(a.map((_, i) => i)) // a0, a1, … in order
      expect(a.length, write).toBeLessThanOrEqual(3)
    }
    expect([...attempts.values()].some((a) => a.length === 3)).toBe(true)
  })

  it('records a timeout and a thrown error as info, with why', async () => {
    const hung = await run({ writers: 1, writer_rate: 2, readers: 1, reader_rate: 2, duration_s: 0.5, timeout_ms: 50, key_pool: 2 }, memorySession({ hang: true }))
    expectWellFormed(hung.events)
    const done = hung.events.filter((e) => e.type !== 'invoke')
    expect(done.length).toBeGreaterThan(0)
    for (const e of done) expect(e).toMatchObject({ type: 'info', error: 'timeout after 50 ms' })

    const broken = await run({ writers: 1, readers: 0, duration_s: 0.3, delete_ratio: 0 }, memorySession({ throwOn: () => 'connection reset' }))
    const writes = broken.events.filter((e) => e.type !== 'invoke' && e.process === 'w0')
    expect(writes.length).toBeGreaterThan(0)
    for (const e of writes) expect(e).toMatchObject({ type: 'info', error: 'connection reset' })
  })

  it('stops when the signal aborts: in-flight operations recorded info, the history left partial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-workload-'))
    dirs.push(dir)
    const params = { ...base, duration_s: 2 }
    const history = openHistory(join(dir, 'history.jsonl'), { type: 'header', store: 'memory', prefix: 'p', started: new Date().toISOString(), workload: params })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('Ctrl-C')), 300)
    await expect(runWorkload({ session: memorySession({ thinkMs: 40 }), params, history, signal: controller.signal })).rejects.toThrow('Ctrl-C')
    expect(existsSync(join(dir, 'history.jsonl'))).toBe(false)
    const { header, events } = await readHistory(join(dir, 'history.partial.jsonl'))
    expect(header.partial).toBe(true)
    expectWellFormed(events)
    expect(events.some((e) => e.type === 'info' && e.error === 'run stopped')).toBe(true)
    expect(events.some((e) => e.process === 'final')).toBe(false)
    expect(Math.max(...events.map((e) => e.time))).toBeLessThan(1500)
  })

  it('rejects parameters it cannot run, naming the field', async () => {
    await expect(run({ writers: 0 })).rejects.toThrow(/writers: expected a whole number ≥ 1, got 0/)
  })
})
