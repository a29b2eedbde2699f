// The viewer's hotkeys: one key chord per action, written as Petrel's hotkeys are in the config
// (`petrel.hotkeys`: "Ctrl+O", "PgDn", "Alt+1"). A chord is modifiers and one key joined by "+"
// (or by spaces, which is what an unencoded "+" in a URL query becomes). Key names are matched
// case-insensitively against the browser's KeyboardEvent.key and, for letters and digits, its
// code ("KeyO" → "o", "Digit1" → "1"), so Alt+1 matches whatever character Alt makes of "1".
// Modifiers must match exactly: Ctrl+O is not Ctrl+Shift+O.
//
// The page gets the chords already parsed (JSON); the mapping comes from the command line's
// --hotkeys and then the page URL's query (?open=Ctrl%2BO&next=PgDn), each action by name or by
// a Petrel-style alias (open_project, next_inline, run_attribute, …).
import { UserError } from '../../errors.ts'

export const VIEWER_ACTIONS = ['open', 'next', 'attribute', 'horizon', 'export'] as const
export type ViewerActionName = (typeof VIEWER_ACTIONS)[number]

export function isViewerAction(name: string): name is ViewerActionName {
  return (VIEWER_ACTIONS as readonly string[]).includes(name)
}

export interface Chord {
  key: string
  ctrl: boolean
  alt: boolean
  shift: boolean
  meta: boolean
}

export type Hotkeys = Record<ViewerActionName, Chord>

export const DEFAULT_HOTKEYS: Record<ViewerActionName, string> = {
  open: 'Ctrl+O',
  next: 'PgDn',
  attribute: 'Alt+1',
  horizon: 'Alt+2',
  export: 'Alt+3',
}

const ALIASES: Record<string, ViewerActionName> = {
  open: 'open', open_project: 'open', open_volume: 'open',
  next: 'next', next_inline: 'next', scrub: 'next', page_down: 'next',
  attribute: 'attribute', run_attribute: 'attribute', attr: 'attribute',
  horizon: 'horizon', run_horizon: 'horizon', autotrack: 'horizon',
  export: 'export', run_export: 'export',
}

const KEY_NAMES: Record<string, string> = {
  pgdn: 'pagedown', pagedown: 'pagedown', pgup: 'pageup', pageup: 'pageup',
  esc: 'escape', escape: 'escape', del: 'delete', delete: 'delete', ins: 'insert', insert: 'insert',
  return: 'enter', enter: 'enter', space: ' ', spacebar: ' ', tab: 'tab', backspace: 'backspace',
  home: 'home', end: 'end', up: 'arrowup', down: 'arrowdown', left: 'arrowleft', right: 'arrowright',
  arrowup: 'arrowup', arrowdown: 'arrowdown', arrowleft: 'arrowleft', arrowright: 'arrowright',
}

const MODIFIERS: Record<string, keyof Omit<Chord, 'key'>> = {
  ctrl: 'ctrl', control: 'ctrl', alt: 'alt', option: 'alt', shift: 'shift', meta: 'meta', cmd: 'meta', win: 'meta', super: 'meta',
}

/** Parses "Ctrl+O" / "Alt 1" / "PgDn"; `where` names the source for the error. */
export function parseChord(text: string, where: { file: string; field: string }): Chord {
  const trimmed = text.trim()
  // "+" alone, or as the key after a separator ("Shift++"), is the plus key
  const plus = trimmed === '+' || trimmed.endsWith('++')
  const parts = (plus ? trimmed.slice(0, -1) : trimmed).split(/[+\s]+/).map((p) => p.trim().toLowerCase()).filter(Boolean)
  if (plus) parts.push('+')
  const chord: Chord = { key: '', ctrl: false, alt: false, shift: false, meta: false }
  const bad = (message: string): UserError =>
    new UserError({ ...where, message: `${message} in ${JSON.stringify(text)}`, expected: 'modifiers (Ctrl, Alt, Shift, Meta) and one key joined by +, e.g. "Ctrl+O", "PgDn", "Alt+1"' })
  for (const [n, p] of parts.entries()) {
    const modifier = MODIFIERS[p]
    if (modifier && n < parts.length - 1) {
      chord[modifier] = true
      continue
    }
    if (n !== parts.length - 1) throw bad(`unknown modifier ${JSON.stringify(p)}`)
    if (modifier) throw bad('no key')
    const key = KEY_NAMES[p] ?? (/^f([1-9]|1[0-9]|2[0-4])$/.test(p) || p.length === 1 ? p : null)
    if (key === null) throw bad(`unknown key ${JSON.stringify(p)}`)
    chord.key = key
  }
  if (!chord.key) throw bad('no key')
  return chord
}

/** The action a hotkey name stands for, or null. */
export function actionOf(name: string): ViewerActionName | null {
  return ALIASES[name.toLowerCase()] ?? null
}

/**
 * The hotkeys: the defaults, overridden by each mapping in turn (action or alias → chord). Names
 * that are no action are refused only when `strict` (the command line); a page URL may carry
 * other query parameters.
 */
export function resolveHotkeys(overrides: readonly { map: Record<string, string>; file: string; strict: boolean }[]): Hotkeys {
  const out = Object.fromEntries(
    VIEWER_ACTIONS.map((a) => [a, parseChord(DEFAULT_HOTKEYS[a], { file: 'defaults', field: a })]),
  ) as Hotkeys
  for (const { map, file, strict } of overrides) {
    for (const [name, chord] of Object.entries(map)) {
      const action = actionOf(name)
      if (!action) {
        if (strict) throw new UserError({ file, field: name, message: 'unknown action', expected: `one of ${Object.keys(ALIASES).join(', ')}` })
        continue
      }
      if (typeof chord !== 'string') throw new UserError({ file, field: name, message: `invalid value ${JSON.stringify(chord)}`, expected: 'a key chord such as "Ctrl+O"' })
      out[action] = parseChord(chord, { file, field: name })
    }
  }
  return out
}

const DISPLAY_NAMES: Record<string, string> = {
  pagedown: 'PageDown', pageup: 'PageUp', escape: 'Escape', delete: 'Delete', insert: 'Insert', enter: 'Enter', tab: 'Tab', backspace: 'Backspace',
  home: 'Home', end: 'End', arrowup: 'ArrowUp', arrowdown: 'ArrowDown', arrowleft: 'ArrowLeft', arrowright: 'ArrowRight',
}

/** The chord as the driver types it, e.g. "Ctrl+O". */
export function chordText(c: Chord): string {
  const key = c.key === ' ' ? 'Space' : c.key.length === 1 ? c.key.toUpperCase() : (DISPLAY_NAMES[c.key] ?? c.key.toUpperCase())
  return [c.ctrl && 'Ctrl', c.alt && 'Alt', c.shift && 'Shift', c.meta && 'Meta', key].filter(Boolean).join('+')
}
