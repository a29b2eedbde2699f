// One measured fast-ab session for an operator (`benchgate run`), as the original run_bench did,
// without a bench file. The same pieces as the fast-ab scenario (./fixtures.ts): the volume
// prepared by prepareVolume (the .zgy generated/cached, its blob copy on an embedded Azurite
// started and stopped here, or the configured Azure container), a Sessions object from
// createSessions, the sampler and KPIs of ./sessions.ts.
//
// Cache state: Cold — Sessions.cold(mode) before the session (FAST cache emptied in mode B, OS
// cache dropped or the volume's files evicted, what is still resident recorded); Warm — one
// unmeasured warm-up session first (kept in sessions.json as warmup: true, which analyze leaves
// out).
//
// The run directory has the layout `benchgate analyze` reads: <results>/<UTC stamp>/fast-ab/
// run-<mode>-<workflow>-<cache>/ with run.json (mode, workflow, cache_state, cache_achieved,
// driver, hostname, operator, config hash and source, …), markers.tsv, metrics.csv, fast.log and
// sessions.json. Every file is scrubbed of secrets when the run ends, as the bench reporters do.
// A run that fails leaves run.json with status failed; one interrupted leaves run.json.partial.
import { resolve } from 'node:path'
import type { LoadedConfig } from '../config/load.ts'
import { redactConfig, secretValues } from '../config/redact.ts'
import { collectEnvironment } from '../run/environment.ts'
import { RunDir, type CacheState } from '../run/run-dir.ts'
import { formatStamp } from '../run/stamp.ts'
import { scrubTree } from '../secrets/files.ts'
import { OutputScrubber, scrubbingDisabled } from '../secrets/scrubber.ts'
import type { SessionRecord } from './analyze.ts'
import { EXPECTED_SOURCE } from './classify.ts'
import { createSessions, prepareVolume } from './session-setup.ts'
import { sessionRecord } from './report.ts'
import { achieved } from './scenario.ts'
import type { Mode, Session } from './sessions.ts'
import { WORKFLOW_SPANS, type WorkflowName } from './workflows.ts'

const REPO_ROOT = resolve(import.meta.dirname, '../..')

export interface OperatorRunOptions {
  loaded: LoadedConfig
  mode: Mode
  workflow: WorkflowName
  cache: CacheState
  driver: 'reader' | 'desktop'
  /** The results directory the run folder goes under (<results>/<stamp>/fast-ab/…). */
  resultsDir: string
  /** Progress lines (stderr in the CLI). */
  log: (text: string) => void
}

export interface OperatorRunResult {
  /** The run folder and its run.json. */
  dir: string
  runJson: string
  session: Session
  record: SessionRecord
}

/** Runs the session and writes the run folder (see the header). */
export async function runOperatorSession(o: OperatorRunOptions): Promise<OperatorRunResult> {
  const { config } = o.loaded
  const environment = collectEnvironment(REPO_ROOT)
  const run = new RunDir({
    outputRoot: o.resultsDir,
    stamp: formatStamp(new Date()),
    facts: { project: 'fast-ab', test: `run ${o.mode} ${o.workflow} ${o.cache}`, file: 'benchgate run', mode: o.mode, workflow: o.workflow, cache_state: o.cache, driver: o.driver },
    environment,
    config: { hash: o.loaded.hash, source: o.loaded.source, redacted: redactConfig(config) },
  })
  let status: 'passed' | 'failed' = 'failed'
  let volume: Awaited<ReturnType<typeof prepareVolume>> | null = null
  let made: ReturnType<typeof createSessions> | null = null
  try {
    volume = await prepareVolume(config, (t) => o.log(t))
    made = createSessions(config, volume, run, o.driver)
    const { sessions } = made
    if (o.cache === 'Cold') {
      const c = sessions.cold(o.mode)
      o.log(`Cold: FAST cache ${c.fast_cache}, OS cache ${c.os_cache}${c.os_cache_detail ? ` (${c.os_cache_detail})` : ''}`)
    } else {
      o.log(`warm-up session (mode ${o.mode}, ${o.workflow}, not measured)…`)
      await sessions.run(o.mode, o.workflow, o.cache, true)
    }
    o.log(`measured session (mode ${o.mode}, ${o.workflow}, ${o.cache}, driver ${o.driver})…`)
    await sessions.run(o.mode, o.workflow, o.cache)
    const all = await sessions.finish()
    const session = all.at(-1)!
    const record = sessionRecord(session)
    run.writeArtifact('sessions.json', JSON.stringify(all.map(sessionRecord), null, 1) + '\n')
    run.set({
      cache_achieved: achieved(all, o.cache),
      observed_source: record.observed_source,
      data_sha256: session.summary.sha256,
      first_inline_sha256: session.summary.first_inline_sha256,
      kpis: { [WORKFLOW_SPANS[o.workflow].kpi]: record.workflow_time_s, open_time_s: record.open_time_s },
      // desktop: how the workflow's end was found ('settled' on the screen, or only the wait running out)
      ...(session.summary.figures.workflow_end !== undefined ? { workflow_end: session.summary.figures.workflow_end } : {}),
    })
    if (record.observed_source !== EXPECTED_SOURCE[o.mode]) o.log(`warning: mode ${o.mode} was served by ${record.observed_source}, not ${EXPECTED_SOURCE[o.mode]} (run.json observed_source)`)
    if (session.summary.figures.workflow_end === 'wait') o.log(`warning: the workflow's end was not seen on the screen; its span is only the configured wait`)
    status = 'passed'
    return { dir: run.dir, runJson: run.path('run.json'), session, record }
  } finally {
    await made?.release()
    await volume?.release()
    run.finish(status)
    // files written by the reader and the sampler are scrubbed here, as the reporters do after a bench run
    scrubTree(run.dir, new OutputScrubber(secretValues(config), { off: scrubbingDisabled(o.resultsDir) }))
  }
}

/** The one-line result: `run: mode B scrub-100 Cold: scrub_time_s 4.21 s, open_time_s 0.16 s, source …, data sha256 ab12… → run.json`. */
export function resultLine(r: OperatorRunResult, shown: string = r.runJson): string {
  const k = r.record
  const kpi = WORKFLOW_SPANS[k.workflow].kpi
  const s = (v: number) => `${Number.isFinite(v) ? v.toFixed(2) : '?'} s`
  const spans = kpi === 'open_time_s' ? `open_time_s ${s(k.open_time_s)}` : `${kpi} ${s(k.workflow_time_s)}, open_time_s ${s(k.open_time_s)}`
  return `run: mode ${k.mode} ${k.workflow} ${k.cache_state}: ${spans}, source ${k.observed_source}, data sha256 ${r.session.summary.sha256.slice(0, 12)}… → ${shown}`
}
