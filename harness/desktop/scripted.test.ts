// Scripted workflows into a real Chromium app window that logs every key it receives and repaints
// like a viewer (probe-page.ts: Ctrl+O "opens", PageDown draws the next inline, Alt+1/2/3 draw a
// result, each 150 ms after the key), under this file's Xvfb: exact key counts, order and
// modifiers as the window saw them, the markers as the headless workflows name them, first pixel
// and ends from the screen. Spacing is printed here and gated in benches/fast-ab/desktop-keys.bench.ts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { readMarkers } from '../run/markers.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { displayUnavailable } from './display.ts'
import { openProbe, type ProbeWindow } from './probe-page.ts'
import { DEFAULT_HOTKEYS, DEFAULT_WAITS_S, resolveHotkeys, resolveWaits, runScripted, spacingOf, type ScriptedOptions } from './scripted.ts'

const DELAY = 150
let probe: ProbeWindow
let dir: ReturnType<typeof makeTempDir>
let n = 0

beforeAll(async () => {
  const why = displayUnavailable()
  if (why) throw new Error(`no display for the desktop tests: ${why}`)
  dir = makeTempDir('benchgate-scripted-')
  probe = await openProbe({ title: 'scripted-probe', delay: DELAY })
}, 60_000)

afterAll(async () => {
  await probe?.close()
  await dir?.release()
})

/** The page back to its first colour and the log emptied, then one session. */
async function session(options: Partial<ScriptedOptions> & Pick<ScriptedOptions, 'workflow'>) {
  await probe.focus()
  probe.clear()
  await probe.reset()
  await probe.waitForKeys(1, 'keyup') // the reset's own keyup, before the log is emptied
  probe.clear()
  const markersPath = join(dir.path, `markers-${++n}.tsv`)
  const result = await runScripted({ window: probe.window, markersPath, label: `test-${n}`, firstPixel: { region: probe.clientRegion }, settle: { quietMs: 400 }, ...options })
  return { result, markers: readMarkers(markersPath), markersPath }
}

const downs = (keys: ReturnType<ProbeWindow['keys']>) => keys.filter((k) => k.type === 'keydown')
const describeKey = (k: { key: string; ctrlKey: boolean; altKey: boolean; shiftKey: boolean; metaKey: boolean }) =>
  `${k.ctrlKey ? 'Ctrl+' : ''}${k.altKey ? 'Alt+' : ''}${k.shiftKey ? 'Shift+' : ''}${k.metaKey ? 'Meta+' : ''}${k.key}`

describe('hotkeys and waits from the config', () => {
  test('defaults as the issue gives them; a map overrides them; a bad chord or wait names its field', () => {
    expect(DEFAULT_HOTKEYS).toEqual({ open_project: 'Ctrl+O', next_inline: 'PageDown', attribute: 'Alt+1', horizon: 'Alt+2', export: 'Alt+3' })
    expect(DEFAULT_WAITS_S.horizon_wait_s).toBe(45)
    const h = resolveHotkeys({ attribute: 'Ctrl+Shift+A' })
    expect(h.attribute).toMatchObject({ modifiers: ['control', 'shift'], key: 'a' })
    expect(h.next_inline.key).toBe('pagedown')
    expect(() => resolveHotkeys({ attribute: 'Alt+Q1' }, 'benchgate.yaml')).toThrow(/^benchgate\.yaml: petrel\.hotkeys\.attribute: unknown key "Q1"/)
    expect(resolveWaits({ horizon_wait_s: 5 }).horizon_wait_s).toBe(5)
    let err: unknown
    try {
      resolveWaits({ export_wait_s: -1 }, 'benchgate.yaml')
    } catch (e) {
      err = e
    }
    expect(isUserError(err)).toBe(true)
    expect((err as Error).message).toMatch(/^benchgate\.yaml: workflows\.waits\.export_wait_s: invalid wait -1/)
  })

  test('spacingOf: median and worst deviation of consecutive gaps', () => {
    expect(spacingOf([0, 40, 80, 125, 160], 40)).toEqual({ medianMs: 40, worstDeviationMs: 5, minMs: 35, maxMs: 45 })
    expect(spacingOf([1], 40)).toBeNull()
  })
})

describe('scripted workflows into a window that logs what it receives', () => {
  test('W_scrub100: exactly 100 PageDown keydowns after Ctrl+O, in order, nothing else; markers as the reader names them', { timeout: 120_000 }, async () => {
    const { result, markers } = await session({ workflow: 'scrub-100' })
    const keys = await probe.waitForKeys(102, 'keydown')
    const d = downs(keys)
    expect(d.slice(0, 2).map(describeKey)).toEqual(['Ctrl+Control', 'Ctrl+o'])
    const rest = d.slice(2)
    expect(rest).toHaveLength(100)
    expect(rest.every((k) => k.key === 'PageDown' && !k.repeat && !k.ctrlKey && !k.altKey && !k.shiftKey && !k.metaKey)).toBe(true)
    expect(keys.map((k) => k.seq - keys[0]!.seq)).toEqual(keys.map((_, i) => i)) // in the page's order, none lost on the way
    expect(keys.filter((k) => k.type === 'keyup' && k.key === 'PageDown')).toHaveLength(100)

    expect(markers.map((m) => m.event)).toEqual(['open_start', 'first_pixel', 'scrub_start', 'scrub_end', 'session_end'])
    expect(markers.map((m) => m.ts)).toEqual([...markers.map((m) => m.ts)].sort())
    expect(result.markers.map((m) => m.event)).toEqual(markers.map((m) => m.event))
    expect(Object.keys(result.spans)).toEqual(['open_time_s', 'scrub_time_s'])
    expect(result.spans.open_time_s).toBeGreaterThanOrEqual(DELAY / 1000) // the page draws 150 ms after Ctrl+O
    expect(result.spans.scrub_time_s).toBeGreaterThanOrEqual((99 * 40) / 1000) // key 100 is sent 99 × 40 ms after the start
    expect(result.step!.keys.sentAt).toHaveLength(100)
    expect(result.step!.ended).toBe('settled')
    expect(result.step!.end).toBeGreaterThan(result.step!.keys.sentAt[99]!) // the last inline is drawn 150 ms after its key
    expect(result.resolution.firstPixelMs).toBe(20)

    const received = spacingOf(rest.map((k) => k.t), 40)!
    const sent = result.step!.keys.spacing!
    console.log(
      `W_scrub100: 100 PageDown, spacing as the window received them: median ${received.medianMs.toFixed(2)} ms, worst deviation from 40 ms ${received.worstDeviationMs.toFixed(2)} ms ` +
        `(min ${received.minMs.toFixed(2)}, max ${received.maxMs.toFixed(2)}); as sent: median ${sent.medianMs.toFixed(3)} ms, worst ${sent.worstDeviationMs.toFixed(3)} ms; ` +
        `open_time_s ${result.spans.open_time_s!.toFixed(3)}, scrub_time_s ${result.spans.scrub_time_s!.toFixed(3)}; first-pixel grab p50 ${result.resolution.grabMs.p50.toFixed(2)} ms`,
    )
  })

  test('W_attribute: Ctrl+O then Alt+1 arrives as one "1" keydown with altKey; the end is the view\'s last change', { timeout: 60_000 }, async () => {
    const { result, markers } = await session({ workflow: 'attribute' })
    const d = downs(await probe.waitForKeys(4, 'keydown'))
    expect(d.map(describeKey)).toEqual(['Ctrl+Control', 'Ctrl+o', 'Alt+Alt', 'Alt+1'])
    expect(d.filter((k) => k.key === '1')).toHaveLength(1)
    expect(markers.map((m) => m.event)).toEqual(['open_start', 'first_pixel', 'attr_start', 'attr_end', 'session_end'])
    expect(result.step!.ended).toBe('settled')
    expect(result.spans.attr_time_s).toBeGreaterThanOrEqual(DELAY / 1000) // drawn 150 ms after Alt+1, not at the key
    expect(result.spans.attr_time_s).toBeLessThan(DEFAULT_WAITS_S.attribute_wait_s)
    const span = (Date.parse(markers[3]!.ts) - Date.parse(markers[2]!.ts)) / 1000
    expect(Math.abs(span - result.spans.attr_time_s!)).toBeLessThanOrEqual(0.002) // markers carry the same moments (ms precision)
  })

  test('hotkeys and waits from maps: export on Alt+4 (which the page ignores) ends when its 1 s wait does', { timeout: 60_000 }, async () => {
    const { result, markers } = await session({ workflow: 'export', hotkeys: { export: 'Alt+4' }, waits: { export_wait_s: 1 } })
    const d = downs(await probe.waitForKeys(4, 'keydown'))
    expect(d.map(describeKey)).toEqual(['Ctrl+Control', 'Ctrl+o', 'Alt+Alt', 'Alt+4'])
    expect(markers.map((m) => m.event)).toEqual(['open_start', 'first_pixel', 'export_start', 'export_end', 'session_end'])
    expect(result.step).toMatchObject({ ended: 'wait', changes: 0 })
    expect(result.spans.export_time_s).toBeGreaterThanOrEqual(1)
    expect(markers[3]!.comment).toMatch(/wait 1 s ended/)
  })

  test('horizon on Alt+2; open alone marks open_end', { timeout: 60_000 }, async () => {
    const h = await session({ workflow: 'horizon', waits: { horizon_wait_s: 5 } })
    expect(downs(await probe.waitForKeys(4, 'keydown')).map(describeKey)).toEqual(['Ctrl+Control', 'Ctrl+o', 'Alt+Alt', 'Alt+2'])
    expect(h.markers.map((m) => m.event)).toEqual(['open_start', 'first_pixel', 'horizon_start', 'horizon_end', 'session_end'])
    expect(h.result.step!.ended).toBe('settled')
    expect(Object.keys(h.result.spans)).toEqual(['open_time_s', 'horizon_time_s'])

    const o = await session({ workflow: 'open' })
    expect(o.markers.map((m) => m.event)).toEqual(['open_start', 'first_pixel', 'open_end', 'session_end'])
    expect(Object.keys(o.result.spans)).toEqual(['open_time_s'])
    expect(o.result.step).toBeNull()
  })

  test('no first pixel within open_wait_s: the session is marked aborted and fails', { timeout: 60_000 }, async () => {
    let err: unknown
    let markersPath = ''
    try {
      await session({ workflow: 'attribute', hotkeys: { open_project: 'F2' }, waits: { open_wait_s: 1 } }).catch((e: unknown) => {
        markersPath = join(dir.path, `markers-${n}.tsv`)
        throw e
      })
    } catch (e) {
      err = e
    }
    expect(String(err)).toMatch(/did not change within 1000 ms/)
    const markers = readMarkers(markersPath)
    expect(markers.map((m) => m.event)).toEqual(['open_start', 'session_end'])
    expect(markers[1]!.comment).toMatch(/^aborted: first pixel/)
    expect(readFileSync(markersPath, 'utf8').split('\n').filter(Boolean)).toHaveLength(2)
  })
})
