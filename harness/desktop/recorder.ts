// The recorder: listens to the global input hook (uiohook-napi, libuiohook; on X11 the RECORD
// extension, so it hears injected XTest input as well as a person's) and builds a version-2
// recording (./recording.ts) of what happens while it is recording.
//
// Hotkeys (defaults, each configurable): F9 starts, then toggles pause; F12 stops; F6/F7/F8 write
// the markers marker_1/2/3. The hotkeys' own presses and releases are never recorded. States go
// idle → recording ⇄ paused → stopped; only `recording` records. t_ms is performance.now() at the
// hook's callback, counted from the first F9 with paused spans cut out, so it never decreases.
// Positions become window fractions with toRel against the rectangle read when the recorder was
// started (the recording's `window.rect`).
//
// A recording is kept balanced, because the replayer types exactly what it reads: keys and buttons
// still held when the recording pauses or stops get their release at that moment, and a release
// of something the recording never saw pressed (pressed before F9 or during a pause) is dropped.
// Keys outside the name table are not recorded; `skipped` counts them.
import type { UiohookKeyboardEvent, UiohookMouseEvent, UiohookWheelEvent } from 'uiohook-napi'
import { toRel, type Rect } from './coords.ts'
import { uiohook } from './native.ts'
import { buttonOf, keyNameOf, KEYS, parseRecording, RECORDING_VERSION, type Button, type KeyName, type Recording, type RecordingEvent } from './recording.ts'

/** What the recorder and the replayer need of a window: a DesktopWindow or a plain rect provider. */
export interface WindowLike {
  rect(): Promise<Rect>
  moveResize?(r: Rect): Promise<Rect>
  foreground?(): Promise<void>
  /** The window's title, recorded in the file (or pass `title` to startRecorder). */
  readonly title?: string
}

export interface RecorderHotkeys {
  startPause: KeyName
  stop: KeyName
  /** Hotkey → marker name. */
  markers: Partial<Record<KeyName, string>>
}

export const DEFAULT_HOTKEYS: RecorderHotkeys = {
  startPause: 'F9',
  stop: 'F12',
  markers: { F6: 'marker_1', F7: 'marker_2', F8: 'marker_3' },
}

export type RecorderState = 'idle' | 'recording' | 'paused' | 'stopped'

export interface RecorderOptions {
  window: WindowLike
  title?: string
  hotkeys?: Partial<RecorderHotkeys>
  onState?: (state: RecorderState, tMs: number) => void
}

export interface Recorder {
  readonly state: RecorderState
  /** Keys pressed while recording that are not in the name table (not recorded). */
  readonly skipped: number
  /** The recording, once F12 (or stop()) ends it. */
  readonly done: Promise<Recording>
  /** Ends the recording programmatically (as F12 does) and resolves with it. */
  stop(): Promise<Recording>
}

type HookEvent = UiohookKeyboardEvent | UiohookMouseEvent | UiohookWheelEvent

// libuiohook's event types (uiohook-napi emits only some by name; 'input' carries all, dragging included)
const KEY_PRESSED = 4
const KEY_RELEASED = 5
const MOUSE_PRESSED = 7
const MOUSE_RELEASED = 8
const MOUSE_MOVED = 9
const MOUSE_DRAGGED = 10
const MOUSE_WHEEL = 11
const WHEEL_HORIZONTAL = 4

let listeners = 0

/**
 * Adds a listener for every global input event, starting the process's one hook with the first
 * listener and stopping it with the last. Returns the function that removes the listener.
 * (uiohook's start() returns once the hook is live: nothing injected after it is missed.)
 */
export async function listenInput(fn: (e: HookEvent) => void): Promise<() => void> {
  const { uIOhook } = await uiohook()
  uIOhook.on('input', fn)
  if (listeners++ === 0) uIOhook.start()
  let removed = false
  return () => {
    if (removed) return
    removed = true
    uIOhook.off('input', fn)
    if (--listeners === 0) uIOhook.stop()
  }
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6
const round3 = (v: number) => Math.round(v * 1e3) / 1e3

/** Starts listening; recording begins at the start/pause hotkey (F9). */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const hotkeys: RecorderHotkeys = { ...DEFAULT_HOTKEYS, ...options.hotkeys }
  const rect = await options.window.rect()
  const title = options.title ?? options.window.title ?? ''
  const hotkeyCodes = new Set<number>([hotkeys.startPause, hotkeys.stop, ...(Object.keys(hotkeys.markers) as KeyName[])].map((k) => KEYS[k].uiohook))
  const markerByCode = new Map<number, string>(Object.entries(hotkeys.markers).map(([k, name]) => [KEYS[k as KeyName].uiohook, name as string]))

  let state: RecorderState = 'idle'
  let created = ''
  let activeMs = 0 // recorded time before the current span
  let spanStart = 0 // performance.now() when the current span began
  let skipped = 0
  const events: RecordingEvent[] = []
  const heldKeys = new Set<KeyName>()
  const heldButtons = new Map<Button, { x: number; y: number }>()
  let resolveDone!: (r: Recording) => void
  let rejectDone!: (e: unknown) => void
  const done = new Promise<Recording>((res, rej) => ((resolveDone = res), (rejectDone = rej)))

  let remove = () => {}
  const now = () => round3(activeMs + (performance.now() - spanStart))
  const setState = (s: RecorderState, t: number) => {
    state = s
    options.onState?.(s, t)
  }
  const pos = (e: { x: number; y: number }) => {
    const f = toRel(rect, e)
    return { x: round6(f.x), y: round6(f.y) }
  }
  const releaseHeld = (t: number) => {
    for (const key of heldKeys) events.push({ t_ms: t, kind: 'key_up', key })
    for (const [button, at] of heldButtons) events.push({ t_ms: t, kind: 'up', button, ...at })
    heldKeys.clear()
    heldButtons.clear()
  }

  const finish = () => {
    if (state === 'stopped') return
    const t = state === 'recording' ? now() : round3(activeMs)
    if (state === 'recording') releaseHeld(t)
    setState('stopped', t)
    remove()
    try {
      resolveDone(parseRecording({ version: RECORDING_VERSION, created: created || new Date().toISOString(), window: { title, rect }, events }, 'recording'))
    } catch (e) {
      rejectDone(e)
    }
  }

  const onKey = (e: UiohookKeyboardEvent, down: boolean) => {
    if (hotkeyCodes.has(e.keycode)) {
      if (!down) return
      if (e.keycode === KEYS[hotkeys.stop].uiohook) return finish()
      if (e.keycode === KEYS[hotkeys.startPause].uiohook) {
        const at = performance.now()
        if (state === 'idle') {
          created = new Date().toISOString()
          spanStart = at
          return setState('recording', 0)
        }
        if (state === 'recording') {
          const t = now()
          releaseHeld(t)
          activeMs = t
          return setState('paused', t)
        }
        spanStart = at
        return setState('recording', round3(activeMs))
      }
      const name = markerByCode.get(e.keycode)
      if (name && state === 'recording') events.push({ t_ms: now(), kind: 'marker', name })
      return
    }
    if (state !== 'recording') return
    const key = keyNameOf(e.keycode)
    if (!key) {
      if (down) skipped++
      return
    }
    if (down) {
      heldKeys.add(key)
      events.push({ t_ms: now(), kind: 'key_down', key })
    } else if (heldKeys.delete(key)) {
      events.push({ t_ms: now(), kind: 'key_up', key })
    }
  }

  const onInput = (e: HookEvent) => {
    if (state === 'stopped') return
    switch (e.type as number) {
      case KEY_PRESSED:
        return onKey(e as UiohookKeyboardEvent, true)
      case KEY_RELEASED:
        return onKey(e as UiohookKeyboardEvent, false)
    }
    if (state !== 'recording') return
    switch (e.type as number) {
      case MOUSE_MOVED:
      case MOUSE_DRAGGED:
        events.push({ t_ms: now(), kind: 'move', ...pos(e as UiohookMouseEvent) })
        return
      case MOUSE_PRESSED:
      case MOUSE_RELEASED: {
        const m = e as UiohookMouseEvent
        const button = buttonOf(Number(m.button))
        if (!button) return
        const at = pos(m)
        if (e.type === MOUSE_PRESSED) {
          heldButtons.set(button, at)
          events.push({ t_ms: now(), kind: 'down', button, ...at })
        } else if (heldButtons.delete(button)) {
          events.push({ t_ms: now(), kind: 'up', button, ...at })
        }
        return
      }
      case MOUSE_WHEEL: {
        const w = e as UiohookWheelEvent
        const steps = Math.round(w.rotation) || Math.sign(w.rotation)
        const horizontal = (w.direction as number) === WHEEL_HORIZONTAL
        events.push({ t_ms: now(), kind: 'wheel', dx: horizontal ? steps : 0, dy: horizontal ? 0 : steps, ...pos(w) })
      }
    }
  }

  remove = await listenInput(onInput)
  return {
    get state() {
      return state
    },
    get skipped() {
      return skipped
    },
    done,
    stop() {
      finish()
      return done
    },
  }
}
