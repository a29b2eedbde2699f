// checkHistoryFile on small files: a finished history, an interrupted one (header partial, last
// line cut off mid-event) that is still checked, a malformed line elsewhere that is one UserError
// naming file:line, an empty or missing file; files written by the run's own history writer
// (harness/chaos/history.ts), finished and abandoned; writeAnomalies writes anomalies.json whole.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { isUserError } from '../../errors.ts'
import { openHistory } from '../history.ts'
import type { HistoryEvent, HistoryHeader } from '../types.ts'
import { checkHistoryFile, writeAnomalies } from './index.ts'

const scratch = mkdtempSync(join(tmpdir(), 'bg-chaos-check-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const header: HistoryHeader = {
  type: 'header', store: 'test', prefix: 'p/', started: '2026-12-07T00:00:00.000Z',
  workload: { writers: 1, writer_rate: 1, readers: 1, reader_rate: 1, key_pool: 1, overlap: 0, value_size: 8, delete_ratio: 0, retries: 0, computed: false, duration_s: 1, timeout_ms: 100, seed: 1 },
}
const events: HistoryEvent[] = [
  { op: 0, process: 'w0', type: 'invoke', f: 'write', key: 'k', value: 'a', txn: 't:a', time: 0 },
  { op: 1, process: 'r0', type: 'invoke', f: 'read', key: 'k', time: 0.5 },
  { op: 0, process: 'w0', type: 'ok', f: 'write', key: 'k', value: 'a', version: 1, prev: { value: null, version: 0 }, txn: 't:a', time: 1 },
  { op: 1, process: 'r0', type: 'ok', f: 'read', key: 'k', value: 'a', version: 1, time: 1.5 },
  { op: 2, process: 'final', type: 'invoke', f: 'read', key: 'k', time: 3 },
  { op: 2, process: 'final', type: 'ok', f: 'read', key: 'k', value: null, version: 0, time: 4 },
]
const lines = (h: object, es: readonly object[]) => [h, ...es].map((e) => JSON.stringify(e))

function file(name: string, text: string): string {
  const path = join(scratch, name)
  writeFileSync(path, text)
  return path
}

test('a finished history: checked, with its header; the lost write is found', async () => {
  const r = await checkHistoryFile(file('history.jsonl', lines(header, events).join('\n') + '\n'))
  expect(r.header?.store).toBe('test')
  expect(r.partial).toBe(false)
  expect(r.ops).toBe(3)
  expect(r.counts['lost-update']).toBe(1)
  expect(r.anomalies.map((a) => a.ops.map((o) => o.op))).toEqual([[0, 2]])
})

test('an interrupted history: header partial and the last line cut off are tolerated, marked partial', async () => {
  const text = lines({ ...header, partial: true }, events.slice(0, 4)).join('\n') + '\n' + JSON.stringify(events[4]).slice(0, 20)
  const r = await checkHistoryFile(file('history.partial.jsonl', text))
  expect(r.partial).toBe(true)
  expect(r.valid).toBe(true)
  expect(r.ops).toBe(2)
  // without the header saying so, the cut-off line alone marks it partial
  const cut = await checkHistoryFile(file('cut.jsonl', lines(header, events.slice(0, 4)).join('\n') + '\n{"op":2,"pro'))
  expect(cut.partial).toBe(true)
  // and a whole last line without a newline is simply read
  const whole = await checkHistoryFile(file('whole.jsonl', lines(header, events).join('\n')))
  expect([whole.partial, whole.ops, whole.counts['lost-update']]).toEqual([false, 3, 1])
})

test('an invoke left without completion by an interrupted run is an unknown outcome', async () => {
  const r = await checkHistoryFile(file('pending.jsonl', lines({ ...header, partial: true }, [events[0]!, events[1]!, { ...events[3]!, version: 7 }]).join('\n') + '\n'))
  expect(r.valid).toBe(true)
})

test('a malformed line before the last is one UserError naming file:line', async () => {
  const ls = lines(header, events)
  ls[2] = '{"op":1,"process":"r0",'
  const path = file('bad.jsonl', ls.join('\n') + '\n')
  const err = await checkHistoryFile(path).catch((e: unknown) => e)
  expect(isUserError(err)).toBe(true)
  expect((err as Error).message).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}:3: not valid JSON`))
  const wrong = lines(header, events)
  wrong[3] = JSON.stringify({ ...events[2], time: 'soon' })
  const err2 = await checkHistoryFile(file('bad-field.jsonl', wrong.join('\n') + '\n')).catch((e: unknown) => e)
  expect((err2 as Error).message).toMatch(/bad-field\.jsonl:4: op 0: time: expected a number/)
})

test('an empty or missing file is a UserError', async () => {
  await expect(checkHistoryFile(file('empty.jsonl', ''))).rejects.toThrow(/empty\.jsonl: the history is empty/)
  await expect(checkHistoryFile(join(scratch, 'nope.jsonl'))).rejects.toThrow(/nope\.jsonl: no such file/)
})

test("the run's history writer: a finished history and an abandoned one (partial) are both read", async () => {
  const write = (path: string) => {
    const h = openHistory(path, header)
    const w = h.invoke({ process: 'w0', f: 'write', key: 'k', value: 'w0-0-a0', txn: 't:w0-0-a0', time: 0 })
    const r = h.invoke({ process: 'r0', f: 'read', key: 'k', time: 0.2 })
    h.complete(w, 'w0', 'ok', { f: 'write', key: 'k', value: 'w0-0-a0', version: 1, prev: { value: null, version: 0 }, txn: 't:w0-0-a0', time: 1 })
    h.complete(r, 'r0', 'ok', { f: 'read', key: 'k', value: null, version: 0, time: 1.1 }) // overlapped the write: old value is fine
    h.invoke({ process: 'w0', f: 'write', key: 'k', value: 'w0-1-a0', txn: 't:w0-1-a0', time: 2 }) // in flight when the run stops
    return h
  }
  const finished = await checkHistoryFile(await write(join(scratch, 'run1', 'history.jsonl')).finish())
  expect([finished.valid, finished.partial, finished.ops, finished.header?.store]).toEqual([true, false, 3, 'test'])
  const abandoned = await checkHistoryFile(write(join(scratch, 'run2', 'history.jsonl')).abandon())
  expect([abandoned.valid, abandoned.partial, abandoned.ops]).toEqual([true, true, 3])
})

test('writeAnomalies writes anomalies.json atomically, without the header', async () => {
  const r = await checkHistoryFile(file('h2.jsonl', lines(header, events).join('\n') + '\n'))
  const dir = join(scratch, 'out')
  writeAnomalies(join(dir, 'anomalies.json'), r)
  expect(readdirSync(dir)).toEqual(['anomalies.json'])
  const written = JSON.parse(readFileSync(join(dir, 'anomalies.json'), 'utf8'))
  expect(written.valid).toBe(false)
  expect(written.header).toBeUndefined()
  expect(written.anomalies[0].kind).toBe('lost-update')
  expect(existsSync(join(dir, 'anomalies.json'))).toBe(true)
})
