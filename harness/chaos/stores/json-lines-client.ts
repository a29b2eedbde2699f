// A child process spoken to in JSON lines: one request object a line on its stdin, one answer
// object a line on its stdout, matched by `id` (answers may come in any order; many requests are in
// flight at once). The process store's transport (./process.ts states the protocol itself).
//
// The child runs in its own process group (../../run/processes.ts: stopped at teardown and Ctrl-C),
// its stderr kept (the last 4 KB, quoted in errors). A line that is not a JSON object with an `id`
// we are waiting for is a protocol error: it is fatal — the child is stopped and every pending and
// later request rejects with one message naming the command, the line number and the line. An
// answer to a request we gave up on (aborted) is dropped. When the child exits, pending requests
// reject (their outcome is unknown) and later ones reject at once, with its exit code and stderr.
// close() ends its stdin (a client exits on EOF), waits 2 s, then stops its process group.
import { createInterface } from 'node:readline'
import { resolveProgram } from '../../command/program.ts'
import { UserError } from '../../errors.ts'
import { killGroup } from '../../run/cleanup.ts'
import { startProcess, type Started } from '../../run/processes.ts'

const STDERR_KEEP = 4096
const LINE_SHOWN = 300

/** One answer line: its parsed object, its text and its number on the child's stdout (1-based). */
export interface Answer {
  body: Record<string, unknown>
  line: string
  lineNo: number
}

interface Pending {
  resolve(answer: Answer): void
  reject(error: Error): void
}

/** A line as error messages quote it: at most 300 characters. */
export function shownLine(line: string): string {
  return line.length > LINE_SHOWN ? `${line.slice(0, LINE_SHOWN)}…` : line
}

export class JsonLinesClient {
  /** The command as messages name it, e.g. `node fixtures/chaos/example-client.mjs` (long arguments cut at 60 characters). */
  readonly label: string
  readonly #proc: Started
  readonly #pending = new Map<number, Pending>()
  readonly #abandoned = new Set<number>()
  #nextId = 1
  #lineNo = 0
  #stderr = ''
  #dead: Error | null = null
  #closing: Promise<void> | null = null

  /** Starts `command` (program and arguments); `field` names where the command came from, for a missing program. */
  constructor(command: readonly string[], field: string, cwd = process.cwd()) {
    const [program, ...args] = command
    if (program === undefined) throw new UserError({ file: field, message: 'the command is empty', expected: 'a program and its arguments' })
    this.label = command.map((arg) => { const flat = arg.replace(/\s+/g, ' '); return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat }).join(' ')
    const full = resolveProgram(program, field, cwd)
    this.#proc = startProcess(full, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    const child = this.#proc.child
    child.stdin!.on('error', () => {}) // EPIPE when it exits first: reported by 'close' below
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_KEEP)
    })
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => this.#onLine(line))
    child.once('error', (e) => this.#die(new Error(`process store (${this.label}): cannot run it: ${e.message}`)))
    child.once('close', (code, signal) => {
      const how = code !== null ? `exit code ${code}` : `signal ${signal}`
      const unanswered = this.#pending.size > 0 ? ` with ${this.#pending.size} operation(s) unanswered (outcome unknown)` : ''
      this.#die(new Error(`process store (${this.label}): the client exited (${how})${unanswered}${this.stderrTail()}`))
    })
  }

  /** The child's pid (its process group). */
  get pid(): number {
    return this.#proc.pid
  }

  /** `; stderr: …` with the last lines the child wrote there, or '' when it wrote none. */
  stderrTail(): string {
    const tail = this.#stderr.trim()
    return tail ? `; its stderr ended: ${tail.length > 1000 ? `…${tail.slice(-1000)}` : tail}` : ''
  }

  /** Sends `{id, ...body}`; resolves with the answer of that id. Aborting rejects (outcome unknown) and drops its answer. */
  request(body: Record<string, unknown>, signal: AbortSignal): Promise<Answer> {
    if (this.#dead) return Promise.reject(this.#dead)
    if (signal.aborted) return Promise.reject(this.#aborted(String(body.op), signal))
    const id = this.#nextId++
    return new Promise<Answer>((resolve, reject) => {
      const onAbort = () => {
        this.#pending.delete(id)
        this.#abandoned.add(id)
        reject(this.#aborted(String(body.op), signal))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(id, {
        resolve: (a) => {
          signal.removeEventListener('abort', onAbort)
          resolve(a)
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort)
          reject(e)
        },
      })
      this.#proc.child.stdin!.write(`${JSON.stringify({ id, ...body })}\n`)
    })
  }

  #aborted(op: string, signal: AbortSignal): Error {
    const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason)
    return new Error(`process store (${this.label}): ${op} aborted (${reason}); its outcome is unknown`)
  }

  /** A protocol error in answer line `lineNo`: fatal, for this and every other request. */
  protocolError(lineNo: number, line: string, message: string, expected: string): UserError {
    const error = new UserError({
      file: `process store client \`${this.label}\` (stdout)`,
      line: lineNo,
      message: `${message}: ${shownLine(line)}`,
      expected,
      hint: 'one JSON answer a line, as the protocol in harness/chaos/stores/process.ts (and the README) states; example: fixtures/chaos/example-client.mjs',
    })
    this.#die(error)
    void this.close()
    return error
  }

  #onLine(line: string): void {
    const lineNo = ++this.#lineNo
    if (this.#dead) return
    let body: unknown
    try {
      body = JSON.parse(line)
    } catch {
      this.protocolError(lineNo, line, 'not valid JSON', 'a JSON object such as {"id":2,"ok":true,"value":null,"version":0}')
      return
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.protocolError(lineNo, line, 'not a JSON object', 'a JSON object with the id of a request')
      return
    }
    const id = (body as Record<string, unknown>).id
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      this.protocolError(lineNo, line, 'no integer "id"', 'the "id" of the request it answers')
      return
    }
    const pending = this.#pending.get(id)
    if (!pending) {
      if (this.#abandoned.delete(id)) return // a late answer to a request we gave up on
      this.protocolError(lineNo, line, `"id" ${id} answers no request in flight`, 'one answer per request, with its id')
      return
    }
    this.#pending.delete(id)
    pending.resolve({ body: body as Record<string, unknown>, line, lineNo })
  }

  #die(error: Error): void {
    this.#dead ??= error
    for (const pending of this.#pending.values()) pending.reject(this.#dead)
    this.#pending.clear()
  }

  /** Ends stdin, gives the child 2 s to exit, then stops its process group. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#die(new Error(`process store (${this.label}): closed`))
      this.#proc.child.stdin!.end()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([this.#proc.exited, new Promise((ok) => (timer = setTimeout(ok, 2000)))])
      clearTimeout(timer)
      killGroup(this.#proc.pid, 'SIGCONT') // a stopped client could not act on the SIGTERM that follows
      await this.#proc.stop()
    })()
    return this.#closing
  }
}
