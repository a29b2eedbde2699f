// The few blob requests the blob-manifest store makes, as plain HTTP through one undici Agent per
// adapter (keep-alive, `connections` sockets per origin). No retries at all: a conditional PUT
// retried after a dropped connection could take effect twice or be reported wrongly, so every
// failure goes to the caller, who knows what it means for the commit.
//   GET  blob            → { status, etag, body }      (404 is an answer, not an error)
//   PUT  blob + headers  → { status, etag, code }      (412/409 are answers, not errors)
// Requests go to `origin` when given (the TCP proxy in front of the store) instead of the target's
// own origin; the Host header then still names the target's host, so a real account behind a
// proxy answers as usual. SAS signatures never appear in an error: every message goes through
// scrubSecrets.
import { Agent, request } from 'undici'
import { describeNetworkError } from '../../azure/blob-error.ts'
import { API_VERSION, blobUrl, describeTarget, scrubSecrets, type BlobTarget } from '../../azure/target.ts'

export interface BlobAnswer {
  status: number
  /** The ETag header, when the answer had one. */
  etag: string | undefined
  /** x-ms-error-code, when the answer had one. */
  code: string | undefined
  body: Buffer
}

/** A request that got no answer (connection refused or reset, malformed answer): the outcome is unknown. */
export class BlobNetworkError extends Error {
  readonly code: string | undefined
  constructor(message: string, code: string | undefined) {
    super(message)
    this.name = 'BlobNetworkError'
    this.code = code
  }
}

export interface BlobHttpOptions {
  target: BlobTarget
  /** e.g. http://127.0.0.1:PROXYPORT: replaces the target's origin (scheme, host, port). */
  origin?: string
  /** Sockets per origin; default 64. */
  connections?: number
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

/** Blob GET/PUT on one target through one keep-alive agent. */
export class BlobHttp {
  readonly target: BlobTarget
  readonly #agent: Agent
  readonly #origin: string | undefined
  readonly #host: string
  #closed: Promise<void> | undefined

  constructor(options: BlobHttpOptions) {
    this.target = options.target
    const own = new URL(options.target.containerUrl)
    this.#host = own.host
    this.#origin = options.origin === undefined ? undefined : new URL(options.origin).origin
    // no undici timeouts of its own: the caller's AbortSignal is the only timeout (a paused
    // store must stall a request, not fail it behind the caller's back)
    this.#agent = new Agent({ connections: options.connections ?? 64, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0, allowH2: false })
  }

  #url(name: string): string {
    const url = blobUrl(this.target, name)
    if (this.#origin === undefined) return url
    return this.#origin + url.slice(new URL(url).origin.length)
  }

  async #send(method: 'GET' | 'PUT', name: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal): Promise<BlobAnswer> {
    signal.throwIfAborted()
    try {
      const res = await request(this.#url(name), {
        dispatcher: this.#agent,
        method,
        headers: { 'x-ms-version': API_VERSION, ...(this.#origin !== undefined ? { host: this.#host } : {}), ...headers },
        body,
        signal,
      })
      const bytes = Buffer.from(await res.body.arrayBuffer())
      return { status: res.statusCode, etag: one(res.headers.etag), code: one(res.headers['x-ms-error-code']), body: bytes }
    } catch (e) {
      if (signal.aborted) throw signal.reason
      const net = describeNetworkError(e)
      const message = `${method} '${name}' in ${describeTarget(this.target)}: ${net.cause}${net.code ? ` (${net.code})` : ''}`
      throw new BlobNetworkError(scrubSecrets(message, this.target), net.code)
    }
  }

  get(name: string, signal: AbortSignal): Promise<BlobAnswer> {
    return this.#send('GET', name, {}, undefined, signal)
  }

  /** Put Blob (block blob) with the given condition headers (If-Match, If-None-Match). */
  put(name: string, body: Buffer, conditions: Record<string, string>, signal: AbortSignal): Promise<BlobAnswer> {
    return this.#send('PUT', name, { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/octet-stream', ...conditions }, body, signal)
  }

  /** `METHOD 'name' in CONTAINER: HTTP 412 ConditionNotMet`, safe to print. */
  describe(method: string, name: string, answer: BlobAnswer): string {
    const text = `${method} '${name}' in ${describeTarget(this.target)}: HTTP ${answer.status}${answer.code ? ` ${answer.code}` : ''}`
    return scrubSecrets(text, this.target)
  }

  close(): Promise<void> {
    this.#closed ??= this.#agent.destroy() // not close(): that would wait for requests a paused store never answers
    return this.#closed
  }
}
