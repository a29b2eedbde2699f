// The per-user collection daemon: one per state directory (a pid lock file), listening on
// <state>/daemon.sock (a named pipe on Windows) for newline-delimited JSON requests, one request
// and one response per connection. On start it resumes every job left running (or marks it failed
// with the cause). It exits by itself after a while with no running job and no request.
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { isUserError } from '../../errors.ts'
import { isAlive } from '../../run/cleanup.ts'
import { JobRunner, cleanupJob, type RunnerOptions } from './collector.ts'
import { findHost, findProfile, jobConfig } from './context.ts'
import { discoverVms } from './discover.ts'
import { checkCapture } from './captures.ts'
import { connect } from './ssh.ts'
import {
  createJobDir, deleteJobDir, jobDir, listJobs, newJobId, readJob, socketPath, validJobId, writeJob, type Job,
} from './state.ts'

export const PROTOCOL_VERSION = 1

/** Requests that read the configuration carry the variables it refers to (`env`, kept in memory only). */
export type Request =
  | { cmd: 'ping' }
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

function daemonPidAlive(pid: number): boolean {
  if (!isAlive(pid)) return false
  if (process.platform !== 'linux') return true
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('daemon')
  } catch {
    return false
  }
}

/** The pid of the daemon holding the lock of this state directory, if it is alive. */
export function runningDaemonPid(state: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile(state), 'utf8').trim())
    return pid > 0 && daemonPidAlive(pid) ? pid : null
  } catch {
    return null
  }
}

function acquireLock(state: string): boolean {
  for (let i = 0; i < 3; i++) {
    try {
      writeFileSync(pidFile(state), `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      return true
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const other = runningDaemonPid(state)
      if (other !== null && other !== process.pid) return false
      rmSync(pidFile(state), { force: true })
    }
  }
  return false
}

export interface DaemonOptions {
  state: string
  /** Exit after this long with no running job and no request; default 15 min. */
  idleExitS?: number
}

export class Daemon {
  readonly state: string
  readonly #runners = new Map<string, JobRunner>()
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
    if (!acquireLock(this.state)) return false
    const sock = socketPath(this.state)
    if (process.platform !== 'win32' && existsSync(sock)) rmSync(sock, { force: true })
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
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()))
    try {
      if (readFileSync(pidFile(this.state), 'utf8').trim() === String(process.pid)) rmSync(pidFile(this.state), { force: true })
    } catch {
      // already gone
    }
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
      const dir = jobDir(this.state, job.id)
      try {
        this.#launch(dir, job.status === 'running')
      } catch (e) {
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
  }

  #serve(socket: Socket): void {
    this.#lastActivity = Date.now()
    let buffer = ''
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

  #existingJob(id: string): string {
    const dir = jobDir(this.state, id)
    if (!validJobId(id) || !existsSync(join(dir, 'job.json'))) {
      throw new RequestError(`vscsi-helper: job '${id}' not found in ${this.state} (vscsi-helper list shows the jobs)`)
    }
    return dir
  }

  async #handle(req: Request): Promise<Record<string, unknown>> {
    if ('env' in req && req.env) Object.assign(this.#env, req.env)
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
