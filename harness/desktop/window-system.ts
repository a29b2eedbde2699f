// The platform's window calls (list, title, rectangle, focus, the active window, move, resize), all
// through libnut's raw binding, behind one asynchronous interface.
//
// Why X11 goes through a child process: libnut installs no X error handler, so Xlib's default one
// ends the whole process ("X Error of failed request: BadWindow", exit 1) when a window vanishes
// between libnut listing it and asking for its title or rectangle — and even while libnut walks the
// window tree. Measured here: polling the window list while Chromium app windows opened and closed
// killed the process within seconds. A test runner or a benchmark must not die because an
// application closed a window, so on Linux every window call is made by a small Node child that
// loads the same binding, answers one JSON line per request (well under a millisecond a call),
// checks that a handle still exists before touching it, and is restarted when Xlib ends it; a
// request cut off that way is retried (up to twice) in a new child, where it finds the window gone (or
// meets the same error again and fails, naming it). The child runs in its own process group, is
// stopped at exit, and does not keep the event loop alive while idle.
//
// On Windows (Petrel's platform) and macOS the Win32/Cocoa calls report failure instead of ending
// the process, so the binding loaded by ./native.ts (every delay zero) is called in-process.
//
// Titles on X11 are read from WM_NAME (Xlib's XGetWMName), which carries Latin-1 text: a title with
// characters beyond Latin-1 may read differently from what the application set (_NET_WM_NAME).
import { createRequire } from 'node:module'
import { useDisplay } from './display.ts'
import { libnut } from './native.ts'
import { startProcess, type Started } from '../run/processes.ts'

/** libnut's rectangle (`x`, `y` are the left and top edges, in screen pixels). */
export interface RawRect {
  x: number
  y: number
  width: number
  height: number
}

export interface RawWindow {
  handle: number
  title: string
  rect: RawRect
}

export interface WindowSystem {
  /** Every window with a non-empty title, in the platform's order. */
  list(): Promise<RawWindow[]>
  /** null when the window no longer exists. */
  title(handle: number): Promise<string | null>
  rect(handle: number): Promise<RawRect | null>
  /** Asks the platform to make the window the active one (on Windows: restored first if minimised). */
  focus(handle: number): Promise<boolean | null>
  /** The window with the keyboard focus (-1 or 0 when none). */
  active(): Promise<number>
  move(handle: number, x: number, y: number): Promise<boolean | null>
  resize(handle: number, width: number, height: number): Promise<boolean | null>
  /** How many times Xlib ended the X11 helper (restarted each time); 0 in-process. */
  readonly restarts: number
}

const require = createRequire(import.meta.url)

/** The child's program (CommonJS, run with `node -e`; argv[1] is the binding's path). */
const CHILD = String.raw`
const lib = require(process.argv[1]).libnut
const exists = (h) => lib.getWindows().includes(h)
const ops = {
  list: () => lib.getWindows().flatMap((h) => { const t = lib.getWindowTitle(h); return t ? [{ handle: h, title: t, rect: lib.getWindowRect(h) }] : [] }),
  title: (q) => exists(q.h) ? lib.getWindowTitle(q.h) : null,
  rect: (q) => exists(q.h) ? lib.getWindowRect(q.h) : null,
  focus: (q) => exists(q.h) ? lib.focusWindow(q.h) !== false : null,
  active: () => lib.getActiveWindow(),
  move: (q) => exists(q.h) ? lib.moveWindow(q.h, { x: q.x, y: q.y }) !== false : null,
  resize: (q) => exists(q.h) ? lib.resizeWindow(q.h, { width: q.width, height: q.height }) !== false : null,
}
let buf = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => {
  buf += d
  let nl
  while ((nl = buf.indexOf('\n')) >= 0) {
    const q = JSON.parse(buf.slice(0, nl))
    buf = buf.slice(nl + 1)
    let a
    try { a = { id: q.id, value: ops[q.op](q) } } catch (e) { a = { id: q.id, error: String(e && e.message || e) } }
    process.stdout.write(JSON.stringify(a) + '\n')
  }
})
process.stdin.on('end', () => process.exit(0))
`

interface Request {
  op: string
  h?: number
  x?: number
  y?: number
  width?: number
  height?: number
}

/** An error that ended the child (Xlib's message), as opposed to an answer. */
class ChildEnded extends Error {}

/** One child process answering window requests. */
class X11Child {
  readonly #process: Started
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  #nextId = 1
  #buffer = ''
  #stderr = ''
  #ended: Error | null = null

  constructor(binding: string) {
    this.#process = startProcess(process.execPath, ['-e', CHILD, binding], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env }, dieWithParent: true })
    const { child } = this.#process
    child.stdout!.setEncoding('utf8').on('data', (d: string) => this.#onData(d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (this.#stderr.length < 4096) this.#stderr += d
    })
    child.stdin!.on('error', () => {}) // a write to a child Xlib has just ended: reported by the exit below
    void this.#process.exited.then((code) => {
      const why = this.#stderr.trim().split('\n').slice(0, 2).join('; ') || `exit ${code}`
      this.#ended = new ChildEnded(`the X11 window helper ended (${why})`)
      for (const p of this.#pending.values()) p.reject(this.#ended)
      this.#pending.clear()
    })
    this.#idle()
  }

  get ended(): boolean {
    return this.#ended !== null
  }

  request(q: Request): Promise<unknown> {
    if (this.#ended) return Promise.reject(this.#ended)
    const id = this.#nextId++
    const { child } = this.#process
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#busy()
      child.stdin!.write(`${JSON.stringify({ id, ...q })}\n`)
    })
  }

  #onData(d: string): void {
    this.#buffer += d
    let nl
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const a = JSON.parse(this.#buffer.slice(0, nl)) as { id: number; value?: unknown; error?: string }
      this.#buffer = this.#buffer.slice(nl + 1)
      const p = this.#pending.get(a.id)
      if (!p) continue
      this.#pending.delete(a.id)
      if (a.error !== undefined) p.reject(new Error(`libnut: ${a.error}`))
      else p.resolve(a.value)
    }
    if (this.#pending.size === 0) this.#idle()
  }

  // The child keeps the event loop alive only while an answer is awaited.
  #busy(): void {
    const { child } = this.#process
    child.ref()
    ;(child.stdout as unknown as { ref?: () => void }).ref?.()
  }

  #idle(): void {
    const { child } = this.#process
    child.unref()
    ;(child.stdout as unknown as { unref?: () => void }).unref?.()
    ;(child.stderr as unknown as { unref?: () => void }).unref?.()
    ;(child.stdin as unknown as { unref?: () => void }).unref?.()
  }
}

class X11WindowSystem implements WindowSystem {
  readonly #binding: string
  #child: X11Child | null = null
  #restarts = 0

  constructor(binding: string) {
    this.#binding = binding
  }

  async #call(q: Request): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      if (this.#child?.ended) this.#restarts++
      if (!this.#child || this.#child.ended) this.#child = new X11Child(this.#binding)
      try {
        return await this.#child.request(q)
      } catch (e) {
        if (!(e instanceof ChildEnded) || attempt >= 2) throw e
      }
    }
  }

  get restarts(): number {
    return this.#restarts
  }

  list = async () => (await this.#call({ op: 'list' })) as RawWindow[]
  title = async (h: number) => (await this.#call({ op: 'title', h })) as string | null
  rect = async (h: number) => (await this.#call({ op: 'rect', h })) as RawRect | null
  focus = async (h: number) => (await this.#call({ op: 'focus', h })) as boolean | null
  active = async () => (await this.#call({ op: 'active' })) as number
  move = async (h: number, x: number, y: number) => (await this.#call({ op: 'move', h, x, y })) as boolean | null
  resize = async (h: number, width: number, height: number) => (await this.#call({ op: 'resize', h, width, height })) as boolean | null
}

type Libnut = Awaited<ReturnType<typeof libnut>>

class InProcessWindowSystem implements WindowSystem {
  readonly #lib: Libnut

  constructor(lib: Libnut) {
    this.#lib = lib
  }

  readonly restarts = 0

  #exists(h: number): boolean {
    return this.#lib.getWindows().includes(h)
  }

  list = async () => this.#lib.getWindows().flatMap((handle) => {
    const title = this.#lib.getWindowTitle(handle)
    return title ? [{ handle, title, rect: this.#lib.getWindowRect(handle) }] : []
  })
  title = async (h: number) => (this.#exists(h) ? this.#lib.getWindowTitle(h) : null)
  rect = async (h: number) => (this.#exists(h) ? this.#lib.getWindowRect(h) : null)
  focus = async (h: number) => (this.#exists(h) ? (this.#lib.focusWindow(h) as unknown) !== false : null)
  active = async () => this.#lib.getActiveWindow()
  move = async (h: number, x: number, y: number) => (this.#exists(h) ? (this.#lib.moveWindow(h, { x, y }) as unknown) !== false : null)
  resize = async (h: number, width: number, height: number) =>
    this.#exists(h) ? (this.#lib.resizeWindow(h, { width, height }) as unknown) !== false : null
}

let current: Promise<WindowSystem> | null = null

/** The process's window system: the X11 helper child on Linux, libnut in-process elsewhere. */
export function windowSystem(): Promise<WindowSystem> {
  current ??= (async (): Promise<WindowSystem> => {
    await useDisplay()
    if (process.platform === 'linux') {
      if (!process.env.DISPLAY) throw new Error('no X display: DISPLAY is not set')
      return new X11WindowSystem(require.resolve('@nut-tree-fork/libnut/dist/import_libnut.js'))
    }
    return new InProcessWindowSystem(await libnut())
  })()
  current.catch(() => {
    current = null
  })
  return current
}
