// Baseline reporter: when BENCHGATE_BASELINE_OUT names a file, writes the run's baseline there
// (atomically) at the end of the run: per test and benchmark task the raw samples and summary
// statistics, the tests' KPIs and this machine's fingerprint. Otherwise it does nothing.
// `npm run bench:baseline` (harness/baseline/cli.ts) sets the variable and runs `vitest bench`.
import { resolve } from 'node:path'
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import { buildBaseline, type MeasuredTest } from '../harness/baseline/build.ts'
import { BASELINE_OUT_ENV } from '../harness/baseline/cli.ts'
import { fingerprintOf } from '../harness/baseline/fingerprint.ts'
import { serializeBaseline } from '../harness/baseline/format.ts'
import { loadConfig } from '../harness/config/load.ts'
import { writeFileAtomic } from '../harness/run/atomic.ts'
import { collectEnvironment } from '../harness/run/environment.ts'
import { reportedTests } from './reported.ts'

export default class BaselineReporter implements Reporter {
  #root = process.cwd()
  #log: (message: string) => void = (m) => console.log(m)
  /** Where the last run's baseline went, or null. */
  written: string | null = null

  onInit(vitest: Vitest): void {
    this.#root = vitest.config.root
    this.#log = (m) => vitest.logger.log(m)
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, _errors: unknown, reason?: TestRunEndReason): void {
    const target = process.env[BASELINE_OUT_ENV]
    if (!target) return
    const out = resolve(target)
    if (reason === 'interrupted') {
      this.#log(`benchgate: run interrupted, no baseline written to ${out}`)
      return
    }
    const tests: MeasuredTest[] = [...reportedTests(testModules, this.#root)].map((t) => ({
      project: t.project,
      file: t.file,
      test: t.test,
      kpis: t.meta?.kpis ?? [],
      benchmarks: t.benchmarks as MeasuredTest['benchmarks'],
    }))
    const fingerprint = fingerprintOf(collectEnvironment(this.#root), loadConfig({ cwd: this.#root }).hash)
    const { baseline, skipped } = buildBaseline(tests, fingerprint)
    writeFileAtomic(out, serializeBaseline(baseline))
    this.written = out
    const tasks = baseline.tests.reduce((n, t) => n + t.benchmarks.length, 0)
    const commit = fingerprint.git_commit ? ` at ${fingerprint.git_commit.slice(0, 7)}` : ''
    this.#log(`benchgate: baseline written to ${out}: ${baseline.tests.length} tests, ${tasks} benchmark tasks${commit}`)
    if (tasks === 0) this.#log('benchgate: ⚠️  the baseline holds no benchmark samples (no bench test ran?)')
    for (const s of skipped) this.#log(`benchgate: not in the baseline: ${s}`)
  }
}
