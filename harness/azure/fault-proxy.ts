// A loopback HTTP proxy that stands between a client and a blob store and injects faults: for each
// request, `inject` decides to forward it (null), answer it with an error status instead (a number,
// with Azure's x-ms-error-code and XML error body), never answer it ('hang'), drop its connection
// ('reset'), or a mix given as an object (status and headers such as Retry-After, and/or a delay
// before forwarding or answering).
// Used by the tests and the throttling probe. Method, path, headers and body are streamed to the
// upstream origin and the answer streamed back; hop-by-hop headers are dropped. Listens on
// 127.0.0.1, port chosen by the OS; stop() closes every client and upstream socket.
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface FaultAction {
  /** Answer with this status instead of forwarding. */
  status?: number
  /** Extra answer headers (e.g. { 'retry-after': '1' }); only with status. */
  headers?: Record<string, string>
  /** Wait this long before forwarding or answering. */
  delayMs?: number
}

/** What to do with request number `n` (0-based): forward (null), answer a status, hang, drop the connection, or an action. */
export type Inject = (n: number, req: IncomingMessage) => number | 'hang' | 'reset' | FaultAction | null

export interface FaultProxyOptions {
  /** Upstream origin, e.g. http://127.0.0.1:10000 */
  upstream: string
  inject?: Inject
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  readonly origin: string
  /** Requests received so far. */
  readonly requests: number
  /** Requests answered with a fault (status, hang or reset) instead of being forwarded. */
  readonly injected: number
  /** Requests received and not yet answered (or dropped). */
  readonly inFlight: number
  /** The most requests ever in flight at once. */
  readonly maxInFlight: number
  stop(): Promise<void>
}

const ERROR_CODES: Record<number, string> = { 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServerBusy' }
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

function endToEnd(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value
  return out
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const code = ERROR_CODES[status] ?? `Injected${status}`
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>injected by the fault proxy</Message></Error>`
  req.resume() // drain any request body so the connection stays usable
  res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code, 'content-length': Buffer.byteLength(body), ...headers })
  res.end(req.method === 'HEAD' ? undefined : body)
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream)
  const agent = new Agent({ keepAlive: true })
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let requests = 0
  let injected = 0
  let inFlight = 0
  let maxInFlight = 0

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const up = request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: upstream.host },
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, endToEnd(upRes.headers))
        upRes.pipe(res)
        upRes.once('error', () => res.destroy())
      },
    )
    up.once('error', () => {
      if (!res.headersSent) answer(req, res, 502)
      else res.destroy()
    })
    res.once('close', () => {
      if (!res.writableFinished) up.destroy()
    })
    req.pipe(up)
  }

  const server = createServer((req, res) => {
    const n = requests++
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let counted = true
    const done = () => {
      if (counted) inFlight--
      counted = false
    }
    res.once('finish', done) // the answer is written out: the client may send its next request
    res.once('close', done)
    const decision = options.inject?.(n, req) ?? null
    const action = typeof decision === 'number' ? { status: decision } : decision
    if (action === 'hang' || action === 'reset') {
      injected++
      req.resume()
      if (action === 'reset') req.socket.destroy()
      return
    }
    if (action?.status !== undefined) injected++
    const go = () => {
      if (res.destroyed) return // the client gave up while we waited
      if (action?.status !== undefined) answer(req, res, action.status, action.headers)
      else forward(req, res)
    }
    if (!action?.delayMs) return go()
    const timer = setTimeout(() => {
      timers.delete(timer)
      go()
    }, action.delayMs)
    timers.add(timer)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    origin: `http://127.0.0.1:${port}`,
    get requests() {
      return requests
    },
    get injected() {
      return injected
    },
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    async stop() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      agent.destroy()
      await closed
    },
  }
}
