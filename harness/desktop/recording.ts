// A recording of a desktop session, version 2: the window's rectangle when recording began and every
// input event with `t_ms`, monotonic milliseconds since the recording started with paused spans
// left out (so t_ms never decreases). Positions are fractions of the window (./coords.ts: pixel
// centres, exact round trip), so a recording replays into the same window wherever it sits.
//
//   { "version": 2, "created": ISO-8601, "window": { "title", "rect": { left, top, width, height } },
//     "events": [ { "t_ms", "kind": "move", "x", "y" }, { "t_ms", "kind": "down", "button", "x", "y" },
//                 { "kind": "up" … }, { "kind": "wheel", "dx", "dy", "x", "y" },
//                 { "kind": "key_down" | "key_up", "key" }, { "kind": "marker", "name" } ] }
//
// Wheel steps are notches: dy > 0 scrolls down (towards the user), dx > 0 scrolls right. Keys are
// portable names (uiohook's: "PageDown", "A", "Alt", "F5"); KEYS maps each to its uiohook keycode
// (what the recorder hears) and its libnut key string (what the replayer types). The numeric keypad
// with Num Lock off reports its navigation names (NumpadEnd is numpad 1): both name the same key.
// F13–F24 are left out: Xvfb's keymap has no keycode for them, and XTest input of an unmapped key
// is an X protocol error, which ends the process.
//
// The zod schema is the single definition; fixtures/recording.schema.json is generated from it
// (`node harness/desktop/recording.ts`) and a unit test keeps the two equal. A malformed file gets a
// UserError naming the file and the field (`events[12].x`) with the event index and kind.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import * as z from 'zod'
import { fieldName, UserError, type Problem } from '../errors.ts'
import { writeFileAtomic } from '../run/atomic.ts'

export const RECORDING_VERSION = 2

/** Portable key name → uiohook keycode (libuiohook's set-1 scancodes) and libnut key string. */
export const KEYS = {
  Backspace: { uiohook: 0x000e, libnut: 'backspace' },
  Tab: { uiohook: 0x000f, libnut: 'tab' },
  Enter: { uiohook: 0x001c, libnut: 'return' },
  CapsLock: { uiohook: 0x003a, libnut: 'caps_lock' },
  Escape: { uiohook: 0x0001, libnut: 'escape' },
  Space: { uiohook: 0x0039, libnut: 'space' },
  PageUp: { uiohook: 0x0e49, libnut: 'pageup' },
  PageDown: { uiohook: 0x0e51, libnut: 'pagedown' },
  End: { uiohook: 0x0e4f, libnut: 'end' },
  Home: { uiohook: 0x0e47, libnut: 'home' },
  ArrowLeft: { uiohook: 0xe04b, libnut: 'left' },
  ArrowUp: { uiohook: 0xe048, libnut: 'up' },
  ArrowRight: { uiohook: 0xe04d, libnut: 'right' },
  ArrowDown: { uiohook: 0xe050, libnut: 'down' },
  Insert: { uiohook: 0x0e52, libnut: 'insert' },
  Delete: { uiohook: 0x0e53, libnut: 'delete' },
  '0': { uiohook: 0x000b, libnut: '0' },
  '1': { uiohook: 0x0002, libnut: '1' },
  '2': { uiohook: 0x0003, libnut: '2' },
  '3': { uiohook: 0x0004, libnut: '3' },
  '4': { uiohook: 0x0005, libnut: '4' },
  '5': { uiohook: 0x0006, libnut: '5' },
  '6': { uiohook: 0x0007, libnut: '6' },
  '7': { uiohook: 0x0008, libnut: '7' },
  '8': { uiohook: 0x0009, libnut: '8' },
  '9': { uiohook: 0x000a, libnut: '9' },
  A: { uiohook: 0x001e, libnut: 'a' },
  B: { uiohook: 0x0030, libnut: 'b' },
  C: { uiohook: 0x002e, libnut: 'c' },
  D: { uiohook: 0x0020, libnut: 'd' },
  E: { uiohook: 0x0012, libnut: 'e' },
  F: { uiohook: 0x0021, libnut: 'f' },
  G: { uiohook: 0x0022, libnut: 'g' },
  H: { uiohook: 0x0023, libnut: 'h' },
  I: { uiohook: 0x0017, libnut: 'i' },
  J: { uiohook: 0x0024, libnut: 'j' },
  K: { uiohook: 0x0025, libnut: 'k' },
  L: { uiohook: 0x0026, libnut: 'l' },
  M: { uiohook: 0x0032, libnut: 'm' },
  N: { uiohook: 0x0031, libnut: 'n' },
  O: { uiohook: 0x0018, libnut: 'o' },
  P: { uiohook: 0x0019, libnut: 'p' },
  Q: { uiohook: 0x0010, libnut: 'q' },
  R: { uiohook: 0x0013, libnut: 'r' },
  S: { uiohook: 0x001f, libnut: 's' },
  T: { uiohook: 0x0014, libnut: 't' },
  U: { uiohook: 0x0016, libnut: 'u' },
  V: { uiohook: 0x002f, libnut: 'v' },
  W: { uiohook: 0x0011, libnut: 'w' },
  X: { uiohook: 0x002d, libnut: 'x' },
  Y: { uiohook: 0x0015, libnut: 'y' },
  Z: { uiohook: 0x002c, libnut: 'z' },
  Numpad0: { uiohook: 0x0052, libnut: 'numpad_0' },
  Numpad1: { uiohook: 0x004f, libnut: 'numpad_1' },
  Numpad2: { uiohook: 0x0050, libnut: 'numpad_2' },
  Numpad3: { uiohook: 0x0051, libnut: 'numpad_3' },
  Numpad4: { uiohook: 0x004b, libnut: 'numpad_4' },
  Numpad5: { uiohook: 0x004c, libnut: 'numpad_5' },
  Numpad6: { uiohook: 0x004d, libnut: 'numpad_6' },
  Numpad7: { uiohook: 0x0047, libnut: 'numpad_7' },
  Numpad8: { uiohook: 0x0048, libnut: 'numpad_8' },
  Numpad9: { uiohook: 0x0049, libnut: 'numpad_9' },
  NumpadMultiply: { uiohook: 0x0037, libnut: 'multiply' },
  NumpadAdd: { uiohook: 0x004e, libnut: 'add' },
  NumpadSubtract: { uiohook: 0x004a, libnut: 'subtract' },
  NumpadDecimal: { uiohook: 0x0053, libnut: 'numpad_decimal' },
  NumpadDivide: { uiohook: 0x0e35, libnut: 'divide' },
  NumpadEnter: { uiohook: 0x0e1c, libnut: 'enter' },
  NumpadInsert: { uiohook: 0xee52, libnut: 'numpad_0' },
  NumpadEnd: { uiohook: 0xee4f, libnut: 'numpad_1' },
  NumpadArrowDown: { uiohook: 0xee50, libnut: 'numpad_2' },
  NumpadPageDown: { uiohook: 0xee51, libnut: 'numpad_3' },
  NumpadArrowLeft: { uiohook: 0xee4b, libnut: 'numpad_4' },
  NumpadBegin: { uiohook: 0xee4c, libnut: 'numpad_5' },
  NumpadArrowRight: { uiohook: 0xee4d, libnut: 'numpad_6' },
  NumpadHome: { uiohook: 0xee47, libnut: 'numpad_7' },
  NumpadArrowUp: { uiohook: 0xee48, libnut: 'numpad_8' },
  NumpadPageUp: { uiohook: 0xee49, libnut: 'numpad_9' },
  NumpadDelete: { uiohook: 0xee53, libnut: 'numpad_decimal' },
  F1: { uiohook: 0x003b, libnut: 'f1' },
  F2: { uiohook: 0x003c, libnut: 'f2' },
  F3: { uiohook: 0x003d, libnut: 'f3' },
  F4: { uiohook: 0x003e, libnut: 'f4' },
  F5: { uiohook: 0x003f, libnut: 'f5' },
  F6: { uiohook: 0x0040, libnut: 'f6' },
  F7: { uiohook: 0x0041, libnut: 'f7' },
  F8: { uiohook: 0x0042, libnut: 'f8' },
  F9: { uiohook: 0x0043, libnut: 'f9' },
  F10: { uiohook: 0x0044, libnut: 'f10' },
  F11: { uiohook: 0x0057, libnut: 'f11' },
  F12: { uiohook: 0x0058, libnut: 'f12' },
  Semicolon: { uiohook: 0x0027, libnut: ';' },
  Equal: { uiohook: 0x000d, libnut: '=' },
  Comma: { uiohook: 0x0033, libnut: ',' },
  Minus: { uiohook: 0x000c, libnut: '-' },
  Period: { uiohook: 0x0034, libnut: '.' },
  Slash: { uiohook: 0x0035, libnut: '/' },
  Backquote: { uiohook: 0x0029, libnut: '`' },
  BracketLeft: { uiohook: 0x001a, libnut: '[' },
  Backslash: { uiohook: 0x002b, libnut: '\\' },
  BracketRight: { uiohook: 0x001b, libnut: ']' },
  Quote: { uiohook: 0x0028, libnut: "'" },
  Ctrl: { uiohook: 0x001d, libnut: 'control' },
  CtrlRight: { uiohook: 0x0e1d, libnut: 'right_control' },
  Alt: { uiohook: 0x0038, libnut: 'alt' },
  AltRight: { uiohook: 0x0e38, libnut: 'right_alt' },
  Shift: { uiohook: 0x002a, libnut: 'shift' },
  ShiftRight: { uiohook: 0x0036, libnut: 'right_shift' },
  Meta: { uiohook: 0x0e5b, libnut: 'meta' },
  MetaRight: { uiohook: 0x0e5c, libnut: 'right_meta' },
  NumLock: { uiohook: 0x0045, libnut: 'num_lock' },
  ScrollLock: { uiohook: 0x0046, libnut: 'scroll_lock' },
  PrintScreen: { uiohook: 0x0e37, libnut: 'printscreen' },
} as const satisfies Record<string, { uiohook: number; libnut: string }>

export type KeyName = keyof typeof KEYS
export const KEY_NAMES = Object.keys(KEYS) as [KeyName, ...KeyName[]]
const BY_KEYCODE = new Map<number, KeyName>(KEY_NAMES.map((name) => [KEYS[name].uiohook, name]))

/** The portable name of a uiohook keycode, or undefined for a key outside the table. */
export function keyNameOf(keycode: number): KeyName | undefined {
  return BY_KEYCODE.get(keycode)
}

/** The libnut key string that types a portable key name. */
export function libnutKey(name: KeyName): string {
  return KEYS[name].libnut
}

/** Mouse buttons by name; uiohook numbers them 1 left, 2 right, 3 middle (measured under X11). */
export const BUTTONS = ['left', 'right', 'middle'] as const
export type Button = (typeof BUTTONS)[number]
export function buttonOf(uiohookButton: number): Button | undefined {
  return BUTTONS[uiohookButton - 1]
}

const tMs = z.number().nonnegative().finite().describe('milliseconds since the recording started, paused time excluded; never decreases')
const frac = (axis: string) => z.number().finite().describe(`${axis} position as a fraction of the window (0 left/top edge, 1 right/bottom edge; outside 0–1 is outside the window)`)
const at = { x: frac('horizontal'), y: frac('vertical') }
const button = z.enum(BUTTONS).describe('mouse button')
const key = z.enum(KEY_NAMES).describe('portable key name (KEYS in harness/desktop/recording.ts)')

export const MARKER_NAME = /^[A-Za-z0-9_.:-]+$/

export const RecordingEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ t_ms: tMs, kind: z.literal('move'), ...at }).describe('the pointer moved to (x, y)'),
  z.strictObject({ t_ms: tMs, kind: z.literal('down'), button, ...at }).describe('a mouse button was pressed at (x, y)'),
  z.strictObject({ t_ms: tMs, kind: z.literal('up'), button, ...at }).describe('a mouse button was released at (x, y)'),
  z.strictObject({
    t_ms: tMs,
    kind: z.literal('wheel'),
    dx: z.int().describe('horizontal notches, > 0 scrolls right'),
    dy: z.int().describe('vertical notches, > 0 scrolls down'),
    ...at,
  }).describe('the wheel turned with the pointer at (x, y)'),
  z.strictObject({ t_ms: tMs, kind: z.literal('key_down'), key }).describe('a key was pressed (or auto-repeated)'),
  z.strictObject({ t_ms: tMs, kind: z.literal('key_up'), key }).describe('a key was released'),
  z.strictObject({
    t_ms: tMs,
    kind: z.literal('marker'),
    name: z.string().regex(MARKER_NAME).describe('marker name written to markers.tsv on replay (letters, digits, _ . : -)'),
  }).describe('a marker hotkey (F6/F7/F8 by default) was pressed'),
])

export const RecordingSchema = z.strictObject({
  version: z.literal(RECORDING_VERSION).describe('recording format version'),
  created: z.iso.datetime().describe('when recording began (UTC ISO-8601)'),
  window: z.strictObject({
    title: z.string().describe('the window title when recording began'),
    rect: z.strictObject({
      left: z.int().describe('screen x of the window\'s left edge, pixels'),
      top: z.int().describe('screen y of the window\'s top edge, pixels'),
      width: z.int().positive().describe('width in pixels'),
      height: z.int().positive().describe('height in pixels'),
    }).describe('the window rectangle when recording began; positions are fractions of it'),
  }).describe('the window the recording was made in'),
  events: z.array(RecordingEventSchema).describe('input events in order of t_ms'),
}).describe('a benchgate desktop recording')

export type Recording = z.infer<typeof RecordingSchema>
export type RecordingEvent = z.infer<typeof RecordingEventSchema>
export type EventKind = RecordingEvent['kind']

/** The first event whose t_ms is below its predecessor's, or -1. */
export function firstDecrease(events: readonly { t_ms: number }[]): number {
  for (let i = 1; i < events.length; i++) if (events[i]!.t_ms < events[i - 1]!.t_ms) return i
  return -1
}

function eventLabel(data: unknown, index: number): string {
  const ev = (data as { events?: unknown[] } | null)?.events?.[index] as { kind?: unknown; t_ms?: unknown } | undefined
  const kind = typeof ev?.kind === 'string' ? ` ${ev.kind}` : ''
  const t = typeof ev?.t_ms === 'number' ? ` at t_ms ${ev.t_ms}` : ''
  return `event ${index}${kind}${t}`
}

/** Validates parsed JSON as a recording; `file` names it in every problem. */
export function parseRecording(data: unknown, file: string): Recording {
  const result = RecordingSchema.safeParse(data)
  if (!result.success) {
    const problems = result.error.issues.slice(0, 20).map((issue): Problem => {
      const path = issue.path
      const inEvent = path[0] === 'events' && typeof path[1] === 'number'
      return {
        file,
        field: fieldName(path) || undefined,
        message: inEvent ? `${issue.message} (${eventLabel(data, path[1] as number)})` : issue.message,
        ...(path[0] === 'version' ? { hint: `this reader knows recording version ${RECORDING_VERSION} only; record again` } : {}),
      }
    })
    throw new UserError(problems)
  }
  const rec = result.data
  const bad = firstDecrease(rec.events)
  if (bad >= 0) {
    throw new UserError({
      file,
      field: `events[${bad}].t_ms`,
      message: `t_ms ${rec.events[bad]!.t_ms} is before the previous event's ${rec.events[bad - 1]!.t_ms} (${eventLabel(data, bad)})`,
      expected: 't_ms that never decreases from one event to the next',
    })
  }
  return rec
}

/** Whether JSON.parse fails on `prefix` before its end (not merely because the text stops). */
function failsInside(prefix: string): boolean {
  try {
    JSON.parse(prefix)
    return false
  } catch (e) {
    const at = /at position (\d+)/.exec((e as Error).message)
    return at ? Number(at[1]) < prefix.length : !/Unexpected end of JSON input/.test((e as Error).message)
  }
}

/**
 * The offset of a JSON syntax error. V8 states a position for some errors only ("Unexpected
 * token" has none), so otherwise the shortest prefix that already fails inside is found by
 * bisection: a prefix that fails inside stays failing as it grows.
 */
function jsonErrorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message)
  if (at) return Number(at[1])
  let ok = 0
  let bad = text.length
  while (bad - ok > 1) {
    const mid = (ok + bad) >> 1
    if (failsInside(text.slice(0, mid))) bad = mid
    else ok = mid
  }
  return bad - 1
}

/** Reads and validates a recording file; a UserError names the file, field and event index. */
export function loadRecording(path: string): Recording {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UserError({ file: path, message: `cannot read the recording (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, expected: 'a readable JSON file' })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ').slice(0, 160)
    const line = text.slice(0, jsonErrorOffset(text, (e as Error).message)).split('\n').length
    throw new UserError({ file: path, line, message: `not valid JSON: ${msg}`, expected: 'a JSON recording (version 2)' })
  }
  return parseRecording(data, path)
}

/** The recording's text: one event per line, so diffs and a reader's eye follow it. */
export function recordingText(rec: Recording): string {
  const { events, ...head } = rec
  const body = events.map((e) => `    ${JSON.stringify(e)}`).join(',\n')
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '')
  return `${top},\n  "events": [${events.length ? `\n${body}\n  ` : ''}]\n}\n`
}

/** Validates and writes a recording atomically (temp file + rename). */
export function writeRecording(path: string, rec: Recording): void {
  const valid = parseRecording(rec, path)
  writeFileAtomic(path, recordingText(valid))
}

export const RECORDING_SCHEMA_FILE = resolve(import.meta.dirname, '../../fixtures/recording.schema.json')

export function recordingJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(RecordingSchema, { io: 'input', target: 'draft-07' }) as Record<string, unknown>
  return { $schema, title: 'benchgate desktop recording (version 2)', ...rest }
}

/** fixtures/recording.schema.json's text: 2-space JSON with a trailing newline. */
export function recordingJsonSchemaText(): string {
  return `${JSON.stringify(recordingJsonSchema(), null, 2)}\n`
}

if (import.meta.main) {
  writeFileAtomic(RECORDING_SCHEMA_FILE, recordingJsonSchemaText())
  console.log(`wrote ${RECORDING_SCHEMA_FILE}`)
}
