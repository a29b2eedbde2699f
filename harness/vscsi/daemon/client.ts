// The CLI's side of the daemon: one JSON request per connection to <state>/daemon.sock (or the
// named pipe on Windows), and starting the daemon on demand (detached, its output appended to
// <state>/daemon.log).
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { logFile, runningDaemonPid, type Request, type Response } from './daemon.ts'
import { socketPath } from './state.ts'
import { sleep } from './ssh.ts'
import { ownFile } from '../../run/own-file.ts'

export const DAEMON_MAIN = ownFile(import.meta.dirname, './main.ts')

/** Sends one request and waits for its response (a start, stop or discover can take a while). */
export function send(state: string, req: Request, timeoutMs = 300_000): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath(state))
    let buffer = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the vscsi daemon did not answer ${req.cmd} within ${timeoutMs / 1000} s (see ${logFile(state)})`))
    }, timeoutMs)
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write(JSON.stringify(req) + '\n'))
    socket.on('data', (chunk: string) => (buffer += chunk))
    socket.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      const line = buffer.split('\n')[0]
      if (!line) return reject(new Error('the vscsi daemon closed the connection without an answer'))
      try {
        resolve(JSON.parse(line) as Response)
      } catch {
        reject(new Error('the vscsi daemon sent an answer that is not JSON'))
      }
    })
  })
}

export async function ping(state: string): Promise<{ pid: number; running: string[] } | null> {
  try {
    const r = await send(state, { cmd: 'ping' }, 3000)
    return r.ok ? (r as unknown as { pid: number; running: string[] }) : null
  } catch {
    return null
  }
}

/** Makes sure a daemon serves this state directory, starting one if needed; returns its pid. */
export async function ensureDaemon(state: string, env: NodeJS.ProcessEnv = process.env, waitMs = 15_000): Promise<number> {
  const alive = await ping(state)
  if (alive) return alive.pid
  mkdirSync(state, { recursive: true, mode: 0o700 })
  // Another CLI may be starting one right now: give it a moment before starting our own.
  if (runningDaemonPid(state) !== null) {
    for (const end = Date.now() + 3000; Date.now() < end; await sleep(50)) {
      const p = await ping(state)
      if (p) return p.pid
    }
  }
  const log = openSync(logFile(state), 'a', 0o600)
  try {
    const child = spawn(process.execPath, [DAEMON_MAIN, '--state', state], {
      detached: true,
      stdio: ['ignore', log, log],
      env,
      cwd: state,
      windowsHide: true,
    })
    child.unref()
  } finally {
    closeSync(log)
  }
  for (const end = Date.now() + waitMs; Date.now() < end; await sleep(50)) {
    const p = await ping(state)
    if (p) return p.pid
  }
  throw new Error(`the vscsi daemon did not start within ${waitMs / 1000} s; see ${logFile(state)}`)
}
