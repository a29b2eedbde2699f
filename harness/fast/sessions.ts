// Reader sessions of one fast-ab test: each session is `benchgate reader` in its own process,
// watched by a sampler (10 Hz, tailing the FAST log) exactly as Petrel would be. Cold sessions are
// preceded by makeCold(); warm-up sessions are run and recorded but left out of the KPIs.
// finish() stops the sampler and turns every session into its KPIs (./kpis.ts).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readMetricsCsv } from '../metrics/csv.ts'
import { startSampler, type Sampler } from '../metrics/sampler.ts'
import { compileCacheDir } from '../run/compile-cache.ts'
import { startProcess, type Started } from '../run/processes.ts'
import type { RunDir } from '../run/run-dir.ts'
import { makeCold, type ColdReport } from './cache-state.ts'
import { runDesktop, type DesktopConfig } from './desktop-session.ts'
import type { SourceRoots } from './classify.ts'
import { sessionKpis, type SessionKpis } from './kpis.ts'
import { SAS_ENV, type ReaderSummary } from './reader-cli.ts'
import type { WorkflowContext, WorkflowName } from './workflows.ts'
import { ownFile } from '../run/own-file.ts'

export type Mode = 'A' | 'B'

const BIN = ownFile(import.meta.dirname, '../../bin/benchgate.ts')
/** The sampler's interval in fast-ab: fine enough to see sessions of a few hundred ms. */
export const SESSION_SAMPLE_MS = 100
/** How long a reader keeps its files open after session_end, so at least two samples see them. */
export const HOLD_MS = 250

export interface SessionSetup {
  /** Mode A: the .zgy file. */
  zgyPath: string
  /** Mode B: container URL and read SAS, blob prefix. */
  blob: { containerUrl: string; sas: string; prefix: string }
  cacheDir: string
  mountRoot: string
  fastLog: string
  /** Files whose page-cache state a Cold session cares about (.zgy, the blob store's files). */
  coldFiles: string[]
  dropOsCache: boolean
  roots: SourceRoots
  params: WorkflowContext['params']
  reader: { cacheMb: number; concurrency: number; timeoutMs: number; retries: number }
  /** Where session summaries and exports go. */
  workDir: string
  /** fast.driver: desktop runs each session through the application's window (./desktop-session.ts). */
  desktop?: DesktopConfig
}

export interface Session {
  n: number
  mode: Mode
  workflow: WorkflowName
  cache_state: string
  warmup: boolean
  cold: ColdReport | null
  summary: ReaderSummary
  kpis?: SessionKpis
}

export class Sessions {
  readonly setup: SessionSetup
  readonly sessions: Session[] = []
  readonly #run: RunDir
  #sampler: Sampler | null = null
  #cold: { A: ColdReport | null; B: ColdReport | null } = { A: null, B: null }
  #live = new Set<Started>()

  constructor(setup: SessionSetup, run: RunDir) {
    this.setup = setup
    this.#run = run
  }

  /** Makes the next session of `mode` Cold: FAST cache emptied (mode B), OS cache dropped. */
  cold(mode: Mode): ColdReport {
    const s = this.setup
    const report = makeCold({ fastCacheDir: mode === 'B' ? s.cacheDir : undefined, files: s.coldFiles, dropOsCache: s.dropOsCache })
    this.#cold[mode] = report
    return report
  }

  async #samplerStarted(): Promise<Sampler> {
    this.#sampler ??= await startSampler({
      out: this.#run.path('metrics.csv'),
      intervalMs: SESSION_SAMPLE_MS,
      fastLog: { path: this.setup.fastLog },
    })
    this.#run.addArtifact('metrics.csv')
    return this.#sampler
  }

  /** Runs one reader session and returns it (its summary holds the spans). */
  async run(mode: Mode, workflow: WorkflowName, cacheState: string, warmup = false): Promise<Session> {
    const s = this.setup
    const sampler = await this.#samplerStarted()
    const n = this.sessions.length + 1
    const out = join(s.workDir, `session-${n}.json`)
    const label = `mode=${mode} workflow=${workflow} cache=${cacheState} session=${n}${warmup ? ' warmup' : ''}`
    this.#run.addArtifact('markers.tsv')
    const summary = s.desktop
      ? await runDesktop(s, s.desktop, this.#run, n, mode, workflow, label, (pid) => sampler.watch(pid))
      : await this.#runReader(mode, workflow, label, out)
    const cold = cacheState === 'Cold' ? this.#cold[mode] : null
    this.#cold[mode] = null
    const session: Session = { n, mode, workflow, cache_state: cacheState, warmup, cold, summary }
    this.sessions.push(session)
    return session
  }

  /** One headless reader process: its summary. */
  async #runReader(mode: Mode, workflow: WorkflowName, label: string, out: string): Promise<ReaderSummary> {
    const s = this.setup
    const args = [
      BIN, 'reader', '--mode', mode, '--workflow', workflow, '--out', out, '--label', label,
      '--markers', this.#run.markersPath, '--params', JSON.stringify(s.params), '--hold-ms', String(HOLD_MS),
      '--cache-mb', String(s.reader.cacheMb), '--concurrency', String(s.reader.concurrency), '--export-dir', s.workDir,
    ]
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: compileCacheDir() }
    delete env[SAS_ENV]
    if (mode === 'A') args.push('--zgy', s.zgyPath)
    else {
      args.push('--container-url', s.blob.containerUrl, '--prefix', s.blob.prefix, '--cache-dir', s.cacheDir, '--mount-root', s.mountRoot,
        '--fast-log', s.fastLog, '--timeout-ms', String(s.reader.timeoutMs), '--retries', String(s.reader.retries))
      env[SAS_ENV] = s.blob.sas
    }
    const p = startProcess(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    this.#live.add(p)
    this.#sampler!.watch(p.pid)
    let stderr = ''
    p.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 8192) stderr += d
    })
    const code = await p.exited
    this.#live.delete(p)
    if (code !== 0) throw new Error(`benchgate reader (mode ${mode}, ${workflow}) exited with ${code}: ${stderr.trim() || 'no message'}`)
    return JSON.parse(readFileSync(out, 'utf8')) as ReaderSummary
  }

  /** Stops the sampler and computes every session's KPIs from its rows. */
  async finish(): Promise<Session[]> {
    if (this.#sampler) {
      await this.#sampler.stop()
      const file = this.#sampler.out
      const rows = readMetricsCsv(file)
      if (rows === null) throw new Error(`${file}: the sampler wrote no metrics CSV`)
      for (const s of this.sessions) s.kpis = sessionKpis(s.summary, rows, this.setup.roots, s.cache_state)
      this.#sampler = null
    }
    return this.sessions
  }

  /** Stops anything still running (teardown). */
  async release(): Promise<void> {
    await Promise.all([...this.#live].map((p) => p.stop()))
    if (this.#sampler) await this.#sampler.stop()
  }
}
