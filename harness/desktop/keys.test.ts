// Key chords: parsing (names, aliases, errors naming the field) and pressing, proven on a real
// Chromium app window that logs what it receives (probe-page.ts) under this file's Xvfb.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { displayUnavailable } from './display.ts'
import { KEY_NAMES, parseChord, pressChord, sleepUntil } from './keys.ts'
import { libnut } from './native.ts'
import { openProbe, type ProbeWindow } from './probe-page.ts'

describe('parseChord', () => {
  test('modifiers and keys as configs write them, to libnut key names', () => {
    expect(parseChord('Ctrl+O')).toEqual({ text: 'Ctrl+O', modifiers: ['control'], key: 'o' })
    expect(parseChord('Alt+1')).toMatchObject({ modifiers: ['alt'], key: '1' })
    expect(parseChord('PageDown')).toMatchObject({ modifiers: [], key: 'pagedown' })
    expect(parseChord('PgDn')).toMatchObject({ modifiers: [], key: 'pagedown' })
    expect(parseChord('pgup').key).toBe('pageup')
    expect(parseChord('Shift+F5')).toMatchObject({ modifiers: ['shift'], key: 'f5' })
    expect(parseChord('Ctrl+Shift+S')).toMatchObject({ modifiers: ['control', 'shift'], key: 's' })
    expect(parseChord(' control + alt + Delete ')).toMatchObject({ modifiers: ['control', 'alt'], key: 'delete' })
    expect(parseChord('Win+E')).toMatchObject({ modifiers: ['meta'], key: 'e' })
    expect(parseChord('Esc').key).toBe('escape')
    expect(parseChord('Return').key).toBe('enter')
    expect(parseChord('ArrowLeft').key).toBe('left')
    expect(parseChord('Shift+=')).toMatchObject({ modifiers: ['shift'], key: '=' })
    expect(parseChord('F12').key).toBe('f12')
  })

  test('a bad chord is a UserError naming the field, with what was expected', () => {
    const cases: [string, RegExp][] = [
      ['Alt+Q1', /unknown key "Q1"/],
      ['F13', /unknown key "F13"/], // no keycode under Xvfb's keymap: refused before XTest ends the process
      ['Hyper+O', /unknown modifier "Hyper"/],
      ['Ctrl+', /empty part/],
      ['Ctrl+Alt', /no key/],
      ['Ctrl+ctrl+O', /given twice/],
      ['', /empty key chord/],
      ['O+Ctrl', /unknown modifier "O"/],
    ]
    for (const [chord, why] of cases) {
      let err: unknown
      try {
        parseChord(chord, { file: 'benchgate.yaml', field: 'petrel.hotkeys.attribute' })
      } catch (e) {
        err = e
      }
      expect(isUserError(err), chord).toBe(true)
      const message = (err as Error).message
      expect(message, chord).toMatch(why)
      expect(message, chord).toMatch(/^benchgate\.yaml: petrel\.hotkeys\.attribute: /)
      expect(message, chord).toMatch(/expected a key chord such as "Ctrl\+O"/)
    }
  })
})

describe('keys on the display', () => {
  let probe: ProbeWindow

  beforeAll(async () => {
    const why = displayUnavailable()
    if (why) throw new Error(`no display for the desktop tests: ${why}`)
  })

  afterAll(async () => {
    await probe?.close()
  })

  test('every key name a chord can produce has a keycode on this display (toggled with no window open)', async () => {
    const lib = await libnut()
    // an unmapped keysym would end this process through Xlib's error handler, failing the file
    for (const k of KEY_NAMES) {
      lib.keyToggle(k, 'down')
      lib.keyToggle(k, 'up')
    }
    expect(() => lib.keyToggle('no_such_key', 'down')).toThrow(/Invalid key code/)
  })

  test('a chord arrives as modifiers down, key down, key up, modifiers up — and only that', { timeout: 60_000 }, async () => {
    probe = await openProbe({ title: 'keys-probe' })
    await probe.focus()
    await pressChord('Ctrl+Shift+S')
    const got = await probe.waitForKeys(3, 'keyup')
    expect(got.map((k) => `${k.type} ${k.key}`)).toEqual([
      'keydown Control', 'keydown Shift', 'keydown S', 'keyup S', 'keyup Shift', 'keyup Control',
    ])
    const s = got.find((k) => k.type === 'keydown' && k.key === 'S')!
    expect(s).toMatchObject({ ctrlKey: true, shiftKey: true, altKey: false, metaKey: false, code: 'KeyS' })

    probe.clear()
    await pressChord('Alt+1')
    const down = (await probe.waitForKeys(2, 'keydown')).filter((k) => k.type === 'keydown')
    expect(down.map((k) => k.key)).toEqual(['Alt', '1'])
    expect(down[1]).toMatchObject({ altKey: true, ctrlKey: false, shiftKey: false, code: 'Digit1' })

    probe.clear()
    await pressChord('PgDn')
    await pressChord('Shift+F5')
    const more = (await probe.waitForKeys(3, 'keydown')).filter((k) => k.type === 'keydown')
    expect(more.map((k) => `${k.key}${k.shiftKey ? ' shift' : ''}`)).toEqual(['PageDown', 'Shift shift', 'F5 shift'])
  })

  test('sleepUntil returns at or after its deadline', async () => {
    for (const ms of [0, 1, 5, 17]) {
      const deadline = performance.now() + ms
      expect(await sleepUntil(deadline)).toBeGreaterThanOrEqual(deadline)
    }
  })
})
