// The ranged-GET client against a real Azurite, directly and through the fault proxy: byte-equal
// round trips of whole blobs and sub-ranges, clear errors without retries for 403/404, retries
// on injected 503s, 429 with Retry-After, hangs and resets, and the bound on requests in flight;
// drain (its own transport, ./drain-pool.ts) through the same faults, and a server ignoring Range.
// Waits are checked through the computed backoff the records carry, never through the clock.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest'
import { signatureValues } from '../config/sas.ts'
import { isAlive } from '../run/cleanup.ts'
import { startAzurite, type Azurite } from './azurite.ts'
import { startFaultProxy, type FaultProxy, type Inject } from './fault-proxy.ts'
import { RangedGetClient, type RangedGetOptions, type RequestRecord } from './ranged-get.ts'
import { BlobRequestError, containerSas, createContainer, putBlob, uploadBlobs, type BlobTarget } from './store.ts'
import { closedPort } from './test-support.ts'

const CONTAINER = 'ranged-get'
const blobs = new Map<string, Buffer>()
let azurite: Azurite
let read: BlobTarget
const open: { close(): Promise<void> }[] = []
const proxies: FaultProxy[] = []

beforeAll(async () => {
  azurite = await startAzurite()
  await createContainer(azurite, CONTAINER)
  const write = containerSas(azurite, CONTAINER, { permissions: 'racwl' })
  for (let i = 0; i < 6; i++) blobs.set(`vol/chunk-${i}.bin`, randomBytes(64 * 1024 + i * 977))
  blobs.set('vol/odd name #1.bin', randomBytes(5000))
  await uploadBlobs(write, [...blobs].map(([name, bytes]) => ({ name, bytes })), { concurrency: 4 })
  await putBlob(write, 'vol/empty.bin', Buffer.alloc(0))
  read = containerSas(azurite, CONTAINER, { permissions: 'r' })
})

afterAll(async () => {
  for (const c of open) await c.close()
  for (const p of proxies) await p.stop()
  await azurite?.stop()
  if (azurite) {
    expect(isAlive(azurite.pid)).toBe(false)
    expect(existsSync(azurite.location)).toBe(false)
  }
})

function client(target: BlobTarget, options?: RangedGetOptions): RangedGetClient {
  const c = new RangedGetClient(target, options)
  open.push(c)
  return c
}

async function proxied(inject?: Inject): Promise<{ proxy: FaultProxy; target: BlobTarget }> {
  const url = new URL(read.containerUrl)
  const proxy = await startFaultProxy({ upstream: url.origin, inject })
  proxies.push(proxy)
  return { proxy, target: { containerUrl: `${proxy.origin}${url.pathname}`, sas: read.sas } }
}

async function rejection(p: Promise<unknown>, target: BlobTarget): Promise<BlobRequestError> {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(BlobRequestError)
  const err = e as BlobRequestError
  for (const sig of signatureValues(target.sas)) {
    expect(err.message).not.toContain(sig)
    expect(err.message).not.toContain(decodeURIComponent(sig))
  }
  return err
}

describe('reads through a read-only SAS', () => {
  test('the client takes only a BlobTarget (a URL and a SAS), never a key', () => {
    expectTypeOf<ConstructorParameters<typeof RangedGetClient>[0]>().toEqualTypeOf<BlobTarget>()
    expectTypeOf<keyof BlobTarget>().toEqualTypeOf<'containerUrl' | 'sas'>()
  })

  test('whole blobs and sub-ranges come back byte-equal, each with its record', async () => {
    const records: RequestRecord[] = []
    const c = client(read, { onRequest: (r) => records.push(r) })
    for (const [name, bytes] of blobs) {
      const whole = await c.get(name)
      expect(whole.bytes.equals(bytes), name).toBe(true)
      expect(whole.record).toMatchObject({ blob: name, offset: 0, length: bytes.length, status: 206, bytes: bytes.length, attempts: 1, retriedOn: [], backoffMs: 0 })
      const third = Math.floor(bytes.length / 3)
      for (const [offset, length] of [[0, 1], [1, 4096], [bytes.length - 100, 100], [third, third]]) {
        const part = await c.get(name, { offset: offset!, length: length! })
        expect(part.bytes.equals(bytes.subarray(offset, offset! + length!)), `${name} ${offset}+${length}`).toBe(true)
        expect(part.record).toMatchObject({ offset, length, bytes: length, status: 206 })
        expect(part.record.latencyMs).toBeGreaterThanOrEqual(part.record.ttfbMs)
        expect(part.record.totalMs).toBeGreaterThanOrEqual(part.record.latencyMs)
      }
    }
    expect(records).toHaveLength(blobs.size * 5)
    expect(c.stats).toEqual({ requests: blobs.size * 5, retries: 0, throttled: 0, throttledByStatus: {}, timeouts: 0, errors: 0 })
  })

  test('drain reads the same ranges as get, counting the bytes and keeping none', async () => {
    const records: RequestRecord[] = []
    const c = client(read, { concurrency: 2, onRequest: (r) => records.push(r) })
    const bytes = blobs.get('vol/chunk-5.bin')!
    expect(await c.drain('vol/chunk-5.bin')).toMatchObject({ offset: 0, length: bytes.length, bytes: bytes.length, status: 206, attempts: 1 })
    expect(await c.drain('vol/chunk-5.bin', { offset: 7, length: 4000 })).toMatchObject({ offset: 7, length: 4000, bytes: 4000, status: 206 })
    expect((await c.drain('vol/empty.bin')).bytes).toBe(0)
    const past = await rejection(c.drain('vol/chunk-5.bin', { offset: bytes.length - 10, length: 20 }), read)
    expect(past.message).toContain(`range past the end of the blob (size ${bytes.length}`)
    await expect(c.drain('vol/chunk-5.bin', { offset: -1, length: 1 })).rejects.toThrow(/RangedGetClient\.drain: offset/)
    expect(records).toHaveLength(3)
    expect(c.stats).toMatchObject({ requests: 4, errors: 1 })
  })

  test('a server that ignores Range: get cuts the slice out of the whole blob, drain counts the range, both check its end', async () => {
    const whole = randomBytes(10_000)
    const server = createServer((_, res) => res.writeHead(200, { 'content-length': whole.length }).end(whole))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    try {
      const target = { containerUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/acct/c`, sas: 'sv=1&sig=abc' }
      const c = client(target)
      const got = await c.get('b', { offset: 100, length: 50 })
      expect(got.bytes.equals(whole.subarray(100, 150))).toBe(true)
      expect(got.record).toMatchObject({ status: 200, bytes: 50, length: 50 })
      expect(await c.drain('b', { offset: 100, length: 50 })).toMatchObject({ status: 200, bytes: 50, length: 50 })
      expect(await c.drain('b')).toMatchObject({ status: 200, bytes: whole.length, length: whole.length })
      for (const read of [() => c.get('b', { offset: 9990, length: 20 }), () => c.drain('b', { offset: 9990, length: 20 })]) {
        expect((await rejection(read(), target)).message).toContain('range past the end of the blob (size 10000')
      }
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  test('many reads at once all arrive intact', async () => {
    const c = client(read, { concurrency: 3 })
    const names = [...blobs.keys()]
    const got = await Promise.all(Array.from({ length: 30 }, (_, i) => c.get(names[i % names.length]!, { offset: i * 10, length: 2000 })))
    got.forEach((g, i) => expect(g.bytes.equals(blobs.get(names[i % names.length]!)!.subarray(i * 10, i * 10 + 2000))).toBe(true))
  })

  test('an empty blob reads as zero bytes; a range past the end is a clear error', async () => {
    const c = client(read)
    expect((await c.get('vol/empty.bin')).bytes.length).toBe(0)
    const size = blobs.get('vol/chunk-0.bin')!.length
    const past = await rejection(c.get('vol/chunk-0.bin', { offset: size - 10, length: 20 }), read)
    expect(past.message).toContain(`range past the end of the blob (size ${size}`)
    const outside = await rejection(c.get('vol/chunk-0.bin', { offset: size + 10, length: 20 }), read)
    expect(outside.status).toBe(416)
    await expect(c.get('vol/chunk-0.bin', { offset: 0, length: 0 })).rejects.toThrow(RangeError)
  })

  test('403 and 404 throw at once, without retries and without the signature', async () => {
    const { proxy, target } = await proxied()
    const expired = { ...target, sas: containerSas(azurite, CONTAINER, { permissions: 'r', expiresOn: new Date(Date.now() - 60_000) }).sas }
    const c1 = client(expired)
    const denied = await rejection(c1.get('vol/chunk-1.bin'), expired)
    expect(denied.status).toBe(403)
    expect(denied.reason).toMatch(/^SAS signature invalid or expired/)
    expect(proxy.requests).toBe(1)
    const c2 = client(target)
    const missing = await rejection(c2.get('vol/missing.bin', { offset: 0, length: 10 }), target)
    expect(missing.status).toBe(404)
    expect(missing.code).toBe('BlobNotFound')
    expect(missing.message).toContain("GET 'vol/missing.bin'")
    expect(missing.message).toContain('not found')
    expect(proxy.requests).toBe(2)
    expect(c1.stats).toMatchObject({ requests: 1, retries: 0, errors: 1 })
    expect(c2.stats).toMatchObject({ requests: 1, retries: 0, errors: 1 })
  })

  test('an unreachable host is a clear error', async () => {
    const down = { ...read, containerUrl: `http://127.0.0.1:${await closedPort()}/devstoreaccount1/${CONTAINER}` }
    const err = await rejection(client(down, { retries: 1, backoffMs: 1 }).get('vol/chunk-0.bin'), down)
    expect(err.status).toBe(0)
    expect(err.reason).toBe('host unreachable')
  })
})

describe('faults injected by the proxy', () => {
  test('every third request answered 503: every read succeeds, and the retries are counted', async () => {
    const { proxy, target } = await proxied((n) => (n % 3 === 2 ? 503 : null))
    const records: RequestRecord[] = []
    const c = client(target, { concurrency: 2, backoffMs: 1, maxBackoffMs: 5, onRequest: (r) => records.push(r) })
    const names = [...blobs.keys()]
    for (let round = 0; round < 3; round++) {
      for (const name of names) expect((await c.get(name)).bytes.equals(blobs.get(name)!)).toBe(true)
    }
    expect(proxy.injected).toBeGreaterThan(0)
    expect(c.stats.retries).toBe(proxy.injected)
    expect(c.stats.throttled).toBe(proxy.injected)
    expect(c.stats.throttledByStatus).toEqual({ '503': proxy.injected })
    expect(c.stats.requests).toBe(proxy.requests)
    expect(c.stats.errors).toBe(0)
    expect(records.flatMap((r) => r.retriedOn)).toEqual(Array(proxy.injected).fill('503'))
    expect(records.reduce((n, r) => n + r.attempts - 1, 0)).toBe(proxy.injected)
  })

  test('429 with Retry-After: the wait honours it, capped by maxBackoffMs', async () => {
    const { target } = await proxied((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : null))
    const c = client(target, { backoffMs: 1 })
    const got = await c.get('vol/chunk-2.bin', { offset: 100, length: 1000 })
    expect(got.bytes.equals(blobs.get('vol/chunk-2.bin')!.subarray(100, 1100))).toBe(true)
    expect(got.record.retriedOn).toEqual(['429'])
    expect(got.record.backoffMs).toBe(1000)
    expect(c.stats.throttled).toBe(1)

    const capped = await proxied((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '3600' } } : null))
    const c2 = client(capped.target, { backoffMs: 1, maxBackoffMs: 20 })
    const got2 = await c2.get('vol/chunk-2.bin', { offset: 0, length: 10 })
    expect(got2.record.retriedOn).toEqual(['429'])
    expect(got2.record.backoffMs).toBe(20)
  })

  test('a request that never gets an answer ends by timeout and is retried', async () => {
    const { proxy, target } = await proxied((n) => (n === 0 ? 'hang' : null))
    const c = client(target, { timeoutMs: 300, backoffMs: 1 })
    const got = await c.get('vol/chunk-3.bin')
    expect(got.bytes.equals(blobs.get('vol/chunk-3.bin')!)).toBe(true)
    expect(got.record.retriedOn).toEqual(['timeout'])
    expect(got.record.attempts).toBe(2)
    expect(c.stats).toMatchObject({ requests: 2, retries: 1, timeouts: 1, errors: 0 })
    expect(proxy.requests).toBe(2)
  })

  test('a dropped connection is retried', async () => {
    const { target } = await proxied((n) => (n === 0 ? 'reset' : null))
    const c = client(target, { backoffMs: 1 })
    const got = await c.get('vol/chunk-4.bin', { offset: 10, length: 10 })
    expect(got.bytes.equals(blobs.get('vol/chunk-4.bin')!.subarray(10, 20))).toBe(true)
    expect(got.record.retriedOn).toEqual(['reset'])
  })

  test('retries are bounded: a store that stays busy gives a clear error after retries + 1 attempts', async () => {
    const { proxy, target } = await proxied(() => 503)
    const c = client(target, { retries: 2, backoffMs: 1 })
    const err = await rejection(c.get('vol/chunk-5.bin'), target)
    expect(err.status).toBe(503)
    expect(err.code).toBe('ServerBusy')
    expect(err.reason).toBe('store busy (throttled)')
    expect(proxy.requests).toBe(3)
    expect(c.stats).toEqual({ requests: 3, retries: 2, throttled: 3, throttledByStatus: { '503': 3 }, timeouts: 0, errors: 1 })
  })

  test('at most `concurrency` requests are in flight; the rest queue', async () => {
    const { proxy, target } = await proxied(() => ({ delayMs: 30 }))
    const c = client(target, { concurrency: 4 })
    const names = [...blobs.keys()]
    const got = await Promise.all(Array.from({ length: 24 }, (_, i) => c.get(names[i % names.length]!, { offset: 0, length: 512 })))
    expect(got).toHaveLength(24)
    expect(proxy.requests).toBe(24)
    expect(proxy.maxInFlight).toBe(4)
  })

  test('drain has the retries and errors of get: 503s, a hang, a reset, 404 at once, over kept-alive connections', async () => {
    const { proxy, target } = await proxied((n) => (n % 3 === 2 ? 503 : null))
    const records: RequestRecord[] = []
    const c = client(target, { concurrency: 2, backoffMs: 1, maxBackoffMs: 5, onRequest: (r) => records.push(r) })
    for (let round = 0; round < 3; round++) {
      for (const [name, bytes] of blobs) expect((await c.drain(name)).bytes).toBe(bytes.length)
    }
    expect(proxy.injected).toBeGreaterThan(0)
    expect(c.stats).toEqual({ requests: proxy.requests, retries: proxy.injected, throttled: proxy.injected, throttledByStatus: { '503': proxy.injected }, timeouts: 0, errors: 0 })
    expect(records.flatMap((r) => r.retriedOn)).toEqual(Array(proxy.injected).fill('503'))

    const hang = await proxied((n) => (n === 0 ? 'hang' : null))
    const slow = client(hang.target, { timeoutMs: 300, backoffMs: 1 })
    expect(await slow.drain('vol/chunk-3.bin')).toMatchObject({ bytes: blobs.get('vol/chunk-3.bin')!.length, attempts: 2, retriedOn: ['timeout'] })
    expect(slow.stats).toMatchObject({ requests: 2, retries: 1, timeouts: 1, errors: 0 })

    const reset = await proxied((n) => (n === 0 ? 'reset' : null))
    expect(await client(reset.target, { backoffMs: 1 }).drain('vol/chunk-4.bin', { offset: 10, length: 10 })).toMatchObject({ bytes: 10, retriedOn: ['reset'] })

    const missing = await rejection(client(target).drain('vol/missing.bin', { offset: 0, length: 10 }), target)
    expect(missing).toMatchObject({ status: 404, code: 'BlobNotFound' })

    const down = { ...read, containerUrl: `http://127.0.0.1:${await closedPort()}/devstoreaccount1/${CONTAINER}` }
    expect(await rejection(client(down, { retries: 1, backoffMs: 1 }).drain('vol/chunk-0.bin'), down)).toMatchObject({ status: 0, reason: 'host unreachable' })
  })

  test.each(['get', 'drain'] as const)('aborting the signal ends queued and running %s calls with its reason', async (method) => {
    const { target } = await proxied(() => 'hang')
    const controller = new AbortController()
    const c = client(target, { concurrency: 1, signal: controller.signal })
    const running = c[method]('vol/chunk-0.bin').catch((e: unknown) => e)
    const queued = c[method]('vol/chunk-1.bin').catch((e: unknown) => e)
    await new Promise((r) => setTimeout(r, 50))
    const reason = new Error('stop now')
    controller.abort(reason)
    expect(await running).toBe(reason)
    expect(await queued).toBe(reason)
    expect(c.stats.errors).toBe(2)
  })
})
