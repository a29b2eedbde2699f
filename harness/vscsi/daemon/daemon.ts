// The per-user collection daemon: one per state directory (a pid lock file), listening on
// <state>/daemon.sock (a named pipe on Windows) for newline-delimited JSON requests, one request
// and one response per connection. On start it resumes every job left running (or marks it failed
// with the cause; a job whose configuration needs a ${VAR} the daemon lacks waits for a request that
// brings it). It exits by itself after a while with no running job and no request.
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net'
import { basename, join, resolve } from 'node:path'
import { isUserError } from '../../errors.ts'
import { isAlive } from '../../run/cleanup.ts'
import { JobRunner, cleanupJob, type RunnerOptions } from './collector.ts'
import { findHost, findProfile, jobConfig } from './context.ts'
import { discoverVms } from './discover.ts'
import { checkCapture } from './captures.ts'
import { connect, sleep } from './ssh.ts'
import {
  createJobDir, deleteJobDir, jobDir, listJobs, newJobId, readJob, socketPath, validJobId, writeJob, type Job,
} from './state.ts'

export const PROTOCOL_VERSION = 1
/** How long a connection may take to send its request line. */
const REQUEST_TIMEOUT_MS = 10_000

/** Requests that read the configuration carry the variables it refers to (`env`, kept in memory only). */
export type Request =
  | { cmd: 'ping'; env?: Record<string, string> }
  | { cmd: 'start'; config: string | null; host: string; vm: string; luns: string[]; profile?: string; name?: string; env?: Record<string, string> }
  | { cmd: 'stop'; id: string; cleanup: boolean }
  | { cmd: 'delete'; id: string; force: boolean }
  | { cmd: 'cleanup'; id: string; env?: Record<string, string> }
  | { cmd: 'discover'; config: string | null; host: string; env?: Record<string, string> }
  | { cmd: 'shutdown' }

export type Response = ({ ok: true } & Record<string, unknown>) | { ok: false; error: string; user: boolean }

export const pidFile = (state: string) => join(state, 'daemon.pid')
export const logFile = (state: string) => join(state, 'daemon.log')
export const knownHostsFile = (state: string) => join(state, 'known_hosts.json')

/** A request the daemon refuses because of the user's input (printed as one line). */
class RequestError extends Error {}

/** Whether pid is this state directory's daemon: main.ts run with `--state <state>` (Linux: /proc). */
function daemonPidAlive(pid: number, state: string): boolean {
  if (!isAlive(pid)) return false
  // elsewhere the pid alone is all there is; the socket (pinged before it is taken over) settles it
  if (process.platform !== 'linux') return true
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    const at = args.indexOf('--state')
    return args.some((a) => (basename(a) === 'main.ts' || basename(a) === 'main.js')) && at >= 0 && args[at + 1] !== undefined && resolve(args[at + 1]!) === resolve(state)
  } catch {
    return false
  }
}

/** The pid of the daemon holding the lock of this state directory, if it is alive. */
export function runningDaemonPid(state: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile(state), 'utf8').trim())
    return pid > 0 && daemonPidAlive(pid, state) ? pid : null
  } catch {
    return null
  }
}

const readPid = (state: string): string | null => {
  try {
    return readFileSync(pidFile(state), 'utf8')
  } catch {
    return null
  }
}

/**
 * Takes <state>/daemon.pid: created exclusively ('wx'), then read back. A stale file (its pid is not
 * a daemon of this directory) is removed only under a guard directory made with mkdir (atomic), after
 * checking again that it still holds the same stale pid: two daemons starting at once never remove
 * each other's fresh lock.
 */
async function acquireLock(state: string): Promise<boolean> {
  const guard = `${pidFile(state)}.guard`
  // bounded in time (a guard left by a killed process is taken over after 10 s) and in count
  for (let i = 0, end = Date.now() + 15_000; i < 2000 && Date.now() < end; i++) {
    try {
      writeFileSync(pidFile(state), `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      return readPid(state)?.trim() === String(process.pid)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const seen = readPid(state)
    if (seen === null) continue
    const other = runningDaemonPid(state)
    if (other !== null && other !== process.pid) return false
    try {
      mkdirSync(guard)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      // a guard left by a process killed while holding it
      try {
        if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { recursive: true, force: true })
      } catch {
        // gone meanwhile
      }
      await sleep(20)
      continue
    }
    try {
      // still the same file, and its pid no daemon of this directory (or ours, left by an earlier process)
      const holder = runningDaemonPid(state)
      if (readPid(state) === seen && (holder === null || holder === process.pid)) rmSync(pidFile(state), { force: true })
    } finally {
      rmSync(guard, { recursive: true, force: true })
    }
  }
  return false
}

/** Whether something answers on the socket (another daemon still serving it). */
function socketAnswers(sock: string): Promise<boolean> {
  return new Promise((answer) => {
    const c = netConnect(sock)
    const timer = setTimeout(() => {
      c.destroy()
      answer(true) // it accepted or hangs: do not take it over
    }, 2000)
    c.once('connect', () => {
      clearTimeout(timer)
      c.destroy()
      answer(true)
    })
    c.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      answer(!(e.code === 'ECONNREFUSED' || e.code === 'ENOENT'))
    })
  })
}

export interface DaemonOptions {
  state: string
  /** Exit after this long with no running job and no request; default 15 min. */
  idleExitS?: number
}

export class Daemon {
  readonly state: string
  readonly #runners = new Map<string, JobRunner>()
  /** Jobs left running whose configuration needs a ${VAR} this daemon has not been given yet. */
  readonly #waiting = new Set<string>()
  /** Open connections, and those whose request is being answered. */
  readonly #sockets = new Set<Socket>()
  readonly #answering = new Set<Socket>()
  #server: Server | null = null
  #lastActivity = Date.now()
  #idleTimer: NodeJS.Timeout | null = null
  readonly #idleExitMs: number
  #closing = false
  /** process.env plus what CLIs passed for ${VAR} in their configuration files (memory only). */
  readonly #env: NodeJS.ProcessEnv = { ...process.env }
  #closed!: Promise<void>
  #resolveClosed!: () => void

  constructor(o: DaemonOptions) {
    this.state = o.state
    this.#idleExitMs = (o.idleExitS ?? 900) * 1000
    this.#closed = new Promise((r) => (this.#resolveClosed = r))
  }

  #releaseLock(): void {
    try {
      if (readFileSync(pidFile(this.state), 'utf8').trim() === String(process.pid)) rmSync(pidFile(this.state), { force: true })
    } catch {
      // already gone
    }
  }

  log(line: string): void {
    try {
      appendFileSync(logFile(this.state), `${new Date().toISOString()} [${process.pid}] ${line}\n`)
    } catch {
      // the log is best effort; the job files are the record
    }
  }

  /** Takes the lock, listens, resumes running jobs. False if another daemon holds the lock. */
  async start(): Promise<boolean> {
    mkdirSync(join(this.state, 'jobs'), { recursive: true, mode: 0o700 })
    if (!(await acquireLock(this.state))) return false
    const sock = socketPath(this.state)
    if (process.platform !== 'win32' && existsSync(sock)) {
      // only a dead socket is removed: one that answers belongs to a daemon still serving
      if (await socketAnswers(sock)) {
        this.log(`another daemon answers on ${sock}; exiting`)
        this.#releaseLock()
        return false
      }
      rmSync(sock, { force: true })
    }
    this.#server = createServer((s) => this.#serve(s))
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject)
      this.#server!.listen(sock, () => resolve())
    })
    if (process.platform !== 'win32') chmodSync(sock, 0o600)
    this.log(`daemon started (state ${this.state})`)
    this.#resumeJobs()
    this.#idleTimer = setInterval(() => this.#checkIdle(), Math.min(this.#idleExitMs, 30_000))
    this.#idleTimer.unref()
    return true
  }

  /** Resolves when the daemon has shut down. */
  get closed(): Promise<void> {
    return this.#closed
  }

  #checkIdle(): void {
    if (this.#closing || this.#runners.size > 0) return
    if (Date.now() - this.#lastActivity >= this.#idleExitMs) {
      this.log(`no running job and no request for ${Math.round(this.#idleExitMs / 1000)} s: exiting`)
      void this.shutdown()
    }
  }

  /** Stops listening; running jobs stay `running` on disk and are resumed by the next daemon. */
  async shutdown(): Promise<void> {
    if (this.#closing) return this.#closed
    this.#closing = true
    if (this.#idleTimer) clearInterval(this.#idleTimer)
    await Promise.all([...this.#runners.values()].map((r) => r.abandon()))
    const closing = new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()))
    // connections that never sent a request would keep close() waiting
    for (const socket of this.#sockets) if (!this.#answering.has(socket)) socket.destroy()
    await closing
    this.#releaseLock()
    this.log('daemon stopped')
    this.#resolveClosed()
  }

  #runnerOptions(job: Pick<Job, 'host' | 'config'>, dir: string): RunnerOptions {
    const config = jobConfig(job.config, this.#env)
    const target = findHost(config, job.host, job.config)
    return {
      dir,
      target,
      knownHostsFile: knownHostsFile(this.state),
      backoffS: config.vscsi.retry_backoff_s,
      restartBeforeS: config.vscsi.restart_before_s,
      log: (l) => this.log(l),
      discover: discoverVms,
      check: checkCapture,
    }
  }

  #launch(dir: string, resume: boolean): JobRunner {
    const runner = new JobRunner(this.#runnerOptions(readJob(dir), dir))
    this.#runners.set(runner.id, runner)
    void runner.start(resume).finally(() => {
      this.#runners.delete(runner.id)
      this.#lastActivity = Date.now()
    })
    return runner
  }

  #resumeJobs(): void {
    for (const job of listJobs(this.state)) {
      if (job.status !== 'running' && job.status !== 'pending') continue
      this.#resume(job)
    }
  }

  /**
   * Resumes one job left running or pending. A configuration that needs a ${VAR} this daemon does
   * not have (started from a shell without it) is not the end of the job: it waits, with the cause
   * recorded, and is tried again when a request brings variables. Other errors fail the job.
   */
  #resume(job: Job): void {
    const dir = jobDir(this.state, job.id)
    try {
      this.#launch(dir, job.status === 'running')
      this.#waiting.delete(job.id)
    } catch (e) {
      const missing = /environment variable ([A-Za-z_][A-Za-z0-9_]*) is not set/.exec((e as Error).message)
      if (missing) {
        const message = `waiting for \${${missing[1]}}: run any vscsi-helper command from a shell that has it`
        if (!this.#waiting.has(job.id)) {
          this.#waiting.add(job.id)
          if (job.errors.at(-1)?.message !== message) {
            job.errors.push({ at: new Date().toISOString(), message })
            writeJob(dir, job)
          }
          this.log(`job ${job.id}: ${message}`)
        }
        return
      }
      this.#waiting.delete(job.id)
      const message = `cannot resume after the daemon restarted: ${(e as Error).message}`
      job.status = 'failed'
      job.ended = new Date().toISOString()
      delete job.next_sample_at
      delete job.expected_completion
      job.errors.push({ at: job.ended, message })
      if (job.starts.length && job.world_group_id !== undefined && job.cleanup.status === 'pending') {
        job.cleanup = { status: 'failed', manual_command: `vscsiStats -x -w ${job.world_group_id}`, at: job.ended, message: 'not run: the job could not be resumed' }
      }
      writeJob(dir, job)
      this.log(`job ${job.id}: ${message}`)
    }
  }

  /** Jobs waiting for variables: try again (a request just brought some). */
  #retryWaiting(): void {
    for (const id of [...this.#waiting]) {
      if (this.#runners.has(id)) {
        this.#waiting.delete(id)
        continue
      }
      let job: Job
      try {
        job = readJob(jobDir(this.state, id))
      } catch {
        this.#waiting.delete(id)
        continue
      }
      if (job.status !== 'running' && job.status !== 'pending') {
        this.#waiting.delete(id)
        continue
      }
      this.#resume(job)
    }
  }

  #serve(socket: Socket): void {
    this.#lastActivity = Date.now()
    let buffer = ''
    this.#sockets.add(socket)
    socket.on('close', () => {
      this.#sockets.delete(socket)
      this.#answering.delete(socket)
    })
    if (this.#closing) return void socket.destroy()
    // a client that never sends its request line is dropped
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy())
    socket.setEncoding('utf8')
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk: string) => {
      buffer += chunk
      const nl = buffer.indexOf('\n')
      if (nl < 0) {
        if (buffer.length > 1_000_000) socket.destroy()
        return
      }
      const line = buffer.slice(0, nl)
      buffer = ''
      socket.pause()
      socket.setTimeout(0)
      this.#answering.add(socket)
      void this.#answer(line).then((r) => {
        socket.end(JSON.stringify(r) + '\n')
        this.#lastActivity = Date.now()
        if ((r as { shutdown?: boolean }).shutdown) void this.shutdown()
      })
    })
  }

  async #answer(line: string): Promise<Response> {
    let req: Request
    try {
      req = JSON.parse(line) as Request
    } catch {
      return { ok: false, error: 'daemon: request is not JSON', user: false }
    }
    try {
      return { ok: true, ...(await this.#handle(req)) }
    } catch (e) {
      const user = e instanceof RequestError || isUserError(e)
      if (!user) this.log(`request ${req.cmd} failed: ${(e as Error).stack ?? e}`)
      return { ok: false, error: (e as Error).message, user }
    }
  }

  /** Stops a job that waits for variables: nothing runs for it, so vscsiStats -x is left to do by hand. */
  #stopWaiting(dir: string): Job {
    const job = readJob(dir)
    this.#waiting.delete(job.id)
    job.status = 'stopped'
    job.ended = new Date().toISOString()
    delete job.next_sample_at
    delete job.expected_completion
    if (job.starts.length && job.world_group_id !== undefined && job.cleanup.status === 'pending') {
      job.cleanup = { status: 'failed', manual_command: `vscsiStats -x -w ${job.world_group_id}`, at: job.ended, message: 'not run: the job was waiting for a configuration variable' }
    }
    writeJob(dir, job)
    this.log(`job ${job.id}: stopped while waiting for a configuration variable`)
    return job
  }

  #existingJob(id: string): string {
    const dir = jobDir(this.state, id)
    if (!validJobId(id) || !existsSync(join(dir, 'job.json'))) {
      throw new RequestError(`vscsi-helper: job '${id}' not found in ${this.state} (vscsi-helper list shows the jobs)`)
    }
    return dir
  }

  async #handle(req: Request): Promise<Record<string, unknown>> {
    if ('env' in req && req.env) {
      Object.assign(this.#env, req.env)
      if (this.#waiting.size) this.#retryWaiting()
    }
    switch (req.cmd) {
      case 'ping':
        return { pid: process.pid, version: PROTOCOL_VERSION, running: [...this.#runners.keys()] }
      case 'shutdown':
        return { shutdown: true }
      case 'start': {
        const config = jobConfig(req.config, this.#env)
        const target = findHost(config, req.host, req.config)
        const profile = findProfile(config, req.profile, req.config)
        const now = new Date()
        const job: Job = {
          id: newJobId(this.state, req.name ?? req.vm, now),
          name: req.name ?? req.vm,
          host: target.name,
          address: `${target.host}:${target.port}`,
          user: target.user,
          vm: req.vm,
          luns: req.luns,
          profile,
          config: req.config,
          status: 'pending',
          created: now.toISOString(),
          samples: [],
          starts: [],
          resumed: [],
          errors: [],
          cleanup: { status: 'pending' },
        }
        const dir = createJobDir(this.state, job)
        this.log(`job ${job.id}: created (${job.host} vm ${job.vm}${job.luns.length ? ` disks ${job.luns.join(',')}` : ''}, ${profile.name} ${profile.samples} × ${profile.interval_s} s)`)
        this.#launch(dir, false)
        return { job: readJob(dir) }
      }
      case 'stop': {
        const dir = this.#existingJob(req.id)
        const runner = this.#runners.get(req.id)
        if (!runner && this.#waiting.has(req.id)) return { job: this.#stopWaiting(dir) }
        if (!runner) {
          const job = readJob(dir)
          throw new RequestError(`vscsi-helper stop: job ${req.id} is not running (it is ${job.status})`)
        }
        return { job: await runner.stop(req.cleanup) }
      }
      case 'delete': {
        const dir = this.#existingJob(req.id)
        const runner = this.#runners.get(req.id)
        if (runner && !req.force) {
          throw new RequestError(`vscsi-helper delete: job ${req.id} is running; stop it first (vscsi-helper stop ${req.id}) or pass --force`)
        }
        let job = readJob(dir)
        if (runner) job = await runner.stop(true)
        else if (this.#waiting.has(req.id)) job = this.#stopWaiting(dir)
        deleteJobDir(this.state, req.id)
        this.log(`job ${req.id}: deleted`)
        return { job }
      }
      case 'cleanup': {
        const dir = this.#existingJob(req.id)
        if (this.#runners.has(req.id)) {
          throw new RequestError(`vscsi-helper cleanup: job ${req.id} is running; stop it (vscsi-helper stop ${req.id}), which cleans up`)
        }
        const o = this.#runnerOptions(readJob(dir), dir)
        return { job: await cleanupJob(dir, o) }
      }
      case 'discover': {
        const config = jobConfig(req.config, this.#env)
        const target = findHost(config, req.host, req.config, 'HOST')
        const remote = await connect(target, { knownHostsFile: knownHostsFile(this.state), backoffS: config.vscsi.retry_backoff_s, log: (l) => this.log(l) })
        try {
          return { host: target.name, address: `${target.host}:${target.port}`, vms: await discoverVms(remote) }
        } finally {
          remote.close()
        }
      }
      default:
        throw new RequestError(`daemon: unknown request ${(req as { cmd: string }).cmd}`)
    }
  }
}
