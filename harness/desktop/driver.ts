// One desktop session, the interface fast-ab's desktop driver uses (../fast/desktop-driver.ts):
// the application is started and its window attached, a scripted workflow runs through the
// window (./scripted.ts: open to first pixel from the screen, the workflow's keys, markers), a
// screenshot of the window is taken, and the application is ended.
//
// The application is the embedded seismic viewer (./viewer: `benchgate viewer` serving the volume
// through mode A or B, shown in a Chromium app window at desktop.window_rect), or Petrel when
// petrel.executable is set (attached by petrel.window_title, started with petrel.project, driven
// by petrel.hotkeys). The viewer reports what it read (hashes of the same storage bytes as the
// headless workflows, brick reads, FAST figures), so the data-identity and source gates hold for
// desktop sessions as for reader sessions; Petrel reports nothing of the kind, so its sessions
// carry `data: null`.
import { mkdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Config } from '../config/schema.ts'
import type { ReaderSummary } from '../fast/reader-cli.ts'
import type { WorkflowContext, WorkflowName } from '../fast/workflows.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { findChromium } from '../publish/chromium.ts'
import { APP_WINDOW_ARGS } from './app-window.ts'
import { useDisplay } from './display.ts'
import type { Fractions } from './first-pixel.ts'
import { nutJs } from './native.ts'
import { runScripted, DEFAULT_HOTKEYS, type ScriptedResult } from './scripted.ts'
import { startViewer, type ViewerLaunch } from './viewer/launch.ts'
import type { ViewerSummary } from './viewer/session.ts'
import { attachWindow, petrelAttachOptions, type DesktopWindow } from './window.ts'

export interface DesktopSessionOptions {
  mode: 'A' | 'B'
  workflow: WorkflowName
  label: string
  /** markers.tsv of the run. */
  markersPath: string
  /** Where the viewer's summary, exports and the screenshot go. */
  workDir: string
  /** The session's name: its viewer summary's file name in workDir, without extension. */
  name: string
  /** Where the screenshot is written (a .png path; default `<workDir>/<name>.png`). */
  screenshotPath?: string
  /** The viewer's volume and reader options (mode A: zgy; mode B: blob). */
  viewer: Pick<ViewerLaunch, 'zgy' | 'blob' | 'reader'>
  params: WorkflowContext['params']
  config: Pick<Config, 'desktop' | 'petrel' | 'workflows'>
  /** Called with the pid of the process doing the I/O as soon as it runs (the sampler watches it). */
  onStarted?(pid: number): void
}

export interface DesktopSessionResult {
  /** As the headless reader's summary: spans from the screen, reads and hashes from the viewer. */
  summary: ReaderSummary
  scripted: ScriptedResult
  viewer: ViewerSummary | null
  /** PNG of the window at the session's end (null when desktop.screenshots is false). */
  screenshot: string | null
}

/** The viewer's hash of the data a workflow read, as the headless reader computes it. */
function workflowHash(v: ViewerSummary, workflow: WorkflowName): string {
  const h = workflow === 'open' ? v.sha256.open
    : workflow === 'scrub-100' ? v.headless_scrub.sha256
      : workflow === 'attribute' ? v.sha256.attribute
        : workflow === 'horizon' ? v.sha256.horizon
          : v.sha256.export
  return h ?? `missing:${workflow}` // a workflow that did not complete never equals another mode's hash
}

/**
 * What the screen told about the session: the first pixel's resolution, and how the workflow's end
 * was found — 'settled' (its last change on the screen) or 'wait' (nothing changed on the screen,
 * so the span is only the configured wait).
 */
function screenFigures(r: ScriptedResult): Record<string, number | string> {
  return { first_pixel_resolution_ms: r.resolution.firstPixelMs, workflow_end: r.step?.ended ?? 'settled' }
}

/** Petrel's hotkey names over the viewer's action names (the viewer answers the same chords). */
function viewerHotkeys(hotkeys: Record<string, string>): Record<string, string> {
  const k = { ...DEFAULT_HOTKEYS, ...hotkeys }
  return { open: k.open_project, next: k.next_inline, attribute: k.attribute, horizon: k.horizon, export: k.export }
}

async function screenshot(window: DesktopWindow, o: DesktopSessionOptions): Promise<string> {
  const nut = await nutJs()
  const r = await window.rect()
  const path = o.screenshotPath ?? join(o.workDir, `${o.name}.png`)
  mkdirSync(dirname(path), { recursive: true })
  return nut.screen.captureRegion(basename(path, '.png'), new nut.Region(r.left, r.top, r.width, r.height), nut.FileType.PNG, dirname(path))
}

/**
 * Waits until the viewer's page has the keyboard focus (keys sent before Chromium has taken the X
 * focus are lost), asking for the foreground every second meanwhile, and returns its view region
 * (the canvas without the status bar, which changes with every action) in window fractions.
 */
async function viewerReady(url: string, window: DesktopWindow, timeoutMs = 20_000): Promise<Fractions | undefined> {
  const deadline = performance.now() + timeoutMs
  let asked = 0
  for (;;) {
    const s = (await (await fetch(`${url}api/state`)).json()) as { layouts: Record<string, { focused?: boolean }>; view_region: Fractions | null }
    if (s.layouts.viewer?.focused && s.view_region) {
      const r = await window.rect()
      const v = s.view_region
      return { left: v.left / r.width, top: v.top / r.height, width: v.width / r.width, height: v.height / r.height }
    }
    if (performance.now() > deadline) throw new Error(`the seismic viewer's page did not get the keyboard focus within ${timeoutMs / 1000} s (state: ${JSON.stringify(s.layouts)})`)
    if (performance.now() - asked > 1000) {
      await window.foreground().catch(() => {})
      asked = performance.now()
    }
    await new Promise((ok) => setTimeout(ok, 50))
  }
}

/** Runs one session through the application's window (see the header). */
export async function runDesktopSession(o: DesktopSessionOptions): Promise<DesktopSessionResult> {
  const { desktop, petrel, workflows } = o.config
  await useDisplay({ width: desktop.screen.width, height: desktop.screen.height, existing: desktop.display === 'existing' })
  const scripted = (window: DesktopWindow, region: Fractions | undefined) => runScripted({
    workflow: o.workflow,
    window,
    hotkeys: petrel.hotkeys,
    waits: workflows.waits,
    scrubCount: o.params.scrub_count,
    scrubDelayMs: o.params.scrub_delay_ms,
    markersPath: o.markersPath,
    label: o.label,
    firstPixel: { region, marginPx: desktop.margin_px, intervalMs: desktop.poll_ms, threshold: { fraction: desktop.changed_fraction, channelDelta: desktop.channel_delta } },
    settle: { quietMs: desktop.quiet_ms, intervalMs: desktop.poll_ms, threshold: { channelDelta: desktop.channel_delta } },
  })

  if (petrel.executable) return runPetrel(o, scripted)

  const title = `Seismic Viewer — ${o.label}`
  const viewer = await startViewer({
    mode: o.mode,
    out: join(o.workDir, `${o.name}.viewer.json`),
    ...o.viewer,
    params: o.params,
    hotkeys: viewerHotkeys(petrel.hotkeys),
    exportDir: o.workDir,
    label: o.label,
    title,
  })
  let window: DesktopWindow | null = null
  const profile = makeTempDir('benchgate-viewer-')
  try {
    o.onStarted?.(viewer.pid)
    const r = desktop.window_rect
    window = await attachWindow({
      pattern: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      executable: findChromium(),
      args: [...APP_WINDOW_ARGS, `--user-data-dir=${profile.path}`, `--window-position=${r.left},${r.top}`, `--window-size=${r.width},${r.height}`, `--app=${viewer.url}`],
      launchTimeoutS: 60,
      source: 'the embedded seismic viewer',
    })
    const region = desktop.view_region ?? await viewerReady(viewer.url, window)
    const result = await scripted(window, region)
    const shot = desktop.screenshots ? await screenshot(window, o) : null
    const v = await viewer.quit()
    return {
      summary: {
        mode: o.mode,
        workflow: o.workflow,
        label: o.label,
        pid: v.pid,
        source: v.source,
        markers: result.markers,
        spans: result.spans,
        first_inline_sha256: v.sha256.open ?? 'missing:open',
        sha256: workflowHash(v, o.workflow),
        figures: { ...(v.figures[o.workflow === 'scrub-100' ? 'open' : o.workflow] ?? {}), ...screenFigures(result) },
        reads: v.reads,
        brick_cache: v.brick_cache,
        fast: v.fast,
      },
      scripted: result,
      viewer: v,
      screenshot: shot,
    }
  } finally {
    await window?.close()
    await viewer.stop()
    await profile.release()
  }
}

/** Petrel on a workstation: attach (or start with the project), run the workflow, leave it running if it was. */
async function runPetrel(o: DesktopSessionOptions, scripted: (w: DesktopWindow, region: Fractions | undefined) => Promise<ScriptedResult>): Promise<DesktopSessionResult> {
  const window = await attachWindow(petrelAttachOptions(o.config.petrel))
  try {
    if (window.pid !== null) o.onStarted?.(window.pid)
    const result = await scripted(window, o.config.desktop.view_region)
    const shot = o.config.desktop.screenshots ? await screenshot(window, o) : null
    return {
      summary: {
        mode: o.mode, workflow: o.workflow, label: o.label, pid: window.pid ?? -1, source: 'petrel',
        markers: result.markers, spans: result.spans,
        first_inline_sha256: 'petrel:unknown', sha256: 'petrel:unknown', figures: screenFigures(result), reads: [], brick_cache: { hits: 0, misses: 0 }, fast: null,
      },
      scripted: result,
      viewer: null,
      screenshot: shot,
    }
  } finally {
    await window.close()
  }
}
