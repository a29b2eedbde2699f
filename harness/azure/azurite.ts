// Embedded Azure Blob storage: the installed Azurite blob service, started as its own process
// group on a loopback port the OS picks, with a fresh temp workspace, and stopped (group killed,
// workspace removed) on stop(), or at exit / Ctrl-C through harness/run/cleanup.ts.
//
// Choices: the JS entry (package.json `bin.azurite-blob`) runs under process.execPath, so no PATH
// lookup and no shell. The port is parsed from Azurite's "successfully listens on http://HOST:PORT"
// line. Each instance gets its own random account key (AZURITE_ACCOUNTS), so the well-known
// emulator key never works and the key is a real per-run secret: it is readable only through the
// `accountKey` getter (not an own property: it stays out of console.log and JSON.stringify).
// --silent and no --debug: no access or debug logs; --disableTelemetry: Azurite never phones home.
// A restartable instance (harness/chaos/stores/azurite-server.ts) passes its own `location`,
// `accountKey` and `port`, kill()s the group (SIGKILL, workspace kept) and starts again on them.
import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { killGroup, makeTempDir } from '../run/cleanup.ts'
import { GUARD_IMPORT, guardEnv } from '../run/orphan-guard.ts'
import { startProcess, type Started } from '../run/processes.ts'

export const AZURITE_ACCOUNT = 'devstoreaccount1'
const LISTENING = /successfully listens on (https?:\/\/[^\s:]+):(\d+)/
const TAIL_CHARS = 2000

export interface AzuriteOptions {
  /** Port to listen on; 0 (default) lets the OS pick a free one. */
  port?: number
  /** How long to wait for Azurite to listen before giving up; default 15 000 ms. */
  startupTimeoutMs?: number
  /**
   * Workspace (--location) to use instead of a fresh temp directory: an existing directory, e.g.
   * the one of an instance that was kill()ed. stop() removes it all the same; a failed start leaves it.
   */
  location?: string
  /** Base64 account key to use instead of a fresh random one (a restart keeps its clients' SAS valid). Secret. */
  accountKey?: string
}

/** A running Azurite blob service. */
export interface Azurite {
  /** Account endpoint, path style: http://127.0.0.1:PORT/devstoreaccount1 */
  readonly endpoint: string
  readonly account: string
  /** Base64 account key of this instance. Secret: never print it. */
  readonly accountKey: string
  readonly pid: number
  /** The temp workspace (--location) removed by stop(). */
  readonly location: string
  /** Kills the process group and removes the workspace. Safe to call twice. */
  stop(): Promise<void>
  /**
   * SIGKILLs the process group at once (a crash: Azurite saves nothing more) and keeps the
   * workspace, for a start again on the same `location`. Resolves when the process has exited.
   */
  kill(): Promise<void>
}

/** The Azurite blob entry script, resolved from the installed package (not from PATH). */
export function azuriteBlobEntry(): string {
  const require = createRequire(import.meta.url)
  let pkgPath: string
  try {
    pkgPath = require.resolve('azurite/package.json')
  } catch {
    throw new Error('Azurite is not installed (no azurite/package.json in node_modules); run npm ci')
  }
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin?: Record<string, string> }
  const bin = pkg.bin?.['azurite-blob']
  if (!bin) throw new Error(`${pkgPath} names no azurite-blob entry`)
  return join(dirname(pkgPath), bin)
}

class RunningAzurite implements Azurite {
  readonly endpoint: string
  readonly account = AZURITE_ACCOUNT
  readonly pid: number
  readonly location: string
  readonly #key: string
  readonly #stop: () => Promise<void>
  readonly #kill: () => Promise<void>
  #stopped: Promise<void> | undefined

  constructor(endpoint: string, key: string, pid: number, location: string, stop: () => Promise<void>, kill: () => Promise<void>) {
    this.endpoint = endpoint
    this.#key = key
    this.pid = pid
    this.location = location
    this.#stop = stop
    this.#kill = kill
  }

  get accountKey(): string {
    return this.#key
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop()
    return this.#stopped
  }

  kill(): Promise<void> {
    return this.#kill()
  }
}

function tail(text: string): string {
  const t = text.trim()
  return t.length > TAIL_CHARS ? `…${t.slice(-TAIL_CHARS)}` : t
}

/** Starts Azurite's blob service on 127.0.0.1 with an empty temp workspace. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const port = options.port ?? 0
  const timeoutMs = options.startupTimeoutMs ?? 15_000
  const entry = azuriteBlobEntry()
  const key = options.accountKey ?? randomBytes(64).toString('base64')
  const given = options.location
  const dir = given === undefined
    ? makeTempDir('benchgate-azurite-')
    : { path: given, release: async () => rmSync(given, { recursive: true, force: true }) }
  let proc: Started
  try {
    const args = ['--import', GUARD_IMPORT, entry, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir.path,
      '--skipApiVersionCheck', '--loose', '--silent', '--disableTelemetry']
    proc = startProcess(process.execPath, args, {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'pipe'],
      // the guard ends Azurite and removes its workspace if this process dies before stop()
      env: { ...process.env, ...guardEnv(dir.path), AZURITE_ACCOUNTS: `${AZURITE_ACCOUNT}:${key}` },
      exitSignal: 'SIGTERM',
    })
  } catch (e) {
    if (given === undefined) await dir.release()
    throw e
  }
  const release = async () => {
    await proc.stop()
    await dir.release()
  }
  const kill = async () => {
    killGroup(proc.pid, 'SIGKILL')
    await proc.exited
    await proc.stop() // unregisters the (dead) group
  }

  let stdout = ''
  let stderr = ''
  proc.child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4 * TAIL_CHARS)))
  const listening = new Promise<string>((resolve) => {
    proc.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout = (stdout + d).slice(-4 * TAIL_CHARS)
      const m = LISTENING.exec(stdout)
      if (m) resolve(`${m[1]}:${m[2]}`)
    })
  })
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    listening.then((origin) => ({ kind: 'up' as const, origin })),
    proc.exited.then((code) => ({ kind: 'exited' as const, code })),
    new Promise<{ kind: 'timeout' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs))),
  ])
  clearTimeout(timer)
  if (outcome.kind !== 'up') {
    // a given workspace stays its owner's: SIGKILL, so the guard's SIGTERM handler does not remove it
    if (given === undefined) await release()
    else await kill()
    const why = outcome.kind === 'timeout'
      ? `did not report listening within ${timeoutMs} ms`
      : `exited (${outcome.code}) before listening`
    const output = tail(stderr) || tail(stdout) || '(no output)'
    throw new Error(`Azurite blob service ${why}. Its output:\n${output}`)
  }
  return new RunningAzurite(`${outcome.origin}/${AZURITE_ACCOUNT}`, key, proc.pid, dir.path, release, kill)
}
