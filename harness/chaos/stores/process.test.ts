// The process store against real child processes: the example client's round trip and its
// serialised writes, answers out of order, the stale client's stale reads, protocol errors (a line
// that is not JSON, a missing field) with one clear message, a client that exits early, an abort,
// and a close that leaves no process behind.
import { fileURLToPath } from 'node:url'
import { afterEach, expect, test } from 'vitest'
import { isAlive } from '../../run/cleanup.ts'
import { processStore, type ProcessStoreAdapter } from './process.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/chaos/${name}`, import.meta.url))
const EXAMPLE = [process.execPath, fixture('example-client.mjs')]
const STALE = [process.execPath, fixture('stale-client.mjs')]
const signal = () => AbortSignal.timeout(10_000)
const opened: ProcessStoreAdapter[] = []

/** A client written inline: `body` runs for each request `r` with `reply(object)` and `line(text)`. */
function inline(body: string): string[] {
  const code = `const reply = (a) => process.stdout.write(JSON.stringify(a) + '\\n'); const line = (t) => process.stdout.write(t + '\\n');
require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => { const r = JSON.parse(l); ${body} })`
  return [process.execPath, '-e', code]
}

function store(command: readonly string[], valueSize = 32): ProcessStoreAdapter {
  const s = processStore({ command, valueSize })
  opened.push(s)
  return s
}

afterEach(async () => {
  for (const s of opened.splice(0)) {
    const pid = s.clientPid
    await s.close()
    if (pid !== null) expect(isAlive(pid), `client ${pid} survived close()`).toBe(false)
  }
})

test('the example client round trip: absent, write, read, delete, padded values, two prefixes apart', async () => {
  const s = await store(EXAMPLE).open('run-a')
  expect(await s.read('k1', signal())).toEqual({ value: null, version: 0 })
  expect(await s.write({ key: 'k1', value: 'w0-1-a0', txn: 't:w0-1-a0', computed: false }, signal()))
    .toEqual({ kind: 'ok', version: 1, prev: { value: null, version: 0 }, txn: 't:w0-1-a0' })
  expect(await s.read('k1', signal())).toEqual({ value: 'w0-1-a0', version: 1 })
  expect(await s.write({ key: 'k1', value: null, txn: 't:w0-2-a0', computed: true }, signal()))
    .toEqual({ kind: 'ok', version: 2, prev: { value: 'w0-1-a0', version: 1 }, txn: 't:w0-2-a0' })
  expect(await s.read('k1', signal())).toEqual({ value: null, version: 2 })
})

test('the example client serialises concurrent writes of one key: versions 1..n, each prev the one before', async () => {
  const adapter = store(EXAMPLE)
  const s = await adapter.open('run-concurrent')
  const other = await adapter.open('run-other')
  const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => s.write({ key: 'k', value: `w${i}-1-a0`, txn: `t:w${i}-1-a0`, computed: true }, signal())))
  const versions = outcomes.map((o) => (o.kind === 'ok' ? o.version : -1)).sort((a, b) => a - b)
  expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
  for (const o of outcomes) if (o.kind === 'ok') expect(o.prev.version).toBe(o.version - 1)
  expect(await other.read('k', signal())).toEqual({ value: null, version: 0 })
})

test('answers are matched by id, whatever order they come in', async () => {
  // answers each read with the key as its value, the key "slow" 100 ms late
  const s = await store(inline(`const a = r.op === 'open' ? { id: r.id, ok: true } : { id: r.id, ok: true, value: r.key + '|', version: 7 }; setTimeout(() => reply(a), r.key === 'slow' ? 100 : 0)`)).open('run-order')
  const reads = await Promise.all(['slow', 'a', 'b', 'c'].map((k) => s.read(k, signal())))
  expect(reads).toEqual(['slow', 'a', 'b', 'c'].map((value) => ({ value, version: 7 })))
})

test('conflict, fail and unknown answers of a write', async () => {
  const s = await store(inline(`if (r.op === 'open') return reply({ id: r.id, ok: true });
    if (r.key === 'c') reply({ id: r.id, ok: false, conflict: true, error: 'precondition failed', prev: { value: 'x|..', version: 4 } });
    else if (r.key === 'f') reply({ id: r.id, ok: false, error: 'disk full' });
    else reply({ id: r.id, ok: false, unknown: true, error: 'timeout' })`)).open('run-outcomes')
  const write = (key: string) => s.write({ key, value: 'w0-1-a0', txn: 't:w0-1-a0', computed: false }, signal())
  expect(await write('c')).toEqual({ kind: 'conflict', error: 'precondition failed', prev: { value: 'x', version: 4 } })
  expect(await write('f')).toEqual({ kind: 'fail', error: 'disk full' })
  await expect(write('u')).rejects.toThrow(/outcome unknown: timeout/)
})

test('the stale client really returns stale reads', async () => {
  const s = await store(STALE).open('run-stale')
  for (let i = 1; i <= 3; i++) await s.write({ key: 'k', value: `w0-${i}-a0`, txn: `t:w0-${i}-a0`, computed: false }, signal())
  const reads = []
  for (let i = 0; i < 6; i++) reads.push(await s.read('k', signal()))
  expect(reads.filter((r) => r.version === 3)).toHaveLength(4)
  expect(reads.filter((r) => r.version < 3)).toEqual([{ value: 'w0-2-a0', version: 2 }, { value: 'w0-2-a0', version: 2 }])
})

test('an answer line that is not JSON is one clear error naming the command, the line and the text', async () => {
  const adapter = store(inline(`if (r.op === 'open') reply({ id: r.id, ok: true }); else line('hello, not json')`))
  const s = await adapter.open('run-bad-json')
  const error = await s.read('k', signal()).then(() => new Error('no error'), (e: unknown) => e as Error)
  expect(error).toBeInstanceOf(Error)
  expect(error.name).toBe('UserError')
  expect(error.message).toMatch(/^process store client `\S*node -e const reply = .{40,60}…` \(stdout\):2: not valid JSON: hello, not json; expected a JSON object/)
  expect(error.message).toContain('example-client.mjs')
  // fatal: later operations fail with the same message
  await expect(s.read('k2', signal())).rejects.toThrow(/:2: not valid JSON/)
  const pid = adapter.clientPid!
  await adapter.close()
  expect(isAlive(pid)).toBe(false)
})

test('an answer lacking a field is a clear error too', async () => {
  const s = await store(inline(`reply(r.op === 'open' ? { id: r.id, ok: true } : { id: r.id, ok: true, value: null })`)).open('run-bad-field')
  await expect(s.read('k', signal())).rejects.toThrow(/\(stdout\):2: a read answer: "version" is missing: \{"id":2,"ok":true,"value":null\}; expected an integer ≥ 0/)
  const s2 = await store(inline(`reply(r.op === 'open' ? { id: r.id, ok: true } : { id: r.id, ok: true, version: 1 })`)).open('run-bad-prev')
  await expect(s2.write({ key: 'k', value: 'w0-1-a0', txn: 't:w0-1-a0', computed: false }, signal())).rejects.toThrow(/"prev" missing or not an object/)
})

test('a client that exits early: operations in flight throw (unknown) with its exit code and stderr', async () => {
  const s = await store(inline(`if (r.op === 'open') reply({ id: r.id, ok: true }); else { process.stderr.write('boom: lost my store\\n'); process.exit(3) }`)).open('run-exit')
  await expect(s.write({ key: 'k', value: 'w0-1-a0', txn: 't:w0-1-a0', computed: false }, signal()))
    .rejects.toThrow(/exited \(exit code 3\) with 1 operation\(s\) unanswered \(outcome unknown\); its stderr ended: boom: lost my store/)
  await expect(s.read('k', signal())).rejects.toThrow(/exited \(exit code 3\)/)
})

test('an aborted operation throws (outcome unknown), and its late answer is dropped', async () => {
  const s = await store(inline(`setTimeout(() => reply(r.op === 'open' ? { id: r.id, ok: true } : { id: r.id, ok: true, value: null, version: 0 }), r.key === 'late' ? 300 : 0)`)).open('run-abort')
  await expect(s.read('late', AbortSignal.timeout(50))).rejects.toThrow(/read aborted.*outcome is unknown/)
  await new Promise((ok) => setTimeout(ok, 400)) // the late answer arrives and is dropped
  expect(await s.read('now', signal())).toEqual({ value: null, version: 0 })
})

test('close stops the client (even one that ignores EOF); nothing survives; safe twice', async () => {
  const polite = store(EXAMPLE)
  await polite.open('run-close')
  const politePid = polite.clientPid!
  await polite.close()
  await polite.close()
  expect(isAlive(politePid)).toBe(false)
  await expect(polite.open('run-again')).rejects.toThrow(/open after close/)

  const stubborn = store(EXAMPLE)
  await stubborn.open('run-stubborn')
  const stubbornPid = stubborn.clientPid!
  process.kill(stubbornPid, 'SIGSTOP') // cannot even read its EOF: close must kill its group
  await stubborn.close()
  expect(isAlive(stubbornPid)).toBe(false)
})

test('a missing program is a clear error naming chaos.process.command', async () => {
  await expect(store(['no-such-store-client-xyz']).open('run-missing')).rejects.toThrow(/chaos\.process\.command: 'no-such-store-client-xyz' is not on PATH/)
})
