// The TCP proxy against real loopback sockets: delay per chunk from its arrival (no accumulation,
// order kept), bandwidth, blackhole, reset, refuse, back-pressure, FIN passed on. Time bounds are
// about the injected delay only (lower bounds, and upper bounds with generous slack that a delay
// accumulating per chunk would still exceed), never about the machine's speed.
import { once } from 'node:events'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A loopback server; every accepted socket is handed to `onSocket`. */
async function server(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>()
  const s = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('close', () => sockets.delete(socket))
    onSocket(socket)
  })
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise((resolve) => s.close(resolve))
  })
  return { server: s, port: (s.address() as { port: number }).port }
}

const echo = () => server((s) => s.pipe(s))

async function proxyTo(port: number): Promise<TcpProxy> {
  const proxy = await startTcpProxy({ upstreamHost: '127.0.0.1', upstreamPort: port })
  cleanups.push(() => proxy.stop())
  return proxy
}

async function connect(proxy: TcpProxy): Promise<Socket> {
  const socket = createConnection({ host: proxy.host, port: proxy.port, noDelay: true })
  cleanups.push(() => socket.destroy())
  await once(socket, 'connect')
  return socket
}

/** Resolves with the first `n` bytes the socket receives. */
function receive(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let got = 0
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      got += chunk.length
      if (got >= n) {
        socket.off('data', onData)
        resolve(Buffer.concat(chunks).subarray(0, n))
      }
    }
    socket.on('data', onData)
    socket.once('error', reject)
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('tcp proxy', () => {
  it('delays each chunk from its arrival: 20 chunks 10 ms apart each arrive ~100 ms late, in order, not n × 100', async () => {
    // the upstream notes when each 4-byte message's last byte arrives
    const arrivals: number[] = []
    let seen = Buffer.alloc(0)
    const upstream = await server((s) =>
      s.on('data', (chunk: Buffer) => {
        seen = Buffer.concat([seen, chunk])
        while (arrivals.length < Math.floor(seen.length / 4)) arrivals.push(performance.now())
      }),
    )
    const proxy = await proxyTo(upstream.port)
    proxy.setDelay({ upMs: 100, downMs: 0, jitterMs: 10 })
    const client = await connect(proxy)
    const sent: number[] = []
    for (let i = 0; i < 20; i++) {
      const message = Buffer.alloc(4)
      message.writeUInt32BE(i)
      sent.push(performance.now())
      client.write(message)
      await sleep(10)
    }
    while (arrivals.length < 20) await sleep(20)
    const offsets = arrivals.map((t, i) => t - sent[i]!)
    for (const o of offsets) {
      expect(o).toBeGreaterThanOrEqual(89) // 100 − 10 jitter, less 1 ms of clock rounding
      expect(o).toBeLessThan(100 + 10 + 400) // accumulating delays would reach ~2 s for the last
    }
    expect(Math.max(...offsets)).toBeLessThan(2 * 100 + 300)
    // in order: message i holds i
    expect(Array.from({ length: 20 }, (_, i) => seen.readUInt32BE(4 * i))).toEqual(Array.from({ length: 20 }, (_, i) => i))
    const e = proxy.effect()
    expect(e.chunks).toBeGreaterThanOrEqual(1)
    expect(e.addedDelayP50Ms).toBeGreaterThanOrEqual(89)
    expect(e.bytesUp).toBe(80)
    expect(e.connections).toBe(1)
  })

  it('measures the added delay per direction (≥ 95 ms for 100 ms), ~0 without a fault, and passes FIN on after the data', async () => {
    const upstream = await echo()
    const proxy = await proxyTo(upstream.port)
    const plain = await connect(proxy)
    plain.write('ping')
    expect((await receive(plain, 4)).toString()).toBe('ping')
    expect(proxy.effect().addedDelayP99Ms).toBeLessThan(50)
    const window = proxy.measure()
    proxy.setDelay({ upMs: 0, downMs: 100 })
    const client = await connect(proxy)
    const t0 = performance.now()
    client.end('hello')
    const [back] = await Promise.all([receive(client, 5), once(client, 'end')])
    expect(back.toString()).toBe('hello')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(99)
    const e = window.effect()
    expect(e.chunks).toBe(2) // 'hello' up (no delay) and its echo down (100 ms)
    expect(e.addedDelayP99Ms).toBeGreaterThanOrEqual(95)
    expect(e.bytesUp).toBe(5)
    expect(e.bytesDown).toBe(5)
  })

  it('keeps order under jitter larger than the spacing of chunks', async () => {
    let seen = Buffer.alloc(0)
    const upstream = await server((s) => s.on('data', (c: Buffer) => (seen = Buffer.concat([seen, c]))))
    const proxy = await proxyTo(upstream.port)
    proxy.setDelay({ upMs: 20, jitterMs: 20 })
    const client = await connect(proxy)
    const expected: number[] = []
    for (let i = 0; i < 200; i++) {
      expected.push(i % 256)
      client.write(Buffer.from([i % 256]))
      if (i % 10 === 0) await sleep(1)
    }
    while (seen.length < 200) await sleep(20)
    expect([...seen]).toEqual(expected)
  })

  it('limits bandwidth: 512 KiB at 256 KiB/s takes at least 1.6 s', async () => {
    let got = 0
    let done: () => void = () => {}
    const all = new Promise<void>((resolve) => (done = resolve))
    const size = 512 * 1024
    const upstream = await server((s) =>
      s.on('data', (c: Buffer) => {
        got += c.length
        if (got >= size) done()
      }),
    )
    const proxy = await proxyTo(upstream.port)
    proxy.setBandwidth({ upKiBs: 256 })
    const client = await connect(proxy)
    const t0 = performance.now()
    client.write(Buffer.alloc(size, 7))
    await all
    expect((performance.now() - t0) / 1000).toBeGreaterThanOrEqual((512 / 256) * 0.8)
    expect(proxy.effect().bytesUp).toBe(size)
  })

  it('blackhole holds data, with the connection open, until it is switched off', async () => {
    let seen = ''
    const upstream = await server((s) => s.on('data', (c: Buffer) => (seen += c.toString())))
    const proxy = await proxyTo(upstream.port)
    const client = await connect(proxy)
    proxy.blackhole(true)
    client.write('held')
    await sleep(300)
    expect(seen).toBe('')
    expect(client.destroyed).toBe(false)
    expect(proxy.open).toBe(1)
    proxy.blackhole(false)
    while (seen.length < 4) await sleep(10)
    expect(seen).toBe('held')
    expect(proxy.effect().addedDelayP50Ms).toBeGreaterThanOrEqual(250) // held ~300 ms (its arrival at the proxy is a little after the write)
  })

  it('resetAll gives the client ECONNRESET', async () => {
    const upstream = await echo()
    const proxy = await proxyTo(upstream.port)
    const client = await connect(proxy)
    client.write('x')
    await receive(client, 1)
    const error = once(client, 'error')
    expect(proxy.resetAll()).toBe(1)
    const [e] = (await error) as [NodeJS.ErrnoException]
    expect(e.code).toBe('ECONNRESET')
    expect(proxy.effect().resets).toBe(1)
    while (proxy.open > 0) await sleep(10)
  })

  it('refuse makes a new connection fail while an old one still works, until it is off', async () => {
    const upstream = await echo()
    const proxy = await proxyTo(upstream.port)
    const old = await connect(proxy)
    proxy.refuse(true)
    const fresh = createConnection({ host: proxy.host, port: proxy.port })
    cleanups.push(() => fresh.destroy())
    const failed = new Promise<string>((resolve) => {
      fresh.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
      fresh.once('data', () => resolve('answered'))
      fresh.once('close', () => resolve('closed'))
    })
    fresh.write('y')
    expect(['ECONNRESET', 'EPIPE', 'closed']).toContain(await failed)
    old.write('still')
    expect((await receive(old, 5)).toString()).toBe('still')
    expect(proxy.effect().refused).toBe(1)
    proxy.refuse(false)
    const later = await connect(proxy)
    later.write('ok')
    expect((await receive(later, 2)).toString()).toBe('ok')
  })

  it('applies back-pressure: it stops reading a client whose upstream does not read, and loses nothing', async () => {
    let upstreamSocket: Socket | undefined
    let got = 0
    const upstream = await server((s) => {
      upstreamSocket = s
      s.pause()
      s.on('data', (c: Buffer) => (got += c.length))
    })
    const proxy = await proxyTo(upstream.port)
    const client = await connect(proxy)
    const size = 64 * 1024 * 1024
    client.write(Buffer.alloc(size, 1))
    await sleep(800)
    // kernel buffers on loopback hold a few MiB; without back-pressure the proxy would take it all
    expect(client.writableLength).toBeGreaterThan(16 * 1024 * 1024)
    upstreamSocket!.resume()
    while (got < size) await sleep(20)
    expect(got).toBe(size)
  })

  it('an upstream that refuses (a store restarting) resets the client', async () => {
    const gone = await server(() => {})
    await new Promise((resolve) => gone.server.close(resolve))
    const proxy = await proxyTo(gone.port)
    const client = await connect(proxy)
    const [e] = (await once(client, 'error')) as [NodeJS.ErrnoException]
    expect(e.code).toBe('ECONNRESET')
  })

  it('stop() closes every connection and the listener; safe twice', async () => {
    const upstream = await echo()
    const proxy = await proxyTo(upstream.port)
    const client = await connect(proxy)
    const closed = once(client, 'close')
    await proxy.stop()
    await proxy.stop()
    await closed
    const again = createConnection({ host: proxy.host, port: proxy.port })
    const [e] = (await once(again, 'error')) as [NodeJS.ErrnoException]
    expect(e.code).toBe('ECONNREFUSED')
  })
})
