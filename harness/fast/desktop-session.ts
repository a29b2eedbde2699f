// fast-ab's desktop driver (fast.driver: desktop): one A/B session through the application's
// window instead of the headless reader. harness/desktop runs it (the viewer or Petrel, attach,
// the scripted workflow, first pixel from the screen, a screenshot); this file maps a session's
// setup onto it and its result onto the reader's summary, so the KPIs and gates are the same.
import type { Config } from '../config/schema.ts'
import type { RunDir } from '../run/run-dir.ts'
import { runDesktopSession } from '../desktop/driver.ts'
import type { ReaderSummary } from './reader-cli.ts'
import type { Mode, SessionSetup } from './sessions.ts'
import type { WorkflowName } from './workflows.ts'

export type DesktopConfig = Pick<Config, 'desktop' | 'petrel' | 'workflows'>

export async function runDesktop(setup: SessionSetup, config: DesktopConfig, run: RunDir, n: number, mode: Mode, workflow: WorkflowName, label: string,
  watch: (pid: number) => void): Promise<ReaderSummary> {
  const shot = `screenshots/session-${n}-${mode}-${workflow}.png`
  const r = await runDesktopSession({
    mode,
    workflow,
    label,
    markersPath: run.markersPath,
    workDir: setup.workDir,
    name: `session-${n}`,
    screenshotPath: run.path(shot),
    viewer: {
      zgy: mode === 'A' ? setup.zgyPath : undefined,
      blob: mode === 'B' ? { ...setup.blob, cacheDir: setup.cacheDir, mountRoot: setup.mountRoot, fastLog: setup.fastLog } : undefined,
      reader: setup.reader,
    },
    params: setup.params,
    config,
    onStarted: watch,
  })
  if (r.screenshot) run.addArtifact(shot) // written in place by the driver
  return r.summary
}
