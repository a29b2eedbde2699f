// Ports for the servers a run starts (competitive's systems, the load bench's peers), on loopback only. Port 0 in a scenario means "pick one": we
// bind a listener on 127.0.0.1:0, read the port the kernel chose and close it, then hand that port
// to the system. Another process could take it in between (the window is milliseconds); a system
// that then fails to bind is caught by the readiness check and the start is retried once on a new
// port (competitive/systems.ts). A fixed port is checked free the same way, by binding it, so the check sees
// exactly what the system will see — no parsing of /proc/net/tcp, no `ss`.
import { createConnection, createServer } from 'node:net'

export const LOOPBACK = '127.0.0.1'

/** Binds host:port, then closes; resolves with the bound port, or the error code (EADDRINUSE, EACCES). */
function tryBind(port: number, host: string): Promise<number | string> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address ? address.port : port
      server.close(() => resolve(bound))
    })
  })
}

/** A port that was free on `host` a moment ago (chosen by the kernel). */
export async function freePort(host = LOOPBACK): Promise<number> {
  const got = await tryBind(0, host)
  if (typeof got === 'string') throw new Error(`cannot bind ${host}:0 to pick a free port (${got})`)
  return got
}

/** null when host:port can be bound now, else why not (EADDRINUSE, EACCES, …). */
export async function portProblem(port: number, host = LOOPBACK): Promise<string | null> {
  const got = await tryBind(port, host)
  return typeof got === 'string' ? got : null
}

/** Resolves true when a TCP connect to host:port succeeds within timeoutMs. */
export function canConnect(port: number, host = LOOPBACK, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
