// The history of one run, written as it happens: history.jsonl, one JSON object a line — the
// header (what produced it) first, then every HistoryEvent (types.ts) in the order it happened.
//
// While the run is in progress the file is `history.partial.jsonl` and its header says
// `partial: true`, so an interrupted run never looks complete. Events are buffered and written
// (synchronously, by file descriptor) every FLUSH_MS or when the buffer reaches FLUSH_BYTES, and
// on finish/abandon. `finish()` writes `history.jsonl` afresh — the header without `partial`, then
// the events copied from the partial file — through a temp file and a rename (atomic), then removes
// the partial file. `abandon()` (or the process exiting: an 'exit' handler, and SIGINT/SIGTERM/SIGHUP
// handlers that flush synchronously and re-raise the signal when nobody else handles it) flushes
// and leaves the partial file, marked partial. harness/run/cleanup.ts releases processes and
// directories only, so this file hooks the exit itself.
//
// Operation ids are allocated here (`invoke` returns the next one), so they are unique in the history.
import { closeSync, createReadStream, createWriteStream, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createInterface } from 'node:readline'
import type { HistoryEvent, HistoryHeader } from './types.ts'

/** Buffered events are written at least this often … */
export const FLUSH_MS = 100
/** … or as soon as the buffer holds this many bytes. */
export const FLUSH_BYTES = 1 << 20

/** The fields of an invoke, without the op id (allocated) and type. */
export type InvokeFields = Omit<HistoryEvent, 'op' | 'type'>
/** The fields of a completion, without the op id, process and type. */
export type CompletionFields = Omit<HistoryEvent, 'op' | 'type' | 'process'>

export interface HistoryWriter {
  /** Where the finished history goes (…/history.jsonl). */
  readonly path: string
  /** Where it is while the run is in progress (…/history.partial.jsonl). */
  readonly partialPath: string
  /** Events appended so far (the header not counted). */
  readonly events: number
  /** Appends the invoke of a new operation and returns its id. */
  invoke(fields: InvokeFields): number
  /** Appends the completion (ok, fail or info) of operation `op`, invoked by `process`. */
  complete(op: number, process: string, type: 'ok' | 'fail' | 'info', fields: CompletionFields): void
  /** Appends an event as it is (its op id must come from `invoke`). */
  append(event: HistoryEvent): void
  /** Writes what is buffered now. */
  flush(): void
  /** Ends the history: history.jsonl with the header not partial; resolves to its path. */
  finish(): Promise<string>
  /** Ends the history as interrupted: the partial file stays, flushed, marked partial. Returns its path. */
  abandon(): string
}

/** `…/history.jsonl` → `…/history.partial.jsonl` (any other name gets `.partial` appended). */
export function partialPathOf(path: string): string {
  return path.endsWith('.jsonl') ? `${path.slice(0, -'.jsonl'.length)}.partial.jsonl` : `${path}.partial`
}

const open = new Set<HistoryFile>()
let hooked = false

function flushAllSync(): void {
  for (const h of open) {
    try {
      h.abandon()
    } catch {
      // best effort at exit: keep flushing the others
    }
  }
}

function hookExit(): void {
  if (hooked) return
  hooked = true
  process.on('exit', flushAllSync)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      flushAllSync()
      process.off(signal, onSignal)
      // nobody else handles it: die of it as the default action would (cleanup.ts re-raises too)
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }
    process.on(signal, onSignal)
  }
}

class HistoryFile implements HistoryWriter {
  readonly path: string
  readonly partialPath: string
  readonly #header: HistoryHeader
  readonly #headerBytes: number
  #fd: number | null
  #buffer: string[] = []
  #bufferBytes = 0
  #nextOp = 0
  #events = 0
  #timer: NodeJS.Timeout

  constructor(path: string, header: HistoryHeader) {
    this.path = path
    this.partialPath = partialPathOf(path)
    this.#header = header
    mkdirSync(dirname(path), { recursive: true })
    const line = Buffer.from(JSON.stringify({ ...header, partial: true }) + '\n')
    this.#headerBytes = line.length
    this.#fd = openSync(this.partialPath, 'w')
    writeSync(this.#fd, line)
    this.#timer = setInterval(() => this.flush(), FLUSH_MS)
    this.#timer.unref()
    hookExit()
    open.add(this)
  }

  get events(): number {
    return this.#events
  }

  invoke(fields: InvokeFields): number {
    const op = this.#nextOp++
    this.append({ op, type: 'invoke', ...fields })
    return op
  }

  complete(op: number, process: string, type: 'ok' | 'fail' | 'info', fields: CompletionFields): void {
    this.append({ op, process, type, ...fields })
  }

  append(event: HistoryEvent): void {
    if (this.#fd === null) throw new Error(`${this.path}: the history is already closed`)
    const line = JSON.stringify(event) + '\n'
    this.#buffer.push(line)
    this.#bufferBytes += line.length
    this.#events++
    if (this.#bufferBytes >= FLUSH_BYTES) this.flush()
  }

  flush(): void {
    if (this.#fd === null || this.#buffer.length === 0) return
    const data = this.#buffer.join('')
    this.#buffer = []
    this.#bufferBytes = 0
    writeSync(this.#fd, data)
  }

  #close(): void {
    this.flush()
    clearInterval(this.#timer)
    if (this.#fd !== null) closeSync(this.#fd)
    this.#fd = null
    open.delete(this)
  }

  async finish(): Promise<string> {
    if (this.#fd === null) throw new Error(`${this.path}: the history is already closed`)
    this.#close()
    const tmp = `${this.path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    try {
      const out = createWriteStream(tmp)
      out.write(JSON.stringify(this.#header) + '\n')
      await pipeline(createReadStream(this.partialPath, { start: this.#headerBytes }), out)
      renameSync(tmp, this.path)
    } catch (e) {
      rmSync(tmp, { force: true })
      throw e
    }
    rmSync(this.partialPath, { force: true })
    return this.path
  }

  abandon(): string {
    if (this.#fd !== null) this.#close()
    return this.partialPath
  }
}

/** Starts the history of a run at `path` (…/history.jsonl); it is written as …/history.partial.jsonl until finished. */
export function openHistory(path: string, header: HistoryHeader): HistoryWriter {
  if (header.type !== 'header') throw new Error(`openHistory ${path}: the header's type must be 'header'`)
  return new HistoryFile(path, header)
}

export interface HistoryContents {
  header: HistoryHeader
  events: HistoryEvent[]
}

/**
 * Calls `onHeader`, then `onEvent` for every event of a history file, finished or partial. A bad
 * line is an error, except the last line of a partial history (the run may have died mid-write).
 */
export async function readHistoryEvents(path: string, onEvent: (e: HistoryEvent) => void, onHeader?: (h: HistoryHeader) => void): Promise<HistoryHeader> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
  let n = 0
  let header: HistoryHeader | undefined
  let bad: Error | undefined
  for await (const line of lines) {
    n++
    if (line.trim() === '') continue
    if (bad) throw bad
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      bad = new Error(`${path}:${n}: not a JSON line (${line.slice(0, 60)}${line.length > 60 ? '…' : ''})`)
      continue
    }
    if (header === undefined) {
      if ((parsed as { type?: unknown }).type !== 'header') throw new Error(`${path}:${n}: expected the history header ({"type":"header",…})`)
      header = parsed as HistoryHeader
      onHeader?.(header)
    } else onEvent(parsed as HistoryEvent)
  }
  if (header === undefined) throw bad ?? new Error(`${path}: empty (expected a history header on line 1)`)
  if (bad && !header.partial) throw bad
  return header
}

/** The whole of a history file in memory (tests, small runs); large ones are better streamed with readHistoryEvents. */
export async function readHistory(path: string): Promise<HistoryContents> {
  const events: HistoryEvent[] = []
  const header = await readHistoryEvents(path, (e) => events.push(e))
  return { header, events }
}
