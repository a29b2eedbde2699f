// The process store: your own store client (Rust, Go, anything) as an executable, driven over
// JSON lines on its stdin/stdout, so the chaos workload and the checker test your real client.
//
// THE PROTOCOL
// The adapter starts `chaos.process.command` (program and arguments) once, at the first open(), in
// a process group of its own. Every request is one line of JSON on the client's stdin; every answer
// is one line of JSON on its stdout carrying the request's "id". Requests do not wait for earlier
// answers (one is in flight per logical process of the workload, several in all): answer each when
// it is done, in any order. stdout carries answers only; write logs to stderr (its last lines are
// quoted in our errors). When stdin ends (EOF) the client exits; 2 s later its process group is
// killed anyway.
//
// Requests (every field always present):
//   {"id":1,"op":"open","prefix":"run-3f2a"}
//       A new run: keys of this prefix start absent. Keys of different prefixes are different keys.
//   {"id":2,"op":"read","prefix":"run-3f2a","key":"k7"}
//   {"id":3,"op":"write","prefix":"run-3f2a","key":"k7","value":"w1-42-a0|......","txn":"t:w1-42-a0","computed":false}
//       Store "value" (a unique token padded with "|" and dots to the value size; store it as given)
//       on the key, or delete the key when "value" is null. "txn" names this attempt, unique in the
//       run. "computed": true asks for a read-then-write transaction that writes the version
//       computed from what it read (read version + 1); false lets the store choose the new version.
// Answers:
//   {"id":1,"ok":true}                                                 open done
//   {"id":2,"ok":true,"value":"w1-42-a0|......","version":3}           read: what is committed now
//   {"id":2,"ok":true,"value":null,"version":0}                        read: a key never written
//   {"id":3,"ok":true,"version":4,"prev":{"value":"w0-7-a1|...","version":3}}
//       write committed: the key's new version, and what the transaction read before writing
//   {"id":3,"ok":false,"conflict":true,"error":"precondition failed"}  lost a race (a conditional
//       write's precondition, a serialization failure): it did not take effect; may carry "prev"
//   {"id":3,"ok":false,"error":"disk full"}                            failed: it did not take effect
//   {"id":3,"ok":false,"unknown":true,"error":"timeout"}               it may or may not have taken effect
//   {"id":n,"ok":false,"error":"…"}                                    open or read failed
// Versions are integers, per key, strictly increasing in the store's commit order (a global commit
// counter is fine); 0 means never written. A deleted key reads {"value":null,"version":<the delete's version>}.
// A line that is not a JSON object, has no id of a request in flight, or lacks a field its answer
// needs is a protocol error: the client is stopped, and the operation in flight and every later
// one fail with one message naming the command, the line number and the line. If the client exits,
// the operations in flight have an unknown outcome and later ones fail.
//
// fixtures/chaos/example-client.mjs is a complete client in 20 lines (an in-memory map).
import type { CommitOutcome, StoreAdapter, StoreSession, Versioned, WriteRequest } from '../types.ts'
import { JsonLinesClient, type Answer } from './json-lines-client.ts'
import { padValue, stripValue } from './value-padding.ts'

export interface ProcessStoreOptions {
  /** The client: program and arguments (chaos.process.command). */
  command: readonly string[]
  /** Bytes per stored value (the token padded). */
  valueSize: number
  /** Working directory of the client. Default: this process's. */
  cwd?: string
  /** Where the command came from, for a missing program. Default 'chaos.process.command'. */
  field?: string
}

const OPEN_TIMEOUT_MS = 30_000

/** A process store, with the pid of its client (its process group) once open() started it. */
export interface ProcessStoreAdapter extends StoreAdapter {
  readonly clientPid: number | null
}

export function processStore(options: ProcessStoreOptions): ProcessStoreAdapter {
  return new ProcessStore(options)
}

class ProcessStore implements ProcessStoreAdapter {
  readonly name = 'process'
  readonly #options: ProcessStoreOptions
  #client: JsonLinesClient | null = null
  #closed = false

  constructor(options: ProcessStoreOptions) {
    this.#options = options
  }

  get clientPid(): number | null {
    return this.#client?.pid ?? null
  }

  async open(prefix: string): Promise<StoreSession> {
    if (this.#closed) throw new Error('process store: open after close')
    this.#client ??= new JsonLinesClient(this.#options.command, this.#options.field ?? 'chaos.process.command', this.#options.cwd)
    const client = this.#client
    const answer = await client.request({ op: 'open', prefix }, AbortSignal.timeout(OPEN_TIMEOUT_MS))
    if (okField(client, answer) !== true) throw new Error(`process store (${client.label}): open of ${prefix} failed: ${errorField(client, answer)}`)
    return new ProcessSession(client, prefix, this.#options.valueSize)
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#client?.close()
  }
}

class ProcessSession implements StoreSession {
  readonly #client: JsonLinesClient
  readonly #prefix: string
  readonly #valueSize: number

  constructor(client: JsonLinesClient, prefix: string, valueSize: number) {
    this.#client = client
    this.#prefix = prefix
    this.#valueSize = valueSize
  }

  async read(key: string, signal: AbortSignal): Promise<Versioned> {
    const c = this.#client
    const answer = await c.request({ op: 'read', prefix: this.#prefix, key }, signal)
    if (okField(c, answer) !== true) throw new Error(`process store (${c.label}): read of ${key} failed: ${errorField(c, answer)}`)
    return versionedOf(c, answer, answer.body, 'a read answer')
  }

  async write(request: WriteRequest, signal: AbortSignal): Promise<CommitOutcome> {
    const c = this.#client
    const answer = await c.request({
      op: 'write',
      prefix: this.#prefix,
      key: request.key,
      value: padValue(request.value, this.#valueSize),
      txn: request.txn,
      computed: request.computed,
    }, signal)
    const b = answer.body
    if (okField(c, answer)) {
      const version = integerField(c, answer, b, 'version', 1, 'a write answer')
      const prev = b.prev
      if (typeof prev !== 'object' || prev === null || Array.isArray(prev)) {
        throw c.protocolError(answer.lineNo, answer.line, '"prev" missing or not an object', 'a committed write\'s answer with "prev":{"value":…,"version":…}, what it read before writing')
      }
      return { kind: 'ok', version, prev: versionedOf(c, answer, prev as Record<string, unknown>, '"prev" of a write answer'), txn: request.txn }
    }
    const error = errorField(c, answer)
    if (b.unknown === true) throw new Error(`process store (${c.label}): write ${request.txn}: outcome unknown: ${error}`)
    if (b.conflict === true) {
      const prev = b.prev
      if (prev === undefined || prev === null) return { kind: 'conflict', error }
      if (typeof prev !== 'object' || Array.isArray(prev)) throw c.protocolError(answer.lineNo, answer.line, '"prev" is not an object', '"prev":{"value":…,"version":…} or no "prev"')
      return { kind: 'conflict', error, prev: versionedOf(c, answer, prev as Record<string, unknown>, '"prev" of a conflict answer') }
    }
    return { kind: 'fail', error }
  }
}

function okField(c: JsonLinesClient, a: Answer): boolean {
  const ok = a.body.ok
  if (typeof ok !== 'boolean') throw c.protocolError(a.lineNo, a.line, '"ok" missing or not true/false', 'an answer with "ok":true or "ok":false')
  return ok
}

function errorField(c: JsonLinesClient, a: Answer): string {
  const error = a.body.error
  if (typeof error !== 'string') throw c.protocolError(a.lineNo, a.line, '"ok":false without an "error" string', 'a failed answer with "error":"why"')
  return error
}

function integerField(c: JsonLinesClient, a: Answer, o: Record<string, unknown>, name: string, min: number, what: string): number {
  const v = o[name]
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw c.protocolError(a.lineNo, a.line, `${what}: "${name}" is ${v === undefined ? 'missing' : JSON.stringify(v)}`, `an integer ≥ ${min}`)
  }
  return v
}

function versionedOf(c: JsonLinesClient, a: Answer, o: Record<string, unknown>, what: string): Versioned {
  const value = o.value
  if (value !== null && typeof value !== 'string') {
    throw c.protocolError(a.lineNo, a.line, `${what}: "value" is ${value === undefined ? 'missing' : JSON.stringify(value)}`, 'a string, or null for an absent key')
  }
  return { value: stripValue(value), version: integerField(c, a, o, 'version', 0, what) }
}
