// The seismic viewer as the desktop driver meets it: `benchgate viewer` (its own process) shown in
// a real Chromium app window on this process's display (Xvfb), found by its title, focused, and
// driven with XTest key events from libnut. The summary must list exactly the keys sent, in
// order; the hashes must equal the headless reader's; the screen must change when the volume
// opens; and nothing may outlive the test. Screenshots are attached to the tests.
// Without a display (no Xvfb) every test fails with the reason.
import { mkdirSync, readFileSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test, type TestContext } from 'vitest'
import { SAS_ENV, type ReaderSummary } from '../../fast/reader-cli.ts'
import type { WorkflowName } from '../../fast/workflows.ts'
import { isAlive, makeTempDir } from '../../run/cleanup.ts'
import { ensureSyntheticZgy } from '../../volume/dataset.ts'
import { openAppWindow, type AppWindow } from '../app-window.ts'
import { displayUnavailable, useDisplay } from '../display.ts'
import { pressChord, sleepUntil } from '../keys.ts'
import { libnut, nutJs } from '../native.ts'
import { findAppWindow, type DesktopWindow } from '../window.ts'
import { startViewer, type ViewerProcess } from './launch.ts'
import { EMPTY_RGB } from './page.ts'
import type { PageLayout } from './server.ts'
import type { ViewerSummary } from './session.ts'

const run = promisify(execFile)
const BIN = resolve(import.meta.dirname, '../../../bin/benchgate.ts')
const PARAMS = { scrub_count: 6, scrub_delay_ms: 0 }
const work = makeTempDir()
let zgyPath: string
const headless = new Map<WorkflowName, ReaderSummary>()
/** The headless scrub's sha256 by scrub_count. */
const scrubs = new Map<number, string>()
const why = displayUnavailable()

type Lib = Awaited<ReturnType<typeof libnut>>
interface Rect { x: number; y: number; width: number; height: number }

beforeAll(async () => {
  if (why) return
  await useDisplay()
  zgyPath = ensureSyntheticZgy({ inlines: 150, crosslines: 140, samples: 384, dataType: 'int16', seed: 5 }, join(work.path, 'nas')).path
  mkdirSync(join(work.path, 'reader-export'), { recursive: true })
  for (const w of ['open', 'scrub-100', 'attribute'] as const) {
    const out = join(work.path, `reader-${w}.json`)
    await run(process.execPath, [BIN, 'reader', '--mode', 'A', '--workflow', w, '--zgy', zgyPath, '--out', out, '--params', JSON.stringify(PARAMS),
      '--export-dir', join(work.path, 'reader-export')], { env: { ...process.env, [SAS_ENV]: '' } })
    headless.set(w, JSON.parse(readFileSync(out, 'utf8')) as ReaderSummary)
  }
  for (const count of [100, 101]) {
    const out = join(work.path, `reader-scrub-${count}.json`)
    await run(process.execPath, [BIN, 'reader', '--mode', 'A', '--workflow', 'scrub-100', '--zgy', zgyPath, '--out', out, '--params', JSON.stringify({ scrub_count: count, scrub_delay_ms: 0 })],
      { env: { ...process.env, [SAS_ENV]: '' } })
    scrubs.set(count, (JSON.parse(readFileSync(out, 'utf8')) as ReaderSummary).sha256)
  }
}, 120_000)

afterAll(async () => {
  await work.release()
})

function needDisplay(): void {
  if (why) throw new Error(`no display for the viewer's window: ${why}`)
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs = 20_000): Promise<T> {
  const t0 = performance.now()
  for (;;) {
    const v = await probe()
    if (v !== null && v !== undefined && v !== false) return v
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await sleep(25)
  }
}

/**
 * The window whose title matches (../window.ts: listed through its helper child, so a window
 * vanishing mid-query cannot end this process), brought to the foreground, with the pointer over
 * it (Xvfb has no window manager to give focus on its own).
 */
async function attach(lib: Lib, title: RegExp): Promise<{ window: DesktopWindow; rect: Rect }> {
  const window = await until(`a window titled ${title}`, () => findAppWindow(title))
  await window.foreground()
  const r = await window.rect()
  lib.moveMouse(r.left + Math.floor(r.width / 2), r.top + Math.floor(r.height / 2))
  return { window, rect: { x: r.left, y: r.top, width: r.width, height: r.height } }
}

/** The screen pixels of `r` as RGB triples, row-major. */
function grab(lib: Lib, r: Rect): Uint8Array {
  const bmp = lib.screen.capture(r.x, r.y, r.width, r.height)
  const img = bmp.image as Buffer
  const out = new Uint8Array(r.width * r.height * 3)
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const s = y * bmp.byteWidth + x * bmp.bytesPerPixel
      const d = (y * r.width + x) * 3
      out[d] = img[s + 2]!
      out[d + 1] = img[s + 1]!
      out[d + 2] = img[s]!
    }
  }
  return out
}

function differing(a: Uint8Array, b: Uint8Array, threshold = 24): number {
  let n = 0
  for (let p = 0; p < a.length; p += 3) {
    if (Math.abs(a[p]! - b[p]!) + Math.abs(a[p + 1]! - b[p + 1]!) + Math.abs(a[p + 2]! - b[p + 2]!) > threshold) n++
  }
  return n
}

async function screenshot(ctx: TestContext, name: string, r: Rect): Promise<void> {
  const nut = await nutJs()
  const file = await nut.screen.captureRegion(name, new nut.Region(r.x, r.y, r.width, r.height), nut.FileType.PNG, work.path)
  await ctx.annotate(`viewer window: ${name}`, 'screenshot', { contentType: 'image/png', body: new Uint8Array(readFileSync(file)) })
}

/**
 * Waits until the page has reported its layout and the keyboard focus (keys sent before Chromium
 * has taken the X focus are lost), asking for the foreground again every second meanwhile.
 */
async function layoutOf(v: ViewerProcess, page: PageLayout['page'], window: DesktopWindow): Promise<{ view: Rect | null }> {
  let asked = performance.now()
  return until(`the ${page} page's layout and keyboard focus`, async () => {
    const s = (await (await fetch(`${v.url}api/state`)).json()) as { layouts: Record<string, PageLayout>; view_region: { left: number; top: number; width: number; height: number } | null }
    if (!s.layouts[page]?.focused) {
      if (performance.now() - asked > 1000) {
        await window.foreground()
        asked = performance.now()
      }
      return null
    }
    return { view: page === 'viewer' && s.view_region ? { x: s.view_region.left, y: s.view_region.top, width: s.view_region.width, height: s.view_region.height } : null }
  })
}

async function drawn(v: ViewerProcess, count: number): Promise<ViewerSummary> {
  return until(`${count} actions drawn`, async () => {
    const s = await v.summary()
    return s.actions.filter((a) => a.drawn_ms !== undefined).length >= count ? s : null
  })
}

test('Ctrl+O, PgDn ×5, Alt+1 into the window: the viewer logs exactly those actions in order, hashes as the headless reader, and the view changes on open', async (ctx) => {
  needDisplay()
  const lib = await libnut()
  const v = await startViewer({ mode: 'A', zgy: zgyPath, out: join(work.path, 'window.json'), params: PARAMS, exportDir: join(work.path, 'export') })
  let win: AppWindow | null = null
  try {
    win = await openAppWindow({ url: v.url, left: 40, top: 40, width: 800, height: 600 })
    const { rect, window } = await attach(lib, /Seismic Viewer/)
    expect(await window.title()).toBe('Seismic Viewer — mode A (NAS .zgy)')
    const { view } = await layoutOf(v, 'viewer', window)
    // the view region less a 4-pixel margin (Chromium's --no-sandbox infobar shades the page's top row)
    const M = 4
    const region: Rect = { x: rect.x + view!.x + M, y: rect.y + view!.y + M, width: view!.width - 2 * M, height: view!.height - 2 * M }
    expect(region.width * region.height).toBeGreaterThan(0.5 * rect.width * rect.height)
    await sleep(300) // the first paint
    const before = grab(lib, region)
    // before the open: one uniform colour, the page's empty background
    const empty = new Uint8Array(before.length).map((_, n) => EMPTY_RGB[n % 3]!)
    expect(differing(before, empty, 6)).toBe(0)
    await screenshot(ctx, 'before open', { ...rect })

    await pressChord('Ctrl+O')
    await drawn(v, 1)
    const opened = grab(lib, region)
    const changed = differing(before, opened)
    expect(changed).toBeGreaterThan(0.5 * region.width * region.height)
    await screenshot(ctx, 'inline drawn', { ...rect })

    for (let n = 0; n < 5; n++) {
      await pressChord('PgDn')
      await sleep(40)
    }
    await pressChord('Alt+1')
    await drawn(v, 7)
    const attribute = grab(lib, region)
    expect(differing(opened, attribute)).toBeGreaterThan(0.5 * region.width * region.height)
    await screenshot(ctx, 'attribute (RMS map)', { ...rect })

    const s = await v.quit()
    expect(isAlive(v.pid)).toBe(false)
    expect(s.actions.map((a) => [a.action, a.inline ?? null, a.key])).toEqual([
      ['open', 75, 'o'], ...[76, 77, 78, 79, 80].map((i) => ['next', i, 'PageDown']), ['attribute', null, '1'],
    ])
    expect(s.actions.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const a of s.actions) {
      expect(a.error).toBeUndefined()
      expect(a.drawn_ms!).toBeGreaterThanOrEqual(a.end_ms!)
      expect(a.end_ms!).toBeGreaterThanOrEqual(a.start_ms!)
    }
    for (let n = 1; n < s.actions.length; n++) {
      expect(s.actions[n]!.t_ms).toBeGreaterThanOrEqual(s.actions[n - 1]!.t_ms)
      expect(s.actions[n]!.page_epoch_ms!).toBeGreaterThan(s.actions[n - 1]!.page_epoch_ms!)
      expect(s.actions[n]!.start_ms!).toBeGreaterThanOrEqual(s.actions[n - 1]!.drawn_ms!) // one at a time, each drawn before the next ran
    }
    expect(s.sha256.open).toBe(headless.get('open')!.sha256)
    expect(s.sha256.scrub).toBe(headless.get('scrub-100')!.sha256)
    expect(s.headless_scrub.sha256).toBe(headless.get('scrub-100')!.sha256)
    expect(s.sha256.attribute).toBe(headless.get('attribute')!.sha256)
    expect(s.markers.map((m) => m.event)).toEqual(['open_start', 'first_pixel', 'attr_start', 'attr_end', 'session_end'])
  } finally {
    await v.stop()
    await win?.close()
  }
  expect(isAlive(win!.pid)).toBe(false)
}, 90_000)

test('100 PgDn 40 ms apart (W_scrub100): 100 inlines drawn one at a time, in key order, hashing as the headless scrub', async (ctx) => {
  needDisplay()
  const lib = await libnut()
  const v = await startViewer({ mode: 'A', zgy: zgyPath, out: join(work.path, 'scrub.json'), params: { scrub_count: 100, scrub_delay_ms: 40 } })
  let win: AppWindow | null = null
  try {
    win = await openAppWindow({ url: v.url, left: 40, top: 40, width: 640, height: 480 })
    await layoutOf(v, 'viewer', (await attach(lib, /Seismic Viewer/)).window)
    await pressChord('Ctrl+O')
    await drawn(v, 1)
    const t0 = performance.now()
    for (let i = 0; i < 100; i++) {
      await sleepUntil(t0 + i * 40)
      await pressChord('PgDn')
    }
    await drawn(v, 101)
    const s = await v.quit()
    const next = s.actions.filter((a) => a.action === 'next')
    expect(s.actions).toHaveLength(101)
    expect(next.map((a) => a.inline)).toEqual(Array.from({ length: 100 }, (_, n) => (76 + n) % 150))
    expect(next.map((a) => a.seq)).toEqual(Array.from({ length: 100 }, (_, n) => n + 2))
    for (let n = 1; n < s.actions.length; n++) expect(s.actions[n]!.start_ms!).toBeGreaterThanOrEqual(s.actions[n - 1]!.drawn_ms!)
    // the headless scrub of 100 (open inline and the next 99) and of all 101 inlines drawn
    expect(s.headless_scrub).toEqual({ scrub_count: 100, sha256: scrubs.get(100) })
    expect(s.sha256.scrub).toBe(scrubs.get(101))
    // figures (reported, not gated here: timing gates live in the benches)
    const gaps = (xs: number[]) => xs.slice(1).map((x, n) => x - xs[n]!).sort((a, b) => a - b)
    const page = gaps(next.map((a) => a.page_epoch_ms!))
    const server = gaps(next.map((a) => a.t_ms))
    const lag = next.map((a) => a.drawn_ms! - a.t_ms).sort((a, b) => a - b)
    const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1)
    const figures = `PgDn spacing as the page saw it: median ${q(page, 0.5)} ms (min ${q(page, 0)}, max ${q(page, 1)}); at the server: median ${q(server, 0.5)} ms; key → drawn: median ${q(lag, 0.5)} ms, p95 ${q(lag, 0.95)} ms`
    console.log(`viewer: ${figures}`)
    await ctx.annotate(figures, 'figures')
  } finally {
    await v.stop()
    await win?.close()
  }
}, 90_000)

test('hotkeys from the page URL (petrel.hotkeys names): F2 opens, ArrowDown scrubs, the default PgDn and Ctrl+O do nothing', async () => {
  needDisplay()
  const lib = await libnut()
  const v = await startViewer({ mode: 'A', zgy: zgyPath, out: join(work.path, 'remap.json'), params: PARAMS, titlePrefix: 'Remapped Viewer' })
  let win: AppWindow | null = null
  try {
    const q = new URLSearchParams({ open_project: 'F2', next_inline: 'Down' })
    win = await openAppWindow({ url: `${v.url}?${q}`, left: 60, top: 60, width: 640, height: 480 })
    await layoutOf(v, 'viewer', (await attach(lib, /^Remapped Viewer — mode A/)).window)
    await pressChord('PgDn')
    await pressChord('Ctrl+O')
    await pressChord('F2')
    await drawn(v, 1)
    await pressChord('PgDn')
    await pressChord('Down')
    await pressChord('Down')
    await drawn(v, 3)
    const s = await v.quit()
    expect(s.actions.map((a) => [a.action, a.inline, a.key])).toEqual([['open', 75, 'F2'], ['next', 76, 'ArrowDown'], ['next', 77, 'ArrowDown']])
  } finally {
    await v.stop()
    await win?.close()
  }
}, 90_000)

test('the key-logging window receives every keydown and keyup sent, in order, with modifiers, and keeps the focus through Ctrl+O and Alt+1', async () => {
  needDisplay()
  const lib = await libnut()
  const v = await startViewer({ mode: 'A', zgy: zgyPath, out: join(work.path, 'keylog.json'), params: PARAMS })
  let win: AppWindow | null = null
  try {
    win = await openAppWindow({ url: `${v.url}keylog?title=${encodeURIComponent('benchgate key log (test)')}`, left: 80, top: 80, width: 480, height: 360 })
    await layoutOf(v, 'keylog', (await attach(lib, /^benchgate key log \(test\)$/)).window)
    const PGDN = 30
    for (let n = 0; n < PGDN; n++) {
      await pressChord('PgDn')
      await sleep(40)
    }
    await pressChord('Ctrl+O')
    await pressChord('Alt+1')
    await pressChord('PgDn') // still ours after Ctrl+O (no file dialog) and Alt (no menu)
    let got: ViewerSummary['keylog'] = []
    const events = await until('the key log', async () => {
      got = ((await (await fetch(`${v.url}keylog/events`)).json()) as { events: ViewerSummary['keylog'] }).events
      return got.filter((x) => x.code === 'PageDown').length >= 2 * (PGDN + 1) ? got : null
    }).catch((e: Error) => {
      throw new Error(`${e.message}: ${got.length} events logged: ${got.map((x) => `${x.type} ${x.code}`).join(', ')}`)
    })
    const keys = events.filter((e) => !['Control', 'Alt'].includes(e.key))
    expect(keys.map((e) => `${e.type} ${e.code}${e.ctrl ? ' ctrl' : ''}${e.alt ? ' alt' : ''}`)).toEqual([
      ...Array.from({ length: PGDN }, () => ['keydown PageDown', 'keyup PageDown']).flat(),
      'keydown KeyO ctrl', 'keyup KeyO ctrl', 'keydown Digit1 alt', 'keyup Digit1 alt', 'keydown PageDown', 'keyup PageDown',
    ])
    expect(events.filter((e) => e.key === 'Control').map((e) => e.type)).toEqual(['keydown', 'keyup'])
    expect(events.filter((e) => e.key === 'Alt').map((e) => e.type)).toEqual(['keydown', 'keyup'])
    expect(events.map((e) => e.seq)).toEqual(events.map((_, n) => n + 1))
    expect(events.some((e) => e.repeat)).toBe(false)
    for (let n = 1; n < events.length; n++) {
      expect(events[n]!.page_ms).toBeGreaterThanOrEqual(events[n - 1]!.page_ms)
      expect(events[n]!.t_ms).toBeGreaterThanOrEqual(events[n - 1]!.t_ms)
    }
    const s = await v.quit()
    expect(s.keylog).toEqual(events)
    expect(s.actions).toEqual([]) // the key log is not the viewer: no action ran
  } finally {
    await v.stop()
    await win?.close()
  }
}, 90_000)
