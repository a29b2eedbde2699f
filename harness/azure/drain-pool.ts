// The transport of RangedGetClient.drain (the network probe): keep-alive HTTP/1.1 connections
// that send a GET and count the answer's body without keeping it, at as little CPU per byte as
// Node allows, so that the client's own CPU does not compete with the store it measures.
//
// Method: one TCP (http:) or TLS (https:) connection per request in flight, reused while the
// server keeps it alive. Each connection reads into one fixed buffer of its own (Node's `onread`
// socket option): no Buffer is allocated per read and no stream, parser copy or promise runs per
// chunk, so the only copy of a body byte is the kernel's into that buffer (undici, which `get`
// keeps using, allocates a Buffer per read and copies each into its wasm parser: about four times
// the CPU per GiB, measured in benches/harness/probe-aria2.bench.ts). The status line and headers
// are parsed here (latin1, at most 64 KiB); the body is framed by chunked Transfer-Encoding,
// Content-Length, or the end of the connection (RFC 9112 §6.3), and counted; 1xx answers are
// skipped. Sent: `GET PATH HTTP/1.1` with Host and the caller's headers, no body, no
// Accept-Encoding (so no compression), no pipelining.
//
// Errors carry a `code` that ./blob-error.ts describeNetworkError knows: the socket's own
// (ECONNREFUSED, ECONNRESET, …), CONNECT_TIMEOUT, ECONNRESET for a connection closed before the
// answer's head, BODY_SHORT for one closed inside a framed body, BAD_ANSWER for anything that is
// not a well-formed HTTP/1.x answer. Nothing is retried here, with one exception: a reused
// connection that the server closed before sending a single byte (its keep-alive ran out as the
// request went out) is replaced by a fresh connection once, within the same call. Timeouts are
// the caller's: abort `signal` and the connection is destroyed and the call rejects with its reason.
import { connect as netConnect, isIP, type OnReadOpts, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'

export interface DrainAnswer {
  status: number
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>
  /** Body bytes received and dropped (chunked framing removed). */
  bodyBytes: number
  /** performance.now() when the head of the final (non-1xx) answer was complete. */
  headersAt: number
}

export interface DrainPoolOptions {
  /** A connection not established within this is destroyed (CONNECT_TIMEOUT). */
  connectTimeoutMs: number
  /** An idle connection is closed after this (sooner when the server's Keep-Alive says so). */
  keepAliveTimeoutMs: number
  /** The read buffer of each connection. Default 256 KiB. */
  readBufferBytes?: number
}

const MAX_HEAD = 64 * 1024
const MAX_LINE = 4096
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1')
const LF = 0x0a
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/
const CHUNK_SIZE = /^([0-9a-fA-F]{1,13})[ \t]*(?:;.*)?$/
/** A reused connection closed before any byte of the answer: try once more on a new one. */
const STALE = new Error('keep-alive connection closed by the server')

function failure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code })
}

type Phase = 'head' | 'length' | 'close' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer'

interface Exchange {
  resolve: (answer: DrainAnswer) => void
  reject: (e: unknown) => void
  signal: AbortSignal
  onAbort: () => void
}

/** One connection and the answer it is reading. */
class Connection {
  readonly socket: Socket
  #connectTimer: NodeJS.Timeout | undefined
  #idleTimer: NodeJS.Timeout | undefined
  #exchange: Exchange | null = null
  #answers = 0
  // the answer being read
  #received = 0
  #phase: Phase = 'head'
  #head = ''
  #line = ''
  #status = 0
  #headers: Record<string, string> = {}
  #headersAt = 0
  #remaining = 0
  #body = 0
  /** The server lets this connection carry another request after the answer. */
  #keepAlive = false
  #keepAliveMs = Infinity
  #dead = false
  /** Called when the connection ends, idle or not. */
  onGone: (c: Connection) => void = () => {}

  constructor(url: URL, o: Required<DrainPoolOptions>) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
    const onread: OnReadOpts = { buffer: Buffer.allocUnsafe(o.readBufferBytes), callback: (n, buf) => this.#onRead(n, buf as Buffer) }
    // tls.connect takes `onread` as net.connect does (tested in drain-pool.test.ts); @types/node does not declare it
    const tlsOptions: ConnectionOptions & { onread: OnReadOpts } = { host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], onread }
    this.socket = url.protocol === 'https:'
      ? tlsConnect(tlsOptions)
      : netConnect({ host, port, onread, noDelay: true })
    this.#connectTimer = setTimeout(() => this.destroy(failure('CONNECT_TIMEOUT', `connect timed out after ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs)
    this.socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(this.#connectTimer))
    this.socket.on('error', (e) => this.#ended(e))
    this.socket.on('end', () => this.#ended(null))
    this.socket.on('close', () => this.#ended(null))
  }

  get busy(): boolean {
    return this.#exchange !== null
  }

  /** Whether another request may go out on this connection now. */
  get reusable(): boolean {
    return !this.#dead && this.#exchange === null && this.#keepAlive
  }

  get keepAliveMs(): number {
    return this.#keepAliveMs
  }

  /** Sends the request and reads its answer. */
  exchange(request: string, signal: AbortSignal): Promise<DrainAnswer> {
    clearTimeout(this.#idleTimer)
    this.socket.ref()
    return new Promise<DrainAnswer>((resolve, reject) => {
      const onAbort = () => this.destroy(signal.reason)
      this.#exchange = { resolve, reject, signal, onAbort }
      this.#received = 0
      this.#startHead()
      this.#keepAlive = false
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      this.socket.write(request)
    })
  }

  /** Parks the connection: unref'd, closed after `ms` unless taken again. */
  idle(ms: number): void {
    this.socket.unref()
    this.#idleTimer = setTimeout(() => this.destroy(null), ms)
    this.#idleTimer.unref()
  }

  /** Ends the connection; a request in flight rejects with `e` (or a reset when e is null). */
  destroy(e: unknown): void {
    if (this.#dead) return
    this.#dead = true
    clearTimeout(this.#connectTimer)
    clearTimeout(this.#idleTimer)
    this.socket.destroy()
    this.#settle(null, e ?? failure('ECONNRESET', 'connection closed'))
    this.onGone(this)
  }

  #startHead(): void {
    this.#phase = 'head'
    this.#head = ''
    this.#line = ''
    this.#status = 0
    this.#headers = {}
    this.#body = 0
  }

  #settle(answer: DrainAnswer | null, e: unknown): void {
    const ex = this.#exchange
    if (!ex) return
    this.#exchange = null
    ex.signal.removeEventListener('abort', ex.onAbort)
    if (answer) ex.resolve(answer)
    else ex.reject(e)
  }

  /** The socket ended or failed: finish a close-delimited body, or fail the request in flight. */
  #ended(e: Error | null): void {
    if (this.#dead) return
    if (this.#exchange && this.#phase === 'close' && e === null) {
      this.#keepAlive = false
      this.#complete()
    }
    let why: unknown = e
    if (this.#exchange) {
      if (this.#received === 0 && this.#answers > 0) why = STALE
      else if (this.#phase === 'head') why = e ?? failure('ECONNRESET', 'connection closed before the answer')
      else if (e === null) why = failure('BODY_SHORT', `connection closed inside the body after ${this.#body} bytes`)
    }
    this.destroy(why)
  }

  #onRead(n: number, buf: Buffer): boolean {
    if (this.#dead) return false
    if (!this.#exchange) {
      this.destroy(null) // bytes nobody asked for: the connection cannot be trusted with another request
      return false
    }
    this.#received += n
    try {
      this.#feed(buf, n)
    } catch (e) {
      this.destroy(e)
      return false
    }
    return true
  }

  #feed(buf: Buffer, end: number): void {
    let at = 0
    while (at < end) {
      if (!this.#exchange) {
        this.#keepAlive = false // more than the answer: never reuse this connection
        return
      }
      switch (this.#phase) {
        case 'head':
          at = this.#readHead(buf, at, end)
          break
        case 'length':
          at += this.#count(end - at)
          if (this.#remaining === 0) this.#complete()
          break
        case 'close':
          this.#body += end - at
          at = end
          break
        case 'chunk-data': {
          at += this.#count(end - at)
          if (this.#remaining === 0) this.#phase = 'chunk-end'
          break
        }
        default:
          at = this.#readChunkLine(buf, at, end)
      }
    }
  }

  /** Counts up to `available` body bytes of the current length or chunk; returns how many. */
  #count(available: number): number {
    const take = Math.min(available, this.#remaining)
    this.#body += take
    this.#remaining -= take
    return take
  }

  /** Head bytes from buf[at, end); returns where the body starts (or end). */
  #readHead(buf: Buffer, at: number, end: number): number {
    let stop = -1
    const tail = this.#head.slice(-3) // the blank line may straddle two reads
    if (tail) {
      const i = (tail + buf.toString('latin1', at, Math.min(end, at + 3))).indexOf('\r\n\r\n')
      if (i >= 0) stop = at + i + 4 - tail.length
    }
    if (stop < 0) {
      const i = buf.subarray(at, end).indexOf(HEAD_END)
      if (i >= 0) stop = at + i + 4
    }
    if (stop < 0) {
      this.#head += buf.toString('latin1', at, end)
      if (this.#head.length > MAX_HEAD) throw failure('BAD_ANSWER', `answer head longer than ${MAX_HEAD} bytes`)
      return end
    }
    const head = this.#head + buf.toString('latin1', at, stop)
    if (head.length > MAX_HEAD) throw failure('BAD_ANSWER', `answer head longer than ${MAX_HEAD} bytes`)
    this.#parseHead(head)
    return stop
  }

  #parseHead(head: string): void {
    const lines = head.slice(0, -4).split('\r\n')
    const status = STATUS_LINE.exec(lines[0] ?? '')
    if (!status) throw failure('BAD_ANSWER', `not an HTTP/1.x status line: '${(lines[0] ?? '').slice(0, 80)}'`)
    const code = Number(status[2])
    const headers: Record<string, string> = {}
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      if (colon <= 0 || line[0] === ' ' || line[0] === '\t') throw failure('BAD_ANSWER', `malformed header line: '${line.slice(0, 80)}'`)
      const name = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
    }
    if (code < 200) {
      if (code === 101) throw failure('BAD_ANSWER', 'unexpected 101 Switching Protocols')
      this.#startHead() // 100, 102, 103: a final answer follows
      return
    }
    this.#status = code
    this.#headers = headers
    this.#headersAt = performance.now()
    const tokens = (headers.connection ?? '').toLowerCase().split(',').map((t) => t.trim())
    this.#keepAlive = status[1] === '1' && !tokens.includes('close')
    const hint = /(?:^|,)\s*timeout=(\d+)/i.exec(headers['keep-alive'] ?? '')
    this.#keepAliveMs = hint ? Number(hint[1]) * 1000 - 1000 : Infinity // leave a second before the server's limit
    const te = headers['transfer-encoding']
    const cl = headers['content-length']
    if (code === 204 || code === 304) {
      this.#complete()
    } else if (te !== undefined) {
      if (cl !== undefined) this.#keepAlive = false // both framings: trust neither connection state
      if (te.toLowerCase().split(',').map((t) => t.trim()).at(-1) === 'chunked') {
        this.#phase = 'chunk-size'
      } else {
        this.#phase = 'close'
        this.#keepAlive = false
      }
    } else if (cl !== undefined) {
      const values = new Set(cl.split(',').map((v) => v.trim()))
      const [only] = values
      if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) throw failure('BAD_ANSWER', `invalid Content-Length '${cl.slice(0, 40)}'`)
      this.#remaining = Number(only)
      this.#phase = 'length'
      if (this.#remaining === 0) this.#complete()
    } else {
      this.#phase = 'close'
      this.#keepAlive = false
    }
  }

  /** A chunk-size line, the CRLF after a chunk's data, or a trailer line, from buf[at, end). */
  #readChunkLine(buf: Buffer, at: number, end: number): number {
    const nl = buf.indexOf(LF, at)
    if (nl < 0 || nl >= end) {
      this.#line += buf.toString('latin1', at, end)
      if (this.#line.length > MAX_LINE) throw failure('BAD_ANSWER', 'chunked framing line too long')
      return end
    }
    const line = (this.#line + buf.toString('latin1', at, nl)).replace(/\r$/, '')
    this.#line = ''
    if (this.#phase === 'chunk-size') {
      const m = CHUNK_SIZE.exec(line)
      if (!m) throw failure('BAD_ANSWER', `invalid chunk size line '${line.slice(0, 40)}'`)
      this.#remaining = Number.parseInt(m[1]!, 16)
      this.#phase = this.#remaining === 0 ? 'trailer' : 'chunk-data'
    } else if (this.#phase === 'chunk-end') {
      if (line !== '') throw failure('BAD_ANSWER', 'chunk data longer than its size')
      this.#phase = 'chunk-size'
    } else if (line === '') {
      this.#complete() // the blank line after the (ignored) trailers
    }
    return nl + 1
  }

  #complete(): void {
    this.#answers++
    this.#phase = 'head'
    this.#settle({ status: this.#status, headers: this.#headers, bodyBytes: this.#body, headersAt: this.#headersAt }, null)
  }
}

export class DrainPool {
  readonly #url: URL
  readonly #options: Required<DrainPoolOptions>
  readonly #idle: Connection[] = []
  readonly #all = new Set<Connection>()
  #closed = false
  #onEmpty: (() => void) | null = null

  constructor(origin: string, options: DrainPoolOptions) {
    this.#url = new URL(origin)
    if (this.#url.protocol !== 'http:' && this.#url.protocol !== 'https:') throw new TypeError(`DrainPool: not an http(s) origin: ${this.#url.protocol}`)
    this.#options = { connectTimeoutMs: options.connectTimeoutMs, keepAliveTimeoutMs: options.keepAliveTimeoutMs, readBufferBytes: options.readBufferBytes ?? 256 * 1024 }
  }

  /** Connections open now, idle or busy. */
  get connections(): number {
    return this.#all.size
  }

  /** GET `path` (with its query) and count the answer's body. */
  async get(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<DrainAnswer> {
    const request = this.#request(path, headers)
    for (;;) {
      signal.throwIfAborted()
      if (this.#closed) throw new Error('DrainPool is closed')
      const reused = this.#idle.pop()
      const conn = reused ?? this.#open()
      let answer: DrainAnswer
      try {
        answer = await conn.exchange(request, signal)
      } catch (e) {
        if (e === STALE && reused) continue // the server closed it as we sent: once more, on a new connection
        throw e === STALE ? failure('ECONNRESET', 'connection closed before the answer') : e
      }
      if (conn.reusable && !this.#closed && conn.keepAliveMs > 0) {
        conn.idle(Math.min(this.#options.keepAliveTimeoutMs, conn.keepAliveMs))
        this.#idle.push(conn)
      } else {
        conn.destroy(null)
      }
      return answer
    }
  }

  /** Closes idle connections at once and the others when their answer is in. */
  async close(): Promise<void> {
    this.#closed = true
    for (const c of this.#idle.splice(0)) c.destroy(null)
    if (this.#all.size === 0) return
    await new Promise<void>((resolve) => (this.#onEmpty = resolve))
  }

  #request(path: string, headers: Record<string, string>): string {
    if (!/^\/[\x21-\x7e]*$/.test(path)) throw new TypeError('DrainPool: the path must start with / and be percent-encoded ASCII without spaces')
    let text = `GET ${path} HTTP/1.1\r\nhost: ${this.#url.host}\r\n`
    for (const [name, value] of Object.entries(headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) throw new TypeError(`DrainPool: invalid header '${name}'`)
      text += `${name}: ${value}\r\n`
    }
    return `${text}\r\n`
  }

  #open(): Connection {
    const c = new Connection(this.#url, this.#options)
    this.#all.add(c)
    c.onGone = (gone) => {
      this.#all.delete(gone)
      const at = this.#idle.indexOf(gone)
      if (at >= 0) this.#idle.splice(at, 1)
      if (this.#all.size === 0 && this.#onEmpty) this.#onEmpty()
    }
    return c
  }
}
