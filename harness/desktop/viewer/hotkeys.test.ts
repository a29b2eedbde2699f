import { describe, expect, test } from 'vitest'
import { chordText, DEFAULT_HOTKEYS, parseChord, resolveHotkeys } from './hotkeys.ts'

const where = { file: 'f', field: 'x' }

describe('viewer hotkeys', () => {
  test('chords: modifiers and one key, "+" or spaces (an unencoded + in a URL), names case-insensitive', () => {
    expect(parseChord('Ctrl+O', where)).toEqual({ key: 'o', ctrl: true, alt: false, shift: false, meta: false })
    expect(parseChord('ctrl o', where)).toEqual(parseChord('Ctrl+O', where))
    expect(parseChord('PgDn', where)).toEqual({ key: 'pagedown', ctrl: false, alt: false, shift: false, meta: false })
    expect(parseChord('Alt+Shift+F5', where)).toEqual({ key: 'f5', ctrl: false, alt: true, shift: true, meta: false })
    expect(parseChord('Alt+1', where).key).toBe('1')
    expect(parseChord('+', where).key).toBe('+') // not a separator when it is the only thing
  })

  test('the defaults as the driver types them, and back', () => {
    const h = resolveHotkeys([])
    expect(Object.fromEntries(Object.entries(h).map(([a, c]) => [a, chordText(c)]))).toEqual({
      open: 'Ctrl+O', next: 'PageDown', attribute: 'Alt+1', horizon: 'Alt+2', export: 'Alt+3',
    })
    for (const [a, text] of Object.entries(DEFAULT_HOTKEYS)) expect(parseChord(chordText(h[a as keyof typeof h]), where), a).toEqual(parseChord(text, where))
  })

  test('overrides by action or Petrel-style alias, later ones win; unknown names refused only when strict', () => {
    const h = resolveHotkeys([
      { map: { open_project: 'Ctrl+Shift+P', attribute: 'F6' }, file: 'cli', strict: true },
      { map: { attribute: 'F7', zoom: '2' }, file: 'url', strict: false },
    ])
    expect(chordText(h.open)).toBe('Ctrl+Shift+P')
    expect(chordText(h.attribute)).toBe('F7')
    expect(chordText(h.next)).toBe('PageDown')
    expect(() => resolveHotkeys([{ map: { zoom: '2' }, file: 'benchgate viewer --hotkeys', strict: true }])).toThrow(/^benchgate viewer --hotkeys: zoom: unknown action; expected one of open, /)
  })

  test('a bad chord is one line naming where it came from', () => {
    expect(() => parseChord('Hyper+O', { file: 'viewer URL /', field: 'open' })).toThrow(/^viewer URL \/: open: unknown modifier "hyper" in "Hyper\+O"; expected modifiers/)
    expect(() => parseChord('Ctrl+Banana', where)).toThrow(/unknown key "banana"/)
    expect(() => parseChord('Ctrl+', where)).toThrow(/no key/)
  })
})
