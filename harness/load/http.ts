// HTTP/1.1 connections for the load engine, through undici.
//
// Method: one undici `Client` per connection with pipelining 1 (a connection carries one request
// at a time, as wrk's and autocannon's default), driven by `Client.dispatch` with the connection
// object itself as the handler — the lean path: no promise, no body stream, no per-request
// closure; the response body is read and discarded chunk by chunk. Each request kind's dispatch
// options (method, path, headers, body) are built once. Success is a status in the kind's
// `expectStatus`; anything else is `status N`. Timeouts: undici's headersTimeout and bodyTimeout
// at the spec's timeoutMs (from the actual send), the connect timeout likewise. Nothing is
// retried: a failed request is an error of its kind, and undici reconnects for the next one.
import { Client, type Dispatcher } from 'undici'
import { errorKind, type Connection, type Done, type Driver } from './connection.ts'
import type { HttpRequestKind } from './types.ts'

interface Kind {
  readonly options: Dispatcher.DispatchOptions
  readonly expect: readonly number[]
}

class HttpConnection implements Connection {
  readonly #id: number
  readonly #client: Client
  readonly #kinds: readonly Kind[]
  readonly #done: Done
  #expect: readonly number[] = []
  #status = 0

  constructor(id: number, client: Client, kinds: readonly Kind[], done: Done) {
    this.#id = id
    this.#client = client
    this.#kinds = kinds
    this.#done = done
  }

  send(kind: number): void {
    const k = this.#kinds[kind]!
    this.#expect = k.expect
    this.#status = 0
    this.#client.dispatch(k.options, this)
  }

  async close(): Promise<void> {
    await this.#client.destroy()
  }

  // undici handler (Dispatcher.DispatchHandler)
  onRequestStart(): void {}
  onResponseStart(_controller: unknown, statusCode: number): void {
    this.#status = statusCode
  }
  onResponseData(): void {}
  onResponseEnd(): void {
    const s = this.#status
    this.#done(this.#id, this.#expect.includes(s) ? null : `status ${s}`)
  }
  onResponseError(_controller: unknown, error: Error): void {
    this.#done(this.#id, errorKind(error))
  }
}

function kindOptions(origin: string, r: HttpRequestKind): Kind {
  const headers: string[] = []
  for (const [name, value] of Object.entries(r.headers)) headers.push(name, value)
  const options: Dispatcher.DispatchOptions = { origin, method: r.method, path: r.path, ...(headers.length ? { headers } : {}), ...(r.body !== undefined ? { body: Buffer.from(r.body) } : {}) }
  return { options, expect: [...r.expectStatus] }
}

export function httpDriver(url: string, requests: readonly HttpRequestKind[], timeoutMs: number): Driver {
  let origin: string
  try {
    origin = new URL(url).origin
  } catch {
    throw new Error(`target.url: expected an http:// URL, got ${JSON.stringify(url)}`)
  }
  if (requests.length === 0) throw new Error('target.requests: expected at least one request kind')
  const kinds = requests.map((r) => kindOptions(origin, r))
  return {
    weights: requests.map((r) => r.weight),
    async connect(id, done) {
      const client = new Client(origin, { pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 })
      return new HttpConnection(id, client, kinds, done)
    },
  }
}
