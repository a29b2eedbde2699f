// CSV reporter: writes <results>/<stamp>/benchmarks.csv (atomically) at the end of a run with one
// row per benchmark and the test's KPIs. Nothing is written when the run has neither.
import { join, resolve } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { loadConfig } from '../harness/config/load.ts'
import { writeFileAtomic } from '../harness/run/atomic.ts'
import { runStamp } from '../harness/run/stamp.ts'
import { benchmarkRows, toCsv, type ReportedTest } from './csv-rows.ts'
import { reportedTests } from './reported.ts'

export default class CsvReporter implements Reporter {
  #root = process.cwd()
  #resultsDir: string | null = null
  /** Where the last run's CSV went, or null. */
  written: string | null = null

  onInit(vitest: Vitest): void {
    this.#root = vitest.config.root
    runStamp()
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests: ReportedTest[] = [...reportedTests(testModules, this.#root)].map((t) => ({
      ...t,
      benchmarks: t.benchmarks as ReportedTest['benchmarks'],
    }))
    const table = benchmarkRows(tests)
    if (table.rows.length === 0) return
    this.#resultsDir ??= resolve(this.#root, loadConfig({ cwd: this.#root }).config.output.results_dir)
    const out = join(this.#resultsDir, runStamp(), 'benchmarks.csv')
    writeFileAtomic(out, toCsv(table))
    this.written = out
  }
}
