// A probe window for the desktop tests and benches: a tiny loopback HTTP server serving one page,
// shown in a real Chromium app window (app-window.ts). The page
//   - posts every keydown and keyup it receives (key, code, modifiers, repeat, performance.now(),
//     a sequence number) to the server, which keeps them in the page's order;
//   - repaints on command, like an application's view: 'c' → the whole page a new colour, 'b' →
//     only a border `border` px wide, 'l' → only the left half, Ctrl+O → "opened" (new colour),
//     PageDown → the next "inline" (a colour of its own: any two of 100 consecutive inlines differ
//     by ≥ 25 in a channel, so frames Chromium coalesces under load still end on a new colour), Alt+1/2/3 → a new colour; each after
//     `delay` ms; 'd' → a new colour 300 ms after the key; 'r' → back to the first colour at once;
//     browser default actions prevented;
//   - reports its load and whether it has the keyboard focus (keys sent before Chromium has taken
//     the X focus are lost).
// Where the client area sits inside the window (Chromium draws its own title bar when there is
// no window manager) is read off the screen once the page's first colour is shown: the page's
// innerHeight at load can be that of the window before Chromium added its title bar.
// `findWindow` finds the window by its exact title (window.ts's DesktopWindow: rect(), foreground()).
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { openAppWindow, type AppWindow } from './app-window.ts'
import type { Rect } from './coords.ts'
import { pressChord } from './keys.ts'
import { libnut } from './native.ts'
import { findAppWindow, type DesktopWindow } from './window.ts'

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

export type Rgb = [number, number, number]

/** The page's first colour (#204060). */
export const BASE: Rgb = [0x20, 0x40, 0x60]

/** Same colour within `tolerance` per channel (the screen may render #204060 a few steps off). */
export function near(a: Rgb, b: Rgb, tolerance = 16): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance)
}

/** Screen colours at points of the page: the right half's centre, the left half's centre, inside the border. */
export interface ProbeColours {
  right: Rgb
  left: Rgb
  border: Rgb
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
  readonly window: DesktopWindow
  /** The client area's size in pixels, as found on the screen. */
  readonly inner: { width: number; height: number }
  /** The client area (below Chromium's own title bar) as fractions of the window rectangle. */
  readonly clientRegion: { left: number; top: number; width: number; height: number }
  /** Events received so far, in the page's order. */
  keys(): PageKey[]
  /** Waits until `n` events of `type` have arrived (or `timeoutMs` passes), then 100 ms more; returns all events. */
  waitForKeys(n: number, type?: PageKey['type'], timeoutMs?: number): Promise<PageKey[]>
  /** The screen's colours at the probe points now. */
  colours(): Promise<ProbeColours>
  /** Waits until `ok(colours)` (or throws after `timeoutMs`). */
  waitForColours(ok: (c: ProbeColours) => boolean, what: string, timeoutMs?: number): Promise<ProbeColours>
  /** Presses 'r' and waits until the screen shows the page's first colour at every probe point. */
  reset(timeoutMs?: number): Promise<void>
  /** Brings the window to the foreground and waits until the page says it has the focus. */
  focus(timeoutMs?: number): Promise<void>
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
  else if (e.key === 'PageDown') { const n = ++inline; later(() => all(\`rgb(\${(n % 10) * 25}, \${(Math.floor(n / 10) % 10) * 25}, 160)\`)) }
  else if (e.key === 'c') later(() => all('#f0c000'))
  else if (e.key === 'b') later(() => { b.style.borderColor = '#f0c000' })
  else if (e.key === 'l') later(() => { l.style.background = '#f0c000' })
  else if (e.key === 'd') setTimeout(() => all('#c04080'), 300)
  else if (e.key === 'r') all('#204060')
})
addEventListener('load', () => post('/ready', { width: innerWidth, height: innerHeight, focused: document.hasFocus() }))
addEventListener('focus', () => post('/focus', { focused: true }))
addEventListener('blur', () => post('/focus', { focused: false }))
</script></body></html>`

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = ''
    req.setEncoding('utf8').on('data', (d: string) => (s += d)).on('end', () => resolve(s)).on('error', reject)
  })
}

/** The window titled exactly `title` (window.ts, whose X11 helper child keeps Xlib errors out of this process). */
export async function findWindow(title: string, timeoutMs = 20_000): Promise<DesktopWindow> {
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
  const until = performance.now() + timeoutMs
  for (;;) {
    const w = await findAppWindow(exact)
    if (w) return w
    if (performance.now() > until) throw new Error(`no window titled ${JSON.stringify(title)} within ${timeoutMs} ms`)
    await sleep(50)
  }
}

type Lib = Awaited<ReturnType<typeof libnut>>

function pixel(lib: Lib, x: number, y: number): Rgb {
  const img = lib.screen.capture(x, y, 1, 1).image as Buffer
  return [img[2]!, img[1]!, img[0]!] // BGRA
}

/** The page's area on screen: the span of its first colour through the window's middle, once shown. */
async function clientArea(lib: Lib, r: Rect): Promise<Rect> {
  const until = performance.now() + 20_000
  const cx = r.left + Math.floor(r.width / 2)
  const cy = r.top + Math.floor((r.height * 2) / 3)
  for (;;) {
    if (near(pixel(lib, cx, cy), BASE)) {
      const row = lib.screen.capture(r.left, cy, r.width, 1).image as Buffer
      const col = lib.screen.capture(cx, r.top, 1, r.height).image as Buffer
      const isBase = (b: Buffer, i: number) => near([b[4 * i + 2]!, b[4 * i + 1]!, b[4 * i]!], BASE)
      const first = (n: number, b: Buffer) => Array.from({ length: n }, (_, i) => i).find((i) => isBase(b, i))!
      const last = (n: number, b: Buffer) => Array.from({ length: n }, (_, i) => n - 1 - i).find((i) => isBase(b, i))!
      const left = first(r.width, row), right = last(r.width, row)
      const top = first(r.height, col), bottom = last(r.height, col)
      return { left: r.left + left, top: r.top + top, width: right - left + 1, height: bottom - top + 1 }
    }
    if (performance.now() > until) throw new Error(`probe page: its first colour never showed in window ${JSON.stringify(r)}`)
    await sleep(20)
  }
}

/** Serves the probe page on loopback, opens it in an app window and waits for it to load. */
export async function openProbe(options: ProbeOptions): Promise<ProbeWindow> {
  const received: PageKey[] = []
  let focused = false
  let ready: (size: { width: number; height: number }) => void = () => {}
  const loaded = new Promise<{ width: number; height: number }>((r) => (ready = r))
  const html = PAGE(options.title, options.delay ?? 0, options.border ?? 6)
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'POST' && req.url === '/key') received.push(JSON.parse(await body(req)) as PageKey)
      else if (req.method === 'POST' && req.url === '/ready') {
        const r = JSON.parse(await body(req)) as { width: number; height: number; focused: boolean }
        focused ||= r.focused
        ready(r)
      } else if (req.method === 'POST' && req.url === '/focus') focused = (JSON.parse(await body(req)) as { focused: boolean }).focused
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
    await Promise.race([loaded, sleep(30_000).then(() => Promise.reject(new Error(`probe page ${url} did not load within 30 s`)))])
    const window = await findWindow(options.title)
    const r = await window.rect()
    const lib = await libnut()
    const client = await clientArea(lib, r)
    const inner = { width: client.width, height: client.height }
    const clientRegion = { left: (client.left - r.left) / r.width, top: (client.top - r.top) / r.height, width: client.width / r.width, height: client.height / r.height }
    const sorted = () => [...received].sort((a, b) => a.seq - b.seq)
    const at = (x: number, y: number): Rgb => pixel(lib, client.left + x, client.top + y)
    const colours = async (): Promise<ProbeColours> => ({
      right: at(Math.floor((inner.width * 3) / 4), Math.floor(inner.height / 2)),
      left: at(Math.floor(inner.width / 4), Math.floor(inner.height / 2)),
      border: at(Math.floor(inner.width / 2), Math.floor((options.border ?? 6) / 2)),
    })
    const waitForColours = async (ok: (c: ProbeColours) => boolean, what: string, timeoutMs = 10_000): Promise<ProbeColours> => {
      const until = performance.now() + timeoutMs
      for (;;) {
        const c = await colours()
        if (ok(c)) return c
        if (performance.now() > until) throw new Error(`probe page: ${what} not on screen within ${timeoutMs} ms (colours ${JSON.stringify(c)})`)
        await sleep(10)
      }
    }
    return {
      colours,
      waitForColours,
      async reset(timeoutMs = 10_000) {
        await pressChord('R')
        await waitForColours((c) => near(c.right, BASE) && near(c.left, BASE) && near(c.border, BASE), 'the first colour', timeoutMs)
      },
      url, app, window, inner, clientRegion,
      keys: sorted,
      async waitForKeys(n, type = 'keydown', timeoutMs = 10_000) {
        const until = performance.now() + timeoutMs
        while (received.filter((k) => k.type === type).length < n && performance.now() < until) await sleep(20)
        await sleep(100) // a late extra event would show too
        return sorted()
      },
      async focus(timeoutMs = 10_000) {
        await window.foreground()
        const until = performance.now() + timeoutMs
        while (!focused) {
          if (performance.now() > until) throw new Error(`probe page ${url} did not get the keyboard focus within ${timeoutMs} ms`)
          await sleep(20)
        }
      },
      clear: () => void received.splice(0),
      close: stop,
    }
  } catch (e) {
    await stop()
    throw e
  }
}
