// The one `test` that bench files import. Its fixtures set up what a scenario stands on and
// release all of it in teardown, whether the test passed, failed, timed out or was interrupted:
//   config   the validated configuration (embedded defaults when there is no file)
//   run      the test's run directory: run.json, markers.tsv, atomic artifacts
//   sampler  the metrics agent writing <run>/metrics.csv; watch(pid) adds a process tree
//   kpi      records a domain figure that travels with the test's result to the reporters
//   tempDir  a private temp directory, removed afterwards
//   spawn    starts a process (own process group) that is stopped afterwards
//   compare  interleaved head-versus-base comparison; its verdict and raw samples are recorded
//   baselineGate  gates every benchmark against BENCHGATE_BASELINE (file or directory), when set
//   publish  shows the test's table, KPIs, verdicts and charts in `vitest --ui` and the HTML report
// Importing this file also registers the gate matchers (toRegressFrom, toHoldParity, toBeAtMost).
import { existsSync } from 'node:fs'
import { extname, relative, resolve } from 'node:path'
import { attachmentPath } from 'allure-js-commons'
import { expect, test as base } from 'vitest'
import { compareInterleaved, type CompareOptions, type CompareResult, type Side } from './compare/interleave.ts'
import { baselineFixture } from './baseline/gate.ts'
import type { LoadedBaseline } from './baseline/format.ts'
import { defaultCharts } from './publish/default-charts.ts'
import { publishResults, type PublishInput, type Published } from './publish/publish.ts'
import { gateMatchers, markPaired, recordComparison } from './gates/matchers.ts'
import { defaultConfidence, defaultRule, setGateDefaults, thresholdFor } from './gates/thresholds.ts'
import { loadConfig, type LoadedConfig } from './config/load.ts'
import { redactConfig } from './config/redact.ts'
import type { Config } from './config/schema.ts'
import { startSampler, type Sampler } from './metrics/sampler.ts'
import type { BenchgateMeta, Kpi, KpiValue } from './results.ts'
import { makeTempDir } from './run/cleanup.ts'
import { projectRoot } from './run/own-file.ts'
import { collectEnvironment, type Environment } from './run/environment.ts'
import { startProcess, type Started } from './run/processes.ts'
import { RunDir } from './run/run-dir.ts'
import { runStamp, slug } from './run/stamp.ts'

expect.extend(gateMatchers)
export { expect }


/** The project whose bench files run: this clone, or the user's project when benchgate is an installed package. */
export const REPO_ROOT = projectRoot(resolve(import.meta.dirname, '..'))

export type KpiRecorder = (name: string, value: KpiValue, unit?: string, options?: { better?: 'lower' | 'higher' }) => void
export type Spawner = (command: string, args: readonly string[], options?: Parameters<typeof startProcess>[2]) => Started

export type Comparer = (base: Side, head: Side, options?: CompareOptions) => Promise<CompareResult>

export interface HarnessFixtures {
  loaded: LoadedConfig
  config: Config
  environment: Environment
  run: RunDir
  sampler: Sampler
  kpi: KpiRecorder
  tempDir: string
  spawn: Spawner
  compare: Comparer
  /** Shows the test's table, KPIs, verdicts and charts in the Vitest UI and HTML report. */
  publish: (input?: Partial<PublishInput>) => Promise<Published>
  /** Gates every benchmark of the test against BENCHGATE_BASELINE (a file or directory), when set. */
  baselineGate: LoadedBaseline | undefined
}

/** The bench project a test file belongs to: the folder under benches/, else Vitest's project name. */
export function projectOf(filepath: string, fallback: string): string {
  const m = /(?:^|\/)benches\/([^/]+)\//.exec(relative(REPO_ROOT, filepath).split('\\').join('/'))
  return m?.[1] ?? (fallback || 'default')
}

function meta(task: { meta: object }): BenchgateMeta | undefined {
  return (task.meta as { benchgate?: BenchgateMeta }).benchgate
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.tsv': 'text/tab-separated-values',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** Attaches the run's files (run.json, markers, metrics, …) to the test's Allure result. */
async function attachRunFiles(run: RunDir): Promise<void> {
  for (const name of ['run.json', ...run.artifacts]) {
    const path = run.path(name)
    if (!existsSync(path)) continue
    const type = CONTENT_TYPES[extname(name)] ?? 'application/octet-stream'
    await attachmentPath(name, path, { contentType: type })
  }
}

export const test = base.extend<HarnessFixtures>({
  // eslint-disable-next-line no-empty-pattern
  loaded: [async ({}, use) => use(loadConfig()), { scope: 'worker' }],
  config: [
    async ({ loaded }, use) => {
      setGateDefaults(loaded.config.gates)
      await use(loaded.config)
    },
    { scope: 'worker', auto: true },
  ],
  // eslint-disable-next-line no-empty-pattern
  environment: [async ({}, use) => use(collectEnvironment(REPO_ROOT)), { scope: 'worker' }],

  run: [
    async ({ task, loaded, environment, onTestFailed }, use) => {
      const project = projectOf(task.file.filepath, task.file.projectName ?? '')
      const run = new RunDir({
        outputRoot: resolve(loaded.config.output.results_dir),
        stamp: runStamp(),
        facts: { project, test: task.fullTestName ?? task.name, file: relative(REPO_ROOT, task.file.filepath) },
        environment,
        config: { hash: loaded.hash, source: loaded.source, redacted: redactConfig(loaded.config) },
      })
      const m: BenchgateMeta = { runDir: run.dir, project, kpis: [], artifacts: [] }
      ;(task.meta as { benchgate?: BenchgateMeta }).benchgate = m
      let failed = false
      onTestFailed(() => {
        failed = true
      })
      try {
        await use(run)
      } finally {
        failed ||= task.result?.state === 'fail'
        if (m.kpis.length) run.writeArtifact('kpis.json', JSON.stringify(m.kpis, null, 2) + '\n')
        run.finish(failed ? 'failed' : 'passed')
        m.artifacts = run.artifacts
        await attachRunFiles(run)
      }
    },
    { auto: true },
  ],

  sampler: async ({ run, config, task }, use) => {
    const sampler = await startSampler({
      out: run.path('metrics.csv'),
      intervalMs: config.metrics.interval_s * 1000,
      zgyPattern: config.metrics.zgy_pattern,
      fastLog: config.fast.log_path ? { path: config.fast.log_path, pattern: config.fast.log_pattern } : undefined,
    })
    run.addArtifact('metrics.csv')
    try {
      await use(sampler)
    } finally {
      const summary = await sampler.stop()
      const m = meta(task)
      if (m) m.metrics = summary.columns
      run.writeArtifact('metrics_summary.json', JSON.stringify(summary, null, 2) + '\n')
    }
  },

  kpi: async ({ task, run }, use) => {
    const record: KpiRecorder = (name, value, unit = '', options = {}) => {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new Error(`kpi ${name}: value must be a finite number or a string, got ${value}`)
      }
      const m = meta(task)
      if (!m) throw new Error('kpi: the run fixture is missing')
      const kpi: Kpi = { name, value, unit, ...options }
      const existing = m.kpis.findIndex((k) => k.name === name)
      if (existing >= 0) m.kpis[existing] = kpi
      else m.kpis.push(kpi)
    }
    await use(record)
  },

  compare: async ({ run }, use) => {
    await use(async (baseSide, headSide, options = {}) => {
      const name = options.name ?? `${headSide.label} vs ${baseSide.label}`
      const result = await compareInterleaved(baseSide, headSide, {
        threshold: thresholdFor(name, options.metric ?? 'time'),
        rule: defaultRule(),
        confidence: defaultConfidence(),
        ...options,
        name,
      })
      markPaired(result.base, result.head)
      recordComparison(result.comparison, result.head)
      // raw samples of every result a gate uses are kept with the run
      run.writeArtifact(`samples-${slug(name)}.json`, JSON.stringify(result, null, 1) + '\n')
      return result
    })
  },

  baselineGate: [baselineFixture, { auto: true }],

  publish: async ({ annotate, task, run }, use) => {
    await use((input = {}) => publishResults({ annotate, task, run }, { title: task.name, charts: defaultCharts(task), ...input }))
  },

  // eslint-disable-next-line no-empty-pattern
  tempDir: async ({}, use) => {
    const dir = makeTempDir()
    try {
      await use(dir.path)
    } finally {
      await dir.release()
    }
  },

  // eslint-disable-next-line no-empty-pattern
  spawn: async ({}, use) => {
    const started: Started[] = []
    try {
      await use((command, args, options) => {
        const s = startProcess(command, args, options)
        started.push(s)
        return s
      })
    } finally {
      await Promise.all(started.map((s) => s.stop()))
    }
  },
})
