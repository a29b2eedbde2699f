// First pixel and settling: when did the application's view first differ from its state before the
// open, and when did it stop changing?
//
// Method
// ------
// The view region is a rectangle given as fractions of the window (default: all of it), less an
// ignored margin of `marginPx` (default 8) on every side, where title bars, focus rings, borders
// and scroll bars repaint for reasons of their own. `watchFirstPixel` grabs the region once, when
// it is called (before the key that opens the project): that is the reference. `wait()` then grabs
// the region every `intervalMs` (default 20), on a schedule from the monotonic clock (poll i at
// start + i × interval; a grab that overruns skips the slots it missed, so lateness never builds
// up), and compares each frame with the reference pixel by pixel: a pixel has changed when one
// of its colour channels differs by more than `channelDelta` (default 16 of 255, above JPEG-like
// dithering and font antialiasing shifts), and the view has changed when more than `fraction`
// (default 0.01) of the region's pixels have. The time reported is that of the poll that first saw
// the change — the moment its grab began (the server reads the framebuffer as it receives the
// request, before the image travels back) — on performance.now() and as a wall-clock ISO time
// (performance.timeOrigin + it). The change happened between the previous poll and that one, so
// the timing's resolution is the polling interval; the previous poll's time is returned too, with
// the grab and compare costs measured in the same run.
//
// Grabbing: libnut's screen.capture (XGetImage of the root window on X11, BitBlt on Windows) is
// called directly: nut-js's screen.grabRegion wraps the same call in providers and an RGB copy.
// Measured under Xvfb here (p50): 800×600 px ~3 ms, 784×584 ~1.7–2.8 ms (and the compare ~0.9 ms),
// 400×300 ~1 ms, 100×100 ~0.7 ms; on the shared 2-core machine under load, up to ~30 ms. The grab is
// synchronous, so nothing else runs in this process while it lasts.
//
// `watchSettle` grabs a reference the same way (before the key whose effect is awaited, so a quick
// repaint is not missed); its `wait()` polls and compares each frame with the last frame that
// counted as a change (so a slow fade adds up): the view has settled when it has not changed for
// `quietMs` (default 500). It returns the time of the last change (null when none), or, when
// `timeoutMs` passes first, says it did not settle. With `requireChange` the quiet period only
// starts after a first change (a workflow whose key has yet to draw anything has not finished).
// Its default fraction is 0.001: any visible redraw in the view counts as activity. `settle` is
// both at once. Give `rect` rather than `window` where the call is timed: reading a window's
// rectangle can cost a round trip to a helper process.
import type { Rect } from './coords.ts'
import { libnut } from './native.ts'
import { sleepUntil } from './keys.ts'

/** The minimal window this module needs (DesktopWindow satisfies it). */
export interface WindowLike {
  rect(): Promise<Rect>
  foreground?(): Promise<void>
}

/** A rectangle in fractions (0–1) of the window. */
export interface Fractions {
  left: number
  top: number
  width: number
  height: number
}

export interface DiffThreshold {
  /** Fraction of the region's pixels that must differ (first pixel: 0.01; settle: 0.001). */
  fraction?: number
  /** A pixel differs when a channel differs by more than this (0–255, default 16). */
  channelDelta?: number
}

export interface RegionOptions {
  /** The window whose rectangle is read once, when the watch starts (or give `rect`). */
  window?: WindowLike
  rect?: Rect
  /** The view region, in fractions of the window (default the whole window). */
  region?: Fractions
  /** Pixels ignored along each side of the region (default 8). */
  marginPx?: number
  threshold?: DiffThreshold
  /** Polling interval, ms (default 20). */
  intervalMs?: number
}

export interface PollTime {
  /** performance.now() of the poll, ms. */
  ms: number
  /** The same moment as UTC ISO-8601. */
  wall: string
}

export interface GrabCost {
  p50: number
  max: number
}

export interface FirstPixel {
  /** The poll that first saw the view differ from the reference. */
  t: PollTime
  /** The poll before it, which did not: the change happened in (previous, t]. */
  previous: PollTime
  /** The polling interval asked for (the timing's resolution). */
  intervalMs: number
  /** Median spacing of the polls actually made. */
  observedIntervalMs: number
  /** Fraction of the region's pixels that differed at t. */
  changedFraction: number
  polls: number
  grabMs: GrabCost
  compareMs: GrabCost
  /** The screen rectangle polled (the region less its margins). */
  area: Rect
}

export interface FirstPixelWatcher {
  readonly area: Rect
  /** When the reference was grabbed. */
  readonly armedAt: PollTime
  wait(options: { timeoutMs: number }): Promise<FirstPixel>
}

export interface SettleWait {
  /** The view must be unchanged this long (ms, default 500). */
  quietMs?: number
  /** Give up (settled: false) after this long (ms) from the start of the wait. */
  timeoutMs: number
  /** Start the quiet period only after a first change from the reference (default false). */
  requireChange?: boolean
}

export interface SettleOptions extends RegionOptions, SettleWait {}

export interface SettleWatcher {
  readonly area: Rect
  /** When the reference was grabbed. */
  readonly armedAt: PollTime
  wait(options: SettleWait): Promise<Settled>
}

export interface Settled {
  settled: boolean
  /** The poll that saw the last change, or null when the view never changed from the reference. */
  lastChange: PollTime | null
  changes: number
  polls: number
  /** Start of the wait, and its last poll. */
  start: PollTime
  end: PollTime
  intervalMs: number
  grabMs: GrabCost
}

/** The view did not differ from its reference within the timeout. */
export class FirstPixelTimeout extends Error {
  readonly polls: number
  readonly maxChangedFraction: number
  constructor(message: string, polls: number, maxChangedFraction: number) {
    super(message)
    this.name = 'FirstPixelTimeout'
    this.polls = polls
    this.maxChangedFraction = maxChangedFraction
  }
}

export function pollTime(ms: number): PollTime {
  return { ms, wall: new Date(performance.timeOrigin + ms).toISOString() }
}

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

function cost(xs: readonly number[]): GrabCost {
  return { p50: quantile(xs, 0.5), max: xs.length ? Math.max(...xs) : NaN }
}

interface Frame {
  words: Uint32Array
  /** 32-bit words per row. */
  stride: number
}

/** A screen rectangle that can be grabbed and compared, pixel by pixel. */
class ScreenArea {
  readonly area: Rect
  readonly #channelDelta: number
  readonly #minChanged: number
  readonly grabs: number[] = []
  readonly compares: number[] = []
  #lib: Awaited<ReturnType<typeof libnut>>

  private constructor(lib: Awaited<ReturnType<typeof libnut>>, area: Rect, fraction: number, channelDelta: number) {
    this.#lib = lib
    this.area = area
    this.#channelDelta = channelDelta
    this.#minChanged = fraction * area.width * area.height
  }

  static async of(options: RegionOptions, defaultFraction: number): Promise<ScreenArea> {
    const lib = await libnut()
    const rect = options.rect ?? (await options.window?.rect())
    if (!rect) throw new Error('first pixel: give a window or a rect')
    const f = options.region ?? { left: 0, top: 0, width: 1, height: 1 }
    if (!(f.left >= 0 && f.top >= 0 && f.width > 0 && f.height > 0 && f.left + f.width <= 1 + 1e-9 && f.top + f.height <= 1 + 1e-9)) {
      throw new Error(`first pixel: view region ${JSON.stringify(f)} is not within the window (fractions 0–1 with width and height > 0)`)
    }
    const margin = options.marginPx ?? 8
    const screen = lib.getScreenSize()
    const x0 = Math.max(0, rect.left + Math.round(f.left * rect.width) + margin)
    const y0 = Math.max(0, rect.top + Math.round(f.top * rect.height) + margin)
    const x1 = Math.min(screen.width, rect.left + Math.round((f.left + f.width) * rect.width) - margin)
    const y1 = Math.min(screen.height, rect.top + Math.round((f.top + f.height) * rect.height) - margin)
    if (x1 - x0 < 1 || y1 - y0 < 1) {
      throw new Error(`first pixel: the view region ${JSON.stringify(f)} of window ${JSON.stringify(rect)} less ${margin} px margins leaves nothing on the ${screen.width}×${screen.height} screen`)
    }
    const t = options.threshold ?? {}
    const fraction = t.fraction ?? defaultFraction
    const channelDelta = t.channelDelta ?? 16
    if (!(fraction >= 0 && fraction < 1)) throw new Error(`first pixel: threshold fraction ${fraction} is not in [0, 1)`)
    if (!(channelDelta >= 0 && channelDelta < 255)) throw new Error(`first pixel: channel difference ${channelDelta} is not in [0, 255)`)
    return new ScreenArea(lib, { left: x0, top: y0, width: x1 - x0, height: y1 - y0 }, fraction, channelDelta)
  }

  /** Grabs the area; returns the frame and the moment the grab began. */
  grab(): { frame: Frame; at: number } {
    const a = this.area
    const at = performance.now()
    const b = this.#lib.screen.capture(a.left, a.top, a.width, a.height)
    this.grabs.push(performance.now() - at)
    if (b.bytesPerPixel !== 4) throw new Error(`first pixel: screen capture has ${b.bytesPerPixel} bytes per pixel; expected 4`)
    let buf = b.image as Buffer
    if (buf.byteOffset % 4 !== 0) buf = Buffer.from(buf)
    return { frame: { words: new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 2), stride: b.byteWidth >>> 2 }, at }
  }

  /** Fraction of pixels differing between two frames, and whether it is above the threshold. */
  compare(a: Frame, b: Frame): { fraction: number; changed: boolean } {
    const t0 = performance.now()
    const { width, height } = this.area
    const d = this.#channelDelta
    let n = 0
    for (let y = 0; y < height; y++) {
      const ra = y * a.stride
      const rb = y * b.stride
      for (let x = 0; x < width; x++) {
        const p = a.words[ra + x]!
        const q = b.words[rb + x]!
        if (p === q) continue
        // BGRA (or RGBA): the three colour bytes; alpha is ignored.
        if (Math.abs((p & 0xff) - (q & 0xff)) > d || Math.abs(((p >>> 8) & 0xff) - ((q >>> 8) & 0xff)) > d || Math.abs(((p >>> 16) & 0xff) - ((q >>> 16) & 0xff)) > d) n++
      }
    }
    this.compares.push(performance.now() - t0)
    return { fraction: n / (width * height), changed: n > this.#minChanged }
  }
}

/** Polls on a drift-free schedule: calls `poll` at start + i × interval until it returns true. */
async function pollEvery(intervalMs: number, poll: () => boolean): Promise<void> {
  const start = performance.now()
  for (let i = 0; ; ) {
    if (poll()) return
    const now = performance.now()
    i = Math.max(i + 1, Math.ceil((now - start) / intervalMs))
    await sleepUntil(start + i * intervalMs)
  }
}

function checkInterval(ms: number | undefined): number {
  const v = ms ?? 20
  if (!(v >= 1)) throw new Error(`first pixel: polling interval ${v} ms is below 1 ms`)
  return v
}

/** Grabs the view region's reference now; `wait()` polls until the view differs from it. */
export async function watchFirstPixel(options: RegionOptions): Promise<FirstPixelWatcher> {
  const intervalMs = checkInterval(options.intervalMs)
  const screen = await ScreenArea.of(options, 0.01)
  const ref = screen.grab()
  const armedAt = pollTime(ref.at)
  return {
    area: screen.area,
    armedAt,
    async wait({ timeoutMs }) {
      const starts: number[] = []
      let previous = ref.at
      let found: { at: number; fraction: number } | null = null
      let max = 0
      const until = performance.now() + timeoutMs
      await pollEvery(intervalMs, () => {
        const { frame, at } = screen.grab()
        starts.push(at)
        const c = screen.compare(ref.frame, frame)
        max = Math.max(max, c.fraction)
        if (c.changed) {
          found = { at, fraction: c.fraction }
          return true
        }
        previous = at
        return at > until
      })
      const gaps = starts.slice(1).map((s, i) => s - starts[i]!)
      if (!found) {
        throw new FirstPixelTimeout(
          `first pixel: the view region ${JSON.stringify(screen.area)} did not change within ${timeoutMs} ms ` +
            `(${starts.length} polls every ${intervalMs} ms; at most ${(max * 100).toFixed(3)} % of its pixels differed)`,
          starts.length, max,
        )
      }
      const f = found as { at: number; fraction: number }
      return {
        t: pollTime(f.at), previous: pollTime(previous), intervalMs, observedIntervalMs: quantile(gaps, 0.5),
        changedFraction: f.fraction, polls: starts.length, grabMs: cost(screen.grabs), compareMs: cost(screen.compares), area: screen.area,
      }
    },
  }
}

/**
 * Grabs the view region's reference now (before the key whose effect is awaited, so a repaint that
 * comes quickly is not missed); `wait()` polls until the view has been still for `quietMs`.
 */
export async function watchSettle(options: RegionOptions): Promise<SettleWatcher> {
  const intervalMs = checkInterval(options.intervalMs)
  const screen = await ScreenArea.of(options, 0.001)
  const ref = screen.grab()
  return {
    area: screen.area,
    armedAt: pollTime(ref.at),
    async wait({ quietMs = 500, timeoutMs, requireChange = false }) {
      let last = ref
      const start = performance.now()
      let lastChange: number | null = null
      let changes = 0
      let polls = 0
      let settled = false
      let end = start
      await pollEvery(intervalMs, () => {
        const g = screen.grab()
        polls++
        end = g.at
        if (screen.compare(last.frame, g.frame).changed) {
          last = g
          lastChange = g.at
          changes++
        }
        const quietFrom = lastChange ?? (requireChange ? null : start)
        if (quietFrom !== null && g.at - quietFrom >= quietMs) {
          settled = true
          return true
        }
        return g.at - start >= timeoutMs
      })
      return {
        settled, lastChange: lastChange === null ? null : pollTime(lastChange), changes, polls,
        start: pollTime(start), end: pollTime(end), intervalMs, grabMs: cost(screen.grabs),
      }
    },
  }
}

/** Waits until the view region has not changed for `quietMs`; see the header. */
export async function settle(options: SettleOptions): Promise<Settled> {
  return (await watchSettle(options)).wait(options)
}
