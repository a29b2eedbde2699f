// The counting HTTP/1.1 transport against scripted loopback servers that write exact bytes: bodies
// framed by Content-Length, chunked encoding (extensions, trailers) and the end of the connection,
// heads and chunk lines split at every byte, 1xx answers, keep-alive reuse and the one silent
// replacement of a connection the server closed, every failure with the code blob-error.ts knows,
// aborts, and TLS (a throwaway self-signed certificate, where openssl is installed).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { createServer as createTlsServer, getCACertificates, setDefaultCACertificates } from 'node:tls'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { makeTempDir } from '../run/cleanup.ts'
import { findOnPath } from '../probe/tools.ts'
import { describeNetworkError } from './blob-error.ts'
import { DrainPool } from './drain-pool.ts'

/** How the server answers the n-th request it reads (0-based) on connection c (0-based). */
type Script = (n: number, socket: Socket, c: number) => void

interface Scripted {
  origin: string
  /** Connections accepted so far. */
  connections: number
  /** Request heads received, in order. */
  requests: string[]
}

const servers: Server[] = []
const pools: DrainPool[] = []

afterEach(async () => {
  for (const p of pools.splice(0)) await p.close()
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()))
})

function listen(server: Server, script: Script, protocol = 'http'): Promise<Scripted> {
  const state: Scripted = { origin: '', connections: 0, requests: [] }
  const sockets = new Set<Socket>()
  server.on(protocol === 'https' ? 'secureConnection' : 'connection', (socket: Socket) => {
    const c = state.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let text = ''
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1')
      for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
        state.requests.push(text.slice(0, end))
        text = text.slice(end + 4)
        script(state.requests.length - 1, socket, c)
      }
    })
  })
  const close = server.close.bind(server)
  server.close = (cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy()
    return close(cb)
  }
  servers.push(server)
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    state.origin = `${protocol}://127.0.0.1:${port}`
    resolve(state)
  }))
}

const scripted = (script: Script) => listen(createServer(), script)

function pool(origin: string, readBufferBytes?: number): DrainPool {
  const p = new DrainPool(origin, { connectTimeoutMs: 2000, keepAliveTimeoutMs: 5000, readBufferBytes })
  pools.push(p)
  return p
}

const get = (p: DrainPool, path = '/c/b?sv=1&sig=x', signal = new AbortController().signal) => p.get(path, { range: 'bytes=0-9', 'x-ms-version': '2025-01-05' }, signal)

/** Writes `bytes` one byte per write, so every read sees at most a byte. */
async function trickle(socket: Socket, bytes: string): Promise<void> {
  socket.setNoDelay(true)
  for (const ch of bytes) {
    socket.write(ch, 'latin1')
    await new Promise((r) => setTimeout(r, 1))
  }
}

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  const e = await p.then(() => null, (err: unknown) => err)
  expect(e).toBeInstanceOf(Error)
  return e as Error & { code?: string }
}

describe('framing', () => {
  test('a Content-Length body is counted, and the connection carries the next request', async () => {
    const s = await scripted((_, socket) => socket.write('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/100\r\nContent-Length: 10\r\nX-Ms-Error-Code:  None \r\n\r\n0123456789'))
    const p = pool(s.origin)
    const a = await get(p)
    expect(a).toMatchObject({ status: 206, bodyBytes: 10, headers: { 'content-range': 'bytes 0-9/100', 'content-length': '10', 'x-ms-error-code': 'None' } })
    expect(a.headersAt).toBeGreaterThan(0)
    expect((await get(p)).bodyBytes).toBe(10)
    expect(s.connections).toBe(1)
    expect(s.requests[0]).toBe('GET /c/b?sv=1&sig=x HTTP/1.1\r\nhost: ' + new URL(s.origin).host + '\r\nrange: bytes=0-9\r\nx-ms-version: 2025-01-05')
  })

  test('a chunked body with extensions and trailers is counted without its framing, sent one byte at a time', async () => {
    const s = await scripted((_, socket) => void trickle(socket, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n'))
    const p = pool(s.origin, 7)
    expect(await get(p)).toMatchObject({ status: 200, bodyBytes: 15 })
    expect((await get(p)).bodyBytes).toBe(15)
    expect(s.connections).toBe(1)
  })

  test('a head split at every byte is parsed; a large body lands in reads of the buffer size', async () => {
    const body = 'x'.repeat(300_000)
    const s = await scripted((n, socket) => {
      const head = 'HTTP/1.1 206 Partial Content\r\nContent-Length: 300000\r\n\r\n'
      if (n === 0) void trickle(socket, head).then(() => socket.write(body))
      else socket.write(head + body)
    })
    const p = pool(s.origin, 4096)
    expect((await get(p)).bodyBytes).toBe(300_000)
    expect((await get(p)).bodyBytes).toBe(300_000)
  })

  test('a body without length ends with the connection, which is not reused', async () => {
    const s = await scripted((_, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\nabcdef'))
    const p = pool(s.origin)
    expect(await get(p)).toMatchObject({ status: 200, bodyBytes: 6 })
    expect(await get(p)).toMatchObject({ status: 200, bodyBytes: 6 })
    expect(s.connections).toBe(2)
  })

  test('1xx answers are skipped; Connection: close and HTTP/1.0 end the connection after the answer', async () => {
    const s = await scripted((n, socket) => {
      if (n === 0) socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Length: 3\r\n\r\nabc')
      else if (n === 1) socket.write('HTTP/1.1 206 Partial Content\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc')
      else socket.write('HTTP/1.0 206 Partial Content\r\nContent-Length: 3\r\n\r\nabc')
    })
    const p = pool(s.origin)
    expect(await get(p)).toMatchObject({ status: 206, bodyBytes: 3 })
    expect(p.connections).toBe(1)
    expect(await get(p)).toMatchObject({ status: 206, bodyBytes: 3 })
    expect(p.connections).toBe(0)
    expect(await get(p)).toMatchObject({ status: 206, bodyBytes: 3 })
    expect(p.connections).toBe(0)
    expect(s.connections).toBe(2)
  })

  test('an error answer is counted like any other (the caller judges the status)', async () => {
    const xml = '<?xml version="1.0"?><Error><Code>ServerBusy</Code></Error>'
    const s = await scripted((_, socket) => socket.write(`HTTP/1.1 503 Service Unavailable\r\nx-ms-error-code: ServerBusy\r\nRetry-After: 1\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`))
    expect(await get(pool(s.origin))).toMatchObject({ status: 503, bodyBytes: xml.length, headers: { 'x-ms-error-code': 'ServerBusy', 'retry-after': '1' } })
  })

  test('a keep-alive connection the server closed as the request went out is replaced once, silently', async () => {
    const s = await scripted((n, socket) => {
      if (n === 1) socket.destroy() // the second request, on the reused connection, is dropped unanswered
      else socket.write('HTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\n\r\nok')
    })
    const p = pool(s.origin)
    expect((await get(p)).bodyBytes).toBe(2)
    expect((await get(p)).bodyBytes).toBe(2)
    expect(s.connections).toBe(2)
    expect(s.requests).toHaveLength(3)
  })

  test("the server's Keep-Alive timeout is respected: an idle connection is closed a second before it", async () => {
    const s = await scripted((_, socket) => socket.write('HTTP/1.1 206 Partial Content\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok'))
    const p = pool(s.origin)
    await get(p)
    expect(p.connections).toBe(0) // timeout=1 leaves no time to reuse it
  })
})

describe('failures carry the codes blob-error.ts describes', () => {
  test('closed before the answer: ECONNRESET, retryable as a reset', async () => {
    const s = await scripted((_, socket) => socket.destroy())
    const e = await failure(get(pool(s.origin)))
    expect(e.code).toBe('ECONNRESET')
    expect(describeNetworkError(e)).toMatchObject({ kind: 'reset', retryable: true })
  })

  test('closed inside a Content-Length or chunked body: BODY_SHORT, retryable as a reset', async () => {
    for (const answer of ['HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\n\r\n01234', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n01234']) {
      const s = await scripted((_, socket) => socket.end(answer))
      const e = await failure(get(pool(s.origin)))
      expect(e.code).toBe('BODY_SHORT')
      expect(e.message).toContain('after 5 bytes')
      expect(describeNetworkError(e)).toMatchObject({ kind: 'reset', retryable: true, cause: 'connection reset (body shorter than its framing)' })
    }
  })

  test('not HTTP, a malformed header, a bad length or chunk size, a head past 64 KiB: BAD_ANSWER, not retried', async () => {
    const answers = [
      'SSH-2.0-OpenSSH_9.2\r\n\r\n',
      'HTTP/1.1 206 Partial Content\r\nno colon here\r\n\r\n',
      'HTTP/1.1 206 Partial Content\r\nContent-Length: 5, 6\r\n\r\n',
      'HTTP/1.1 206 Partial Content\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n',
      `HTTP/1.1 206 Partial Content\r\nX-Big: ${'y'.repeat(70_000)}\r\n\r\n`,
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ]
    for (const answer of answers) {
      const s = await scripted((_, socket) => socket.write(answer))
      const e = await failure(get(pool(s.origin)))
      expect(e.code, answer.slice(0, 40)).toBe('BAD_ANSWER')
      expect(describeNetworkError(e)).toMatchObject({ kind: 'other', retryable: false })
    }
  })

  test('bytes beyond the answer: the answer counts, the connection is not reused', async () => {
    const s = await scripted((_, socket) => socket.write('HTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\n\r\nokEXTRA'))
    const p = pool(s.origin)
    expect((await get(p)).bodyBytes).toBe(2)
    expect(p.connections).toBe(0)
  })

  test('nobody listening: the socket error itself (ECONNREFUSED)', async () => {
    const s = await scripted(() => {})
    const origin = s.origin
    await new Promise<void>((r) => servers.pop()!.close(() => r()))
    expect((await failure(get(pool(origin)))).code).toBe('ECONNREFUSED')
  })

  test('aborting ends the request with the reason and drops its connection; close() ends the rest', async () => {
    const s = await scripted(() => {}) // never answers
    const p = pool(s.origin)
    const controller = new AbortController()
    const running = get(p, '/c/b', controller.signal)
    await new Promise((r) => setTimeout(r, 30))
    const reason = new Error('enough')
    controller.abort(reason)
    expect(await failure(running)).toBe(reason)
    expect(p.connections).toBe(0)
    await expect(get(p, '/c/b', controller.signal)).rejects.toBe(reason)
    await p.close()
    await expect(get(p)).rejects.toThrow('DrainPool is closed')
  })

  test('a path or header that could split the request is refused before anything is sent', async () => {
    const s = await scripted(() => {})
    const p = pool(s.origin)
    await expect(get(p, '/c/b x')).rejects.toThrow(TypeError)
    await expect(p.get('/c/b', { 'x-a': 'v\r\nx-b: w' }, new AbortController().signal)).rejects.toThrow(TypeError)
    expect(s.connections).toBe(0)
  })
})

const openssl = findOnPath('openssl')

describe.runIf(openssl)('TLS', () => {
  const dir = makeTempDir('benchgate-drain-tls-')
  afterAll(() => dir.release())

  test('an https origin is read over TLS with the same framing, the certificate checked', async () => {
    const key = join(dir.path, 'key.pem')
    const cert = join(dir.path, 'cert.pem')
    execFileSync(openssl!, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
    const server = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) })
    const s = await listen(server, (_, socket) => socket.write('HTTP/1.1 206 Partial Content\r\nContent-Length: 100000\r\n\r\n' + 'z'.repeat(100_000)), 'https')
    const untrusted = await failure(get(pool(s.origin)))
    expect(untrusted.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/)
    const defaults = getCACertificates('default')
    setDefaultCACertificates([...defaults, readFileSync(cert, 'utf8')])
    try {
      const p = pool(s.origin)
      expect(await get(p)).toMatchObject({ status: 206, bodyBytes: 100_000 })
      expect((await get(p)).bodyBytes).toBe(100_000)
    } finally {
      setDefaultCACertificates(defaults)
    }
  })
})
