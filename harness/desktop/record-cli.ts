// `benchgate record`: an operator records a session on their own screen. The CLI attaches to the
// application's window (a title pattern from --window, or petrel.window_title of the
// configuration), starts the recorder (./recorder.ts: F9 start/pause, F12 stop, F6/F7/F8 markers)
// and prints one line naming the hotkeys, then each state change, then a one-line summary.
//
// The display: on Linux the operator's own ($DISPLAY, `existing`) — a person records what they see;
// a virtual one (Xvfb) only with --xvfb. Windows and macOS use the desktop itself.
//
// Saving. F12 writes FILE atomically (temp file + rename; ./recording.ts writeRecording). Ctrl-C
// (SIGINT) or SIGTERM before F12 writes what was recorded so far to FILE.partial instead, and the
// command exits 130: the recording schema is strict (no optional `partial` field to mark it), so the
// name marks it; FILE.partial is a complete, valid version-2 recording that loads and replays, and
// FILE itself (an earlier, finished recording) is left untouched. On SIGINT the trailing run of
// Ctrl/C key events — the operator's Ctrl-C, which the global hook hears too — is dropped, so
// replaying the partial file does not type Ctrl+C into the application; keys still held after
// that get their release at the end, as the recorder keeps every recording balanced.
//
// Helpers shared with `benchgate replay` (./replay-cli.ts) live here: flag parsing, the display,
// the window by pattern (not found: a UserError naming the pattern and every title seen).
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { UserError } from '../errors.ts'
import { loadConfig } from '../config/load.ts'
import { displayUnavailable, useDisplay, type Display } from './display.ts'
import { DEFAULT_HOTKEYS, startRecorder, type RecorderState, type WindowLike } from './recorder.ts'
import { MARKER_NAME, writeRecording, type KeyName, type Recording, type RecordingEvent } from './recording.ts'
import { chooseAppWindow, findAppWindow, listWindows, type DesktopWindow } from './window.ts'

export const RECORD_USAGE = `usage: benchgate record --window PATTERN --out FILE [options]

  --window PATTERN      regular expression matching the application window's title
                        (default: petrel.window_title of the configuration)
  --config FILE         configuration read for petrel.window_title when --window is omitted
                        (default: $BENCHGATE_CONFIG, else ./benchgate.config.yaml, else "Petrel")
  --out FILE            the recording (JSON, version 2), written atomically when F12 stops it
  --marker-names A,B,C  names of the markers F6, F7, F8 write, in that order (default
                        marker_1,marker_2,marker_3; keys left out keep their default)
  --xvfb                Linux: record on a new virtual display (Xvfb) instead of $DISPLAY

hotkeys: F9 starts recording, then pauses and resumes it; F12 stops and saves FILE;
F6/F7/F8 write markers. Ctrl-C (or SIGTERM) before F12 saves what was recorded so far
as FILE.partial (a valid recording; FILE is left untouched) and exits 130.`

export const RECORD_MARKER_KEYS: readonly KeyName[] = ['F6', 'F7', 'F8']

export type CliValues = Record<string, string | boolean | undefined>

/** parseArgs with benchgate's one-line errors; positionals allowed up to `maxPositionals`. */
export function parseCli(verb: string, argv: string[], strings: readonly string[], booleans: readonly string[], maxPositionals = 0): { values: CliValues; positionals: string[] } {
  const options = Object.fromEntries([...strings.map((f) => [f, { type: 'string' as const }]), ...[...booleans, 'help'].map((f) => [f, { type: 'boolean' as const }])])
  try {
    const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: maxPositionals > 0, options })
    if (positionals.length > maxPositionals) throw new Error(`unexpected argument '${positionals[maxPositionals]}'`)
    return { values: values as CliValues, positionals }
  } catch (e) {
    throw new UserError({ file: `benchgate ${verb}`, message: (e as Error).message.split('\n')[0] ?? 'bad arguments', expected: `the flags benchgate ${verb} --help lists` })
  }
}

export function flagError(verb: string, flag: string, message: string, expected: string): UserError {
  return new UserError({ file: `benchgate ${verb}`, field: `--${flag}`, message, expected, hint: `benchgate ${verb} --help` })
}

/** The display the verb runs on: the operator's ($DISPLAY) unless --xvfb (see the header). */
export async function cliDisplay(verb: string, xvfb: boolean): Promise<Display> {
  if (process.platform === 'linux') {
    if (xvfb) {
      const why = displayUnavailable()
      if (why) throw flagError(verb, 'xvfb', why, 'Xvfb installed')
    } else if (!process.env.DISPLAY) {
      throw new UserError({
        file: `benchgate ${verb}`,
        message: 'DISPLAY is not set: there is no X session to attach to',
        expected: 'an X11 session (Wayland: under XWayland)',
        hint: 'run it from your desktop session, or pass --xvfb for a virtual display',
      })
    }
  }
  return useDisplay({ existing: !xvfb })
}

export interface WindowPattern {
  pattern: RegExp
  /** Where it came from, for messages: the flag or the configuration's field. */
  file: string
  field: string
}

/** --window, or petrel.window_title of --config (or the default configuration). */
export function windowPattern(verb: string, values: CliValues): WindowPattern {
  const raw = values.window
  if (typeof raw === 'string') {
    if (raw === '') throw flagError(verb, 'window', 'empty', 'a regular expression matching the window title')
    try {
      return { pattern: new RegExp(raw), file: `benchgate ${verb}`, field: '--window' }
    } catch (e) {
      throw flagError(verb, 'window', `not a regular expression: ${(e as Error).message}`, 'a regular expression matching the window title')
    }
  }
  const loaded = loadConfig(typeof values.config === 'string' ? { path: values.config } : {})
  return { pattern: new RegExp(loaded.config.petrel.window_title), file: loaded.source ?? 'the default configuration', field: 'petrel.window_title' }
}

/** The application's window, already open; none matching is a UserError listing the titles seen. */
/**
 * A DesktopWindow as the recorder and the replayer take it (their WindowLike has `title` as a
 * string, DesktopWindow as a method).
 */
export function windowLike(w: DesktopWindow, title: string): WindowLike {
  return { title, rect: () => w.rect(), moveResize: (r) => w.moveResize(r), foreground: () => w.foreground() }
}

export async function cliWindow(where: WindowPattern, display: Display): Promise<DesktopWindow> {
  const found = await findAppWindow(where.pattern)
  if (found) return found
  const windows = await listWindows()
  const skipped = new Map(chooseAppWindow(windows, where.pattern).skipped.map((s) => [s.window.handle, s.reason]))
  const titles = [...new Map(windows.map((w) => [w.title, skipped.get(w.handle)])).entries()]
  const shown = titles.slice(0, 20).map(([t, reason]) => (reason ? `${JSON.stringify(t)} (matches, skipped: ${reason})` : JSON.stringify(t)))
  throw new UserError({
    file: where.file,
    field: where.field,
    message: `no window whose title matches ${where.pattern} is open on display ${display.name}`,
    expected: "the application's main window open (file explorer windows, dialogs and tiny windows are skipped)",
    hint: titles.length ? `titles seen: ${shown.join(', ')}${titles.length > 20 ? ` and ${titles.length - 20} more` : ''}` : 'no titled window was seen',
  })
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** The marker names for F6, F7, F8: --marker-names in order, the defaults for keys it leaves out. */
function markerNames(raw: string | undefined): Partial<Record<KeyName, string>> {
  if (raw === undefined) return { ...DEFAULT_HOTKEYS.markers }
  const names = raw.split(',').map((n) => n.trim())
  const expected = `1 to ${RECORD_MARKER_KEYS.length} comma-separated names of letters, digits and _ . : - (for F6, F7, F8)`
  if (names.length > RECORD_MARKER_KEYS.length) throw flagError('record', 'marker-names', `${names.length} names given`, expected)
  const bad = names.find((n) => !MARKER_NAME.test(n))
  if (bad !== undefined) throw flagError('record', 'marker-names', `invalid marker name ${JSON.stringify(bad)}`, expected)
  if (new Set(names).size !== names.length) throw flagError('record', 'marker-names', 'a name is given twice', expected)
  const given: Partial<Record<KeyName, string>> = Object.fromEntries(names.map((n, i) => [RECORD_MARKER_KEYS[i]!, n]))
  const merged = { ...DEFAULT_HOTKEYS.markers, ...given }
  if (new Set(Object.values(merged)).size !== RECORD_MARKER_KEYS.length) throw flagError('record', 'marker-names', 'a name equals a default name of another key', expected)
  return merged
}

const CHORD_KEYS = new Set<KeyName>(['Ctrl', 'CtrlRight', 'C'])
const isKey = (e: RecordingEvent): e is Extract<RecordingEvent, { kind: 'key_down' | 'key_up' }> => e.kind === 'key_down' || e.kind === 'key_up'

/**
 * The recording without the Ctrl-C that interrupted it: from the last Ctrl press on, when nothing
 * but Ctrl/C keys and releases follows it, the Ctrl and C events are dropped (other releases, such
 * as the recorder's for keys held at the stop, stay); a key still held after that is released at
 * `endMs`.
 */
export function withoutInterruptChord(rec: Recording, endMs: number): Recording {
  let events = [...rec.events]
  const k = events.findLastIndex((e) => e.kind === 'key_down' && (e.key === 'Ctrl' || e.key === 'CtrlRight'))
  if (k >= 0 && events.slice(k).every((e) => isKey(e) && (CHORD_KEYS.has(e.key) || e.kind === 'key_up'))) {
    events = [...events.slice(0, k), ...events.slice(k).filter((e) => !(isKey(e) && CHORD_KEYS.has(e.key)))]
  }
  const held = new Set<KeyName>()
  for (const e of events) {
    if (e.kind === 'key_down') held.add(e.key)
    else if (e.kind === 'key_up') held.delete(e.key)
  }
  const t = Math.max(endMs, events.at(-1)?.t_ms ?? 0)
  const release: RecordingEvent[] = [...held].map((key) => ({ t_ms: t, kind: 'key_up', key }))
  return { ...rec, events: [...events, ...release] }
}

/** "57 events (40 moves, 4 clicks, 1 wheel, 6 keys, 2 markers), 12.3 s, markers: a at 1.0 s, b at 2.5 s" */
export function recordingSummary(rec: Recording, durationMs: number): string {
  const n = (kind: RecordingEvent['kind']) => rec.events.filter((e) => e.kind === kind).length
  const markers = rec.events.flatMap((e) => (e.kind === 'marker' ? [`${e.name} at ${s(e.t_ms)}`] : []))
  const parts = `${n('move')} moves, ${n('down')} clicks, ${n('wheel')} wheel, ${n('key_down')} keys, ${markers.length} markers`
  return `${rec.events.length} events (${parts}), ${s(durationMs)}, markers: ${markers.length ? markers.join(', ') : 'none'}`
}

const STATE_LINE: Record<RecorderState, string> = {
  idle: 'waiting for F9',
  recording: 'recording',
  paused: 'paused (F9 resumes, F12 stops)',
  stopped: 'stopped',
}

export async function recordCommand(argv: string[]): Promise<number> {
  const { values } = parseCli('record', argv, ['window', 'config', 'out', 'marker-names'], ['xvfb'])
  if (values.help) {
    console.log(RECORD_USAGE)
    return 0
  }
  if (typeof values.out !== 'string' || values.out === '') throw flagError('record', 'out', 'missing', 'the recording file to write')
  const out = resolve(values.out)
  const markers = markerNames(values['marker-names'] as string | undefined)
  const where = windowPattern('record', values)
  const display = await cliDisplay('record', values.xvfb === true)
  const window = await cliWindow(where, display)
  const rect = await window.rect()
  const title = await window.title()

  let endMs = 0
  let started = false
  const recorder = await startRecorder({
    window: windowLike(window, title),
    hotkeys: { markers },
    onState: (state, t) => {
      endMs = t
      const resumed = state === 'recording' && started
      if (state === 'recording') started = true
      console.log(`${resumed ? 'recording (resumed)' : STATE_LINE[state]} at ${s(t)}`)
    },
  })
  const markerKeys = RECORD_MARKER_KEYS.map((k) => `${k} ${markers[k]}`)
  console.log(
    `recording ${JSON.stringify(title)} (${rect.width}×${rect.height} at ${rect.left},${rect.top} on ${display.name}): ` +
      `F9 start/pause, F12 stop and save, ${markerKeys.join(', ')} markers; Ctrl-C saves ${out}.partial`,
  )

  // A signal stops the recorder, which resolves `done` too: which one ended it is `signal`.
  let signal: NodeJS.Signals | null = null
  const onSignal = (sig: NodeJS.Signals): void => {
    signal ??= sig
    void recorder.stop()
  }
  // `on`, not `once`: ../run/cleanup.ts re-raises the signal after releasing what it holds (the
  // window helper); with a listener still here that second delivery does not end the process
  // before the partial recording is written.
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const outcome = { rec: await recorder.done, signal: signal as NodeJS.Signals | null }
  try {
    return save(out, outcome, endMs, recorder.skipped)
  } finally {
    // only now: the re-raised signal may arrive any time before the file is written
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** Writes FILE (F12) or FILE.partial (a signal) and prints the summary; the exit code. */
function save(out: string, outcome: { rec: Recording; signal: NodeJS.Signals | null }, endMs: number, skippedKeys: number): number {
  const skipped = skippedKeys ? `; ${skippedKeys} key presses outside the key table not recorded` : ''
  if (outcome.signal) {
    const rec = outcome.signal === 'SIGINT' ? withoutInterruptChord(outcome.rec, endMs) : outcome.rec
    const file = `${out}.partial`
    writeRecording(file, rec)
    console.log(`partial recording (${outcome.signal} before F12) saved to ${file}: ${recordingSummary(rec, endMs)}${skipped}`)
    return 130
  }
  writeRecording(out, outcome.rec)
  console.log(`saved ${out}: ${recordingSummary(outcome.rec, endMs)}${skipped}`)
  return 0
}
