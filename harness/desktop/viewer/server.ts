// The viewer's HTTP server, on 127.0.0.1 only (a free port unless one is given). It serves the
// viewer page, the key-logging page and a small API over one ViewerSession:
//
//   GET  /                  the viewer page; query parameters override hotkeys (?open=Ctrl%2BO&next=PgDn)
//   GET  /keylog            the key-logging page (?title=… sets its title)
//   GET  /keylog/events     {events: KeylogEvent[]} in page order
//   POST /keylog/events     a report from the key-logging page (JSON array)
//   DELETE /keylog/events   forgets the events logged so far
//   GET  /api/state         {mode, title, open, inline, size, status_bar_px, hotkeys, actions, layouts, view_region}
//   POST /api/layout        a page's viewport, window sizes and focus (sent on load, resize, focus and blur);
//                           a driver waits for layouts.<page>.focused before it types (earlier keys are lost)
//   POST /api/key           a report of hotkeys pressed: [{seq, action, key, repeat, page_epoch_ms}]
//   POST /api/run?action=A&seq=N   runs action A (open, next, attribute, horizon, export) after every
//                           earlier one and answers with its frame (below); seq omitted: numbered here
//   POST /api/drawn         {seq}: the page has the frame on screen
//   GET  /api/summary       the summary so far (ViewerSummary)
//   POST /quit              ends the viewer: answers {out}, then the summary is written and it exits
//
// A frame is binary: a uint32 little-endian length, that many bytes of JSON
// ({seq, action, kind, width, height, inline, status}), then width × height bytes of values.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { UserError } from '../../errors.ts'
import { chordText, isViewerAction, resolveHotkeys, type Hotkeys } from './hotkeys.ts'
import { keylogPage, parseKeylogReport, type KeylogEvent } from './keylog.ts'
import { STATUS_BAR_PX, viewerPage } from './page.ts'
import type { Frame, ViewerSession } from './session.ts'

export interface ViewerServerOptions {
  session: ViewerSession
  title: string
  /** Hotkeys from the command line (action or alias → chord). */
  hotkeys: Record<string, string>
  port?: number
  /** Called once when POST /quit arrives (after the answer is sent). */
  onQuit: () => void
}

export interface ViewerServer {
  readonly url: string
  readonly port: number
  readonly keylog: KeylogEvent[]
  close(): Promise<void>
}

/** What a page reports of its place in its window (CSS pixels). */
export interface PageLayout {
  page: 'viewer' | 'keylog'
  innerWidth: number
  innerHeight: number
  outerWidth: number
  outerHeight: number
  screenX: number
  screenY: number
  devicePixelRatio: number
  /** document.hasFocus(): keys reach the page only once it has the keyboard focus. */
  focused: boolean
  /** The report's number on its page (reports may overtake each other; the latest wins). */
  n: number
}

/**
 * The view region relative to the window's top-left corner, in screen pixels: the page's viewport
 * (whatever the browser draws around it — an infobar, a frame — lies above it) less the status bar.
 */
export function viewRegion(l: PageLayout): { left: number; top: number; width: number; height: number } {
  const dpr = l.devicePixelRatio || 1
  const top = Math.max(0, l.outerHeight - l.innerHeight)
  const left = Math.max(0, Math.floor((l.outerWidth - l.innerWidth) / 2))
  return { left: Math.round(left * dpr), top: Math.round(top * dpr), width: Math.round(l.innerWidth * dpr), height: Math.round((l.innerHeight - STATUS_BAR_PX) * dpr) }
}

const MAX_BODY = 1 << 20

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) reject(new Error('request body too large'))
      else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function json(res: ServerResponse, status: number, v: unknown): void {
  send(res, status, 'application/json', JSON.stringify(v))
}

export function encodeFrame(f: Frame): Buffer {
  const { values, ...meta } = f
  const head = Buffer.from(JSON.stringify(meta), 'utf8')
  const out = Buffer.alloc(4 + head.length + (values?.length ?? 0))
  out.writeUInt32LE(head.length, 0)
  head.copy(out, 4)
  if (values) out.set(values, 4 + head.length)
  return out
}

export function decodeFrame(buf: Uint8Array): Frame {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  const n = b.readUInt32LE(0)
  const meta = JSON.parse(b.subarray(4, 4 + n).toString('utf8')) as Frame
  return { ...meta, values: new Uint8Array(b.subarray(4 + n)) }
}

function hotkeysFor(url: URL, cli: Record<string, string>): Hotkeys {
  const query = Object.fromEntries(url.searchParams)
  return resolveHotkeys([{ map: cli, file: 'benchgate viewer --hotkeys', strict: true }, { map: query, file: `viewer URL ${url.pathname}`, strict: false }])
}

export async function startViewerServer(o: ViewerServerOptions): Promise<ViewerServer> {
  const session = o.session
  hotkeysFor(new URL('http://x/'), o.hotkeys) // refuse bad --hotkeys before listening
  const keylog: KeylogEvent[] = []
  const layouts: Partial<Record<PageLayout['page'], PageLayout>> = {}
  let quitting = false

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = `${req.method} ${url.pathname}`
    if (route === 'GET /') {
      let hotkeys: Hotkeys
      try {
        hotkeys = hotkeysFor(url, o.hotkeys)
      } catch (e) {
        return send(res, 400, 'text/plain; charset=utf-8', (e as Error).message)
      }
      return send(res, 200, 'text/html; charset=utf-8', viewerPage({ title: o.title, hotkeys, mode: session.options.mode }))
    }
    if (route === 'GET /keylog') return send(res, 200, 'text/html; charset=utf-8', keylogPage(url.searchParams.get('title') ?? 'benchgate key log'))
    if (route === 'GET /keylog/events') return json(res, 200, { events: [...keylog].sort((a, b) => a.seq - b.seq) })
    if (route === 'DELETE /keylog/events') {
      keylog.length = 0
      return json(res, 200, { events: [] })
    }
    if (route === 'POST /keylog/events') {
      const t = session.now()
      const events = parseKeylogReport(JSON.parse(await readBody(req)), t)
      if (typeof events === 'string') return json(res, 400, { error: events })
      keylog.push(...events)
      return json(res, 200, { logged: keylog.length })
    }
    if (route === 'GET /api/state') {
      const hotkeys = hotkeysFor(url, o.hotkeys)
      return json(res, 200, {
        mode: session.options.mode, title: o.title, open: session.isOpen, inline: session.currentInline, size: session.shape?.size ?? null,
        status_bar_px: STATUS_BAR_PX, hotkeys: Object.fromEntries(Object.entries(hotkeys).map(([a, c]) => [a, chordText(c)])),
        actions: session.summary({ title: o.title, url: '', ended_by: '' }).actions.length,
        layouts, view_region: layouts.viewer ? viewRegion(layouts.viewer) : null,
      })
    }
    if (route === 'POST /api/layout') {
      const body = JSON.parse(await readBody(req)) as PageLayout
      if (body.page !== 'viewer' && body.page !== 'keylog') return json(res, 400, { error: 'page must be viewer or keylog' })
      if (!(Number(body.n) < Number(layouts[body.page]?.n))) layouts[body.page] = body
      return json(res, 200, {})
    }
    if (route === 'POST /api/key') {
      const t = session.now()
      const body = JSON.parse(await readBody(req)) as unknown
      if (!Array.isArray(body)) return json(res, 400, { error: 'expected a JSON array of keys' })
      for (const k of body as Record<string, unknown>[]) {
        if (typeof k?.seq !== 'number' || typeof k.action !== 'string' || !isViewerAction(k.action)) return json(res, 400, { error: `bad key report ${JSON.stringify(k)}` })
        const a = session.key(k.seq, k.action, { key: typeof k.key === 'string' ? k.key : undefined, repeat: k.repeat === true, page_epoch_ms: typeof k.page_epoch_ms === 'number' ? k.page_epoch_ms : undefined })
        if (a.t_ms > t) a.t_ms = t
      }
      return json(res, 200, { keys: body.length })
    }
    if (route === 'POST /api/run') {
      const action = url.searchParams.get('action') ?? ''
      if (!isViewerAction(action)) return json(res, 400, { error: `unknown action ${JSON.stringify(action)}` })
      const rawSeq = url.searchParams.get('seq')
      const seq = rawSeq === null ? null : Number(rawSeq)
      if (seq !== null && !Number.isInteger(seq)) return json(res, 400, { error: `bad seq ${JSON.stringify(rawSeq)}` })
      const frame = await session.run(action, seq)
      return send(res, 200, 'application/octet-stream', encodeFrame(frame))
    }
    if (route === 'POST /api/drawn') {
      const body = JSON.parse(await readBody(req)) as { seq?: unknown }
      if (typeof body.seq === 'number') session.drawn(body.seq)
      return json(res, 200, {})
    }
    if (route === 'GET /api/summary') return json(res, 200, session.summary({ title: o.title, url: server.url, ended_by: '', keylog }))
    if (route === 'POST /quit') {
      json(res, 200, { quitting: true })
      if (!quitting) {
        quitting = true
        res.once('finish', () => o.onQuit())
      }
      return
    }
    if (route === 'GET /favicon.ico') return send(res, 204, 'image/x-icon', '')
    return json(res, 404, { error: `no route ${route}` })
  }

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, e instanceof SyntaxError ? 400 : 500, { error: (e as Error).message })
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new UserError({ file: 'benchgate viewer', field: '--port', message: `port ${o.port} is in use`, expected: 'a free port, or 0 for any' }) : e))
    http.listen(o.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (http.address() as AddressInfo).port
  const server: ViewerServer = {
    url: `http://127.0.0.1:${port}/`,
    port,
    keylog,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve())
        http.closeAllConnections()
      }),
  }
  return server
}
