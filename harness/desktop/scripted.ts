// Scripted workflows through an application's window: the keys an interpreter presses, with the
// same markers as the headless reader's workflows (../fast/workflows.ts WORKFLOW_SPANS), timed
// from the screen.
//
// Method
// ------
// A session (`runScripted`):
//   1. the window is brought to the foreground, its rectangle read (once: the session assumes the
//      window stays put) and its view region left to settle (a focus change repaints), so the
//      state "before the open" is a still one;
//   2. the first-pixel watcher grabs that state (first-pixel.ts), `open_start` is marked and the
//      `open_project` hotkey pressed; `first_pixel` is marked at the poll that first saw the view
//      differ (not when the watcher returned), the polling interval being the timing's resolution;
//   3. the view is left to settle (the open finished drawing); the `open` workflow marks
//      `open_end` at its last change, like the reader's open_end after its first inline;
//   4. the workflow: `<workflow>_start` is marked just before its first key; `_end` at the last
//      change of the view once it has been still for `quietMs` after the last key, or when the
//      workflow's wait runs out (`ended: 'wait'`, the span is then the wait). The view's state is
//      grabbed just before the last key, so a repaint that follows it at once is still a change;
//   5. `session_end`.
// Markers are appended to markers.tsv (one O_APPEND write each, run/markers.ts's format) with the
// moment they stand for: performance.now() times carried to wall time as performance.timeOrigin +
// t, so spans between them are monotonic-clock spans.
//
// The workflows (hotkeys from `petrel.hotkeys`, waits in seconds from `workflows.waits`):
//   W_scrub100   next_inline (PageDown) `count` times (workflows.scrub_count, 100), key i sent at
//                start + i × `delayMs` (workflows.scrub_delay_ms, 40) on the monotonic clock — no
//                drift accumulates; the view may be still at once after the last key (the last
//                inline already drawn), then the end is the last key; bounded by scrub_wait_s
//   W_attribute  attribute (Alt+1), then up to attribute_wait_s for the view to change and settle
//   W_horizon    horizon (Alt+2), then up to horizon_wait_s (45 s)
//   W_export     export (Alt+3), then up to export_wait_s
// The open waits up to open_wait_s for its first pixel (a timeout marks session_end "aborted" and
// throws). Each step returns the keys' send times and their spacing (median, worst deviation).
import { appendFileSync } from 'node:fs'
import { UserError } from '../errors.ts'
import { WORKFLOW_SPANS, type WorkflowName } from '../fast/workflows.ts'
import { formatMarker } from '../run/markers.ts'
import type { Rect } from './coords.ts'
import { settle, watchFirstPixel, watchSettle, type DiffThreshold, type FirstPixel, type Fractions, type GrabCost, type SettleWatcher, type WindowLike } from './first-pixel.ts'
import { parseChord, pressChord, sleepUntil, type Chord } from './keys.ts'

export const DEFAULT_HOTKEYS = {
  open_project: 'Ctrl+O',
  next_inline: 'PageDown',
  attribute: 'Alt+1',
  horizon: 'Alt+2',
  export: 'Alt+3',
} as const
export type HotkeyAction = keyof typeof DEFAULT_HOTKEYS
export type Hotkeys = Record<HotkeyAction, Chord>

/** Waits in seconds (workflows.waits). */
export const DEFAULT_WAITS_S = {
  open_wait_s: 180,
  scrub_wait_s: 10,
  attribute_wait_s: 60,
  horizon_wait_s: 45,
  export_wait_s: 60,
} as const
export type Waits = Record<keyof typeof DEFAULT_WAITS_S, number>

export const DEFAULT_SCRUB_COUNT = 100
export const DEFAULT_SCRUB_DELAY_MS = 40
export const DEFAULT_QUIET_MS = 500

/** The view region and how it is compared (first-pixel.ts), shared by first pixel and settle. */
export interface ViewOptions {
  region?: Fractions
  marginPx?: number
  intervalMs?: number
}

export interface ScriptedContext {
  window: WindowLike
  /** The window's rectangle, read once after it came to the foreground. */
  rect: Rect
  hotkeys: Hotkeys
  waits: Waits
  scrubCount: number
  scrubDelayMs: number
  view: ViewOptions
  settle: { quietMs: number; threshold?: DiffThreshold; intervalMs?: number }
  /** Writes a marker standing for performance.now() time `at`. */
  mark(event: string, at: number, comment?: string): void
}

export interface KeySpacing {
  medianMs: number
  /** Largest |gap − target| over the consecutive gaps. */
  worstDeviationMs: number
  minMs: number
  maxMs: number
}

export interface StepResult {
  /** performance.now() of `_start` and `_end`. */
  start: number
  end: number
  ended: 'settled' | 'wait'
  /** View changes seen after the last key. */
  changes: number
  keys: SentKeys
}

export interface SentKeys {
  chord: string
  /** performance.now() at which each chord was sent. */
  sentAt: number[]
  spacing: KeySpacing | null
  /** Worst lateness of a send against its schedule, ms. */
  lateMs: number
  /** How long pressing a chord took (XTest round trips; a busy X server shows here), ms. */
  pressMs: GrabCost
}

export interface ScriptedOptions {
  workflow: WorkflowName
  window: WindowLike
  /** petrel.hotkeys: action → chord, over DEFAULT_HOTKEYS. */
  hotkeys?: Record<string, string>
  /** workflows.waits: name → seconds, over DEFAULT_WAITS_S. */
  waits?: Record<string, number>
  scrubCount?: number
  scrubDelayMs?: number
  markersPath: string
  label: string
  /** The file the hotkeys and waits came from, for error messages. */
  configFile?: string
  firstPixel?: ViewOptions & { threshold?: DiffThreshold }
  settle?: { quietMs?: number; threshold?: DiffThreshold; intervalMs?: number }
}

export interface ScriptedResult {
  workflow: WorkflowName
  label: string
  markers: { event: string; ts: string; ms: number }[]
  /** Seconds: open_time_s and the workflow's own KPI (WORKFLOW_SPANS). */
  spans: Record<string, number>
  firstPixel: FirstPixel
  step: StepResult | null
  /** The window's rectangle during the session. */
  rect: Rect
  /** The timing's resolution: the first-pixel and settle polling intervals, and the grab cost. */
  resolution: { firstPixelMs: number; observedIntervalMs: number; settleMs: number; grabMs: GrabCost }
}

/** petrel.hotkeys over the defaults, every chord parsed (a bad one names its field). */
export function resolveHotkeys(map: Record<string, string> = {}, file = 'config'): Hotkeys {
  const merged: Record<string, string> = { ...DEFAULT_HOTKEYS, ...map }
  const out: Partial<Hotkeys> = {}
  for (const [action, chord] of Object.entries(merged)) {
    const parsed = parseChord(chord, { file, field: `petrel.hotkeys.${action}` })
    if (action in DEFAULT_HOTKEYS) out[action as HotkeyAction] = parsed
  }
  return out as Hotkeys
}

/** workflows.waits over the defaults, each a non-negative number of seconds. */
export function resolveWaits(map: Record<string, number> = {}, file = 'config'): Waits {
  const merged: Record<string, number> = { ...DEFAULT_WAITS_S, ...map }
  for (const [name, s] of Object.entries(merged)) {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
      throw new UserError({ file, field: `workflows.waits.${name}`, message: `invalid wait ${JSON.stringify(s)}`, expected: 'a number of seconds ≥ 0' })
    }
  }
  return merged as Waits
}

/** Spacing of consecutive times against a target gap. */
export function spacingOf(times: readonly number[], targetMs: number): KeySpacing | null {
  if (times.length < 2) return null
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b)
  const n = gaps.length
  const medianMs = n % 2 ? gaps[(n - 1) / 2]! : (gaps[n / 2 - 1]! + gaps[n / 2]!) / 2
  return { medianMs, worstDeviationMs: Math.max(...gaps.map((g) => Math.abs(g - targetMs))), minMs: gaps[0]!, maxMs: gaps[n - 1]! }
}

/**
 * Sends `chord` `count` times, key i at `start` + i × `delayMs`; returns when each was sent.
 * `beforeLast` runs in the gap before the last key (to grab the view's state before it).
 */
async function sendSpaced(chord: Chord, count: number, delayMs: number, start: number, beforeLast?: () => Promise<void>): Promise<SentKeys> {
  const sentAt: number[] = []
  const press: number[] = []
  let lateMs = 0
  for (let i = 0; i < count; i++) {
    if (i === count - 1) await beforeLast?.()
    const at = await sleepUntil(start + i * delayMs)
    sentAt.push(at)
    lateMs = Math.max(lateMs, at - (start + i * delayMs))
    await pressChord(chord)
    press.push(performance.now() - at)
  }
  press.sort((a, b) => a - b)
  return { chord: chord.text, sentAt, spacing: spacingOf(sentAt, delayMs), lateMs, pressMs: { p50: press[Math.floor(press.length / 2)]!, max: press[press.length - 1]! } }
}

/** The view's state now (before the last key), for endOf. */
function armEnd(ctx: ScriptedContext): Promise<SettleWatcher> {
  return watchSettle({ rect: ctx.rect, region: ctx.view.region, marginPx: ctx.view.marginPx, threshold: ctx.settle.threshold, intervalMs: ctx.settle.intervalMs })
}

/** After the last key (sent at `from`): the view's last change once still, or the wait's end. */
async function endOf(ctx: ScriptedContext, watcher: SettleWatcher, from: number, waitS: number, requireChange: boolean): Promise<{ end: number; ended: 'settled' | 'wait'; changes: number }> {
  const s = await watcher.wait({
    quietMs: ctx.settle.quietMs,
    timeoutMs: Math.max(0, waitS * 1000 - (performance.now() - from)),
    requireChange,
  })
  if (s.settled) return { end: s.lastChange?.ms ?? from, ended: 'settled', changes: s.changes }
  return { end: s.end.ms, ended: 'wait', changes: s.changes }
}

async function singleKey(ctx: ScriptedContext, workflow: 'attribute' | 'horizon' | 'export', waitS: number): Promise<StepResult> {
  const span = WORKFLOW_SPANS[workflow]
  const chord = ctx.hotkeys[workflow]
  const watcher = await armEnd(ctx)
  const start = performance.now()
  ctx.mark(span.start, start, chord.text)
  const keys = await sendSpaced(chord, 1, 0, start)
  const e = await endOf(ctx, watcher, keys.sentAt[0]!, waitS, true)
  ctx.mark(span.end, e.end, e.ended === 'settled' ? `settled changes=${e.changes}` : `wait ${waitS} s ended changes=${e.changes}`)
  return { start, ...e, keys }
}

/** next_inline `scrubCount` times, `scrubDelayMs` apart (monotonic schedule). */
export async function W_scrub100(ctx: ScriptedContext): Promise<StepResult> {
  const span = WORKFLOW_SPANS['scrub-100']
  const chord = ctx.hotkeys.next_inline
  const start = performance.now()
  ctx.mark(span.start, start, `${chord.text} count=${ctx.scrubCount} delay_ms=${ctx.scrubDelayMs}`)
  let watcher: SettleWatcher | null = null
  const keys = await sendSpaced(chord, ctx.scrubCount, ctx.scrubDelayMs, start, async () => {
    watcher = await armEnd(ctx)
  })
  const e = await endOf(ctx, watcher!, keys.sentAt[keys.sentAt.length - 1]!, ctx.waits.scrub_wait_s, false)
  ctx.mark(span.end, e.end, e.ended === 'settled' ? `settled changes=${e.changes}` : `wait ${ctx.waits.scrub_wait_s} s ended`)
  return { start, ...e, keys }
}

export const W_attribute = (ctx: ScriptedContext): Promise<StepResult> => singleKey(ctx, 'attribute', ctx.waits.attribute_wait_s)
export const W_horizon = (ctx: ScriptedContext): Promise<StepResult> => singleKey(ctx, 'horizon', ctx.waits.horizon_wait_s)
export const W_export = (ctx: ScriptedContext): Promise<StepResult> => singleKey(ctx, 'export', ctx.waits.export_wait_s)

const STEPS: Record<Exclude<WorkflowName, 'open'>, (ctx: ScriptedContext) => Promise<StepResult>> = {
  'scrub-100': W_scrub100,
  attribute: W_attribute,
  horizon: W_horizon,
  export: W_export,
}

function positiveInt(v: number, file: string, field: string): number {
  if (!Number.isInteger(v) || v < 1) throw new UserError({ file, field, message: `invalid value ${JSON.stringify(v)}`, expected: 'an integer ≥ 1' })
  return v
}

/** One session through the window: open to first pixel, the workflow, session_end (see the header). */
export async function runScripted(options: ScriptedOptions): Promise<ScriptedResult> {
  const file = options.configFile ?? 'config'
  const hotkeys = resolveHotkeys(options.hotkeys, file)
  const waits = resolveWaits(options.waits, file)
  const scrubDelayMs = options.scrubDelayMs ?? DEFAULT_SCRUB_DELAY_MS
  if (!(scrubDelayMs >= 0)) throw new UserError({ file, field: 'workflows.scrub_delay_ms', message: `invalid value ${JSON.stringify(scrubDelayMs)}`, expected: 'a number of milliseconds ≥ 0' })
  const scrubCount = positiveInt(options.scrubCount ?? DEFAULT_SCRUB_COUNT, file, 'workflows.scrub_count')
  await options.window.foreground?.()
  const rect = await options.window.rect()
  const t0 = performance.now()
  const markers: ScriptedResult['markers'] = []
  const ctx: ScriptedContext = {
    window: options.window,
    rect,
    hotkeys,
    waits,
    scrubCount,
    scrubDelayMs,
    view: { region: options.firstPixel?.region, marginPx: options.firstPixel?.marginPx, intervalMs: options.firstPixel?.intervalMs },
    settle: { quietMs: options.settle?.quietMs ?? DEFAULT_QUIET_MS, threshold: options.settle?.threshold, intervalMs: options.settle?.intervalMs },
    mark(event, at, comment = '') {
      const when = new Date(performance.timeOrigin + at)
      appendFileSync(options.markersPath, formatMarker(event, comment, when))
      markers.push({ event, ts: when.toISOString(), ms: at - t0 })
    },
  }
  const settleView = { rect, region: ctx.view.region, marginPx: ctx.view.marginPx, ...ctx.settle }

  await settle({ ...settleView, timeoutMs: 10_000 }) // the still state before the open
  const watcher = await watchFirstPixel({ rect, ...ctx.view, threshold: options.firstPixel?.threshold })
  const openStart = performance.now()
  ctx.mark('open_start', openStart, `label=${options.label} workflow=${options.workflow} ${hotkeys.open_project.text}`)
  let firstPixel: FirstPixel
  try {
    await pressChord(hotkeys.open_project)
    firstPixel = await watcher.wait({ timeoutMs: waits.open_wait_s * 1000 })
  } catch (e) {
    ctx.mark('session_end', performance.now(), `aborted: ${e instanceof Error ? e.message : String(e)}`)
    throw e
  }
  ctx.mark('first_pixel', firstPixel.t.ms, `changed=${(firstPixel.changedFraction * 100).toFixed(2)}% resolution_ms=${firstPixel.intervalMs}`)
  const opened = await settle({ ...settleView, timeoutMs: Math.max(0, waits.open_wait_s * 1000 - (performance.now() - openStart)) })
  let step: StepResult | null = null
  if (options.workflow === 'open') {
    ctx.mark('open_end', opened.lastChange?.ms ?? firstPixel.t.ms, opened.settled ? 'settled' : 'open wait ended')
  } else {
    step = await STEPS[options.workflow](ctx)
  }
  ctx.mark('session_end', performance.now())

  const span = WORKFLOW_SPANS[options.workflow]
  const spans: Record<string, number> = { open_time_s: (firstPixel.t.ms - openStart) / 1000 }
  if (step) spans[span.kpi] = (step.end - step.start) / 1000
  return {
    workflow: options.workflow,
    label: options.label,
    markers,
    spans,
    firstPixel,
    step,
    rect,
    resolution: {
      firstPixelMs: firstPixel.intervalMs,
      observedIntervalMs: firstPixel.observedIntervalMs,
      settleMs: ctx.settle.intervalMs ?? opened.intervalMs,
      grabMs: firstPixel.grabMs,
    },
  }
}
