// The embedded Azurite as a chaos store server: its own process group (harness/azure/azurite.ts)
// that the restart and pause nemeses act on by pid, never by name.
//   restart()  kill -9 the group, start Azurite again on the SAME --location workspace, port and
//              account key (clients' SAS tokens stay valid), resolve when it listens again
//   pause()    SIGSTOP the group; resume() SIGCONT it. A stopped process would hold the SIGTERM
//              that cleanup.ts sends at exit / Ctrl-C forever (the group is in a session of its
//              own: no kernel SIGCONT for orphans), so a paused group is also registered for SIGCONT
//   stop()     kill the group, remove the workspace (also at exit / Ctrl-C through cleanup.ts)
//
// Durability (measured with Azurite 3.37.0, see azurite-server.test.ts): Azurite keeps its blob and
// extent metadata in LokiJS databases saved by an autosave timer every 5000 ms (autosaveInterval in
// dist/src/blob/persistence/LokiBlobMetadataStore.js and common/persistence/LokiExtentMetadataStore.js,
// not configurable). The blob bytes are on disk at once, but what names them is not: kill -9 loses
// every write acknowledged since the last save — up to 5 s of acknowledged writes, whole containers
// included. A crash restart therefore really loses acknowledged commits and a checker finds lost
// updates that are Azurite's, not the client's. `restartMode: 'graceful'` makes restart() stop
// Azurite with SIGINT instead (its own shutdown handler closes the databases, which saves them),
// falling back to SIGKILL after `gracefulMs`; the `gracefulRestarts`/`killedRestarts` counters
// say which one each restart was. Nothing is faked: the mode is in `description`.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { startAzurite, type Azurite } from '../../azure/azurite.ts'
import type { SharedKeyAccount } from '../../azure/store.ts'
import { isAlive, killGroup, makeTempDir, registerProcessGroup, type Registration } from '../../run/cleanup.ts'
import type { StoreServer } from '../types.ts'

/** Azurite acknowledges writes up to this long before they are saved (its LokiJS autosave interval). */
export const AZURITE_UNSAVED_WINDOW_MS = 5000

export interface AzuriteServerOptions {
  /** What restart() does: 'kill' (default, kill -9: a crash) or 'graceful' (SIGINT: Azurite saves, then exits). */
  restartMode?: 'kill' | 'graceful'
  /** How long a graceful stop may take before the group is SIGKILLed; default 5000 ms. */
  gracefulMs?: number
  /** How long a (re)start may take to listen; default 15 000 ms. */
  startupTimeoutMs?: number
}

/** A restartable Azurite: the StoreServer controls plus the shared-key account to set up containers. */
export interface AzuriteServer extends StoreServer, SharedKeyAccount {
  /** The workspace (--location) kept across restarts and removed by stop(). */
  readonly location: string
  /** Restarts so far that stopped Azurite gracefully (SIGINT), and that killed it (SIGKILL). */
  readonly gracefulRestarts: number
  readonly killedRestarts: number
}

function azuriteVersion(): string {
  try {
    const require = createRequire(import.meta.url)
    const pkg = JSON.parse(readFileSync(require.resolve('azurite/package.json'), 'utf8')) as { version?: string }
    return pkg.version ?? '?'
  } catch {
    return '?'
  }
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false
    await sleep(20)
  }
  return true
}

class RestartableAzurite implements AzuriteServer {
  readonly description: string
  readonly host = '127.0.0.1'
  readonly port: number
  readonly account: string
  readonly endpoint: string
  readonly location: string
  readonly #mode: 'kill' | 'graceful'
  readonly #gracefulMs: number
  readonly #startupMs: number
  readonly #releaseDir: () => Promise<void>
  #azurite: Azurite
  /** Restarts and stop() run one after another. */
  #queue: Promise<void> = Promise.resolve()
  #stopped: Promise<void> | undefined
  #paused = false
  /** A paused group gets SIGCONT at exit / Ctrl-C too, so the SIGTERM cleanup.ts sends it is acted on. */
  #thaw: { pid: number; registration: Registration } | undefined
  #graceful = 0
  #killed = 0

  constructor(azurite: Azurite, location: string, releaseDir: () => Promise<void>, options: AzuriteServerOptions) {
    this.#azurite = azurite
    this.#mode = options.restartMode ?? 'kill'
    this.#gracefulMs = options.gracefulMs ?? 5000
    this.#startupMs = options.startupTimeoutMs ?? 15_000
    this.#releaseDir = releaseDir
    this.location = location
    this.endpoint = azurite.endpoint
    this.account = azurite.account
    this.port = Number(new URL(azurite.endpoint).port)
    this.description = `azurite ${azuriteVersion()}${this.#mode === 'graceful' ? ' (graceful restarts)' : ''}`
  }

  get pid(): number {
    return this.#azurite.pid
  }

  /** Secret: a getter, so it stays out of console.log and JSON.stringify. */
  get accountKey(): string {
    return this.#azurite.accountKey
  }

  get gracefulRestarts(): number {
    return this.#graceful
  }

  get killedRestarts(): number {
    return this.#killed
  }

  readonly killLosesWrites = `Azurite saves its blob metadata every ${AZURITE_UNSAVED_WINDOW_MS / 1000} s (LokiJS autosave): kill -9 loses what it acknowledged since the last save`

  restart(mode: 'kill' | 'graceful' = this.#mode): Promise<void> {
    const next = this.#queue.then(() => this.#restart(mode))
    this.#queue = next.catch(() => {})
    return next
  }

  async #restart(mode: 'kill' | 'graceful'): Promise<void> {
    if (this.#stopped) throw new Error('azurite-server: restart() after stop()')
    const old = this.#azurite
    let graceful = false
    if (mode === 'graceful') {
      killGroup(old.pid, 'SIGCONT') // a paused Azurite cannot handle SIGINT
      killGroup(old.pid, 'SIGINT') // Azurite's own shutdown: closes its databases, which saves them
      graceful = await exitedWithin(old.pid, this.#gracefulMs)
    }
    await old.kill() // SIGKILL the group (a no-op after a graceful exit); the workspace stays
    await this.#unthaw()
    this.#paused = false
    if (graceful) this.#graceful++
    else this.#killed++
    this.#azurite = await this.#startAgain()
  }

  async #startAgain(): Promise<Azurite> {
    // the port was just released; a few tries cover a listener that has not quite let go of it
    for (let attempt = 1; ; attempt++) {
      try {
        return await startAzurite({ location: this.location, port: this.port, accountKey: this.accountKey, startupTimeoutMs: this.#startupMs })
      } catch (e) {
        if (attempt >= 5 || !/EADDRINUSE/.test((e as Error).message)) throw e
        await sleep(100 * attempt)
      }
    }
  }

  pause(): void {
    const pid = this.pid
    // registered before the stop: at exit, cleanup.ts sends this group SIGCONT as well as SIGTERM
    if (this.#thaw?.pid !== pid) this.#thaw = { pid, registration: registerProcessGroup(pid, 0, 'SIGCONT') }
    if (killGroup(pid, 'SIGSTOP')) this.#paused = true
  }

  /** Drops the SIGCONT-at-exit registration once its group is dead (its release then signals nothing). */
  async #unthaw(): Promise<void> {
    const thaw = this.#thaw
    if (thaw === undefined || isAlive(thaw.pid)) return
    this.#thaw = undefined
    await thaw.registration.release()
  }

  resume(): void {
    killGroup(this.pid, 'SIGCONT')
    this.#paused = false
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#queue.then(async () => {
      if (this.#paused) this.resume() // a stopped process would hold its SIGTERM until the grace period ends
      try {
        await this.#azurite.stop()
        await this.#unthaw()
      } finally {
        await this.#releaseDir()
      }
    })
    return this.#stopped
  }
}

/** Starts Azurite in a temp workspace of its own (kept across restarts) on a port the OS picks. */
export async function startAzuriteServer(options: AzuriteServerOptions = {}): Promise<AzuriteServer> {
  const dir = makeTempDir('benchgate-azurite-')
  let azurite: Azurite
  try {
    azurite = await startAzurite({ location: dir.path, startupTimeoutMs: options.startupTimeoutMs })
  } catch (e) {
    await dir.release()
    throw e
  }
  return new RestartableAzurite(azurite, dir.path, () => dir.release(), options)
}
