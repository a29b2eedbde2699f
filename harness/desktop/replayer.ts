// The replayer: types a version-2 recording (./recording.ts) back into a window with libnut (XTest
// on X11, SendInput on Windows), each event at its recorded offset.
//
// Method. Offsets are kept on one monotonic clock, performance.now(), from the moment the replay
// starts (t0); event i is due at t0 + t_ms, never relative to the previous event, so lateness does
// not accumulate. The wait is timers (at most POLL_MS each, so the failsafe is polled) until
// SPIN_MS before the due time, then a busy spin for the last SPIN_MS: Node's timers fire up to a
// millisecond or two late, the spin costs at most SPIN_MS of CPU per event. Positions are window
// fractions turned into pixels with toAbs against the window's rectangle read once at the start
// (after normalising it to the recorded rectangle when asked). The wheel: libnut's scrollMouse(x, y)
// scrolls up for y > 0 and left for x > 0 (measured under X11), a recording's dy > 0 is down and
// dx > 0 right, so it is scrollMouse(−dx, −dy).
//
// Failsafe (on by default, as PyAutoGUI's): a person who slams the mouse into the screen's top-left
// corner (within FAILSAFE_PX of 0,0) stops the replay at once. The real pointer is read before every
// event and every POLL_MS while waiting; on abort every key and button the replay holds is released,
// `replay_aborted` is written to markers.tsv and the replay rejects with FailsafeAbort. (A recording
// that itself moves into the corner does not trip it: the pointer is then where the replay put it.)
//
// markers.tsv (../run/markers.ts): `replay_start`, each recorded marker when its time comes,
// `replay_end` (or `replay_aborted`). Keys and buttons still held when the recording ends are
// released, as are those held when any error stops the replay.
import { appendMarker } from '../run/markers.ts'
import { toAbs, type Point, type Rect } from './coords.ts'
import { libnut } from './native.ts'
import type { WindowLike } from './recorder.ts'
import { libnutKey, loadRecording, parseRecording, type Button, type EventKind, type KeyName, type Recording } from './recording.ts'

export const FAILSAFE_PX = 2
export const POLL_MS = 20
export const SPIN_MS = 2

export interface ReplayOptions {
  window: WindowLike
  /** Move and resize the window to the recorded rectangle first (needs window.moveResize). */
  normalise?: boolean
  /** markers.tsv to write replay_start, the recorded markers and replay_end into. */
  markersPath?: string
  /** Abort when the real mouse is in the screen's top-left corner (default true). */
  failsafe?: boolean
  /** Comment on the replay_start/replay_end markers (for example the recording's name). */
  label?: string
}

export interface ReplayedEvent {
  index: number
  kind: EventKind
  t_ms: number
  /** When the injection began, ms since the replay started (performance.now()). */
  at_ms: number
  /** at_ms − t_ms. */
  late_ms: number
}

export interface LatenessStats {
  count: number
  max_ms: number
  p50_ms: number
  p99_ms: number
  mean_ms: number
}

export interface ReplayResult {
  events: ReplayedEvent[]
  lateness: LatenessStats
  /** performance.now() at the replay's t0 (the clock every at_ms is counted on). */
  startedAt: number
  /** The window rectangle fractions were converted against. */
  rect: Rect
  aborted: boolean
}

export class FailsafeAbort extends Error {
  readonly result: ReplayResult
  readonly released: { keys: KeyName[]; buttons: Button[] }
  constructor(message: string, result: ReplayResult, released: { keys: KeyName[]; buttons: Button[] }) {
    super(message)
    this.name = 'FailsafeAbort'
    this.result = result
    this.released = released
  }
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export function latenessStats(events: readonly ReplayedEvent[]): LatenessStats {
  const late = events.map((e) => e.late_ms).sort((a, b) => a - b)
  const r = (v: number) => Math.round(v * 1000) / 1000
  return {
    count: late.length,
    max_ms: r(late.at(-1) ?? 0),
    p50_ms: r(percentile(late, 50)),
    p99_ms: r(percentile(late, 99)),
    mean_ms: r(late.length ? late.reduce((a, b) => a + b, 0) / late.length : 0),
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const inCorner = (p: Point) => p.x <= FAILSAFE_PX && p.y <= FAILSAFE_PX

/** Replays a recording (or a recording file) into the window; see the header for the method. */
export async function replay(recording: Recording | string, options: ReplayOptions): Promise<ReplayResult> {
  const rec = typeof recording === 'string' ? loadRecording(recording) : parseRecording(recording, 'recording')
  const nut = await libnut()
  const failsafe = options.failsafe ?? true
  const { window, markersPath, label = '' } = options
  const mark = (event: string, comment = '') => {
    if (markersPath) appendMarker(markersPath, event, comment)
  }

  await window.foreground?.()
  let rect: Rect
  if (options.normalise) {
    if (!window.moveResize) throw new Error('replay: normalise needs a window that can move and resize (window.moveResize)')
    rect = await window.moveResize(rec.window.rect)
  } else {
    rect = await window.rect()
  }

  const heldKeys = new Set<KeyName>()
  const heldButtons = new Set<Button>()
  const done: ReplayedEvent[] = []
  let pointer: Point | null = null // where the replay last put the pointer
  const result = (aborted: boolean): ReplayResult => ({ events: done, lateness: latenessStats(done), startedAt: t0, rect, aborted })
  const releaseAll = () => {
    const released = { keys: [...heldKeys].reverse(), buttons: [...heldButtons] }
    for (const k of released.keys) nut.keyToggle(libnutKey(k), 'up')
    for (const b of released.buttons) nut.mouseToggle('up', b)
    heldKeys.clear()
    heldButtons.clear()
    return released
  }
  const checkFailsafe = (index: number) => {
    if (!failsafe) return
    const p = nut.getMousePos()
    if (!inCorner(p) || (pointer && inCorner(pointer))) return
    const released = releaseAll()
    mark('replay_aborted', `failsafe: mouse at ${p.x},${p.y} before event ${index} of ${rec.events.length}`)
    const what = [...released.keys.map((k) => `key ${k}`), ...released.buttons.map((b) => `${b} button`)]
    throw new FailsafeAbort(
      `replay aborted by the failsafe: the mouse was in the screen's top-left corner (${p.x},${p.y}) before event ${index} of ${rec.events.length}` +
        ` (${(performance.now() - t0).toFixed(0)} ms into the replay); ${done.length} events were replayed, ` +
        (what.length ? `released ${what.join(', ')}` : 'nothing was held'),
      result(true),
      released,
    )
  }
  /** A recorded move is always injected; a click or wheel moves the pointer only if it is elsewhere. */
  const moveTo = (f: Point, always: boolean) => {
    const p = toAbs(rect, f)
    if (always || !pointer || pointer.x !== p.x || pointer.y !== p.y) nut.moveMouse(p.x, p.y)
    pointer = p
  }

  mark('replay_start', label)
  const t0 = performance.now()
  try {
    for (let i = 0; i < rec.events.length; i++) {
      const ev = rec.events[i]!
      const due = t0 + ev.t_ms
      for (let left = due - performance.now(); left > SPIN_MS; left = due - performance.now()) {
        await sleep(Math.min(POLL_MS, left - SPIN_MS))
        checkFailsafe(i)
      }
      while (performance.now() < due);
      checkFailsafe(i)
      const at = performance.now() - t0
      switch (ev.kind) {
        case 'move':
          moveTo(ev, true)
          break
        case 'down':
        case 'up':
          moveTo(ev, false)
          nut.mouseToggle(ev.kind, ev.button)
          if (ev.kind === 'down') heldButtons.add(ev.button)
          else heldButtons.delete(ev.button)
          break
        case 'wheel':
          moveTo(ev, false)
          nut.scrollMouse(-ev.dx, -ev.dy)
          break
        case 'key_down':
          nut.keyToggle(libnutKey(ev.key), 'down')
          heldKeys.add(ev.key)
          break
        case 'key_up':
          nut.keyToggle(libnutKey(ev.key), 'up')
          heldKeys.delete(ev.key)
          break
        case 'marker':
          mark(ev.name, `t_ms=${ev.t_ms}`)
          break
      }
      done.push({ index: i, kind: ev.kind, t_ms: ev.t_ms, at_ms: at, late_ms: at - ev.t_ms })
    }
  } catch (e) {
    if (!(e instanceof FailsafeAbort)) {
      releaseAll()
      mark('replay_aborted', `error: ${(e as Error).message}`)
    }
    throw e
  }
  releaseAll()
  const out = result(false)
  mark('replay_end', `${label ? `${label} ` : ''}events=${done.length} late_max_ms=${out.lateness.max_ms} late_p99_ms=${out.lateness.p99_ms}`)
  return out
}
