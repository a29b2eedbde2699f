// The Azure Blob part against a real Azurite, directly and through the loopback fault proxy: the
// sweep's figures, the test blob made where allowed, throttling retried and counted (and failing
// per point, not hanging, when it never stops), capped exponential backoff, a refusal ending the
// sweep with what was measured kept, and a hanging store cut off at probe.timeout_s.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startAzurite, type Azurite } from '../azure/azurite.ts'
import { startFaultProxy, type FaultProxy, type Inject } from '../azure/fault-proxy.ts'
import { BlobRequestError, blobSize, containerSas, createContainer, putBlob, type BlobTarget } from '../azure/store.ts'
import { isAlive } from '../run/cleanup.ts'
import { probeBlobTarget, type BlobOptions } from './blob.ts'
import type { BlobSpec } from './blob-targets.ts'
import { readBlobPass, streamsLabel, sweepBlob } from './blob-sweep.ts'
import { Progress } from './progress.ts'
import { BlobTargetSchema, type SweepPoint } from './schema.ts'
import { MIB } from './stats.ts'
import { lineSink } from './test-support.ts'

const CONTAINER = 'probe-blob'
const BLOB = 'benchgate-probe/probe-2MiB.bin'
const SIZE = 2 * MIB
let azurite: Azurite
let write: BlobTarget
let read: BlobTarget
const proxies: FaultProxy[] = []

beforeAll(async () => {
  azurite = await startAzurite()
  await createContainer(azurite, CONTAINER)
  write = containerSas(azurite, CONTAINER, { permissions: 'racwl' })
  await putBlob(write, BLOB, randomBytes(SIZE))
  await putBlob(write, 'empty.bin', Buffer.alloc(0))
  read = containerSas(azurite, CONTAINER, { permissions: 'r' })
})

afterAll(async () => {
  for (const p of proxies) await p.stop()
  await azurite?.stop()
  if (azurite) {
    expect(isAlive(azurite.pid)).toBe(false)
    expect(existsSync(azurite.location)).toBe(false)
  }
})

const OPTIONS: BlobOptions = {
  chunkSizesMib: [0.5, 1], streams: [1, 3], passes: 2, requestTimeoutMs: 10_000, retries: 5,
  blobSizeMib: 2, rttCount: 3, timeoutMs: 30_000, azcopy: false,
}

function spec(name: string, target: BlobTarget, over: Partial<BlobSpec> = {}): BlobSpec {
  return { name, source: 'sas_url', target, blob: BLOB, namedByUrl: false, create: false, ...over }
}

async function probe(s: BlobSpec, o: Partial<BlobOptions> = {}) {
  const { lines, sink } = lineSink()
  const outcome = await probeBlobTarget(s, { ...OPTIONS, ...o }, new Progress(10, sink))
  expect(BlobTargetSchema.parse(outcome.result)).toEqual(outcome.result)
  return { ...outcome, lines }
}

/** The read target through a new fault proxy. */
async function proxied(inject: Inject): Promise<{ proxy: FaultProxy; target: BlobTarget }> {
  const url = new URL(read.containerUrl)
  const proxy = await startFaultProxy({ upstream: url.origin, inject })
  proxies.push(proxy)
  return { proxy, target: { containerUrl: `${proxy.origin}${url.pathname}`, sas: read.sas } }
}

/** A ranged GET of the sweep (not the size check's first byte). */
const isSweepRead = (req: IncomingMessage) => req.method === 'GET' && req.headers.range !== undefined && req.headers.range !== 'bytes=0-0'

const sum = (points: readonly SweepPoint[], f: (p: SweepPoint) => number) => points.reduce((n, p) => n + f(p), 0)

describe('a readable target', () => {
  let outcome: Awaited<ReturnType<typeof probe>>
  beforeAll(async () => {
    outcome = await probe(spec('azurite-r', read))
  })

  test('round-trip time, the blob size, and every chunk size × stream count with its passes', () => {
    const { result } = outcome
    expect(result).toMatchObject({ name: 'azurite-r', source: 'sas_url', container: read.containerUrl, blob: BLOB, blob_bytes: SIZE, created: false, ok: true })
    expect(result.error).toBeUndefined()
    expect(result.rtt).toMatchObject({ method: 'tcp-connect', host: '127.0.0.1', port: Number(new URL(read.containerUrl).port), attempts: 3, errors: [] })
    expect(result.sweep.map((p) => [p.chunk_mib, p.streams])).toEqual([[0.5, 1], [0.5, 3], [1, 1], [1, 3]])
    for (const p of result.sweep) {
      const label = `${p.chunk_mib} × ${p.streams}`
      const chunks = SIZE / p.chunk_bytes
      expect(p.passes, label).toBe(2)
      expect(p.bytes, label).toBe(2 * SIZE)
      expect(p.requests, label).toBe(2 * chunks)
      expect(p.chunk_ms.n, label).toBe(2 * chunks)
      expect(p.MB_s_passes, label).toHaveLength(2)
      expect(p.MB_s!, label).toBeGreaterThan(0)
      expect(p.ttfb_ms_p50!, label).toBeGreaterThan(0)
      expect([p.retries, p.errors, p.timeouts], label).toEqual([0, 0, 0])
      expect(p.throttled, label).toEqual({ '429': 0, '500': 0, '503': 0 })
    }
  })

  test('the best configuration is the fastest point, with its p99', () => {
    const { result } = outcome
    const fastest = result.sweep.reduce((a, b) => (b.MB_s! > a.MB_s! ? b : a))
    expect(result.best).toEqual({ chunk_mib: fastest.chunk_mib, streams: fastest.streams, MB_s: fastest.MB_s, chunk_p99_ms: fastest.chunk_ms.p99 })
    expect(outcome.lines.at(-1)).toBe(`probe: blob azurite-r: best ${streamsLabel(fastest)}, ${fastest.MB_s!.toFixed(0)} MB/s`)
  })

  test('per-chunk times by point for the latency chart, and progress per pass', () => {
    expect([...outcome.latencies.keys()]).toEqual(['0.5 MiB × 1', '0.5 MiB × 3', '1 MiB × 1', '1 MiB × 3'])
    expect(outcome.latencies.get('1 MiB × 3')).toHaveLength(4)
    const steps = outcome.lines.filter((l) => l.startsWith('probe ['))
    expect(steps).toHaveLength(1 + 4 * 2)
    expect(steps[0]).toMatch(/blob azurite-r: 2\.0 MiB test blob, RTT avg [\d.]+ ms/)
  })
})

describe('the test blob', () => {
  test('missing, create allowed and a SAS that may write: uploaded at the configured size, then measured', async () => {
    const name = 'made/by-probe.bin'
    const { result, lines } = await probe(spec('made', write, { blob: name, create: true }), { chunkSizesMib: [1], streams: [1], passes: 1, blobSizeMib: 1.5 })
    expect(result).toMatchObject({ ok: true, created: true, blob_bytes: 1.5 * MIB })
    expect(await blobSize(read, name)).toBe(1.5 * MIB)
    expect(lines).toContain("probe: blob made: uploaded the 1.5 MiB test blob 'made/by-probe.bin'")
    expect(result.sweep[0]!.bytes).toBe(1.5 * MIB)
  })

  test('missing and create off: one line with the hint to create it', async () => {
    const { result } = await probe(spec('absent', read, { blob: 'not/there.bin' }))
    expect(result.ok).toBe(false)
    expect(result.error).toBe("not found (no such blob 'not/there.bin'; hint: set probe.create: true (or pass --create) with a SAS that may write, or upload a test blob named 'not/there.bin')")
    expect(result.blob_bytes).toBeNull()
    expect(result.sweep).toEqual([])
  })

  test('empty: says so instead of dividing by nothing', async () => {
    const { result } = await probe(spec('empty', read, { blob: 'empty.bin' }))
    expect(result.error).toBe("the test blob 'empty.bin' is empty")
    expect(result.blob_bytes).toBe(0)
  })
})

describe('throttling', () => {
  test('503s on some chunks: the sweep completes, each is retried and counted, no errors', async () => {
    // the first request for every other range gets a 503; its retry (a later request) goes through
    const seen = new Set<string>()
    const throttled = new Set<string>()
    const { proxy, target } = await proxied((_, req) => {
      if (!isSweepRead(req)) return null
      const key = req.headers.range!
      const first = !seen.has(key)
      seen.add(key)
      const start = Number(/bytes=(\d+)-/.exec(key)![1])
      if (first && (start / (MIB / 2)) % 2 === 0) {
        throttled.add(key)
        return 503
      }
      return null
    })
    const points: SweepPoint[] = []
    await sweepBlob(target, BLOB, SIZE, { chunkSizesMib: [0.5, 1], streams: [1, 2], passes: 1, requestTimeoutMs: 10_000, retries: 3 }, points, () => {})
    expect(proxy.injected).toBeGreaterThan(0)
    expect(proxy.injected).toBe(throttled.size)
    expect(points).toHaveLength(4)
    expect(sum(points, (p) => p.errors)).toBe(0)
    expect(sum(points, (p) => p.retries)).toBe(proxy.injected)
    expect(sum(points, (p) => p.throttled['503'])).toBe(proxy.injected)
    expect(sum(points, (p) => p.requests)).toBe(proxy.requests)
    for (const p of points) {
      expect(p.bytes).toBe(SIZE)
      expect(p.MB_s!).toBeGreaterThan(0)
    }
  })

  test('a store that always answers 503: every point records its failed chunks and the sweep ends (no hang)', async () => {
    const { proxy, target } = await proxied((_, req) => (isSweepRead(req) ? 503 : null))
    const points: SweepPoint[] = []
    const passes: string[] = []
    await sweepBlob(target, BLOB, SIZE, { chunkSizesMib: [0.5, 1], streams: [1, 2], passes: 1, requestTimeoutMs: 10_000, retries: 1 }, points, (t) => passes.push(t))
    expect(points).toHaveLength(4)
    for (const p of points) {
      const chunks = SIZE / p.chunk_bytes
      expect(p.errors).toBe(chunks)
      expect(p.retries).toBe(chunks) // one retry each, then given up
      expect(p.requests).toBe(2 * chunks)
      expect(p.bytes).toBe(0)
      expect(p.throttled['503'], 'every 503 answer counted, of chunks that finally failed too').toBe(2 * chunks)
      expect(p.MB_s, 'nothing measured, no figure').toBeNull()
      expect(p.error).toMatch(/store busy \(throttled\) \(HTTP 503 ServerBusy; hint: /)
      expect(p.error).not.toContain(read.sas)
    }
    expect(sum(points, (p) => p.requests)).toBe(proxy.injected)
    expect(passes[0]).toMatch(/^0\.5 MiB × 1 stream, pass 1\/1: 0 MB\/s, 4 retries, 4 chunks failed$/)
  })

  test('retries back off exponentially within a bound: 1st wait 50–100 ms, then 100–200, 200–400', async () => {
    let left = 3
    const { target } = await proxied((_, req) => (isSweepRead(req) && req.headers.range === `bytes=0-${MIB - 1}` && left-- > 0 ? 503 : null))
    const pass = await readBlobPass(target, BLOB, SIZE, MIB, 1, { requestTimeoutMs: 10_000, retries: 5 })
    const first = pass.records.find((r) => r.offset === 0)!
    const second = pass.records.find((r) => r.offset === MIB)!
    expect(first.retriedOn).toEqual(['503', '503', '503'])
    expect(first.attempts).toBe(4)
    // the computed waits, not the clock: base 100 ms doubled per retry, each half fixed, half jitter
    expect(first.backoffMs).toBeGreaterThanOrEqual(50 + 100 + 200)
    expect(first.backoffMs).toBeLessThanOrEqual(100 + 200 + 400)
    expect(second).toMatchObject({ attempts: 1, retriedOn: [], backoffMs: 0 })
    expect(pass.stats).toMatchObject({ requests: 5, retries: 3, throttled: 3 })
    expect(pass.cpuSeconds).toBeGreaterThan(0)
  })
})

describe('a refusal mid-sweep', () => {
  test('ends the sweep at once with one line, keeping the points already measured', async () => {
    let refuse = false
    const { target } = await proxied((_, req) => (refuse && isSweepRead(req) ? 403 : null))
    const points: SweepPoint[] = []
    const e = await sweepBlob(target, BLOB, SIZE, { chunkSizesMib: [1], streams: [1, 2, 3], passes: 1, requestTimeoutMs: 10_000, retries: 5 }, points, () => {
      refuse = true
    }).then(() => undefined, (err: unknown) => err)
    expect(e).toBeInstanceOf(BlobRequestError)
    expect((e as BlobRequestError).status).toBe(403)
    expect(points).toHaveLength(1)
    expect(points[0]).toMatchObject({ streams: 1, errors: 0, bytes: SIZE })
  })

  test('through the probe: the target fails naming the cause, its measured points stay in the record', async () => {
    let refuse = false
    const { target } = await proxied((_, req) => (refuse && isSweepRead(req) ? 403 : null))
    const { lines, sink } = lineSink()
    const outcome = await probeBlobTarget(spec('refused', target), { ...OPTIONS, chunkSizesMib: [1], streams: [1, 2], passes: 1 }, new Progress(3, (l) => {
      sink(l)
      if (l.includes('pass 1/1')) refuse = true
    }))
    expect(outcome.result.ok).toBe(false)
    expect(outcome.result.error).toMatch(/^request refused by the store \(Injected403\) \(blob 'benchgate-probe\/probe-2MiB\.bin'; HTTP 403 Injected403; hint: /)
    expect(outcome.result.sweep).toHaveLength(1)
    expect(lines.filter((l) => l.startsWith('probe ['))).toHaveLength(2)
  })
})

describe('a store that hangs is cut off at probe.timeout_s', () => {
  test('hanging from the first request: fails with the deadline line, nothing made up', async () => {
    const { proxy, target } = await proxied(() => 'hang')
    const { result } = await probe(spec('hang-all', target), { timeoutMs: 1500 })
    expect(proxy.injected).toBeGreaterThan(0)
    expect(result.ok).toBe(false)
    expect(result.error).toBe("blob target 'hang-all' timed out after 1.5 s (probe.timeout_s)")
    expect(result.blob_bytes).toBeNull()
    expect(result.sweep).toEqual([])
    expect(result.best).toBeNull()
  }, 20_000)

  test('hanging in the sweep (per-request timeout far longer): the deadline ends it, the size and RTT are kept', async () => {
    const { target } = await proxied((_, req) => (isSweepRead(req) ? 'hang' : null))
    const { result } = await probe(spec('hang-sweep', target), { timeoutMs: 1500, requestTimeoutMs: 60_000 })
    expect(result.ok).toBe(false)
    expect(result.error).toBe("blob target 'hang-sweep' timed out after 1.5 s (probe.timeout_s)")
    expect(result.blob_bytes).toBe(SIZE)
    expect(result.rtt).toMatchObject({ method: 'tcp-connect', errors: [] })
    expect(result.sweep).toEqual([])
  }, 20_000)
})
