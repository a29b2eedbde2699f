import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openModelLoad } from './open-model.ts'
import type { HttpRequestKind, LoadSpec } from './types.ts'

let server: Server
let url = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('slow'), 30)
    else res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const kind = (path: string, weight = 1, expectStatus = [200]): HttpRequestKind => ({ name: path, weight, method: 'GET', path, headers: {}, expectStatus })

function spec(overrides: Partial<LoadSpec>): LoadSpec {
  return {
    target: { protocol: 'http', url, requests: [kind('/')] },
    arrival: { model: 'constant', rate: 100 },
    connections: 2,
    warmupS: 0.1,
    durationS: 0.5,
    timeoutMs: 2000,
    lateMs: 50,
    maxQueue: 10_000,
    seed: 1,
    threads: 1,
    ...overrides,
  }
}

describe('openModelLoad on loopback', () => {
  it('open model: the schedule is kept, the mix followed, late and dropped counted; closed model over two threads', async () => {
    // 1. 400 requests/s over 0.5 s, a quarter of them expecting 404 (the server says 200: errors)
    const open = await openModelLoad(spec({ target: { protocol: 'http', url, requests: [kind('/', 3), kind('/', 1, [404])] }, arrival: { model: 'constant', rate: 400 } }))
    expect(open.model).toBe('open')
    expect(open.offeredRate).toBe(400)
    expect(open.scheduled).toBe(200)
    expect(open.dropped).toBe(0)
    expect(open.completed + open.errors).toBe(200)
    expect(open.errorKinds['status 200']).toBe(open.errors)
    expect(open.errors / 200).toBeGreaterThan(0.15)
    expect(open.errors / 200).toBeLessThan(0.35)
    expect(open.corrected!.count).toBe(open.completed)
    expect(open.corrected!.p50).toBeGreaterThanOrEqual(open.uncorrected.p50)
    expect(open.timeline).toHaveLength(1)
    expect(open.generatorCpu!.userS).toBeGreaterThan(0)
    expect(open.histograms?.corrected).toBeTruthy()

    // 2. one connection, 30 ms per answer (≈ 33/s), 200/s offered, at most 3 waiting: drops and lateness
    const over = await openModelLoad(spec({ target: { protocol: 'http', url, requests: [kind('/slow')] }, arrival: { model: 'constant', rate: 200 }, connections: 1, maxQueue: 3, durationS: 0.4, warmupS: 0 }))
    expect(over.scheduled).toBe(80)
    expect(over.dropped).toBeGreaterThan(40)
    expect(over.sent + over.dropped).toBe(over.scheduled)
    expect(over.late).toBeGreaterThan(0)
    expect(over.corrected!.max).toBeGreaterThan(over.uncorrected.max)

    // 3. closed model, 4 connections over 2 worker threads, results merged
    const closed = await openModelLoad(spec({ arrival: { model: 'closed' }, connections: 4, threads: 2, durationS: 0.3 }))
    expect(closed.model).toBe('closed')
    expect(closed.offeredRate).toBeNull()
    expect(closed.completed).toBeGreaterThan(100)
    expect(closed.errors).toBe(0)
    expect(closed.corrected).toEqual(closed.uncorrected)
    expect(closed.uncorrected.count).toBe(closed.completed)
    expect(closed.throughput).toBeCloseTo(closed.completed / 0.3, 6)
  })

  it('names the bad field of a spec, and aborting ends the run marked interrupted', async () => {
    await expect(openModelLoad(spec({ connections: 0 }))).rejects.toThrow(/^load spec: connections: expected a whole number > 0, got 0$/)
    await expect(openModelLoad(spec({ arrival: { model: 'poisson', rate: -1, seed: 1 } }))).rejects.toThrow(/arrival\.rate/)
    await expect(openModelLoad(spec({ target: { protocol: 'http', url: 'not a url', requests: [kind('/')] } }))).rejects.toThrow(/target\.url/)
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 300)
    const r = await openModelLoad(spec({ durationS: 30, warmupS: 0, signal: abort.signal }))
    expect(r.interrupted).toBe(true)
    expect(r.scheduled).toBeLessThan(60)
    expect(r.throughput).toBeGreaterThan(50)
  })
})
