// A probe window for the desktop tests and benches: a tiny loopback HTTP server serving one page,
// shown in a real Chromium app window (app-window.ts). The page
//   - posts every keydown and keyup it receives (key, code, modifiers, repeat, performance.now(),
//     a sequence number) to the server, which keeps them in the page's order;
//   - repaints on command, like an application's view: 'c' → the whole page a new colour, 'b' →
//     only a border `border` px wide, 'l' → only the left half, Ctrl+O → "opened" (new colour),
//     PageDown → the next "inline" (the colour alternates), Alt+1/2/3 → a new colour; each after
//     `delay` ms; 'd' → a new colour 300 ms after the key; 'r' → back to the first colour at once;
//     browser default actions prevented;
//   - reports its inner size on load, so a test knows where the client area sits inside the
//     window (Chromium draws its own title bar when there is no window manager).
// `findWindow` finds a top-level window by exact title through libnut, as a minimal
// `{ rect(), foreground() }` window.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { openAppWindow, type AppWindow } from './app-window.ts'
import type { Rect } from './coords.ts'
import { libnut } from './native.ts'

export interface PageKey {
  type: 'keydown' | 'keyup'
  seq: number
  key: string
  code: string
  altKey: boolean
  ctrlKey: boolean
  shiftKey: boolean
  metaKey: boolean
  repeat: boolean
  /** The page's performance.now() at the event (ms). */
  t: number
}

export interface ProbeOptions {
  title: string
  /** Delay (ms) between a key and its repaint. */
  delay?: number
  /** Border width (px) repainted by 'b'. */
  border?: number
  left?: number
  top?: number
  width?: number
  height?: number
}

export interface ProbeWindow {
  readonly url: string
  readonly app: AppWindow
  readonly window: { handle: number; rect(): Promise<Rect>; foreground(): Promise<void> }
  /** The page's inner size, once loaded. */
  readonly inner: { width: number; height: number }
  /** The client area (below Chromium's own title bar) as fractions of the window rectangle. */
  readonly clientRegion: { left: number; top: number; width: number; height: number }
  /** Events received so far, in the page's order. */
  keys(): PageKey[]
  /** Waits until `n` events of `type` have arrived (or `timeoutMs` passes), then 100 ms more; returns all events. */
  waitForKeys(n: number, type?: PageKey['type'], timeoutMs?: number): Promise<PageKey[]>
  clear(): void
  close(): Promise<void>
}

const PAGE = (title: string, delay: number, border: number) => `<!doctype html><html><head><title>${title}</title><style>
html,body{margin:0;height:100%;overflow:hidden;background:#204060}
#b{position:fixed;inset:0;border:${border}px solid #204060;box-sizing:border-box}
#l{position:fixed;left:0;top:0;bottom:0;width:50%;background:#204060}
</style></head><body><div id="l"></div><div id="b"></div><script>
let seq = 0, inline = 0
const post = (path, body) => fetch(path, { method: 'POST', body: JSON.stringify(body), keepalive: true })
const later = (f) => ${delay} > 0 ? setTimeout(f, ${delay}) : f()
const all = (c) => { document.body.style.background = c; l.style.background = c; b.style.borderColor = c }
function log(e) {
  post('/key', { type: e.type, seq: seq++, key: e.key, code: e.code, altKey: e.altKey, ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, metaKey: e.metaKey, repeat: e.repeat, t: performance.now() })
}
document.addEventListener('keyup', (e) => { log(e); e.preventDefault() })
document.addEventListener('keydown', (e) => {
  log(e)
  e.preventDefault()
  if (e.ctrlKey && e.key.toLowerCase() === 'o') later(() => all('#e0e0d0'))
  else if (e.altKey && ['1', '2', '3'].includes(e.key)) later(() => all(['#a03020', '#20a030', '#3020a0'][e.key - 1]))
  else if (e.key === 'PageDown') { inline++; later(() => all(inline % 2 ? '#406080' : '#608040')) }
  else if (e.key === 'c') later(() => all('#f0c000'))
  else if (e.key === 'b') later(() => { b.style.borderColor = '#f0c000' })
  else if (e.key === 'l') later(() => { l.style.background = '#f0c000' })
  else if (e.key === 'd') setTimeout(() => all('#c04080'), 300)
  else if (e.key === 'r') all('#204060')
})
addEventListener('load', () => post('/ready', { width: innerWidth, height: innerHeight }))
</script></body></html>`

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = ''
    req.setEncoding('utf8').on('data', (d: string) => (s += d)).on('end', () => resolve(s)).on('error', reject)
  })
}

/** Finds a top-level window by exact title (polling up to `timeoutMs`). */
export async function findWindow(title: string, timeoutMs = 20_000): Promise<ProbeWindow['window']> {
  const lib = await libnut()
  const until = performance.now() + timeoutMs
  for (;;) {
    const handle = lib.getWindows().find((h) => lib.getWindowTitle(h) === title)
    if (handle !== undefined) {
      return {
        handle,
        async rect() {
          const r = lib.getWindowRect(handle)
          return { left: r.x, top: r.y, width: r.width, height: r.height }
        },
        async foreground() {
          lib.focusWindow(handle)
        },
      }
    }
    if (performance.now() > until) {
      const seen = lib.getWindows().map((h) => lib.getWindowTitle(h)).filter(Boolean)
      throw new Error(`no window titled ${JSON.stringify(title)} within ${timeoutMs} ms; titles seen: ${JSON.stringify(seen)}`)
    }
    await sleep(50)
  }
}

/** Serves the probe page on loopback, opens it in an app window and waits for it to load. */
export async function openProbe(options: ProbeOptions): Promise<ProbeWindow> {
  const received: PageKey[] = []
  let ready: (size: { width: number; height: number }) => void = () => {}
  const loaded = new Promise<{ width: number; height: number }>((r) => (ready = r))
  const html = PAGE(options.title, options.delay ?? 0, options.border ?? 6)
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'POST' && req.url === '/key') received.push(JSON.parse(await body(req)) as PageKey)
      else if (req.method === 'POST' && req.url === '/ready') ready(JSON.parse(await body(req)) as { width: number; height: number })
      else if (req.method === 'GET' && req.url === '/') {
        res.setHeader('content-type', 'text/html; charset=utf-8')
        res.end(html)
        return
      } else res.statusCode = req.url === '/favicon.ico' ? 404 : 400
      res.end()
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
  const app = await openAppWindow({ url, left: options.left ?? 40, top: options.top ?? 40, width: options.width ?? 800, height: options.height ?? 600 })
  const stop = async () => {
    await app.close()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  try {
    const inner = await Promise.race([loaded, sleep(30_000).then(() => Promise.reject(new Error(`probe page ${url} did not load within 30 s`)))])
    const window = await findWindow(options.title)
    const r = await window.rect()
    const clientRegion = { left: (r.width - inner.width) / r.width, top: (r.height - inner.height) / r.height, width: inner.width / r.width, height: inner.height / r.height }
    const sorted = () => [...received].sort((a, b) => a.seq - b.seq)
    return {
      url, app, window, inner, clientRegion,
      keys: sorted,
      async waitForKeys(n, type = 'keydown', timeoutMs = 10_000) {
        const until = performance.now() + timeoutMs
        while (received.filter((k) => k.type === type).length < n && performance.now() < until) await sleep(20)
        await sleep(100) // a late extra event would show too
        return sorted()
      },
      clear: () => void received.splice(0),
      close: stop,
    }
  } catch (e) {
    await stop()
    throw e
  }
}
