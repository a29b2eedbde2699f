// The `baselineGate` fixture: when BENCHGATE_BASELINE (else config gates.baseline) names a baseline (a file, or a directory such as
// the main branch's downloaded CI artifact), every benchmark task a test measures is gated against
// the same task in it once the test body is done. Each evaluation is recorded as a Comparison in
// the test's metadata (so the verdict reporter, the UI and the PR check see it), and so is every
// KPI with a direction (./kpi-verdicts.ts). A `regressed`
// verdict fails the test with a message a person can read. Without the variable it does nothing.
//
// A task the baseline does not know (a benchmark added since) is reported as not gated, never
// failed. A baseline from another environment warns loudly or refuses (gates.fingerprint).
import { relative, resolve } from 'node:path'
import type { BenchgateMeta, Comparison } from '../results.ts'
import { compareToBaseline, findBaselineTask } from './compare.ts'
import { currentRun, thresholdOf, type CurrentRun } from './current.ts'
import { checkFingerprint } from './fingerprint.ts'
import type { LoadedBaseline } from './format.ts'
import { kpiComparisons } from './kpi-verdicts.ts'
import { loadBaseline } from './load.ts'
import { describeRule } from '../stats/verdict.ts'
import { projectRoot } from '../run/own-file.ts'

export const BASELINE_ENV = 'BENCHGATE_BASELINE'

const REPO_ROOT = projectRoot(resolve(import.meta.dirname, '../..'))

/** What the fixture reads off Vitest's running test. */
export interface GatedTask {
  name: string
  fullTestName?: string
  file: { filepath: string; projectName?: string | undefined }
  meta: object
  benchmarks?: ReadonlyArray<{ name: string; tasks: ReadonlyArray<{ name: string; fromStore?: boolean; latency: { samples?: readonly number[] | undefined } }> }>
}

let loaded: { key: string; baseline: LoadedBaseline } | undefined

function baselineFrom(source: string): LoadedBaseline {
  const key = `${process.cwd()}\0${source}`
  if (loaded?.key !== key) loaded = { key, baseline: loadBaseline(source) }
  return loaded.baseline
}

function percent(x: number): string {
  const p = (x - 1) * 100
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)} %`
}

/** One line per regressed comparison, for the test's failure message. */
export function regressionMessage(baseline: LoadedBaseline, regressed: readonly Comparison[]): string {
  const lines = regressed.map((c) =>
    `  '${c.name}' ${c.metric}: median ${c.base.median.toPrecision(4)} → ${c.head.median.toPrecision(4)} ${c.unit}, ` +
    `${percent(c.ratio.estimate)} [${percent(c.ratio.lo)}, ${percent(c.ratio.hi)}] at ${Math.round(c.ratio.confidence * 100)} %, ` +
    `${describeRule(c.threshold, c.rule ?? 'conservative', c.better)}${c.fingerprintWarning ? ' (⚠️ different environment)' : ''}`,
  )
  return `regressed against the baseline ${baseline.file}:\n${lines.join('\n')}`
}

/**
 * Gates every measured task of `task` against `baseline` with this run's fingerprint and gate
 * settings; returns the comparisons and the tasks it could not gate.
 */
export function gateTask(baseline: LoadedBaseline, task: GatedTask, run: CurrentRun = currentRun()): { comparisons: Comparison[]; notGated: string[] } {
  const testName = task.fullTestName ?? task.name
  const file = relative(REPO_ROOT, task.file.filepath).split('\\').join('/')
  const comparisons: Comparison[] = []
  const notGated: string[] = []
  for (const group of task.benchmarks ?? []) {
    for (const t of group.tasks) {
      if (t.fromStore) continue
      const samples = t.latency.samples
      if (!samples || samples.length === 0) {
        notGated.push(`'${t.name}': no samples (turn on benchmark.retainSamples)`)
        continue
      }
      const where = { file, benchmark: group.name }
      if (!findBaselineTask(baseline, testName, t.name, where)) {
        notGated.push(`'${t.name}': not in the baseline`)
        continue
      }
      const c = compareToBaseline(baseline, testName, t.name, samples, {
        ...where,
        current: run.fingerprint,
        threshold: thresholdOf(run, t.name),
        ...(run.rule !== undefined ? { rule: run.rule } : {}),
        ...(run.confidence !== undefined ? { confidence: run.confidence } : {}),
        policy: run.policy,
        warn: () => {}, // warned once at set-up; the comparison still carries the warning
      })
      comparisons.push(c)
    }
  }
  // KPIs with a direction (time of a workflow, MB/s, peak RSS, …) against the same test's KPIs
  const baseTest = baseline.data.tests.find((t) => t.test === testName && t.file === file)
  const kpis = (task.meta as { benchgate?: BenchgateMeta }).benchgate?.kpis ?? []
  const warning = comparisons.find((c) => c.fingerprintWarning)?.fingerprintWarning
  comparisons.push(...kpiComparisons(kpis, baseTest, { threshold: (metric) => thresholdOf(run, testName, metric), ...(run.rule !== undefined ? { rule: run.rule } : {}), ...(warning ? { fingerprintWarning: warning } : {}) }))
  return { comparisons, notGated }
}

function metaOf(task: GatedTask): BenchgateMeta {
  const holder = task.meta as { benchgate?: BenchgateMeta }
  holder.benchgate ??= { runDir: '', project: task.file.projectName ?? '', kpis: [], artifacts: [] }
  return holder.benchgate
}

/**
 * The fixture function; harness/test.ts registers it as `baselineGate: [baselineFixture, { auto: true }]`.
 * Gives the test the loaded baseline (or undefined) and gates its benchmarks after the body.
 */
export async function baselineFixture(
  { task, config }: { task: GatedTask; config: { gates: { baseline?: string | undefined } } },
  use: (baseline: LoadedBaseline | undefined) => Promise<void>,
): Promise<void> {
  const source = process.env[BASELINE_ENV] || config.gates.baseline
  if (!source) {
    await use(undefined)
    return
  }
  const baseline = baselineFrom(source)
  const run = currentRun()
  // Before the test spends any time: refuse (throws) or warn loudly, once per baseline and worker.
  checkFingerprint({ file: baseline.file, baseline: baseline.data.fingerprint, current: run.fingerprint, policy: run.policy })
  await use(baseline)
  const { comparisons, notGated } = gateTask(baseline, task, run)
  if (notGated.length) console.log(`benchgate: not gated against ${baseline.file}: ${notGated.join('; ')}`)
  if (comparisons.length === 0) return
  const meta = metaOf(task)
  meta.comparisons = [...(meta.comparisons ?? []), ...comparisons]
  const regressed = comparisons.filter((c) => c.verdict === 'regressed')
  if (regressed.length) {
    const e = new Error(regressionMessage(baseline, regressed))
    e.name = 'BaselineRegression'
    e.stack = `${e.name}: ${e.message}`
    throw e
  }
}
