// fast-ab's desktop driver (fast.driver: desktop): one A/B session through the application's
// window instead of the headless reader. harness/desktop runs it (the viewer or Petrel, attach,
// the scripted workflow, first pixel from the screen, a screenshot); this file maps a session's
// setup onto it and its result onto the reader's summary, so the KPIs and gates are the same.
import { readFileSync } from 'node:fs'
import type { Config } from '../config/schema.ts'
import type { RunDir } from '../run/run-dir.ts'
import { runDesktopSession } from '../desktop/driver.ts'
import type { ReaderSummary } from './reader-cli.ts'
import type { Mode, SessionSetup } from './sessions.ts'
import type { WorkflowName } from './workflows.ts'

export type DesktopConfig = Pick<Config, 'desktop' | 'petrel' | 'workflows'>

export async function runDesktop(setup: SessionSetup, config: DesktopConfig, run: RunDir, n: number, mode: Mode, workflow: WorkflowName, label: string,
  watch: (pid: number) => void): Promise<ReaderSummary> {
  const r = await runDesktopSession({
    mode,
    workflow,
    label,
    markersPath: run.markersPath,
    workDir: setup.workDir,
    name: `session-${n}`,
    viewer: {
      zgy: mode === 'A' ? setup.zgyPath : undefined,
      blob: mode === 'B' ? { ...setup.blob, cacheDir: setup.cacheDir, mountRoot: setup.mountRoot, fastLog: setup.fastLog } : undefined,
      reader: setup.reader,
    },
    params: setup.params,
    config,
    onStarted: watch,
  })
  if (r.screenshot) run.writeArtifact(`screenshots/session-${n}-${mode}-${workflow}.png`, readFileSync(r.screenshot))
  // how the workflow's end was found: 'settled' (its last change on the screen) or 'wait' (nothing
  // changed on the screen, so the span is only the configured wait)
  const end = r.scripted.step?.ended ?? 'settled'
  return { ...r.summary, figures: { ...r.summary.figures, first_pixel_interval_ms: r.scripted.resolution.firstPixelMs, workflow_end: end } }
}
