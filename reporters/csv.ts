// CSV reporter: writes <results>/<stamp>/benchmarks.csv (atomically) at the end of a run with one
// row per benchmark and the test's KPIs. Nothing is written when the run has neither.
import { join } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { writeFileAtomic } from '../harness/run/atomic.ts'
import { runStamp } from '../harness/run/stamp.ts'
import { benchmarkRows, toCsv, type ReportedTest } from './csv-rows.ts'
import { reportedTests, resultsRoot, runFolder } from './reported.ts'

export default class CsvReporter implements Reporter {
  #root = process.cwd()
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
    const out = join(runFolder(resultsRoot(this.#root)), 'benchmarks.csv')
    writeFileAtomic(out, toCsv(table))
    this.written = out
  }
}
