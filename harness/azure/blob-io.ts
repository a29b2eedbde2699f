// SAS-only blob data access for setting up and checking benchmark data: upload (Put Blob, one
// request per blob: `PUT …?SAS` with `x-ms-blob-type: BlockBlob`), read small blobs as text, test
// existence (HEAD), learn a blob's size (its first byte's Content-Range). Plain HTTP through
// undici; no key, no SDK. Failed requests become BlobRequestError; 429/500/503 answers and
// connection resets are retried a few times with backoff.
// The measured read path is ranged-get.ts; this file is for preparing data, not for timing it.
import { Agent, request, type Dispatcher } from 'undici'
import { BlobRequestError, describeNetworkError, describeStatus } from './blob-error.ts'
import { backoffDelay, retryAfterMs, RETRY_STATUSES, sleep, type BackoffPolicy } from './retry.ts'
import { API_VERSION, blobUrl, type BlobTarget } from './target.ts'

const RETRIES = 4
const POLICY: BackoffPolicy = { backoffMs: 200, maxBackoffMs: 5000 }
const TIMEOUT_MS = 120_000

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

interface Op {
  dispatcher: Dispatcher
  target: BlobTarget
  name: string
  method: 'GET' | 'PUT' | 'HEAD'
  headers?: Record<string, string>
  body?: Buffer
  /** Error statuses returned to the caller instead of thrown. */
  accept?: readonly number[]
  signal?: AbortSignal
}

function header(h: Answer['headers'], name: string): string | undefined {
  const v = h[name]
  return Array.isArray(v) ? v[0] : v
}

async function send(op: Op): Promise<Answer> {
  const { target, name, method, signal } = op
  for (let retry = 0; ; retry++) {
    let answer: Answer
    try {
      const res = await request(blobUrl(target, name), {
        dispatcher: op.dispatcher,
        method,
        headers: { 'x-ms-version': API_VERSION, ...op.headers },
        body: op.body,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
        signal,
      })
      answer = { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) }
    } catch (e) {
      if (signal?.aborted) throw signal.reason
      const net = describeNetworkError(e)
      if (!net.retryable || retry >= RETRIES) {
        throw new BlobRequestError({ target, blob: name, method, status: 0, code: net.code, cause: net.cause, hint: net.hint })
      }
      await sleep(backoffDelay(retry + 1, POLICY), signal)
      continue
    }
    if (answer.status < 300 || op.accept?.includes(answer.status)) return answer
    if (RETRY_STATUSES.has(answer.status) && retry < RETRIES) {
      await sleep(backoffDelay(retry + 1, POLICY, retryAfterMs(answer.headers['retry-after'])), signal)
      continue
    }
    const code = header(answer.headers, 'x-ms-error-code')
    const { cause, hint } = describeStatus(target, method, answer.status, code)
    throw new BlobRequestError({ target, blob: name, method, status: answer.status, code, cause, hint })
  }
}

async function withAgent<T>(connections: number, fn: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
  const agent = new Agent({ connections, allowH2: false })
  try {
    return await fn(agent)
  } finally {
    await agent.destroy()
  }
}

function putOp(dispatcher: Dispatcher, target: BlobTarget, name: string, bytes: Buffer, contentType?: string, signal?: AbortSignal): Op {
  return {
    dispatcher, target, name, method: 'PUT', body: bytes, signal,
    headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': contentType ?? 'application/octet-stream' },
  }
}

/** Writes one block blob in a single Put Blob request (the SAS needs 'c' or 'w'). */
export async function putBlob(target: BlobTarget, name: string, bytes: Buffer | string, contentType?: string): Promise<void> {
  const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  await withAgent(1, (d) => send(putOp(d, target, name, body, contentType)))
}

export interface UploadItem {
  name: string
  /** The content, or a function making it when its turn comes (so large sets need not sit in memory). */
  bytes: Buffer | (() => Buffer)
  contentType?: string
}

export interface UploadProgress {
  /** Blobs written so far, and their bytes. */
  blobs: number
  bytes: number
  /** The blob just written. */
  name: string
}

export interface UploadOptions {
  /** Uploads in flight at once; default 8. */
  concurrency?: number
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

async function* asAsync<T>(items: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  yield* items
}

/**
 * Uploads every item (taken lazily from the iterable) with `concurrency` requests in flight.
 * Stops at the first failure and throws it; resolves with the count and bytes written.
 */
export async function uploadBlobs(
  target: BlobTarget,
  items: Iterable<UploadItem> | AsyncIterable<UploadItem>,
  options: UploadOptions = {},
): Promise<{ blobs: number; bytes: number }> {
  const concurrency = options.concurrency ?? 8
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`uploadBlobs: concurrency must be a positive integer, got ${concurrency}`)
  const source = asAsync(items)
  let blobs = 0
  let bytes = 0
  let failed = false
  return withAgent(concurrency, async (dispatcher) => {
    const worker = async () => {
      while (!failed) {
        const next = await source.next()
        if (next.done) return
        const item = next.value
        const body = typeof item.bytes === 'function' ? item.bytes() : item.bytes
        try {
          await send(putOp(dispatcher, target, item.name, body, item.contentType, options.signal))
        } catch (e) {
          failed = true
          throw e
        }
        blobs++
        bytes += body.length
        options.onProgress?.({ blobs, bytes, name: item.name })
      }
    }
    const results = await Promise.allSettled(Array.from({ length: concurrency }, worker))
    const failure = results.find((r) => r.status === 'rejected')
    if (failure) throw (failure as PromiseRejectedResult).reason
    return { blobs, bytes }
  })
}

/** The blob's content as UTF-8 text (the SAS needs 'r'). */
export async function getText(target: BlobTarget, name: string): Promise<string> {
  const answer = await withAgent(1, (d) => send({ dispatcher: d, target, name, method: 'GET' }))
  return answer.body.toString('utf8')
}

/**
 * The blob's size in bytes, or null when there is no such blob (the SAS needs 'r'); a missing
 * container and other failures throw. Asks for its first byte (`Range: bytes=0-0`) and reads the
 * size from Content-Range, so a refusal carries the store's error code like any read.
 */
export async function blobSize(target: BlobTarget, name: string): Promise<number | null> {
  const answer = await withAgent(1, (d) => send({ dispatcher: d, target, name, method: 'GET', headers: { range: 'bytes=0-0' }, accept: [404, 416] }))
  if (answer.status === 404) {
    const code = header(answer.headers, 'x-ms-error-code')
    if (code !== 'ContainerNotFound') return null
    const { cause, hint } = describeStatus(target, 'GET', 404, code)
    throw new BlobRequestError({ target, blob: name, method: 'GET', status: 404, code, cause, hint })
  }
  if (answer.status === 416) return 0 // an empty blob has no first byte
  const total = /\/(\d+)$/.exec(header(answer.headers, 'content-range') ?? '')
  return total ? Number(total[1]) : answer.body.length // 200: a store that ignored Range sent it all
}

/** True when the blob exists, false when it does not; a missing container and other failures throw. */
export async function blobExists(target: BlobTarget, name: string): Promise<boolean> {
  const answer = await withAgent(1, (d) => send({ dispatcher: d, target, name, method: 'HEAD', accept: [404] }))
  if (answer.status !== 404) return true
  const code = header(answer.headers, 'x-ms-error-code')
  if (code === 'ContainerNotFound') {
    const { cause, hint } = describeStatus(target, 'HEAD', 404, code)
    throw new BlobRequestError({ target, blob: name, method: 'HEAD', status: 404, code, cause, hint })
  }
  return false
}
