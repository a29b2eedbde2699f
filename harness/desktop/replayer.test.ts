// The replayer on the real display: what it injects is heard by the global hook (and re-recorded by
// the recorder), markers land in a real markers.tsv, and the failsafe is tripped by moving the real
// pointer into the corner while the replay holds a key and a button.
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { readMarkers } from '../run/markers.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { toAbs, type Rect } from './coords.ts'
import { displayUnavailable } from './display.ts'
import { libnut } from './native.ts'
import { listenInput, startRecorder } from './recorder.ts'
import { FailsafeAbort, replay } from './replayer.ts'
import { loadRecording, type Recording, type RecordingEvent } from './recording.ts'

const SAMPLE = resolve(import.meta.dirname, '../../fixtures/recordings/sample.json')
const dir = makeTempDir('benchgate-replay-')
afterAll(() => dir.release())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function nut() {
  const why = displayUnavailable()
  if (why) throw new Error(`no display for the replayer tests: ${why}`)
  const n = await libnut()
  n.moveMouse(640, 400) // away from the failsafe corner
  return n
}

function recording(events: RecordingEvent[], rect: Rect = { left: 0, top: 0, width: 1000, height: 500 }): Recording {
  return { version: 2, created: new Date().toISOString(), window: { title: 't', rect }, events }
}

const withoutTimes = (events: readonly RecordingEvent[]) => events.filter((e) => e.kind !== 'marker').map(({ t_ms: _t, ...e }) => e)

describe('replayer (real injection, heard by the hook)', () => {
  test('the sample replayed into a moved window re-records as the same events; markers.tsv gets start, the recorded markers and end', async () => {
    const n = await nut()
    const sample = loadRecording(SAMPLE)
    const moved = { ...sample.window.rect, left: sample.window.rect.left + 123, top: sample.window.rect.top + 45 }
    const window = { rect: async () => moved }
    const rec = await startRecorder({ window })
    n.keyToggle('f9', 'down')
    n.keyToggle('f9', 'up')
    const markers = join(dir.path, 'markers.tsv')
    const result = await replay(SAMPLE, { window, markersPath: markers, label: 'sample' })
    n.keyToggle('f12', 'down')
    n.keyToggle('f12', 'up')
    const again = await rec.done

    expect(result.aborted).toBe(false)
    expect(result.rect).toEqual(moved)
    expect(result.events.map((e) => e.index)).toEqual(sample.events.map((_, i) => i))
    // same kinds, keys, buttons, wheel notches and fractions (pixel centres round-trip exactly)
    expect(withoutTimes(again.events)).toEqual(withoutTimes(sample.events))
    expect(readMarkers(markers).map((m) => m.event)).toEqual(['replay_start', 'marker_1', 'marker_2', 'marker_3', 'replay_end'])
    expect(readMarkers(markers)[0]!.comment).toBe('sample')
    expect(readMarkers(markers)[4]!.comment).toMatch(/^sample events=42 late_max_ms=/)
    expect(result.lateness.count).toBe(sample.events.length)
    for (const e of result.events) expect(e.late_ms).toBeGreaterThanOrEqual(0) // never early
  })

  test('normalise moves and resizes the window to the recorded rectangle first and converts against the result', async () => {
    const n = await nut()
    const recorded = { left: 200, top: 100, width: 400, height: 300 }
    let current: Rect = { left: 0, top: 0, width: 1280, height: 800 }
    const asked: Rect[] = []
    const window = {
      rect: async () => current,
      moveResize: async (r: Rect) => (asked.push(r), (current = { ...r })),
    }
    const r = recording([{ t_ms: 0, kind: 'move', x: 0.25, y: 0.75 }], recorded)
    const seen: { x: number; y: number }[] = []
    const off = await listenInput((e) => {
      if ((e.type as number) === 9) seen.push({ x: (e as { x: number }).x, y: (e as { y: number }).y })
    })
    try {
      const result = await replay(r, { window, normalise: true })
      for (let i = 0; i < 50 && seen.length === 0; i++) await sleep(2)
      expect(asked).toEqual([recorded])
      expect(result.rect).toEqual(recorded)
      expect(seen.at(-1)).toEqual(toAbs(recorded, { x: 0.25, y: 0.75 }))
      expect(seen.at(-1)).toEqual({ x: 300, y: 325 })
      await expect(replay(r, { window: { rect: window.rect }, normalise: true })).rejects.toThrow(/normalise needs a window that can move and resize/)
    } finally {
      off()
      n.moveMouse(640, 400)
    }
  })

  test('failsafe: the mouse slammed into the corner mid-replay aborts at once, releases the held key and button, and nothing later is replayed', async () => {
    const n = await nut()
    const events: RecordingEvent[] = [
      { t_ms: 20, kind: 'move', x: 0.5, y: 0.5 },
      { t_ms: 40, kind: 'key_down', key: 'Shift' },
      { t_ms: 60, kind: 'down', button: 'left', x: 0.5, y: 0.5 },
    ]
    for (let t = 100; t <= 1500; t += 50) events.push({ t_ms: t, kind: 'move', x: 0.3 + t / 5000, y: 0.4 })
    events.push({ t_ms: 1510, kind: 'up', button: 'left', x: 0.6, y: 0.4 }, { t_ms: 1520, kind: 'key_up', key: 'Shift' }, { t_ms: 1530, kind: 'marker', name: 'too_late' })
    const log: string[] = []
    const off = await listenInput((e) => {
      const t = e.type as number
      if (t === 9 || t === 10) log.push(`move ${(e as { x: number }).x},${(e as { y: number }).y}`)
      else if (t === 4 || t === 5) log.push(`${t === 4 ? 'key_down' : 'key_up'} ${(e as { keycode: number }).keycode}`)
      else if (t === 7 || t === 8) log.push(`${t === 7 ? 'down' : 'up'} ${String((e as { button: unknown }).button)}`)
    })
    const markers = join(dir.path, 'abort-markers.tsv')
    const slam = setTimeout(() => n.moveMouse(0, 0), 400)
    let error: unknown
    try {
      await replay(recording(events), { window: { rect: async () => ({ left: 0, top: 0, width: 1000, height: 500 }) }, markersPath: markers })
    } catch (e) {
      error = e
    }
    await sleep(1500) // past the recording's end: anything still scheduled would have been heard
    off()
    clearTimeout(slam)
    n.moveMouse(640, 400)

    expect(error).toBeInstanceOf(FailsafeAbort)
    const abort = error as FailsafeAbort
    expect(abort.message).toMatch(/^replay aborted by the failsafe: the mouse was in the screen's top-left corner \(0,0\) before event \d+ of 35 .*released key Shift, left button$/)
    expect(abort.released).toEqual({ keys: ['Shift'], buttons: ['left'] })
    expect(abort.result.aborted).toBe(true)
    expect(abort.result.events.length).toBeGreaterThan(3)
    expect(abort.result.events.length).toBeLessThan(events.length - 3)
    const slamAt = log.indexOf('move 0,0')
    expect(slamAt, log.join('\n')).toBeGreaterThan(0)
    // after the slam: the releases, and nothing else
    expect(log.slice(slamAt + 1).sort()).toEqual(['key_up 42', 'up 1'])
    expect(log.slice(0, slamAt)).toContain('key_down 42')
    expect(readMarkers(markers).map((m) => m.event)).toEqual(['replay_start', 'replay_aborted'])
    expect(readMarkers(markers)[1]!.comment).toMatch(/^failsafe: mouse at 0,0 before event \d+ of 35$/)
  })

  test('with the mouse already in the corner the replay does not start; failsafe: false replays anyway', async () => {
    const n = await nut()
    n.moveMouse(1, 1)
    const r = recording([{ t_ms: 0, kind: 'key_down', key: 'Ctrl' }, { t_ms: 5, kind: 'key_up', key: 'Ctrl' }])
    const window = { rect: async () => ({ left: 0, top: 0, width: 100, height: 100 }) }
    const err = await replay(r, { window }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FailsafeAbort)
    expect((err as FailsafeAbort).result.events).toEqual([])
    expect((err as FailsafeAbort).message).toMatch(/before event 0 of 2 .*nothing was held$/)
    const ok = await replay(r, { window, failsafe: false })
    expect(ok.events.map((e) => e.kind)).toEqual(['key_down', 'key_up'])
    n.moveMouse(640, 400)
  })
})
