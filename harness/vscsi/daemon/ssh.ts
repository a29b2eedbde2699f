// SSH to an ESXi host with ssh2: password or key, retries with exponential backoff, and host key
// pinning. A host key is checked against ssh.hosts[].host_key_fingerprint when the config pins
// one; otherwise it is trusted on first use and its SHA256 fingerprint stored in
// <state>/known_hosts.json, and a later, different key is refused. No password or key text ever
// appears in an error or a log line.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { Client, type ConnectConfig } from 'ssh2'
import { writeFileAtomic } from '../../run/atomic.ts'

export interface SshTarget {
  name: string
  host: string
  port: number
  user: string
  password?: string
  key_path?: string
  host_key_fingerprint?: string
}

export interface ExecResult {
  stdout: string
  stderr: string
  code: number | null
}

export interface Remote {
  exec(command: string, timeoutMs?: number): Promise<ExecResult>
  close(): void
  /** False once the connection dropped. */
  readonly open: boolean
}

/** An SSH failure that retrying cannot fix (host key mismatch, authentication refused). */
export class SshFatalError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SshFatalError'
  }
}

export interface ConnectOptions {
  /** <state>/known_hosts.json */
  knownHostsFile: string
  /** Waits between attempts, in seconds (config vscsi.retry_backoff_s). */
  backoffS: readonly number[]
  log?: (line: string) => void
  /** Stops retrying (the job was stopped). */
  signal?: AbortSignal
  readyTimeoutMs?: number
}

export const address = (t: Pick<SshTarget, 'host' | 'port'>): string => `${t.host}:${t.port}`

/** OpenSSH's SHA256 fingerprint of a host key blob: SHA256:<base64 without padding>. */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')
}

type KnownHosts = Record<string, { name: string; fingerprint: string; first_seen: string }>

function readKnownHosts(file: string): KnownHosts {
  if (!existsSync(file)) return {}
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as KnownHosts
  } catch {
    throw new SshFatalError(`${file}: not valid JSON; fix or remove it (it pins the SSH host keys seen so far)`)
  }
}

/** Decides on a presented host key; returns the refusal message, or null to accept. */
export function checkHostKey(t: SshTarget, seen: string, knownHostsFile: string): string | null {
  const where = `${t.name} (${address(t)})`
  if (t.host_key_fingerprint) {
    const want = t.host_key_fingerprint.startsWith('SHA256:') ? t.host_key_fingerprint : `SHA256:${t.host_key_fingerprint}`
    if (want.replace(/=+$/, '') === seen) return null
    return `host key of ${where} does not match the configured host_key_fingerprint: expected ${want}, the host presented ${seen}; ` +
      'if the host was reinstalled, check the new key on its console and update ssh.hosts[].host_key_fingerprint'
  }
  const known = readKnownHosts(knownHostsFile)
  const entry = known[address(t)]
  if (!entry) {
    known[address(t)] = { name: t.name, fingerprint: seen, first_seen: new Date().toISOString() }
    writeFileAtomic(knownHostsFile, JSON.stringify(known, null, 2) + '\n')
    return null
  }
  if (entry.fingerprint === seen) return null
  return `host key of ${where} changed: first seen ${entry.fingerprint} (${entry.first_seen}), now ${seen}; ` +
    `refusing to connect (possible man-in-the-middle). If the host was reinstalled, remove "${address(t)}" from ${knownHostsFile} ` +
    'or pin the new key with ssh.hosts[].host_key_fingerprint'
}

/** One attempt. Rejects with SshFatalError for a refused host key or refused authentication. */
export function connectOnce(t: SshTarget, o: ConnectOptions): Promise<Remote> {
  return new Promise((resolve, reject) => {
    const client = new Client()
    let refusal: string | null = null
    let settled = false
    let open = false
    const fail = (e: Error) => {
      if (settled) return
      settled = true
      client.end()
      reject(e)
    }
    const cfg: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      readyTimeout: o.readyTimeoutMs ?? 20_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      hostVerifier: (key: Buffer) => {
        try {
          refusal = checkHostKey(t, fingerprint(key), o.knownHostsFile)
        } catch (e) {
          refusal = (e as Error).message
        }
        return refusal === null
      },
    }
    if (t.password !== undefined) cfg.password = t.password
    if (t.key_path !== undefined) {
      try {
        cfg.privateKey = readFileSync(t.key_path.replace(/^~(?=\/|$)/, process.env.HOME ?? '~'))
      } catch (e) {
        fail(new SshFatalError(`${t.name}: cannot read key_path ${t.key_path} (${(e as NodeJS.ErrnoException).code ?? 'read error'})`))
        return
      }
    }
    client.on('ready', () => {
      if (settled) return
      settled = true
      open = true
      resolve({
        get open() {
          return open
        },
        exec: (command, timeoutMs = 60_000) => execOn(client, t, command, timeoutMs),
        close: () => {
          open = false
          client.end()
        },
      })
    })
    client.on('error', (e: Error & { level?: string; code?: string }) => {
      open = false
      if (refusal !== null) return fail(new SshFatalError(refusal))
      if (e.level === 'client-authentication') {
        return fail(new SshFatalError(`${t.name} (${address(t)}): authentication as ${t.user} refused (${t.password !== undefined ? 'password' : ''}${t.password !== undefined && t.key_path !== undefined ? ', ' : ''}${t.key_path !== undefined ? `key ${t.key_path}` : ''}); check ssh.hosts[].user, password and key_path`))
      }
      fail(new Error(`${t.name} (${address(t)}): ${e.message}`))
    })
    client.on('close', () => {
      open = false
      fail(new Error(`${t.name} (${address(t)}): connection closed before it was ready`))
    })
    try {
      client.connect(cfg)
    } catch (e) {
      fail(new SshFatalError(`${t.name} (${address(t)}): ${(e as Error).message}`))
    }
  })
}

function execOn(client: Client, t: SshTarget, command: string, timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    // started before the channel is opened, so a hung channel open is bounded too
    let stream: { close(): void } | null = null
    let settled = false
    const timer = setTimeout(() => {
      settled = true
      try {
        stream?.close()
      } catch {
        // already closed
      }
      reject(new Error(`${t.name}: ${command} did not finish within ${timeoutMs / 1000} s`))
    }, timeoutMs)
    try {
      client.exec(command, (err, s) => {
        if (err) {
          clearTimeout(timer)
          if (!settled) reject(new Error(`${t.name}: cannot run ${command}: ${err.message}`))
          settled = true
          return
        }
        stream = s
        if (settled) {
          s.close()
          return
        }
        const out: Buffer[] = []
        const errs: Buffer[] = []
        s.on('data', (b: Buffer) => out.push(b))
        s.stderr.on('data', (b: Buffer) => errs.push(b))
        s.on('close', (code: number | null) => {
          clearTimeout(timer)
          if (settled) return
          settled = true
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), code: code ?? null })
        })
      })
    } catch (e) {
      clearTimeout(timer)
      settled = true
      reject(new Error(`${t.name}: cannot run ${command}: ${(e as Error).message}`))
    }
  })
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })

/**
 * Connects, retrying after each wait of backoffS (5, 10, 20 s by default): backoffS.length + 1
 * attempts in all. A refused host key or authentication is not retried.
 */
export async function connect(t: SshTarget, o: ConnectOptions): Promise<Remote> {
  let last: Error | undefined
  for (let attempt = 0; attempt <= o.backoffS.length; attempt++) {
    if (o.signal?.aborted) break
    try {
      return await connectOnce(t, o)
    } catch (e) {
      if (e instanceof SshFatalError) throw e
      last = e as Error
      if (attempt < o.backoffS.length) {
        o.log?.(`ssh ${t.name}: attempt ${attempt + 1} failed (${last.message}); retrying in ${o.backoffS[attempt]} s`)
        await sleep(o.backoffS[attempt]! * 1000, o.signal)
      }
    }
  }
  if (o.signal?.aborted) throw new Error(`${t.name}: connection attempts stopped`)
  const attempts = o.backoffS.length + 1
  const waits = o.backoffS.length ? `, waiting ${o.backoffS.join(', ')} s between them` : ''
  throw new Error(`cannot connect to ${last?.message ?? t.name} (after ${attempts} attempt${attempts === 1 ? '' : 's'}${waits})`)
}

export { sleep }
