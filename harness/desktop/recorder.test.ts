// The recorder on real events: libnut injects keys, moves, clicks and the wheel through XTest on
// this file's Xvfb display and the recorder hears them through the global hook, as it would hear
// a person. No window is needed for the hook; the rectangle is a known one.
import { describe, expect, test } from 'vitest'
import { toRel } from './coords.ts'
import { displayUnavailable } from './display.ts'
import { libnut, uiohook } from './native.ts'
import { listenInput, startRecorder, type RecorderState } from './recorder.ts'
import { KEY_NAMES, KEYS, keyNameOf, type KeyName } from './recording.ts'

const RECT = { left: 100, top: 50, width: 800, height: 600 }
const window = { rect: async () => RECT, title: 'known rect' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves at the first hooked event that matches (listening from now on). */
async function nextEvent(match: (e: Parameters<Parameters<typeof listenInput>[0]>[0]) => boolean): Promise<{ arrived: Promise<void> }> {
  let resolve!: () => void
  const arrived = new Promise<void>((r) => (resolve = r))
  const off = await listenInput((e) => {
    if (match(e)) resolve()
  })
  return { arrived: arrived.then(off) }
}

async function nut() {
  const why = displayUnavailable()
  if (why) throw new Error(`no display for the recorder tests: ${why}`)
  return libnut()
}

describe('recorder (real injected input, global hook)', () => {
  test('F9 starts and pauses, F12 stops; moves as fractions, clicks, keys, wheel and a marker; hotkeys and paused input absent', async () => {
    const n = await nut()
    const tap = (k: string) => (n.keyToggle(k, 'down'), n.keyToggle(k, 'up'))
    const states: RecorderState[] = []
    const rec = await startRecorder({ window, onState: (s) => states.push(s) })
    expect(rec.state).toBe('idle')
    n.moveMouse(150, 60) // before F9: not recorded
    tap('z')
    tap('f9')
    n.moveMouse(499, 349) // the window's middle pixel
    n.mouseToggle('down', 'left')
    n.moveMouse(520, 360) // a drag
    n.mouseToggle('up', 'left')
    n.mouseToggle('down', 'right')
    n.mouseToggle('up', 'right')
    tap('pagedown')
    n.keyToggle('shift', 'down')
    tap('a')
    n.keyToggle('shift', 'up')
    tap('f6')
    n.scrollMouse(0, -2) // two notches down
    n.scrollMouse(1, 0) // one notch left
    n.keyToggle('alt', 'down') // held across the pause: released in the recording at the pause
    const beforePause = performance.now()
    tap('f9')
    await sleep(400)
    n.moveMouse(700, 500) // paused: not recorded
    tap('b')
    n.keyToggle('alt', 'up') // released while paused: already released in the recording
    tap('f9')
    n.moveMouse(100, 50) // the window's top-left pixel
    tap('f7')
    n.keyToggle('x', 'down') // still held at F12: released at the stop
    tap('f12')
    const r = await rec.done
    const afterResume = performance.now()
    n.keyToggle('x', 'up')

    expect(states).toEqual(['recording', 'paused', 'recording', 'stopped'])
    expect(rec.state).toBe('stopped')
    expect(r.window).toEqual({ title: 'known rect', rect: RECT })
    const summary = r.events.map((e) => {
      switch (e.kind) {
        case 'move':
          return `move ${e.x},${e.y}`
        case 'down':
        case 'up':
          return `${e.kind} ${e.button} ${e.x},${e.y}`
        case 'wheel':
          return `wheel ${e.dx},${e.dy}`
        case 'key_down':
        case 'key_up':
          return `${e.kind} ${e.key}`
        case 'marker':
          return `marker ${e.name}`
      }
    })
    const mid = toRel(RECT, { x: 499, y: 349 })
    const drag = toRel(RECT, { x: 520, y: 360 })
    const f = (p: { x: number; y: number }) => `${+p.x.toFixed(6)},${+p.y.toFixed(6)}`
    expect(summary).toEqual([
      `move ${f(mid)}`,
      `down left ${f(mid)}`,
      `move ${f(drag)}`,
      `up left ${f(drag)}`,
      `down right ${f(drag)}`,
      `up right ${f(drag)}`,
      'key_down PageDown',
      'key_up PageDown',
      'key_down Shift',
      'key_down A',
      'key_up A',
      'key_up Shift',
      'marker marker_1',
      `wheel 0,1`,
      `wheel 0,1`,
      `wheel -1,0`,
      'key_down Alt',
      'key_up Alt', // at the pause
      `move ${f(toRel(RECT, { x: 100, y: 50 }))}`,
      'marker marker_2',
      'key_down X',
      'key_up X', // at the stop
    ])
    expect(f(mid)).toBe('0.499375,0.499167')
    for (let i = 1; i < r.events.length; i++) expect(r.events[i]!.t_ms).toBeGreaterThanOrEqual(r.events[i - 1]!.t_ms)
    // The paused span (at least the 400 ms slept) is cut out of t_ms: the recorded gap across the
    // pause is shorter than the real one by at least 350 ms.
    const altUp = r.events.findIndex((e) => e.kind === 'key_up' && e.key === 'Alt')
    const recordedGap = r.events.at(-1)!.t_ms - r.events[altUp]!.t_ms
    expect(recordedGap).toBeLessThanOrEqual(afterResume - beforePause - 350)
  })

  test('stop() ends a recording programmatically; custom hotkeys; keys outside the table are counted, not recorded', async () => {
    const n = await nut()
    const tap = (k: string) => (n.keyToggle(k, 'down'), n.keyToggle(k, 'up'))
    const rec = await startRecorder({ window, title: 'custom', hotkeys: { startPause: 'F2', markers: { F3: 'open_start' } } })
    const middleDown = await nextEvent((e) => (e.type as number) === 7)
    tap('f2')
    tap('f9') // an ordinary key now
    tap('f3')
    tap('f6') // no longer a marker hotkey
    tap('audio_mute') // not in the name table
    n.mouseToggle('down', 'middle')
    await middleDown.arrived // the hook delivers in order: everything injected before it has arrived
    const r = await rec.stop()
    n.mouseToggle('up', 'middle')
    expect(r.window.title).toBe('custom')
    expect(r.events.map((e) => ('key' in e ? `${e.kind} ${e.key}` : 'name' in e ? `marker ${e.name}` : `${e.kind} ${'button' in e ? e.button : ''}`))).toEqual([
      'key_down F9',
      'key_up F9',
      'marker open_start',
      'key_down F6',
      'key_up F6',
      'down middle',
      'up middle', // released at the stop
    ])
    expect(rec.skipped).toBe(1)
    expect(await rec.stop()).toBe(r) // idempotent
  })

  test('the key table round-trips through the X server: each libnut key is heard as a name typing the same key', async () => {
    const n = await nut()
    const { UiohookKey } = await uiohook()
    for (const [name, code] of Object.entries(UiohookKey)) {
      if (name in KEYS) expect(KEYS[name as KeyName].uiohook, name).toBe(code)
    }
    const heard: number[] = []
    const off = await listenInput((e) => {
      if ((e.type as number) === 4) heard.push((e as { keycode: number }).keycode)
    })
    const wrong: string[] = []
    // KP_Decimal (Num Lock off: KP_Delete) as libnut types it is a keysym libuiohook reports as 0
    const KNOWN_UNHEARD = new Set<KeyName>(['NumpadDecimal', 'NumpadDelete'])
    try {
      for (const name of KEY_NAMES) {
        if (KNOWN_UNHEARD.has(name)) continue
        heard.length = 0
        const k = KEYS[name].libnut
        n.keyToggle(k, 'down')
        n.keyToggle(k, 'up')
        if (['CapsLock', 'NumLock', 'ScrollLock'].includes(name)) (n.keyToggle(k, 'down'), n.keyToggle(k, 'up')) // back to off
        for (let i = 0; i < 50 && heard.length === 0; i++) await sleep(2)
        const back = heard[0] === undefined ? undefined : keyNameOf(heard[0])
        if (!back || KEYS[back].libnut !== k) wrong.push(`${name} (${k}) heard as ${back ?? heard[0] ?? 'nothing'}`)
      }
    } finally {
      off()
    }
    expect(wrong).toEqual([])
  })
})
