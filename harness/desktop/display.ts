// The display desktop automation runs on. On Linux with no display of the user's own, benchgate
// starts a virtual X server (Debian's Xvfb) on a free display number — `-displayfd` makes Xvfb
// choose one and report it, so two runs never race for `:99` — and points DISPLAY at it. On
// Windows (and on Linux with `desktop.display: existing`) the desktop that is already there is used.
//
// The native libraries (libnut under nut-js, libuiohook) open the X display once per process and
// keep it, so a process has exactly one display: `useDisplay()` starts it at most once, sets
// DISPLAY before either library is loaded, and stops Xvfb (by pid, its own process group) when the
// process exits — not before: Xlib ends a process whose display goes away under it. A test file is
// one process under Vitest, so each file gets its own display.
import { existsSync } from 'node:fs'
import { startProcess, type Started } from '../run/processes.ts'

export interface Display {
  /** The X display name (":12"), or "desktop" on Windows. */
  readonly name: string
  readonly width: number
  readonly height: number
  /** Xvfb's pid, or null when the display was not started by us. */
  readonly pid: number | null
}

export interface StartedDisplay extends Display {
  /** Stops Xvfb. Only for a display no library of this process has opened (see above). */
  stop(): Promise<void>
}

export interface DisplayOptions {
  width?: number
  height?: number
  /** Seconds to wait for Xvfb to report its display. */
  timeoutS?: number
}

const XVFB = ['/usr/bin/Xvfb', '/usr/local/bin/Xvfb']

/** Why no display can be had here, or null when one can. */
export function displayUnavailable(): string | null {
  if (process.platform === 'win32' || process.platform === 'darwin') return null
  if (process.platform !== 'linux') return `desktop automation is not supported on ${process.platform}`
  if (!XVFB.some((p) => existsSync(p))) {
    return 'Xvfb was not found (/usr/bin/Xvfb): install Debian\'s xvfb package (bash scripts/install-debian-packages.sh) to run desktop tests on Linux'
  }
  return null
}

/** Starts Xvfb on a free display (`-displayfd`), `width`×`height`×24, no TCP listener. */
export async function startXvfb(options: DisplayOptions = {}): Promise<StartedDisplay> {
  const why = displayUnavailable()
  if (why) throw new Error(why)
  const width = options.width ?? 1280
  const height = options.height ?? 800
  const bin = XVFB.find((p) => existsSync(p)) as string
  const p: Started = startProcess(bin, ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset', '+extension', 'RECORD'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    // Xlib ends this process with exit() when a display goes away (no handler runs), so the
    // kernel stops Xvfb when this process has ended, and only then: its clients close first
    dieWithParent: true,
    outliveExitHandlers: true,
  })
  let stderr = ''
  p.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d
  })
  const timeoutMs = (options.timeoutS ?? 15) * 1000
  const fd3 = p.child.stdio[3] as NodeJS.ReadableStream
  const number = await new Promise<string>((resolve, reject) => {
    let got = ''
    const timer = setTimeout(() => reject(new Error(`Xvfb reported no display within ${timeoutMs / 1000} s: ${stderr.trim() || 'no message'}`)), timeoutMs)
    fd3.setEncoding('utf8')
    fd3.on('data', (d: string) => {
      got += d
      if (got.includes('\n')) {
        clearTimeout(timer)
        resolve(got.trim())
      }
    })
    void p.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`Xvfb exited with ${code} before reporting a display: ${stderr.trim() || 'no message'}`))
    })
  }).catch(async (e: unknown) => {
    await p.stop()
    throw e
  })
  // the server runs until stopped or the process exits; it must not keep this process alive
  p.child.unref()
  for (const s of [p.child.stdio[2], p.child.stdio[3]]) (s as { unref?: () => void } | null)?.unref?.()
  return { name: `:${number}`, width, height, pid: p.pid, stop: () => p.stop() }
}

let current: Promise<Display> | null = null

/**
 * The process's display, started on first use: Xvfb on Linux unless `existing` (then DISPLAY must
 * be set), the desktop itself on Windows and macOS. Sets process.env.DISPLAY on Linux.
 */
export function useDisplay(options: DisplayOptions & { existing?: boolean } = {}): Promise<Display> {
  current ??= (async () => {
    if (process.platform !== 'linux') return { name: 'desktop', width: 0, height: 0, pid: null }
    if (options.existing) {
      const name = process.env.DISPLAY
      if (!name) throw new Error('desktop.display is "existing" but DISPLAY is not set: start an X server or use the default (Xvfb)')
      return { name, width: 0, height: 0, pid: null }
    }
    const { stop: _stop, ...d } = await startXvfb(options) // released at exit by ../run/cleanup.ts
    process.env.DISPLAY = d.name
    return d
  })()
  current.catch(() => {
    current = null
  })
  return current
}
