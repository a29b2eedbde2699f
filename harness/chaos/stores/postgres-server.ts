// Debian's PostgreSQL 15 for the chaos family's postgres store, started by the fixture in a fresh
// temp directory (data directory, Unix socket, server log) and removed by stop().
//
// PostgreSQL refuses to run as root. Run as root, the temp directory is handed to the `postgres`
// system user (else `nobody`) and initdb and postgres run through
// `setpriv --reuid --regid --init-groups`, which execs in place, so the group leader is postgres
// itself; run as anyone else they run directly. initdb: trust authentication, superuser `postgres`,
// C locale, UTF-8. The server listens on 127.0.0.1 only, on a free port (retried once on a new port
// if it lost the bind race), with its socket in the temp directory, `fsync` on (a restart after
// kill -9 keeps every committed transaction: WAL recovery) and dynamic shared memory in files of the
// data directory (mmap), so nothing is left in /dev/shm when the directory is removed.
//
// Controls, always by pid, never by name. PostgreSQL's children call setsid(), each a process
// group of its own, so the controls act on the postmaster (a group leader, started by
// ../../run/processes.ts) and on each of its descendants, found in /proc: restart() = SIGSTOP the
// postmaster (it forks no more), SIGKILL it and every descendant, wait until none is left, start
// again on the same data directory and port, resolve once it accepts connections again (after
// crash recovery); pause()/resume() = SIGSTOP/SIGCONT to all of them; stop() = SIGCONT, fast
// shutdown (SIGINT to the postmaster; SIGKILL to all after 5 s), then the temp directory is
// removed. The postmaster's group and the directory are registered with ../../run/cleanup.ts, so
// on Ctrl-C, a timeout or a crash of the worker the postmaster is killed and the directory removed;
// its children notice the postmaster's death and exit on their own at once (they watch for it).
import { chownSync, closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { UserError } from '../../errors.ts'
import { isAlive, killGroup, makeTempDir } from '../../run/cleanup.ts'
import { freePort, LOOPBACK } from '../../run/ports.ts'
import { startProcess, type Started } from '../../run/processes.ts'
import type { StoreServer } from '../types.ts'

export const DEFAULT_POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin'
/** The superuser initdb creates; clients connect as it, to database `postgres`, without a password. */
export const POSTGRES_USER = 'postgres'

export interface StartPostgresOptions {
  /** Folder of initdb and postgres. Default: /usr/lib/postgresql/15/bin. */
  binDir?: string
  /** How long a start (or a restart's crash recovery) may take before it is an error. Default 60 s. */
  readyTimeoutMs?: number
}

/** A running PostgreSQL, with where its files are (for tests: removed by stop()). */
export interface PostgresServer extends StoreServer {
  /** The temp directory holding the data directory (`data`), the socket and `postgres.log`. */
  readonly dir: string
  /** The postmaster's pid and its children's (the backends, checkpointer, WAL writer, …), now. */
  processes(): number[]
}

interface RunAs {
  uid: number
  gid: number
  name: string
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms))

/** Resolves with `promise`'s value, or with undefined after `ms` (the timer does not hold the process open). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((ok) => {
    timer = setTimeout(() => ok(undefined), ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The user postgres runs as when we are root (postgres, else nobody); null when we are not root. */
function unprivilegedUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'))
  for (const name of ['postgres', 'nobody']) {
    const entry = passwd.find((f) => f[0] === name)
    if (entry && entry.length >= 4) return { name, uid: Number(entry[2]), gid: Number(entry[3]) }
  }
  throw new Error('PostgreSQL refuses to run as root, and neither a postgres nor a nobody user exists to run it as (hint: run `bash scripts/install-debian-packages.sh`, which creates the postgres user)')
}

/**
 * The live (not zombie) descendants of `root`, from /proc. PostgreSQL's children call setsid(), so
 * each is a process group of its own: a signal to the postmaster's group reaches the postmaster
 * alone, and the controls act on the postmaster and every descendant by pid instead.
 */
function descendants(root: number): number[] {
  if (process.platform !== 'linux') return []
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // state ppid pgrp …
      if (fields[0] === 'Z') continue
      const ppid = Number(fields[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // gone while we looked
    }
  }
  const out: number[] = []
  for (let todo = [root]; todo.length > 0;) {
    const next = todo.flatMap((pid) => children.get(pid) ?? [])
    out.push(...next)
    todo = next
  }
  return out
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

/** Waits until none of `pids` is alive (SIGKILL has been sent): up to 10 s. */
async function allGone(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + 10_000
  for (let left = pids.filter(isAlive); left.length > 0; left = left.filter(isAlive)) {
    if (Date.now() > deadline) throw new Error(`postgres: processes ${left.join(', ')} still alive 10 s after SIGKILL`)
    await sleep(20)
  }
}

function logTail(path: string, from = 0, chars = 1500): string {
  try {
    const text = readFileSync(path, 'utf8').slice(from).trim()
    return text.length > chars ? `…${text.slice(-chars)}` : text
  } catch {
    return ''
  }
}

function logSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** Starts PostgreSQL 15 in a fresh temp directory on a free loopback port; resolves once it accepts connections. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? DEFAULT_POSTGRES_BIN_DIR
  const missing = ['initdb', 'postgres'].filter((p) => !existsSync(join(binDir, p)))
  if (missing.length > 0) {
    throw new UserError({
      file: 'chaos.postgres.bin_dir',
      message: `PostgreSQL 15 not found: ${missing.map((p) => join(binDir, p)).join(' and ')} missing`,
      expected: 'the folder of initdb and postgres',
      hint: 'run `bash scripts/install-debian-packages.sh` (installs postgresql-15), or set chaos.postgres.bin_dir',
    })
  }
  const runAs = unprivilegedUser()
  const dir = makeTempDir('benchgate-pg-')
  try {
    if (runAs) chownSync(dir.path, runAs.uid, runAs.gid)
    const server = new RunningPostgres(binDir, runAs, dir, options.readyTimeoutMs ?? 60_000)
    await server.init()
    await server.firstStart()
    return server
  } catch (e) {
    await dir.release()
    throw e
  }
}

class RunningPostgres implements PostgresServer {
  readonly host = LOOPBACK
  readonly dir: string
  #description = 'postgres'
  #port = 0
  #proc: Started | null = null
  #stopping: Promise<void> | null = null
  readonly #binDir: string
  readonly #runAs: RunAs | null
  readonly #release: () => Promise<void>
  readonly #readyTimeoutMs: number
  readonly #log: string
  readonly #data: string

  constructor(binDir: string, runAs: RunAs | null, dir: { path: string; release(): Promise<void> }, readyTimeoutMs: number) {
    this.#binDir = binDir
    this.#runAs = runAs
    this.dir = dir.path
    this.#release = () => dir.release()
    this.#readyTimeoutMs = readyTimeoutMs
    this.#log = join(dir.path, 'postgres.log')
    this.#data = join(dir.path, 'data')
  }

  get description(): string {
    return this.#description
  }
  get port(): number {
    return this.#port
  }
  get pid(): number {
    if (!this.#proc) throw new Error('postgres is not running')
    return this.#proc.pid
  }

  /** Spawns a PostgreSQL program as the unprivileged user, its output appended to postgres.log. */
  #spawn(program: string, args: string[]): Started {
    const full = join(this.#binDir, program)
    const [command, argv] = this.#runAs
      ? ['setpriv', ['--reuid', String(this.#runAs.uid), '--regid', String(this.#runAs.gid), '--init-groups', '--', full, ...args]]
      : [full, args]
    const fd = openSync(this.#log, 'a')
    try {
      return startProcess(command, argv, { stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' } })
    } finally {
      closeSync(fd)
    }
  }

  async init(): Promise<void> {
    const initdb = this.#spawn('initdb', ['-D', this.#data, '-U', POSTGRES_USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'])
    const code = await initdb.exited
    await initdb.stop()
    if (code !== 0) {
      const as = this.#runAs ? ` as user ${this.#runAs.name}` : ''
      throw new Error(`postgres: initdb${as} in ${this.#data} failed (exit ${code}): ${logTail(this.#log)}`)
    }
  }

  async firstStart(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.#port = await freePort()
      const from = logSize(this.#log)
      try {
        await this.#start()
        return
      } catch (e) {
        // another process took the port between freePort and the bind: once more on a new one
        if (attempt > 0 || !/could not bind|could not create any TCP\/IP sockets/.test(logTail(this.#log, from, 100_000))) throw e
      }
    }
  }

  /** Starts postgres on the data directory and port; resolves when it answers a query. */
  async #start(): Promise<void> {
    const from = logSize(this.#log)
    const proc = this.#spawn('postgres', [
      '-D', this.#data,
      '-p', String(this.#port),
      '-k', this.dir,
      '-c', `listen_addresses=${LOOPBACK}`,
      '-c', 'max_connections=300',
      '-c', 'shared_buffers=32MB',
      '-c', 'dynamic_shared_memory_type=mmap',
    ])
    this.#proc = proc
    let exit: number | string | undefined
    void proc.exited.then((code) => (exit = code))
    const deadline = Date.now() + this.#readyTimeoutMs
    for (;;) {
      if (exit !== undefined) {
        await proc.stop()
        this.#proc = null
        throw new Error(`postgres on 127.0.0.1:${this.#port} exited (${exit}) before accepting connections: ${logTail(this.#log, from)}`)
      }
      const version = await this.#query('SHOW server_version')
      if (version !== null) {
        this.#description = `postgres ${String(version).split(' ')[0]}`
        return
      }
      if (Date.now() > deadline) {
        killGroup(proc.pid, 'SIGKILL')
        await proc.stop()
        this.#proc = null
        throw new Error(`postgres on 127.0.0.1:${this.#port} did not accept connections within ${this.#readyTimeoutMs / 1000} s: ${logTail(this.#log, from)}`)
      }
      await sleep(50)
    }
  }

  /** The first column of the first row of `sql`, or null when the server does not answer (yet). */
  async #query(sql: string): Promise<unknown> {
    const client = new pg.Client({ host: LOOPBACK, port: this.#port, user: POSTGRES_USER, database: 'postgres', connectionTimeoutMillis: 2000 })
    client.on('error', () => {})
    try {
      await client.connect()
      const result = await client.query<Record<string, unknown>>(sql)
      const row = result.rows[0]
      return row ? Object.values(row)[0] ?? null : null
    } catch {
      return null
    } finally {
      await within(client.end().catch(() => {}), 1000)
    }
  }

  async restart(mode: 'kill' | 'graceful' = 'kill'): Promise<void> {
    if (this.#stopping) throw new Error('postgres: restart after stop')
    const old = this.#proc
    if (old && mode === 'graceful') {
      this.resume() // a paused postmaster cannot shut down
      // fast shutdown: roll back open transactions, checkpoint, exit (false: the postmaster is already gone)
      if (killGroup(old.pid, 'SIGINT')) await Promise.race([old.exited, new Promise((ok) => setTimeout(ok, 30_000).unref())])
    }
    if (old) {
      killGroup(old.pid, 'SIGSTOP') // no new children while we collect them
      const all = [old.pid, ...descendants(old.pid)]
      killGroup(old.pid, 'SIGKILL')
      signalAll(all, 'SIGKILL')
      await old.exited
      await old.stop()
      await allGone(all)
      this.#proc = null
    }
    await this.#start()
  }

  /** The postmaster's pid and its children's (the backends, checkpointer, WAL writer, …). */
  processes(): number[] {
    return this.#proc ? [this.#proc.pid, ...descendants(this.#proc.pid)] : []
  }

  pause(): void {
    if (!this.#proc) return
    killGroup(this.#proc.pid, 'SIGSTOP') // first, so that it starts no new child
    signalAll(descendants(this.#proc.pid), 'SIGSTOP')
  }

  resume(): void {
    if (!this.#proc) return
    signalAll(descendants(this.#proc.pid), 'SIGCONT')
    killGroup(this.#proc.pid, 'SIGCONT')
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  async #stop(): Promise<void> {
    const proc = this.#proc
    try {
      if (proc) await this.#end(proc)
    } finally {
      await this.#release()
    }
  }

  async #end(proc: Started): Promise<void> {
    const all = [proc.pid, ...descendants(proc.pid)]
    signalAll(all, 'SIGCONT')
    try {
      process.kill(proc.pid, 'SIGINT') // fast shutdown: backends end, shared memory is released
    } catch {
      // already gone
    }
    await within(proc.exited, 5000)
    killGroup(proc.pid, 'SIGKILL')
    signalAll(all.filter(isAlive), 'SIGKILL')
    await proc.stop()
    await allGone(all)
    this.#proc = null
  }
}
