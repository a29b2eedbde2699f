// The blob-manifest store against the real embedded Azurite: a commit race has exactly one winner
// (the other gets a conflict, nothing of it visible), reads return what was committed with its
// version, a delete leaves a tombstone version, segments are padded to value_size, the variant
// that ignores If-Match lets both racers win and loses the first one's write, requests can go
// through a proxy origin, and no SAS signature appears in an error.
import { createConnection, createServer, type Server } from 'node:net'
import { afterAll, expect, test } from 'vitest'
import { blobSize, getText } from '../../azure/store.ts'
import type { BlobTarget } from '../../azure/target.ts'
import { useAzurite } from '../../azure/test-support.ts'
import type { StoreAdapter, WriteRequest } from '../types.ts'
import { blobManifestStore, parseSegment } from './blob-manifest.ts'

let target: BlobTarget
useAzurite('manifest', (s) => (target = s.write))

const adapters: StoreAdapter[] = []
afterAll(async () => {
  for (const a of adapters) await a.close()
})

function store(options: { ignoreIfMatch?: boolean; origin?: string } = {}): StoreAdapter {
  const a = blobManifestStore({ target, valueSize: 256, ...options })
  adapters.push(a)
  return a
}

const live = () => AbortSignal.timeout(10_000)
const put = (key: string, value: string | null, txn: string): WriteRequest => ({ key, value, txn, computed: false })

test('two commits racing from the same HEAD: exactly one wins, the other gets a conflict and leaves no trace', async () => {
  const session = await store().open('race')
  const [a, b] = await Promise.all([session.write(put('k', 'va', 't:a'), live()), session.write(put('k', 'vb', 't:b'), live())])
  const kinds = [a.kind, b.kind].sort()
  expect(kinds).toEqual(['conflict', 'ok'])
  const winner = a.kind === 'ok' ? a : b
  const loser = a.kind === 'ok' ? b : a
  expect(winner).toMatchObject({ version: 1, prev: { value: null, version: 0 } })
  expect(loser.kind === 'conflict' && loser.error).toMatch(/HTTP 412/)
  const winnerValue = winner === a ? 'va' : 'vb'
  expect(await session.read('k', live())).toEqual({ value: winnerValue, version: 1 })
  const head = JSON.parse(await getText(target, 'race/HEAD')) as { version: number; last_seq: number; last_txn_id: string }
  expect(head).toMatchObject({ version: 1, last_seq: 1, last_txn_id: winner === a ? 't:a' : 't:b' })
  // the loser retries on the new HEAD and commits on top
  const retry = await session.write(put('k', 'vc', 't:c'), live())
  expect(retry).toEqual({ kind: 'ok', version: 2, prev: { value: winnerValue, version: 1 }, txn: 't:c' })
})

test('read returns the committed value and its version, padded on the wire and stripped on read; a delete leaves the version of the delete', async () => {
  const session = await store().open('rw')
  expect(await session.read('x', live())).toEqual({ value: null, version: 0 })
  expect(await session.write(put('x', 'w0-1-a0', 't:w0-1-a0'), live())).toEqual({ kind: 'ok', version: 1, prev: { value: null, version: 0 }, txn: 't:w0-1-a0' })
  expect(await session.write(put('y', 'w0-2-a0', 't:w0-2-a0'), live())).toMatchObject({ kind: 'ok', version: 2 })
  expect(await session.read('x', live())).toEqual({ value: 'w0-1-a0', version: 1 })
  expect(await session.read('y', live())).toEqual({ value: 'w0-2-a0', version: 2 })
  // the segment is value_size bytes, its record first
  expect(await blobSize(target, 'rw/seg/1-t:w0-1-a0')).toBe(256)
  const seg = await getText(target, 'rw/seg/1-t:w0-1-a0')
  expect(parseSegment(Buffer.from(seg))).toEqual({ key: 'x', value: 'w0-1-a0', txn: 't:w0-1-a0', version: 1 })
  // delete
  expect(await session.write(put('x', null, 't:w0-3-a0'), live())).toEqual({ kind: 'ok', version: 3, prev: { value: 'w0-1-a0', version: 1 }, txn: 't:w0-3-a0' })
  expect(await session.read('x', live())).toEqual({ value: null, version: 3 })
  expect(await session.read('y', live())).toEqual({ value: 'w0-2-a0', version: 2 })
  // written again after the delete
  expect(await session.write(put('x', 'w0-4-a0', 't:w0-4-a0'), live())).toEqual({ kind: 'ok', version: 4, prev: { value: null, version: 3 }, txn: 't:w0-4-a0' })
  expect(await session.read('x', live())).toEqual({ value: 'w0-4-a0', version: 4 })
})

test('open refuses a prefix that has a HEAD already', async () => {
  const adapter = store()
  await adapter.open('twice')
  await expect(adapter.open('twice')).rejects.toThrow(/HTTP 409.*fresh prefix/)
})

test('the variant that ignores If-Match lets both racers win; the later HEAD drops the earlier commit (a lost update)', async () => {
  const adapter = store({ ignoreIfMatch: true })
  expect(adapter.name).toBe('blob-manifest (ignores If-Match)')
  const session = await adapter.open('broken')
  const [a, b] = await Promise.all([session.write(put('p', 'vp', 't:p'), live()), session.write(put('q', 'vq', 't:q'), live())])
  expect(a).toMatchObject({ kind: 'ok', version: 1 })
  expect(b).toMatchObject({ kind: 'ok', version: 1 })
  const head = JSON.parse(await getText(target, 'broken/HEAD')) as { version: number; last_txn_id: string }
  expect(head.version).toBe(1)
  const [p, q] = [await session.read('p', live()), await session.read('q', live())]
  // exactly one of the two acknowledged writes is visible; the other vanished
  const visible = [p.value, q.value].filter((v) => v !== null)
  expect(visible).toHaveLength(1)
  expect(visible[0]).toBe(head.last_txn_id === 't:p' ? 'vp' : 'vq')
})

test('requests go to an origin override (a TCP forwarder standing in for the proxy)', async () => {
  const upstream = new URL(target.containerUrl)
  const seen: number[] = []
  const forwarder: Server = createServer((client) => {
    seen.push(1)
    const server = createConnection(Number(upstream.port), upstream.hostname)
    client.pipe(server).pipe(client)
    client.on('error', () => server.destroy())
    server.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve))
  try {
    const port = (forwarder.address() as { port: number }).port
    const adapter = store({ origin: `http://127.0.0.1:${port}` })
    const session = await adapter.open('proxied')
    expect(await session.write(put('k', 'v1', 't:1'), live())).toMatchObject({ kind: 'ok', version: 1 })
    expect(await session.read('k', live())).toEqual({ value: 'v1', version: 1 })
    expect(seen.length).toBeGreaterThan(0)
    await adapter.close()
  } finally {
    forwarder.close()
  }
})

test('an aborted signal throws its reason; an unreachable origin is named without a stack of undici internals', async () => {
  const session = await store().open('abort')
  const ctl = new AbortController()
  ctl.abort(new Error('timed out (test)'))
  await expect(session.write(put('k', 'v', 't:1'), ctl.signal)).rejects.toThrow('timed out (test)')
  await expect(session.read('k', ctl.signal)).rejects.toThrow('timed out (test)')
  // nothing listens on the proxy port
  const dead = createServer()
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
  const port = (dead.address() as { port: number }).port
  await new Promise<void>((resolve) => dead.close(() => resolve()))
  const viaDead = blobManifestStore({ target, valueSize: 16, origin: `http://127.0.0.1:${port}` })
  adapters.push(viaDead)
  await expect(viaDead.open('refused2')).rejects.toThrow(/host unreachable \(ECONNREFUSED\)/)
})

test('no SAS signature in any error message', async () => {
  const sig = /(?:^|&)sig=([^&]+)/.exec(target.sas)![1]!
  const tampered: BlobTarget = { ...target, sas: target.sas.replace(sig, encodeURIComponent('AAAA' + decodeURIComponent(sig).slice(4))) }
  const wrongSig = /(?:^|&)sig=([^&]+)/.exec(tampered.sas)![1]!
  const adapter = blobManifestStore({ target: tampered, valueSize: 16 })
  adapters.push(adapter)
  const error = await adapter.open('secret').then(() => null, (e: Error) => e)
  expect(error?.message).toMatch(/HTTP 403/)
  for (const s of [sig, wrongSig, decodeURIComponent(sig), decodeURIComponent(wrongSig)]) expect(error?.message).not.toContain(s)
})
