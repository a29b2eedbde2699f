// Round-trip times to a host: TCP connect time to a port (the SMB port of a NAS host, the blob
// endpoint's port), which needs no privilege, and ICMP echo through the system's `ping` where it
// is installed and permitted. The host name is resolved once first, so DNS is not timed. Every
// attempt is bounded by a timeout; failures are recorded with their cause, never thrown.
import { lookup } from 'node:dns/promises'
import { connect } from 'node:net'
import { execFile } from 'node:child_process'
import { quantile } from '../stats/quantile.ts'
import type { IcmpRtt, TcpRtt } from './schema.ts'
import { findOnPath } from './tools.ts'

export interface RttOptions {
  /** Attempts (default 10). */
  count?: number
  /** Per attempt (default 2000 ms). */
  timeoutMs?: number
  signal?: AbortSignal
}

const round = (v: number) => Math.round(v * 1000) / 1000

function figures(samples: readonly number[]): { min_ms: number | null; avg_ms: number | null; p95_ms: number | null } {
  if (samples.length === 0) return { min_ms: null, avg_ms: null, p95_ms: null }
  return {
    min_ms: round(Math.min(...samples)),
    avg_ms: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    p95_ms: round(quantile(samples, 0.95)),
  }
}

const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens on that port)',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'host name could not be resolved now (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
}

function cause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code
  return code && CAUSES[code] ? CAUSES[code]! : (e as Error)?.message ?? String(e)
}

function connectOnce(address: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const socket = connect({ host: address, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'PROBE_TIMEOUT' }))
    }, timeoutMs)
    socket.once('connect', () => {
      const ms = performance.now() - t0
      clearTimeout(timer)
      socket.destroy()
      resolve(ms)
    })
    socket.once('error', (e) => {
      clearTimeout(timer)
      socket.destroy()
      reject(e)
    })
  })
}

/** TCP connect times to host:port, `count` attempts one after another. */
export async function tcpConnectRtt(host: string, port: number, options: RttOptions = {}): Promise<TcpRtt> {
  const count = options.count ?? 10
  const timeoutMs = options.timeoutMs ?? 2000
  const result: TcpRtt = { method: 'tcp-connect', host, port, attempts: 0, samples_ms: [], ...figures([]), errors: [] }
  let address: string
  try {
    address = (await lookup(host)).address
  } catch (e) {
    result.errors.push(cause(e))
    return result
  }
  const errors = new Set<string>()
  for (let i = 0; i < count && !options.signal?.aborted; i++) {
    result.attempts++
    try {
      result.samples_ms.push(round(await connectOnce(address, port, timeoutMs)))
    } catch (e) {
      errors.add(cause(e))
    }
  }
  return { ...result, ...figures(result.samples_ms), errors: [...errors] }
}

/** The per-echo times in a ping's output (`time=0.045 ms`, Windows `time<1ms`). */
export function parsePing(output: string): number[] {
  const out: number[] = []
  for (const m of output.matchAll(/time[=<]\s*(\d+(?:\.\d+)?)\s*ms/gi)) out.push(Number(m[1]))
  return out
}

/** ICMP echo times through the system's ping; when it is missing or refused, the reason. */
export async function icmpRtt(host: string, options: RttOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<IcmpRtt> {
  const count = options.count ?? 10
  const timeoutS = Math.max(1, Math.ceil((options.timeoutMs ?? 2000) / 1000))
  const none = { method: 'icmp' as const, host, samples_ms: [], ...figures([]) }
  const ping = findOnPath('ping', options.env)
  if (!ping) return { ...none, available: false, reason: 'ping is not installed (no ping on PATH)' }
  const args = process.platform === 'win32'
    ? ['-n', String(count), '-w', String(timeoutS * 1000), host]
    : ['-n', '-c', String(count), '-i', '0.2', '-W', String(timeoutS), host]
  const { stdout, stderr, error } = await new Promise<{ stdout: string; stderr: string; error: Error | null }>((resolve) => {
    execFile(ping, args, { timeout: (count * 0.2 + timeoutS + 2) * 1000, encoding: 'utf8', env: options.env, signal: options.signal },
      (err, so, se) => resolve({ stdout: so, stderr: se, error: err }))
  })
  const samples = parsePing(stdout)
  if (samples.length > 0) return { ...none, available: true, samples_ms: samples, ...figures(samples) }
  const text = `${stderr}\n${stdout}`
  const reason = /not permitted|permission denied|socket: |are you root/i.test(text)
    ? `ping is not permitted here: ${text.trim().split('\n')[0]}`
    : `no echo reply (${(text.trim().split('\n').find((l) => l.trim()) ?? error?.message ?? 'no output').trim()})`
  return { ...none, available: false, reason }
}
