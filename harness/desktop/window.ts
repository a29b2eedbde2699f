// Attaching to the application's window: find it by a title pattern, start the application when it
// is not running, and handle the window (rectangle, window-relative coordinates, foreground, move
// and resize, closing what we started).
//
// Method. The window list comes from libnut (./window-system.ts: through a helper child on X11,
// in-process on Windows and macOS). A window is a candidate when its title matches the pattern and
// no rule of WINDOW_SKIP_RULES applies — as the FAST bench plan does, the file explorer and dialogs
// (Open, Save As, Select …, message boxes) are skipped even when their title names the application
// ("Open Petrel project"), and so are windows without area or smaller than MIN_WINDOW_SIZE (tool
// windows, toolkit helpers, a message box titled like its application). Of the candidates the
// largest visible one wins; a window minimised on Windows (parked at −32000, −32000 with a caption's
// size) is still a candidate, ranked after every visible one, so foreground() can restore it.
// attachWindow() uses a running match when there is one; otherwise, given an executable, it starts
// it (../run/processes.ts: own process group, stopped by pid) with the project as its last argument
// and polls the window list every `pollMs` (250 ms) until a match appears or `launchTimeoutS`
// passes (180 s by default in the configuration, petrel.launch_timeout_s). The timeout is a
// UserError naming the pattern, the timeout and the titles seen meanwhile (deduplicated, at most
// 20, each with the rule that skipped it), and the started process is stopped.
//
// Rectangles and focus. rect() is the window's outer rectangle as the platform reports it, read
// anew on every call; toRel/toAbs convert through it (./coords.ts: pixel centres, exact round
// trip). foreground() asks the platform to activate the window — on Windows libnut's focusWindow
// restores a minimised window (SW_RESTORE) and calls SetForegroundWindow; nut-js's
// Window.restore() is not implemented by its libnut provider, so it is not used — and then checks
// that the active window (getActiveWindow: GetForegroundWindow, or X11's input focus) is this one.
// moveResize() moves, resizes, then reads the rectangle back until it matches (or 1 s passes) and
// returns what was achieved: a window manager or the application may refuse a size.
//
// Platforms. Windows (Petrel's workstation) runs this same code against Petrel. On X11 a
// reparenting window manager wraps each window in a frame, and libnut's rectangles and moves are
// then relative to the frame's parent — offset by the decorations from what a person sees, and a
// move places the client, not the frame. benchgate runs Xvfb without a window manager, where
// windows have no frames and rectangles are exact screen pixels; without a window manager nothing
// can minimise a window either, so restoring one is exercised only on Windows. Wayland offers no
// window list to clients (see ./native.ts).
import { UserError } from '../errors.ts'
import type { Config } from '../config/schema.ts'
import { groupMembers } from '../run/cleanup.ts'
import { startProcess, type Started } from '../run/processes.ts'
import { toAbs, toRel, type Point, type Rect } from './coords.ts'
import { windowSystem, type RawRect, type WindowSystem } from './window-system.ts'

export interface WindowInfo {
  handle: number
  title: string
  rect: Rect
}

export interface SkipRule {
  /** Shown in messages: "skipped: dialog". */
  name: string
  /** The titles this rule skips. */
  title: RegExp
}

/**
 * Windows that are never the application's main window, whatever the pattern matches. A rule
 * matches a title that starts with its word ("Open Petrel project", "Warning: disk full") or ends
 * with it exactly after " - " ("Documents - File Explorer", "Petrel - Save As"); the application's
 * own "Petrel 2024 - Open day demo" (a project's name after the dash) is not skipped.
 */
export const WINDOW_SKIP_RULES: readonly SkipRule[] = [
  // Windows 10/11: "File Explorer", "<folder> - File Explorer"; older: "<folder> - Windows Explorer"
  { name: 'file explorer', title: /^(?:.*\s[-–—]\s)?(?:File |Windows )?Explorer$/i },
  // Common and application file dialogs: "Open", "Open Project", "Save As", "Select Folder", "Petrel - Save As"
  { name: 'dialog', title: /^(?:Open|Save|Save As|Select|Browse|Choose|Import|Export)(?:\s.*)?$|\s[-–—]\s(?:Open|Save|Save As|Import|Export)$/i },
  // Message boxes and progress windows: "Error", "Warning: …", "About Petrel", "Petrel - Please wait"
  {
    name: 'message box',
    title: /^(?:Error|Warning|Information|Question|Confirm|Confirmation|Alert|Message|About|Please wait|Progress)\b.*$|\s[-–—]\s(?:Error|Warning|Information|Question|Confirm|Confirmation|Alert|Message|Please wait|Progress)$/i,
  },
]

/** Smaller than this (either side, pixels) is a tool window or a helper, not a main window. */
export const MIN_WINDOW_SIZE = { width: 200, height: 150 } as const

export interface FindOptions {
  /** Default WINDOW_SKIP_RULES. */
  skip?: readonly SkipRule[]
  /** Default MIN_WINDOW_SIZE. */
  minSize?: { width: number; height: number }
}

export interface Choice {
  chosen: WindowInfo | null
  /** Matching, not skipped, best first. */
  candidates: WindowInfo[]
  /** Matching but skipped, with the reason. */
  skipped: { window: WindowInfo; reason: string }[]
}

const compile = (p: RegExp | string): RegExp => (typeof p === 'string' ? new RegExp(p) : p)

/** Windows parks a minimised window at (−32000, −32000). */
export function isMinimised(rect: Rect): boolean {
  return rect.left <= -32000 && rect.top <= -32000
}

/** Why a matching window is not the main window, or null when it is a candidate. */
export function skipReason(w: WindowInfo, options: FindOptions = {}): string | null {
  const rule = (options.skip ?? WINDOW_SKIP_RULES).find((r) => r.title.test(w.title.trim()))
  if (rule) return rule.name
  if (isMinimised(w.rect)) return null
  if (!(w.rect.width > 0 && w.rect.height > 0)) return 'no area'
  const min = options.minSize ?? MIN_WINDOW_SIZE
  if (w.rect.width < min.width || w.rect.height < min.height) return `smaller than ${min.width}×${min.height}`
  return null
}

/** Picks the application's window among `windows` (pure: the rules above, largest visible first). */
export function chooseAppWindow(windows: readonly WindowInfo[], pattern: RegExp | string, options: FindOptions = {}): Choice {
  const re = compile(pattern)
  const candidates: WindowInfo[] = []
  const skipped: Choice['skipped'] = []
  for (const w of windows) {
    re.lastIndex = 0
    if (!re.test(w.title)) continue
    const reason = skipReason(w, options)
    if (reason) skipped.push({ window: w, reason })
    else candidates.push(w)
  }
  const rank = (w: WindowInfo) => (isMinimised(w.rect) ? -1 : w.rect.width * w.rect.height)
  candidates.sort((a, b) => rank(b) - rank(a))
  return { chosen: candidates[0] ?? null, candidates, skipped }
}

const toRect = (r: RawRect): Rect => ({ left: r.x, top: r.y, width: r.width, height: r.height })

/** Every titled window on the display (the desktop on Windows). */
export async function listWindows(): Promise<WindowInfo[]> {
  const system = await windowSystem()
  return (await system.list()).map((w) => ({ handle: w.handle, title: w.title, rect: toRect(w.rect) }))
}

/** The application's window (see chooseAppWindow), or null when none is open. */
export async function findAppWindow(pattern: RegExp | string, options: FindOptions = {}): Promise<DesktopWindow | null> {
  const { chosen } = chooseAppWindow(await listWindows(), pattern, options)
  return chosen ? new DesktopWindow(chosen.handle, chosen.title, await windowSystem(), null) : null
}

export interface AttachOptions {
  /** The main window's title (a string is compiled as a regular expression). */
  pattern: RegExp | string
  /** Started when no window matches; without it, no match is an error. */
  executable?: string
  /** Arguments before the project. */
  args?: readonly string[]
  /** Passed as the last argument (Petrel opens the project it is given). */
  project?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  launchTimeoutS: number
  /** Window-list polling interval while waiting, ms (default 250). */
  pollMs?: number
  /** Where the settings came from, for messages (default "configuration"). */
  source?: string
  find?: FindOptions
}

const MAX_TITLES = 20
const MAX_TITLE_CHARS = 80

/** Titles as a message lists them: deduplicated, bounded, each with why it was skipped. */
class SeenTitles {
  readonly #seen = new Map<string, string | null>()

  add(windows: readonly WindowInfo[], re: RegExp, find: FindOptions): void {
    for (const w of windows) {
      if (this.#seen.size >= 1000 && !this.#seen.has(w.title)) return
      re.lastIndex = 0
      const reason = re.test(w.title) ? skipReason(w, find) : null
      const note = reason ? `matches, skipped: ${reason}` : null
      if (!this.#seen.has(w.title) || note) this.#seen.set(w.title, note)
    }
  }

  toString(): string {
    if (this.#seen.size === 0) return 'no titled window was seen'
    const all = [...this.#seen].map(([t, note]) => {
      const shown = t.length > MAX_TITLE_CHARS ? `${t.slice(0, MAX_TITLE_CHARS - 1)}…` : t
      return note ? `${JSON.stringify(shown)} (${note})` : JSON.stringify(shown)
    })
    const more = all.length > MAX_TITLES ? ` and ${all.length - MAX_TITLES} more` : ''
    return `titles seen: ${all.slice(0, MAX_TITLES).join(', ')}${more}`
  }
}

/**
 * The application's window: a running match, or else the executable started (with the project as
 * its last argument) and waited for. close() on the result stops what was started.
 */
export async function attachWindow(options: AttachOptions): Promise<DesktopWindow> {
  const re = compile(options.pattern)
  const find = options.find ?? {}
  const source = options.source ?? 'configuration'
  const system = await windowSystem()
  const seen = new SeenTitles()
  const look = async () => {
    const windows = await listWindows()
    seen.add(windows, re, find)
    return chooseAppWindow(windows, re, find).chosen
  }
  const running = await look()
  if (running) return new DesktopWindow(running.handle, running.title, system, null)
  if (!options.executable) {
    throw new UserError({
      file: source,
      field: 'petrel.window_title',
      message: `no window whose title matches ${re} is open, and no executable is configured to start`,
      expected: 'the application running, or petrel.executable set',
      hint: `${seen}`,
    })
  }
  const args = [...(options.args ?? []), ...(options.project ? [options.project] : [])]
  let started: Started
  try {
    started = startProcess(options.executable, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'ignore', dieWithParent: true })
  } catch (e) {
    throw new UserError({ file: source, field: 'petrel.executable', message: `cannot start ${options.executable}: ${(e as Error).message}` })
  }
  let exit: number | string | null = null
  void started.exited.then((code) => {
    exit = code
  })
  const pollMs = options.pollMs ?? 250
  const deadline = performance.now() + options.launchTimeoutS * 1000
  for (;;) {
    const found = await look()
    if (found) return new DesktopWindow(found.handle, found.title, system, started)
    // A launcher may hand over to the application and exit 0; any other exit ends the wait.
    if (exit !== null && exit !== 0) {
      await started.stop()
      throw new UserError({
        file: source,
        field: 'petrel.executable',
        message: `${options.executable} exited with ${exit} before a window matching ${re} appeared`,
        hint: `${seen}`,
      })
    }
    if (performance.now() >= deadline) break
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - performance.now()))))
  }
  await started.stop()
  throw new UserError({
    file: source,
    field: 'petrel.window_title',
    message: `no window matching ${re} appeared within ${options.launchTimeoutS} s of starting ${options.executable}`,
    expected: 'a main window whose title matches (file explorer windows and dialogs are skipped)',
    hint: `${seen}; fix the pattern or raise petrel.launch_timeout_s`,
  })
}

/** AttachOptions from the configuration's petrel section. */
export function petrelAttachOptions(petrel: Config['petrel'], source?: string): AttachOptions {
  return {
    pattern: petrel.window_title,
    launchTimeoutS: petrel.launch_timeout_s,
    ...(petrel.executable ? { executable: petrel.executable } : {}),
    ...(petrel.project ? { project: petrel.project } : {}),
    ...(source ? { source } : {}),
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const hex = (h: number) => `0x${h.toString(16)}`

/** One attached application window. Made by attachWindow() or findAppWindow(). */
export class DesktopWindow {
  readonly #handle: number
  readonly #system: WindowSystem
  readonly #launched: Started | null
  #lastTitle: string

  constructor(handle: number, title: string, system: WindowSystem, launched: Started | null) {
    this.#handle = handle
    this.#lastTitle = title
    this.#system = system
    this.#launched = launched
  }

  /** The platform's window handle (X11 window id, HWND). */
  get handle(): number {
    return this.#handle
  }

  /** The pid of the process attachWindow() started for this window, or null when it was running. */
  get pid(): number | null {
    return this.#launched?.pid ?? null
  }

  #gone(): Error {
    return new Error(`window ${hex(this.#handle)} (${JSON.stringify(this.#lastTitle)}) is gone: the application closed it or exited`)
  }

  async title(): Promise<string> {
    const t = await this.#system.title(this.#handle)
    if (t === null) throw this.#gone()
    this.#lastTitle = t
    return t
  }

  /** The window's rectangle in screen pixels, read now. */
  async rect(): Promise<Rect> {
    const r = await this.#system.rect(this.#handle)
    if (r === null) throw this.#gone()
    return toRect(r)
  }

  /** Screen pixel → fractions of the window's current rectangle. */
  async toRel(p: Point): Promise<Point> {
    return toRel(await this.rect(), p)
  }

  /** Fractions of the window's current rectangle → screen pixel. */
  async toAbs(f: Point): Promise<Point> {
    return toAbs(await this.rect(), f)
  }

  /** Makes this the active window (restored first if minimised, on Windows) and checks that it is. */
  async foreground(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 2000
    const deadline = performance.now() + timeoutMs
    let active = -1
    for (;;) {
      if ((await this.#system.focus(this.#handle)) === null) throw this.#gone()
      // The platform applies focus asynchronously (X11 requests, Windows' foreground lock).
      for (let i = 0; i < 5; i++) {
        active = await this.#system.active()
        if (active === this.#handle) return
        await sleep(20)
      }
      if (performance.now() >= deadline) break
    }
    const other = active > 0 ? await this.#system.title(active).catch(() => null) : null
    throw new Error(
      `window ${hex(this.#handle)} (${JSON.stringify(this.#lastTitle)}) did not become the active window within ${timeoutMs} ms; ` +
        `the active window is ${active > 0 ? `${hex(active)}${other ? ` (${JSON.stringify(other)})` : ''}` : 'none'}`,
    )
  }

  /**
   * Moves and resizes the window to `rect`, then reads it back (until it matches, at most
   * `settleMs`, default 1000) and returns the rectangle achieved, which may differ when the
   * platform or the application constrains the window.
   */
  async moveResize(rect: Rect, options: { settleMs?: number } = {}): Promise<Rect> {
    if (!(rect.width > 0 && rect.height > 0)) throw new Error(`moveResize: the rectangle has no area: ${JSON.stringify(rect)}`)
    if ((await this.#system.move(this.#handle, rect.left, rect.top)) === null) throw this.#gone()
    if ((await this.#system.resize(this.#handle, rect.width, rect.height)) === null) throw this.#gone()
    const deadline = performance.now() + (options.settleMs ?? 1000)
    for (;;) {
      const got = await this.rect()
      const same = got.left === rect.left && got.top === rect.top && got.width === rect.width && got.height === rect.height
      if (same || performance.now() >= deadline) return got
      await sleep(20)
    }
  }

  /**
   * Stops the process attachWindow() started — its whole process group, and on Linux waits (at most
   * 2 s) until no member of the group is left running: the SIGKILLed helpers of a multi-process
   * application (Chromium's zygote and renderers) take a few ms more than the leader to end. A
   * window that was already running is left alone.
   */
  async close(): Promise<void> {
    if (!this.#launched) return
    await this.#launched.stop()
    const deadline = performance.now() + 2000
    while (groupMembers(this.#launched.pid).length > 0 && performance.now() < deadline) await sleep(5)
  }
}
