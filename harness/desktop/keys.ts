// Key chords as a configuration writes them ("Ctrl+O", "Alt+1", "PgDn", "Shift+F5",
// "Ctrl+Shift+S") → the key names libnut's keyToggle takes, and pressing them.
//
// Method
// ------
// A chord is `+`-separated, case-insensitive: zero or more modifiers (Ctrl/Control, Alt, Shift,
// Win/Super/Meta/Cmd/Command) and exactly one key, last. The key is a letter, a digit, F1–F12, a
// named key (PageDown/PgDn/Next, PageUp/PgUp/Prior, Home, End, Insert/Ins, Delete/Del,
// Enter/Return, Esc/Escape, Tab, Space, Backspace, Up/Down/Left/Right and their …Arrow forms) or
// one of the punctuation keys ` - = [ ] \ ; ' , . /. Anything else is a UserError naming the field
// (`petrel.hotkeys.attribute`), so a typo in the config is reported before any key is sent.
//
// The table is deliberately closed: on X11 libnut turns an unknown name into "invalid key code"
// but a known name with no keycode on the display (F13–F24 under Xvfb's default keymap) into an
// XTest BadValue, which Xlib's default handler answers by ending the process. Every name below was
// toggled on this project's Xvfb (keys.test.ts does it again for the whole table).
//
// `pressChord` sends the chord as separate key events in a fixed order — each modifier down (in
// the order written), the key down, the key up, the modifiers up in reverse — instead of libnut's
// modifier flags, whose X11 implementation releases the modifiers *before* the key. libnut's
// own delay after each event is zero (native.ts), so a chord costs only the XTest round trips.
//
// `sleepUntil` waits for a monotonic deadline (performance.now()): a timer to ~1.5 ms before it,
// then a short spin. Callers that send a series of keys schedule key i at start + i × delay
// from it, so timer lateness never accumulates.
import { setTimeout as sleep } from 'node:timers/promises'
import { UserError } from '../errors.ts'
import { libnut } from './native.ts'

export interface Chord {
  /** The chord as written. */
  readonly text: string
  /** libnut key names of the modifiers, in the order written ('control', 'alt', 'shift', 'meta'). */
  readonly modifiers: readonly string[]
  /** libnut key name of the key ('pagedown', 'o', '1', 'f5'). */
  readonly key: string
}

/** Where a chord came from, for the error message. */
export interface ChordSource {
  file?: string
  field?: string
}

const MODIFIERS: Record<string, string> = {
  ctrl: 'control', control: 'control', ctl: 'control',
  alt: 'alt', option: 'alt',
  shift: 'shift',
  win: 'meta', windows: 'meta', super: 'meta', meta: 'meta', cmd: 'meta', command: 'meta',
}

const NAMED: Record<string, string> = {
  pagedown: 'pagedown', pgdn: 'pagedown', pgdown: 'pagedown', page_down: 'pagedown', next: 'pagedown',
  pageup: 'pageup', pgup: 'pageup', page_up: 'pageup', prior: 'pageup',
  home: 'home', end: 'end',
  insert: 'insert', ins: 'insert',
  delete: 'delete', del: 'delete',
  enter: 'enter', return: 'enter',
  escape: 'escape', esc: 'escape',
  tab: 'tab', space: 'space', backspace: 'backspace',
  up: 'up', down: 'down', left: 'left', right: 'right',
  arrowup: 'up', arrowdown: 'down', arrowleft: 'left', arrowright: 'right',
}

const PUNCTUATION = new Set(['`', '-', '=', '[', ']', '\\', ';', "'", ',', '.', '/'])

/** Every libnut key name a chord can produce (keys.test.ts toggles each on the display). */
export const KEY_NAMES: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789',
  ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`),
  ...new Set(Object.values(NAMED)),
  ...PUNCTUATION,
  ...new Set(Object.values(MODIFIERS)),
]

function keyName(part: string): string | null {
  const p = part.toLowerCase()
  if (/^[a-z0-9]$/.test(p)) return p
  if (/^f([1-9]|1[0-2])$/.test(p)) return p
  if (PUNCTUATION.has(p)) return p
  return NAMED[p] ?? null
}

/** Parses a chord; a malformed one is a UserError naming `source.field`. */
export function parseChord(text: string, source: ChordSource = {}): Chord {
  const fail = (message: string): never => {
    throw new UserError({
      file: source.file ?? 'config',
      field: source.field,
      message,
      expected: 'a key chord such as "Ctrl+O", "Alt+1", "PageDown", "Shift+F5" or "Ctrl+Shift+S"',
      hint: 'modifiers Ctrl, Alt, Shift, Win; keys A–Z, 0–9, F1–F12, PageDown/PgDn, PageUp/PgUp, Home, End, Insert, Delete, Enter, Esc, Tab, Space, Backspace, arrows, ` - = [ ] \\ ; \' , . /',
    })
  }
  if (typeof text !== 'string' || text.trim() === '') return fail(`empty key chord ${JSON.stringify(text)}`)
  // "+" separates; a trailing "+" would be the plus key, which chords do not use (Shift+= is it).
  const parts = text.split('+').map((s) => s.trim())
  if (parts.some((p) => p === '')) return fail(`malformed key chord ${JSON.stringify(text)} (an empty part between "+")`)
  const modifiers: string[] = []
  for (const part of parts.slice(0, -1)) {
    const m = MODIFIERS[part.toLowerCase()]
    if (!m) return fail(`unknown modifier ${JSON.stringify(part)} in key chord ${JSON.stringify(text)}`)
    if (modifiers.includes(m)) return fail(`modifier ${JSON.stringify(part)} given twice in key chord ${JSON.stringify(text)}`)
    modifiers.push(m)
  }
  const last = parts[parts.length - 1]!
  if (MODIFIERS[last.toLowerCase()]) return fail(`key chord ${JSON.stringify(text)} has modifiers but no key`)
  const key = keyName(last)
  if (!key) return fail(`unknown key ${JSON.stringify(last)} in key chord ${JSON.stringify(text)}`)
  return { text, modifiers, key }
}

/** Presses and releases a chord: modifiers down, key down, key up, modifiers up (reverse order). */
export async function pressChord(chord: Chord | string, source?: ChordSource): Promise<void> {
  const c = typeof chord === 'string' ? parseChord(chord, source) : chord
  const lib = await libnut()
  const down: string[] = []
  try {
    for (const m of c.modifiers) {
      lib.keyToggle(m, 'down')
      down.push(m)
    }
    lib.keyToggle(c.key, 'down')
    lib.keyToggle(c.key, 'up')
  } finally {
    for (const m of down.reverse()) lib.keyToggle(m, 'up')
  }
}

/** Waits until performance.now() ≥ `deadline` (timer, then a spin of at most ~1.5 ms). */
export async function sleepUntil(deadline: number): Promise<number> {
  let now = performance.now()
  if (deadline - now > 2) {
    await sleep(deadline - now - 1.5)
    now = performance.now()
  }
  while (now < deadline) now = performance.now()
  return now
}
