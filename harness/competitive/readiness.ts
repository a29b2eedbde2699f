// Readiness of a system under test, by a real check on its port rather than a sleep:
//   http       GET {path} answers {status} (node:http, a fresh connection per probe, no keep-alive)
//   tcp        a TCP connect succeeds
//   redis      `PING` in RESP (`*1\r\n$4\r\nPING\r\n`) answers `+PONG`
//   memcached  the text command `version\r\n` answers `VERSION …` (memcached speaks text and binary
//              on one port unless told otherwise; ours answers it too)
// Each probe has a 1 s timeout; probes repeat every 50 ms until one succeeds, the process exits
// (failing at once instead of waiting out the timeout) or ready_timeout_s passes.
import { request } from 'node:http'
import { createConnection } from 'node:net'
import { canConnect } from '../run/ports.ts'
import type { ScenarioSystem } from './scenario-schema.ts'

export type ReadyCheck = ScenarioSystem['ready']

const PROBE_TIMEOUT_MS = 1000
const PROBE_EVERY_MS = 50

function httpProbe(host: string, port: number, path: string, status: number): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode === status ? null : `GET ${path} answered ${res.statusCode}, expected ${status}`))
      res.once('error', (e) => resolve(e.message))
    })
    req.once('timeout', () => req.destroy(new Error(`GET ${path} timed out`)))
    req.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
    req.end()
  })
}

/** Sends `line` on a fresh connection and resolves null when the first reply line matches `answer`. */
function lineProbe(host: string, port: number, line: string, answer: RegExp): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    let got = ''
    const done = (why: string | null) => {
      socket.destroy()
      resolve(why)
    }
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(`no answer to ${JSON.stringify(line.trim())}`))
    socket.once('connect', () => socket.write(line))
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1')
      const end = got.indexOf('\r\n')
      if (end >= 0) done(answer.test(got.slice(0, end)) ? null : `answered ${JSON.stringify(got.slice(0, end).slice(0, 80))}`)
    })
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message))
    socket.once('end', () => done('connection closed without an answer'))
  })
}

/** One probe: null when the system is ready, else why not (for the timeout message). */
export async function probe(check: ReadyCheck, host: string, port: number): Promise<string | null> {
  switch (check.kind) {
    case 'http':
      return httpProbe(host, port, check.path, check.status)
    case 'tcp':
      return (await canConnect(port, host, PROBE_TIMEOUT_MS)) ? null : 'TCP connect failed'
    case 'redis':
      return lineProbe(host, port, '*1\r\n$4\r\nPING\r\n', /^\+PONG$/)
    case 'memcached':
      return lineProbe(host, port, 'version\r\n', /^VERSION /)
  }
}

export interface WaitOptions {
  timeoutMs: number
  /** Resolves when the process has exited: waiting stops at once. */
  exited: Promise<unknown>
  signal?: AbortSignal
}

export type WaitOutcome = { ready: true } | { ready: false; reason: 'timeout' | 'exited' | 'aborted'; last: string | null; exit?: unknown }

/** Probes until ready, the process exits, the signal aborts or the timeout passes. */
export async function waitReady(check: ReadyCheck, host: string, port: number, opts: WaitOptions): Promise<WaitOutcome> {
  let exit: { code: unknown } | undefined
  void opts.exited.then((code) => (exit = { code }))
  const deadline = Date.now() + opts.timeoutMs
  let last: string | null = null
  for (;;) {
    if (opts.signal?.aborted) return { ready: false, reason: 'aborted', last }
    if (exit) return { ready: false, reason: 'exited', last, exit: exit.code }
    last = await probe(check, host, port)
    if (last === null) return exit ? { ready: false, reason: 'exited', last, exit: (exit as { code: unknown }).code } : { ready: true }
    if (Date.now() >= deadline) return { ready: false, reason: 'timeout', last }
    await new Promise((ok) => setTimeout(ok, PROBE_EVERY_MS))
  }
}
