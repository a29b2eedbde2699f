// `benchgate replay FILE`: types a recording (`benchgate record`, version 2) back into the
// application's window with ./replayer.ts — each event at its recorded offset on the monotonic
// clock, positions as fractions of the window's current rectangle (or of the recorded one, the
// window moved and resized to it first, with --normalise), replay_start, the recorded markers and
// replay_end appended to markers.tsv.
//
// Order: the recording is loaded and validated before anything else, so a malformed file fails
// (exit 2, one line naming the file, the field and the event index; ./recording.ts) without a
// display or a window. The display is the operator's ($DISPLAY) unless --xvfb, as for `record`
// (./record-cli.ts, which also holds the shared flag, display and window helpers).
//
// Exit codes: 0 replayed; 2 a user mistake (flags, the recording, no window matching); 3 aborted by
// the failsafe — the mouse slammed into the screen's top-left corner — after releasing every key and
// button the replay held (one line says what), `replay_aborted` in markers.tsv.
import { resolve } from 'node:path'
import { UserError } from '../errors.ts'
import { cliDisplay, cliWindow, flagError, parseCli, windowLike, windowPattern } from './record-cli.ts'
import { FailsafeAbort, replay } from './replayer.ts'
import { loadRecording } from './recording.ts'

export const REPLAY_USAGE = `usage: benchgate replay FILE [--window PATTERN] [options]

  FILE                  the recording (JSON, version 2, as benchgate record writes it)
  --window PATTERN      regular expression matching the application window's title
                        (default: petrel.window_title of the configuration)
  --config FILE         configuration read for petrel.window_title when --window is omitted
                        (default: $BENCHGATE_CONFIG, else ./benchgate.config.yaml, else "Petrel")
  --normalise           move and resize the window to the recorded rectangle first
  --markers FILE        markers.tsv to append replay_start, the recorded markers and replay_end to
                        (default: markers.tsv in the current directory)
  --no-failsafe         do not abort when the mouse is in the screen's top-left corner
  --xvfb                Linux: replay on a new virtual display (Xvfb) instead of $DISPLAY

Slam the mouse into the top-left corner to abort: held keys and buttons are released.
exit codes: 0 replayed, 2 bad flags, recording or window, 3 aborted by the failsafe.`

export const FAILSAFE_EXIT = 3

const ms = (v: number) => `${v.toFixed(1)} ms`

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli('replay', argv, ['window', 'config', 'markers'], ['normalise', 'normalize', 'no-failsafe', 'xvfb'], 1)
  if (values.help) {
    console.log(REPLAY_USAGE)
    return 0
  }
  const file = positionals[0]
  if (!file) throw new UserError({ file: 'benchgate replay', message: 'no recording given', expected: 'the recording FILE as the first argument', hint: 'benchgate replay --help' })
  const recording = loadRecording(resolve(file))
  if (typeof values.markers === 'string' && values.markers === '') throw flagError('replay', 'markers', 'empty', 'the markers.tsv file to append to')
  const markers = resolve(typeof values.markers === 'string' ? values.markers : 'markers.tsv')
  const where = windowPattern('replay', values)
  const display = await cliDisplay('replay', values.xvfb === true)
  const window = await cliWindow(where, display)
  const title = await window.title()
  const normalise = values.normalise === true || values.normalize === true

  try {
    const result = await replay(recording, { window: windowLike(window, title), normalise, markersPath: markers, failsafe: values['no-failsafe'] !== true, label: file })
    const last = result.events.at(-1)
    const { left, top, width, height } = result.rect
    console.log(
      `replayed ${result.events.length} events of ${file} into ${JSON.stringify(title)} (${width}×${height} at ${left},${top}${normalise ? ', normalised' : ''}) ` +
        `in ${((last?.at_ms ?? 0) / 1000).toFixed(1)} s; worst lateness ${ms(result.lateness.max_ms)} (p99 ${ms(result.lateness.p99_ms)}); markers: ${markers}`,
    )
    return 0
  } catch (e) {
    if (!(e instanceof FailsafeAbort)) throw e
    const what = [...e.released.keys.map((k) => `key ${k}`), ...e.released.buttons.map((b) => `${b} button`)]
    console.error(
      `benchgate replay: aborted by the failsafe (mouse in the top-left corner) after ${e.result.events.length} of ${recording.events.length} events; ` +
        `released ${what.length ? what.join(', ') : 'nothing (nothing was held)'}; replay_aborted written to ${markers}`,
    )
    return FAILSAFE_EXIT
  }
}
