// The blob-manifest store: the original design, a transactional manifest on Azure Blob.
//
// Layout, per run prefix P:
//   P/HEAD                 JSON {version, last_seq, last_txn_id, index}, replaced only with a
//                          conditional Put Blob `If-Match: <etag it was read with>`
//   P/seg/<version>-<txn>  one commit's segment, written first with `If-None-Match: *`: a JSON
//                          line {key, value, txn, version} and then '.' padding up to value_size
// index maps each key to {seg, version, value} — the segment holding its latest value, the HEAD
// version that wrote it, and the value token (so a commit knows what it overwrites without a
// second GET); a deleted key stays as a tombstone {seg: null, version, value: null}, so a read
// of it still returns the version of the delete.
//
// open(P): Put P/HEAD version 0 with If-None-Match:* (an existing HEAD is refused: a fresh prefix).
// read(k): GET HEAD, then GET k's segment → {value from the segment, version from the index}.
// write(r): GET HEAD (and its etag) → new version = head.version + 1 → Put the segment
//   (If-None-Match:*) → Put HEAD (If-Match etag) → {ok, version, prev (k in the HEAD read), txn}.
//   412/409 on either Put → {conflict} (lost the race, nothing took effect).
// Outcomes: anything that fails before the HEAD Put is a definite `fail` (HEAD is untouched; an
// orphan segment changes nothing). A HEAD Put that gets no answer (connection reset, abort) or a
// 5xx answer throws: it may or may not have taken effect, the caller records it as info. An
// aborted signal always throws (its reason). No request is retried (see blob-manifest-http.ts).
//
// `ignoreIfMatch: true` is the deliberately broken variant 'blob-manifest (ignores If-Match)': it
// Puts HEAD unconditionally, so two commits read from the same HEAD both win and the later one's
// index drops the earlier one's entry — a lost update the checker must catch.
import type { Config } from '../../config/schema.ts'
import { containerSas, createContainer, targetFromConfig, type SharedKeyAccount } from '../../azure/store.ts'
import type { BlobTarget } from '../../azure/target.ts'
import type { CommitOutcome, StoreAdapter, StoreSession, Versioned, WriteRequest } from '../types.ts'
import { BlobHttp, type BlobAnswer } from './blob-manifest-http.ts'

/** One key's entry in HEAD's index; seg null = deleted (a tombstone). */
export interface IndexEntry {
  seg: string | null
  version: number
  value: string | null
}

/** The HEAD object. */
export interface ManifestHead {
  version: number
  /** Segments committed so far (one per commit). */
  last_seq: number
  /** Transaction id of the last commit, '' before the first. */
  last_txn_id: string
  index: Record<string, IndexEntry>
}

export interface BlobManifestOptions {
  /** The container (URL + SAS with read, create and write permissions). */
  target: BlobTarget
  /** e.g. http://127.0.0.1:PROXYPORT (the TCP proxy): replaces the target's origin. */
  origin?: string
  /** Bytes per segment (the value token padded); the pad is stripped on read. */
  valueSize: number
  /** The broken variant: Put HEAD without If-Match. */
  ignoreIfMatch?: boolean
  /** Sockets per origin; default 64. */
  connections?: number
}

const CONFLICT_STATUSES = new Set([409, 412])

function isConflict(answer: BlobAnswer): boolean {
  return CONFLICT_STATUSES.has(answer.status)
}

function parseHead(answer: BlobAnswer, where: string): ManifestHead {
  let head: ManifestHead
  try {
    head = JSON.parse(answer.body.toString('utf8')) as ManifestHead
  } catch {
    throw new Error(`${where}: HEAD is not JSON`)
  }
  if (!Number.isInteger(head.version) || typeof head.index !== 'object' || head.index === null) throw new Error(`${where}: HEAD has no version and index`)
  return head
}

/** A segment's bytes: one JSON line, then '.' up to `size` bytes in all. */
export function segmentBody(record: { key: string; value: string | null; txn: string; version: number }, size: number): Buffer {
  const line = `${JSON.stringify(record)}\n`
  const bytes = Buffer.byteLength(line)
  return Buffer.from(bytes >= size ? line : line + '.'.repeat(size - bytes))
}

/** The record at the start of a segment (the padding stripped). */
export function parseSegment(body: Buffer): { key: string; value: string | null; txn: string; version: number } {
  const text = body.toString('utf8')
  const end = text.indexOf('\n')
  return JSON.parse(end < 0 ? text : text.slice(0, end)) as { key: string; value: string | null; txn: string; version: number }
}

function versionedOf(entry: IndexEntry | undefined): Versioned {
  return entry === undefined ? { value: null, version: 0 } : { value: entry.value, version: entry.version }
}

class ManifestSession implements StoreSession {
  readonly #http: BlobHttp
  readonly #prefix: string
  readonly #valueSize: number
  readonly #ignoreIfMatch: boolean

  constructor(http: BlobHttp, prefix: string, valueSize: number, ignoreIfMatch: boolean) {
    this.#http = http
    this.#prefix = prefix
    this.#valueSize = valueSize
    this.#ignoreIfMatch = ignoreIfMatch
  }

  get #headName(): string {
    return `${this.#prefix}/HEAD`
  }

  #segName(seg: string): string {
    return `${this.#prefix}/seg/${seg}`
  }

  async #getHead(signal: AbortSignal): Promise<{ head: ManifestHead; etag: string }> {
    const name = this.#headName
    const answer = await this.#http.get(name, signal)
    const where = this.#http.describe('GET', name, answer)
    if (answer.status !== 200) throw new Error(answer.status === 404 ? `${where} (no HEAD: the session was not opened)` : where)
    if (answer.etag === undefined) throw new Error(`${where}: the answer has no ETag`)
    return { head: parseHead(answer, where), etag: answer.etag }
  }

  async read(key: string, signal: AbortSignal): Promise<Versioned> {
    const { head } = await this.#getHead(signal)
    const entry = head.index[key]
    if (entry === undefined || entry.seg === null) return versionedOf(entry)
    const name = this.#segName(entry.seg)
    const answer = await this.#http.get(name, signal)
    if (answer.status !== 200) throw new Error(this.#http.describe('GET', name, answer))
    const record = parseSegment(answer.body)
    if (record.key !== key) throw new Error(`${this.#http.describe('GET', name, answer)}: the segment holds key '${record.key}', HEAD says '${key}'`)
    return { value: record.value, version: entry.version }
  }

  async write(request: WriteRequest, signal: AbortSignal): Promise<CommitOutcome> {
    let base: { head: ManifestHead; etag: string }
    try {
      base = await this.#getHead(signal)
    } catch (e) {
      if (signal.aborted) throw signal.reason
      return { kind: 'fail', error: (e as Error).message }
    }
    const { head, etag } = base
    const prev = versionedOf(head.index[request.key])
    const version = head.version + 1
    const seg = `${version}-${request.txn}`

    const segName = this.#segName(seg)
    const body = segmentBody({ key: request.key, value: request.value, txn: request.txn, version }, this.#valueSize)
    let segAnswer: BlobAnswer
    try {
      segAnswer = await this.#http.put(segName, body, { 'if-none-match': '*' }, signal)
    } catch (e) {
      if (signal.aborted) throw signal.reason
      return { kind: 'fail', error: (e as Error).message } // HEAD untouched: nothing committed
    }
    if (isConflict(segAnswer)) return { kind: 'conflict', error: this.#http.describe('PUT', segName, segAnswer), prev }
    if (segAnswer.status !== 201) return { kind: 'fail', error: this.#http.describe('PUT', segName, segAnswer) }

    const next: ManifestHead = {
      version,
      last_seq: head.last_seq + 1,
      last_txn_id: request.txn,
      index: {
        ...head.index,
        [request.key]: request.value === null ? { seg: null, version, value: null } : { seg, version, value: request.value },
      },
    }
    const headName = this.#headName
    const conditions: Record<string, string> = this.#ignoreIfMatch ? {} : { 'if-match': etag }
    // a throw here (no answer, abort) leaves the outcome unknown: the caller records info
    const answer = await this.#http.put(headName, Buffer.from(JSON.stringify(next)), conditions, signal)
    if (answer.status === 201) return { kind: 'ok', version, prev, txn: request.txn }
    const error = this.#http.describe('PUT', headName, answer)
    if (isConflict(answer)) return { kind: 'conflict', error, prev }
    if (answer.status >= 500) throw new Error(`${error} (the commit may or may not have taken effect)`)
    return { kind: 'fail', error }
  }
}

class BlobManifestStore implements StoreAdapter {
  readonly name: string
  readonly #http: BlobHttp
  readonly #valueSize: number
  readonly #ignoreIfMatch: boolean

  constructor(options: BlobManifestOptions) {
    if (!Number.isInteger(options.valueSize) || options.valueSize < 0) throw new RangeError(`blobManifestStore: valueSize must be a whole number of bytes, got ${options.valueSize}`)
    this.#ignoreIfMatch = options.ignoreIfMatch ?? false
    this.name = this.#ignoreIfMatch ? 'blob-manifest (ignores If-Match)' : 'blob-manifest'
    this.#valueSize = options.valueSize
    this.#http = new BlobHttp({ target: options.target, origin: options.origin, connections: options.connections })
  }

  async open(prefix: string): Promise<StoreSession> {
    const clean = prefix.replace(/^\/+|\/+$/g, '')
    if (clean === '') throw new Error('blob-manifest: open() needs a non-empty prefix')
    const initial: ManifestHead = { version: 0, last_seq: 0, last_txn_id: '', index: {} }
    const name = `${clean}/HEAD`
    const answer = await this.#http.put(name, Buffer.from(JSON.stringify(initial)), { 'if-none-match': '*' }, AbortSignal.timeout(30_000))
    if (answer.status !== 201) {
      const why = isConflict(answer) ? ' (a HEAD exists already: each run needs a fresh prefix)' : ''
      throw new Error(`${this.#http.describe('PUT', name, answer)}${why}`)
    }
    return new ManifestSession(this.#http, clean, this.#valueSize, this.#ignoreIfMatch)
  }

  close(): Promise<void> {
    return this.#http.close()
  }
}

/** A blob-manifest adapter on one container; its own keep-alive agent, released by close(). */
export function blobManifestStore(options: BlobManifestOptions): StoreAdapter {
  return new BlobManifestStore(options)
}

/** Makes adapters on one container: directly, or through a proxy at `origin`. */
export interface BlobManifestFactory {
  readonly target: BlobTarget
  adapter(origin?: string): StoreAdapter
}

export interface BlobManifestSetup {
  valueSize: number
  ignoreIfMatch?: boolean
  /** Container to create on the account; default 'chaos'. */
  container?: string
}

function factory(target: BlobTarget, setup: BlobManifestSetup): BlobManifestFactory {
  return {
    target,
    adapter: (origin) => blobManifestStore({ target, origin, valueSize: setup.valueSize, ignoreIfMatch: setup.ignoreIfMatch }),
  }
}

/** On a shared-key account (the embedded Azurite): creates the container and mints a read-create-write SAS for it. */
export async function blobManifestOnAzurite(account: SharedKeyAccount, setup: BlobManifestSetup): Promise<BlobManifestFactory> {
  const container = setup.container ?? 'chaos'
  await createContainer(account, container)
  return factory(containerSas(account, container, { permissions: 'rcw' }), setup)
}

/**
 * On the `azure` config section's container (its SAS must allow read, create and write), or
 * null when the section names no account: then the embedded Azurite is used.
 */
export function blobManifestOnConfig(azure: Config['azure'], setup: BlobManifestSetup): BlobManifestFactory | null {
  const target = targetFromConfig(azure, 'rcw')
  return target === null ? null : factory(target, setup)
}
