// The lifecycle of one system under test: start it on its own port, wait until a real check says
// it is ready, and stop its whole process group — by pid, never by name.
//
// Start: the port is chosen first (port 0 → the kernel picks a free one on 127.0.0.1, ports.ts; a
// fixed port must be free), then the templates of args, env, cwd and files are expanded ({port},
// {host}, {dir}, {repo}; templates.ts), the files are written into {dir} (created if missing, left
// in place for the caller to remove), and the command is started with startProcess in its own
// process group, registered with run/cleanup.ts so Ctrl-C, a crash or a timeout still stops it.
// `"node"` is the Node.js running benchgate (process.execPath); another command is resolved as a
// path (relative to the repository) or on PATH. stdout and stderr go to files in logDir
// (`<name>.stdout.log`, `<name>.stderr.log`), appended to across attempts with a marker line, so
// nothing a failed attempt wrote is lost.
//
// Readiness: readiness.ts probes until ready_timeout_s; when the process exits first, the wait
// ends at once. A failed start is stopped and retried once, on a new port when the port is chosen
// (another process may have taken the one picked); the second failure throws StartupFailed with
// the last probe's answer, the exit code and the tail of stderr.
//
// Stop: SIGTERM to the group, SIGKILL to the group after 2 s (cleanup.ts registerProcessGroup),
// then the leader is reaped.
import { execFile } from 'node:child_process'
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { resolveProgram } from '../command/program.ts'
import { startProcess, type Started } from '../run/processes.ts'
import { freePort, LOOPBACK, portProblem } from '../run/ports.ts'
import { waitReady, type WaitOutcome } from './readiness.ts'
import type { Scenario, ScenarioSystem } from './scenario-schema.ts'
import { expand, type TemplateVars } from './templates.ts'

export interface SystemContext {
  /** The benchgate checkout: {repo}, the default cwd, where relative commands resolve. */
  repo: string
  /** The system's private working directory: {dir}; created if missing, not removed by stop(). */
  dir: string
  host?: typeof LOOPBACK
  /** Where `<name>.stdout.log` and `<name>.stderr.log` go (created if missing). */
  logDir: string
  /** Scheme of `url`; default from the ready check (http → http://, redis → redis://, else tcp://). */
  protocol?: Scenario['protocol']
  signal?: AbortSignal
}

export interface RunningSystem {
  name: string
  /** Process group leader. */
  pid: number
  port: number
  host: string
  /** `http://127.0.0.1:PORT`, `redis://127.0.0.1:PORT`, `memcached://127.0.0.1:PORT` (no trailing slash). */
  url: string
  stdoutPath: string
  stderrPath: string
  /** Resolves with the exit code (or signal name) when the leader ends. */
  exited: Promise<number | string>
  /** SIGTERM to the group, SIGKILL after 2 s; resolves when the leader is gone. Idempotent. */
  stop(): Promise<void>
}

/** A system that did not become ready in two attempts. */
export class StartupFailed extends Error {
  readonly system: string
  readonly stderrTail: string
  constructor(system: string, message: string, stderrTail: string) {
    super(stderrTail ? `${message}\n--- stderr tail of ${system} ---\n${stderrTail}` : message)
    this.name = 'StartupFailed'
    this.system = system
    this.stderrTail = stderrTail
  }
}

const STDERR_TAIL_BYTES = 2000
const ATTEMPTS = 2

/** The program to run: "node" is this Node.js; else a path (relative to repo) or a name on PATH (or in sbin, see resolveProgram). */
export function programOf(command: string, repo: string, name: string): string {
  return command === 'node' ? process.execPath : resolveProgram(command, `system '${name}' command`, repo)
}

function urlOf(system: ScenarioSystem, ctx: SystemContext, host: string, port: number): string {
  const scheme = ctx.protocol ?? (system.ready.kind === 'memcached' ? 'memcached' : system.ready.kind === 'tcp' ? 'tcp' : system.ready.kind)
  return `${scheme}://${host}:${port}`
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** The last STDERR_TAIL_BYTES of what `path` got since byte `from`. */
function tailOf(path: string, from = 0): string {
  let text: string
  try {
    text = readFileSync(path).subarray(from).toString('utf8')
  } catch {
    return ''
  }
  const tail = text.length > STDERR_TAIL_BYTES ? `…${text.slice(-STDERR_TAIL_BYTES)}` : text
  return tail.trimEnd()
}

function describe(outcome: Exclude<WaitOutcome, { ready: true }>, timeoutS: number): string {
  const last = outcome.last ? ` (last check: ${outcome.last})` : ''
  if (outcome.reason === 'exited') return `exited (${typeof outcome.exit === 'number' ? `code ${outcome.exit}` : String(outcome.exit)}) before it was ready${last}`
  if (outcome.reason === 'aborted') return 'start aborted'
  return `not ready after ${timeoutS} s${last}`
}

async function choosePort(system: ScenarioSystem, host: string): Promise<number> {
  if (system.port === 0) return freePort(host)
  const problem = await portProblem(system.port, host)
  if (problem) throw new StartupFailed(system.name, `system '${system.name}': port ${system.port} on ${host} is not free (${problem})`, '')
  return system.port
}

/** Writes the system's files into ctx.dir with templates expanded; names may hold subfolders. */
function writeFiles(system: ScenarioSystem, vars: TemplateVars, dir: string): void {
  for (const [name, content] of Object.entries(system.files)) {
    const path = resolve(dir, expand(name, vars))
    const inside = relative(resolve(dir), path)
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new StartupFailed(system.name, `system '${system.name}': file '${name}' is outside {dir}`, '')
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, expand(content, vars))
  }
}

function launch(system: ScenarioSystem, ctx: SystemContext, vars: TemplateVars, stdoutPath: string, stderrPath: string): Started {
  const program = programOf(system.command, ctx.repo, system.name)
  const args = system.args.map((a) => expand(a, vars))
  const env = { ...process.env, ...Object.fromEntries(Object.entries(system.env).map(([k, v]) => [k, expand(v, vars)])) }
  const cwd = system.cwd === undefined ? ctx.repo : resolve(ctx.repo, expand(system.cwd, vars))
  const out = openSync(stdoutPath, 'a')
  const err = openSync(stderrPath, 'a')
  try {
    return startProcess(program, args, { cwd, env, stdio: ['ignore', out, err] })
  } finally {
    closeSync(out)
    closeSync(err)
  }
}

/** Starts `system` and resolves once it is ready (one retry on failure). */
export async function startSystem(system: ScenarioSystem, ctx: SystemContext): Promise<RunningSystem> {
  const host = ctx.host ?? LOOPBACK
  mkdirSync(ctx.dir, { recursive: true })
  mkdirSync(ctx.logDir, { recursive: true })
  const stdoutPath = join(ctx.logDir, `${system.name}.stdout.log`)
  const stderrPath = join(ctx.logDir, `${system.name}.stderr.log`)
  let failure = ''
  let tail = ''
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    ctx.signal?.throwIfAborted()
    const port = await choosePort(system, host)
    const vars: TemplateVars = { port: String(port), host, dir: ctx.dir, repo: ctx.repo }
    writeFiles(system, vars, ctx.dir)
    const marker = `--- benchgate: ${system.name} attempt ${attempt} of ${ATTEMPTS} on ${host}:${port} at ${new Date().toISOString()} ---\n`
    appendFileSync(stdoutPath, marker)
    appendFileSync(stderrPath, marker)
    const from = sizeOf(stderrPath)
    const proc = launch(system, ctx, vars, stdoutPath, stderrPath)
    const outcome = await waitReady(system.ready, host, port, { timeoutMs: system.ready_timeout_s * 1000, exited: proc.exited, signal: ctx.signal })
    if (outcome.ready) {
      let stopping: Promise<void> | undefined
      return {
        name: system.name, pid: proc.pid, port, host, url: urlOf(system, ctx, host, port), stdoutPath, stderrPath,
        exited: proc.exited,
        // the leader reaped too (a zombie still holds its group), whatever the grace period did
        stop: () => (stopping ??= proc.stop().then(async () => void (await proc.exited))),
      }
    }
    await proc.stop()
    ctx.signal?.throwIfAborted()
    const command = [system.command, ...system.args].join(' ')
    failure = `system '${system.name}' (${command.length > 100 ? `${command.slice(0, 99)}…` : command}) on ${host}:${port}, attempt ${attempt} of ${ATTEMPTS}: ${describe(outcome, system.ready_timeout_s)}`
    tail = tailOf(stderrPath, from)
  }
  throw new StartupFailed(system.name, failure, tail)
}

/**
 * The first line the system's `version` command prints (stdout, else stderr), or null when it has
 * none, cannot be run, fails or takes longer than timeoutMs. Run in the repository; {repo} and
 * {host} are expanded ({dir} is the repository too, {port} the configured port: nothing runs yet).
 */
export function systemVersion(system: ScenarioSystem, repo: string, timeoutMs = 10_000): Promise<string | null> {
  if (!system.version) return Promise.resolve(null)
  const vars: TemplateVars = { port: String(system.port), host: LOOPBACK, dir: repo, repo }
  const [command, ...args] = system.version.map((w) => expand(w, vars))
  let program: string
  try {
    program = programOf(command!, repo, system.name)
  } catch {
    return Promise.resolve(null)
  }
  return new Promise((ok) => {
    execFile(program, args, { cwd: repo, timeout: timeoutMs, encoding: 'utf8', killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const line = (text: string) => text.split('\n').map((l) => l.trim()).find((l) => l !== '')
      ok(error ? null : (line(stdout) ?? line(stderr) ?? null))
    })
  })
}
