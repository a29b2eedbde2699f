// The fault proxy against a real Azurite: it forwards methods, headers and bodies both ways
// (an upload and a read-back through it), answers injected statuses in Azure's error format,
// turns a dead upstream into 502, and stop() ends even requests left hanging.
import { request } from 'undici'
import { expect, test } from 'vitest'
import type { Azurite } from './azurite.ts'
import { startFaultProxy } from './fault-proxy.ts'
import { blobExists, getText, putBlob, type BlobTarget } from './store.ts'
import { closedPort, useAzurite } from './test-support.ts'

const CONTAINER = 'fault-proxy'
let azurite: Azurite
let write: BlobTarget
useAzurite(CONTAINER, (s) => ({ azurite, write } = s))

function via(origin: string, target: BlobTarget): BlobTarget {
  return { ...target, containerUrl: `${origin}${new URL(target.containerUrl).pathname}` }
}

test('forwards PUT bodies, GET and HEAD both ways, counting requests', async () => {
  const proxy = await startFaultProxy({ upstream: new URL(azurite.endpoint).origin })
  try {
    const through = via(proxy.origin, write)
    const body = Buffer.alloc(300_000, 7).toString('latin1')
    await putBlob(through, 'p/big.txt', body)
    expect(await getText(write, 'p/big.txt')).toBe(body) // written upstream
    expect(await getText(through, 'p/big.txt')).toBe(body)
    expect(await blobExists(through, 'p/big.txt')).toBe(true)
    expect(await blobExists(through, 'p/none.txt')).toBe(false)
    expect(proxy.requests).toBe(4)
    expect(proxy.injected).toBe(0)
    expect(proxy.inFlight).toBe(0)
  } finally {
    await proxy.stop()
  }
})

test('answers injected statuses with Azure error codes and extra headers', async () => {
  const proxy = await startFaultProxy({
    upstream: new URL(azurite.endpoint).origin,
    inject: (n, req) => (n === 0 ? 503 : n === 1 ? { status: 429, headers: { 'retry-after': '7' } } : req.method === 'DELETE' ? 500 : null),
  })
  try {
    const first = await request(`${proxy.origin}/anything`)
    expect(first.statusCode).toBe(503)
    expect(first.headers['x-ms-error-code']).toBe('ServerBusy')
    expect(await first.body.text()).toContain('<Code>ServerBusy</Code>')
    const second = await request(`${proxy.origin}/anything`)
    expect(second.statusCode).toBe(429)
    expect(second.headers['retry-after']).toBe('7')
    await second.body.dump()
    const third = await request(`${proxy.origin}/x`, { method: 'DELETE' })
    expect(third.statusCode).toBe(500)
    await third.body.dump()
    expect(proxy.injected).toBe(3)
  } finally {
    await proxy.stop()
  }
})

test('a dead upstream gives 502; stop() ends requests left hanging', async () => {
  const dead = await startFaultProxy({ upstream: `http://127.0.0.1:${await closedPort()}` })
  const res = await request(`${dead.origin}/x`)
  expect(res.statusCode).toBe(502)
  await res.body.dump()
  await dead.stop()

  const proxy = await startFaultProxy({ upstream: new URL(azurite.endpoint).origin, inject: () => 'hang' })
  const hanging = request(`${proxy.origin}/x`).then(() => 'answered', () => 'dropped')
  for (let i = 0; i < 100 && proxy.requests === 0; i++) await new Promise((r) => setTimeout(r, 10))
  expect(proxy.inFlight).toBe(1)
  await proxy.stop()
  expect(await hanging).toBe('dropped')
})
