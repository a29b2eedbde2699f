// The streaming read client the volume reader and the network probe use: ranged GETs of blobs
// through a container SAS (it never sees a key), with a bound on requests in flight, per-attempt
// timeouts and retries with backoff, and one RequestRecord per successful read. `get` returns the
// bytes; `drain` counts and drops them as they arrive (the network probe: nothing is copied or
// kept, so the client's own CPU stays out of the measured ceiling).
//
// Wire: `GET /…/CONTAINER/BLOB?SAS` with `Range: bytes=OFFSET-END` (whole blob: `bytes=0-`) and
// `x-ms-version`, HTTP/1.1 over keep-alive connections sized to the concurrency, no pipelining,
// answered 206 with Content-Range (or 200 when a server ignores Range: the wanted slice is cut
// out, or counted). Byte counts are checked against the range asked for, the same for both.
// Two transports, one set of rules: `get` goes through an undici Pool (its body collected into
// one Buffer); `drain` through ./drain-pool.ts, which reads each connection into one fixed buffer
// and only counts, at about a quarter of undici's CPU per GiB — on a 2-core machine the client's
// CPU is taken from the store it measures (benches/harness/probe-aria2.bench.ts prints both).
// Retried: 429, 500, 503 (Retry-After honoured), timeouts, connection resets (and a body cut
// short). Never retried: 403, 404 and other answers (BlobRequestError at once), a malformed
// answer. Waits are capped, so a read ends within retries × maxBackoffMs plus (retries + 1) ×
// timeoutMs once it holds a slot. (drain-pool also replaces, once and within the attempt, a
// kept-alive connection that the server closed before answering.)
import { Pool } from 'undici'
import { DrainPool } from './drain-pool.ts'
import { BlobRequestError, describeNetworkError, describeStatus } from './blob-error.ts'
import { backoffDelay, retryAfterMs, RETRY_STATUSES, sleep, type BackoffPolicy } from './retry.ts'
import { API_VERSION, blobUrl, describeTarget, type BlobTarget } from './target.ts'

export interface RangedGetOptions {
  /** At most this many requests in flight; extra calls queue (FIFO). Default 8. */
  concurrency?: number
  /** Per attempt, request sent to last byte received. Default 30 000. */
  timeoutMs?: number
  /** Retries after the first attempt. Default 5. */
  retries?: number
  /** First backoff, doubled per retry with jitter. Default 100. */
  backoffMs?: number
  /** Cap on any one wait, Retry-After included. Default 5000. */
  maxBackoffMs?: number
  /** Aborts queued, waiting and running reads (they reject with the signal's reason). */
  signal?: AbortSignal
  /** Called once per successful read. */
  onRequest?: (record: RequestRecord) => void
}

export interface RequestRecord {
  blob: string
  offset: number
  length: number
  /** 206; 200 when the server ignored Range; 416 for an empty blob read whole from Azure. */
  status: number
  bytes: number
  /** The successful attempt: request sent to last byte received. */
  latencyMs: number
  /** The successful attempt: request sent to response headers. */
  ttfbMs: number
  /** From taking a slot to the last byte, retries and backoff included (queueing excluded). */
  totalMs: number
  attempts: number
  /** Why each retry happened: '429', '500', '503', 'timeout', 'reset'. */
  retriedOn: string[]
  /** Time slept between attempts. */
  backoffMs: number
}

export interface RangedGetStats {
  /** HTTP attempts sent (retries included). */
  requests: number
  /** Attempts beyond the first. */
  retries: number
  /** 429/500/503 answers. */
  throttled: number
  /** The same answers by status ('429', '500', '503'), of chunks that succeeded and of those that failed. */
  throttledByStatus: Record<string, number>
  /** Attempts that timed out. */
  timeouts: number
  /** get() calls that failed. */
  errors: number
}

type Range = { offset: number; length: number }

type Attempt =
  /** `bytes` is empty when draining; `received` counts the bytes of the range either way. */
  | { ok: true; status: number; bytes: Buffer; received: number; latencyMs: number; ttfbMs: number }
  | { ok: false; error: BlobRequestError; retry?: string; retryAfter?: number }

const TIMED_OUT = new Error('attempt timed out')
const EMPTY = Buffer.alloc(0)

/** An answer as both transports give it: `body` is empty when draining; `length` counts the body either way. */
interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  length: number
  ttfbMs: number
}

const CONTENT_RANGE = /^bytes (\d+)-(-?\d+)\/(\d+|\*)$/

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`RangedGetClient: ${name} must be a positive integer, got ${value}`)
  return value
}

export class RangedGetClient {
  readonly #target: BlobTarget
  readonly #concurrency: number
  readonly #timeoutMs: number
  readonly #retries: number
  readonly #policy: BackoffPolicy
  readonly #signal: AbortSignal | undefined
  readonly #onRequest: ((record: RequestRecord) => void) | undefined
  readonly #pool: Pool
  readonly #drainPool: DrainPool
  readonly #stats: RangedGetStats = { requests: 0, retries: 0, throttled: 0, throttledByStatus: {}, timeouts: 0, errors: 0 }
  readonly #waiting: { resolve: () => void; reject: (e: unknown) => void }[] = []
  #inFlight = 0
  #closed = false

  constructor(target: BlobTarget, options: RangedGetOptions = {}) {
    this.#target = { containerUrl: target.containerUrl, sas: target.sas }
    this.#concurrency = positiveInt('concurrency', options.concurrency ?? 8)
    this.#timeoutMs = positiveInt('timeoutMs', options.timeoutMs ?? 30_000)
    this.#retries = options.retries ?? 5
    if (!Number.isInteger(this.#retries) || this.#retries < 0) throw new RangeError(`RangedGetClient: retries must be 0 or more, got ${this.#retries}`)
    this.#policy = { backoffMs: options.backoffMs ?? 100, maxBackoffMs: options.maxBackoffMs ?? 5000 }
    this.#signal = options.signal
    this.#onRequest = options.onRequest
    let origin: string
    try {
      origin = new URL(target.containerUrl).origin
    } catch {
      throw new TypeError(`RangedGetClient: not a container URL: ${describeTarget(target)}`)
    }
    this.#pool = new Pool(origin, {
      connections: this.#concurrency,
      pipelining: 1,
      allowH2: false,
      keepAliveTimeout: 30_000,
      connectTimeout: Math.min(this.#timeoutMs, 10_000),
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    })
    this.#drainPool = new DrainPool(origin, { connectTimeoutMs: Math.min(this.#timeoutMs, 10_000), keepAliveTimeoutMs: 30_000 })
  }

  /** A snapshot of the counters. */
  get stats(): Readonly<RangedGetStats> {
    return { ...this.#stats, throttledByStatus: { ...this.#stats.throttledByStatus } }
  }

  /** Reads a byte range of a blob (the whole blob without `range`). */
  get(blob: string, range?: Range): Promise<{ bytes: Buffer; record: RequestRecord }> {
    return this.#run('get', blob, range, true)
  }

  /**
   * Reads a byte range like get() but keeps nothing: the body is counted as it arrives and
   * dropped. Same slots, retries, checks and record (its `bytes` is the count received).
   */
  async drain(blob: string, range?: Range): Promise<RequestRecord> {
    return (await this.#run('drain', blob, range, false)).record
  }

  async #run(method: string, blob: string, range: Range | undefined, keep: boolean): Promise<{ bytes: Buffer; record: RequestRecord }> {
    if (range) {
      if (!Number.isInteger(range.offset) || range.offset < 0) throw new RangeError(`RangedGetClient.${method}: offset must be an integer ≥ 0, got ${range.offset}`)
      positiveInt('length', range.length)
    }
    if (this.#closed) throw new Error('RangedGetClient is closed')
    let result: { bytes: Buffer; record: RequestRecord }
    try {
      await this.#acquire()
    } catch (e) {
      this.#stats.errors++
      throw e
    }
    try {
      result = await this.#read(blob, range, keep)
    } catch (e) {
      this.#stats.errors++
      throw e
    } finally {
      this.#release()
    }
    this.#onRequest?.(result.record)
    return result
  }

  /** Rejects queued reads, waits for running ones, and closes the connections. */
  async close(): Promise<void> {
    this.#closed = true
    for (const w of this.#waiting.splice(0)) w.reject(new Error('RangedGetClient is closed'))
    await Promise.all([this.#pool.closed ? undefined : this.#pool.close(), this.#drainPool.close()])
  }

  async #acquire(): Promise<void> {
    this.#signal?.throwIfAborted()
    if (this.#inFlight < this.#concurrency) {
      this.#inFlight++
      return
    }
    const signal = this.#signal
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.#waiting.indexOf(entry)
        if (at >= 0) this.#waiting.splice(at, 1)
        reject(signal!.reason)
      }
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort)
          reject(e)
        },
      }
      this.#waiting.push(entry)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  #release(): void {
    const next = this.#waiting.shift()
    if (next) next.resolve() // the slot passes straight to the next in line
    else this.#inFlight--
  }

  async #read(blob: string, range: Range | undefined, keep: boolean): Promise<{ bytes: Buffer; record: RequestRecord }> {
    const started = performance.now()
    const retriedOn: string[] = []
    let backoffMs = 0
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(blob, range, keep)
      if (outcome.ok) {
        const record: RequestRecord = {
          blob,
          offset: range?.offset ?? 0,
          length: range?.length ?? outcome.received,
          status: outcome.status,
          bytes: outcome.received,
          latencyMs: outcome.latencyMs,
          ttfbMs: outcome.ttfbMs,
          totalMs: performance.now() - started,
          attempts: attempt,
          retriedOn,
          backoffMs,
        }
        return { bytes: outcome.bytes, record }
      }
      if (outcome.retry === undefined || attempt > this.#retries) throw outcome.error
      retriedOn.push(outcome.retry)
      this.#stats.retries++
      const delay = backoffDelay(attempt, this.#policy, outcome.retryAfter)
      backoffMs += delay
      await sleep(delay, this.#signal)
    }
  }

  #fail(blob: string, status: number, code: string | undefined, cause: string, hint?: string): BlobRequestError {
    return new BlobRequestError({ target: this.#target, blob, method: 'GET', status, code, cause, hint })
  }

  async #attempt(blob: string, range: Range | undefined, keep: boolean): Promise<Attempt> {
    this.#stats.requests++
    const url = new URL(blobUrl(this.#target, blob))
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(TIMED_OUT), this.#timeoutMs)
    const signal = this.#signal
    const onAbort = () => controller.abort(signal!.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    const t0 = performance.now()
    try {
      const path = url.pathname + url.search
      const headers = { range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : 'bytes=0-', 'x-ms-version': API_VERSION }
      const answer = keep ? await this.#fetch(path, headers, controller.signal, t0) : await this.#count(path, headers, controller.signal, t0)
      const { status, ttfbMs } = answer
      if (status !== 200 && status !== 206) {
        const code = header(answer.headers, 'x-ms-error-code')
        // Azure answers a whole-blob Range on an empty blob with 416 and Content-Range `bytes */0`.
        if (status === 416 && !range && header(answer.headers, 'content-range') === 'bytes */0') {
          return { ok: true, status, bytes: EMPTY, received: 0, latencyMs: performance.now() - t0, ttfbMs }
        }
        const { cause, hint } = describeStatus(this.#target, 'GET', status, code)
        const error = this.#fail(blob, status, code, cause, hint)
        if (!RETRY_STATUSES.has(status)) return { ok: false, error }
        this.#stats.throttled++
        this.#stats.throttledByStatus[status] = (this.#stats.throttledByStatus[status] ?? 0) + 1
        return { ok: false, error, retry: String(status), retryAfter: retryAfterMs(answer.headers['retry-after']) }
      }
      const { body, length } = answer
      const latencyMs = performance.now() - t0
      const error = this.#mismatch(blob, range, status, header(answer.headers, 'content-range'), length)
      if (error) return { ok: false, error }
      // a server that ignored Range sent the whole blob: the wanted slice is cut out
      const cut = status === 200 && range !== undefined
      const bytes = cut && keep ? body.subarray(range.offset, range.offset + range.length) : body
      return { ok: true, status, bytes, received: cut ? range.length : length, latencyMs, ttfbMs }
    } catch (e) {
      if (signal?.aborted) throw signal.reason
      if (controller.signal.reason === TIMED_OUT) {
        this.#stats.timeouts++
        return { ok: false, retry: 'timeout', error: this.#fail(blob, 0, 'TIMEOUT', `timed out after ${this.#timeoutMs} ms`) }
      }
      const net = describeNetworkError(e)
      const error = this.#fail(blob, 0, net.code, net.cause, net.hint)
      if (!net.retryable) return { ok: false, error }
      if (net.kind === 'timeout') this.#stats.timeouts++
      return { ok: false, error, retry: net.kind === 'timeout' ? 'timeout' : 'reset' }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** get: the answer through undici, its body kept (an error answer's body is dropped). */
  async #fetch(path: string, headers: Record<string, string>, signal: AbortSignal, t0: number): Promise<Answer> {
    const res = await this.#pool.request({ path, method: 'GET', headers, signal })
    const ttfbMs = performance.now() - t0
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump()
      return { status: res.statusCode, headers: res.headers, body: EMPTY, length: 0, ttfbMs }
    }
    const body = Buffer.from(await res.body.arrayBuffer())
    return { status: res.statusCode, headers: res.headers, body, length: body.length, ttfbMs }
  }

  /** drain: the answer through the counting pool, its body counted and dropped. */
  async #count(path: string, headers: Record<string, string>, signal: AbortSignal, t0: number): Promise<Answer> {
    const answer = await this.#drainPool.get(path, headers, signal)
    return { status: answer.status, headers: answer.headers, body: EMPTY, length: answer.bodyBytes, ttfbMs: answer.headersAt - t0 }
  }

  /** Why an answer of `length` body bytes does not match the range asked for; null when it does. */
  #mismatch(blob: string, range: Range | undefined, status: number, contentRange: string | undefined, length: number): BlobRequestError | null {
    const want = range ? `${range.length} bytes at ${range.offset}` : 'the whole blob'
    if (status === 200) {
      if (!range || length >= range.offset + range.length) return null
      return this.#fail(blob, 200, 'InvalidRange', `range past the end of the blob (size ${length}; asked for ${want})`)
    }
    const m = contentRange === undefined ? null : CONTENT_RANGE.exec(contentRange)
    if (!m) return this.#fail(blob, 206, undefined, `206 answer without a valid Content-Range (got '${contentRange ?? ''}')`)
    const first = Number(m[1])
    const size = m[3] === '*' ? undefined : Number(m[3])
    const expected = range ? range.length : (size ?? length)
    if (first !== (range?.offset ?? 0) || length !== expected) {
      const short = range && size !== undefined && range.offset + range.length > size
      const cause = short
        ? `range past the end of the blob (size ${size}; asked for ${want})`
        : `answer does not match the range: Content-Range ${contentRange}, ${length} bytes; asked for ${want}`
      return this.#fail(blob, 206, short ? 'InvalidRange' : undefined, cause)
    }
    return null
  }
}
