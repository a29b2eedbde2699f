// Charts reporter: at the end of a run writes <results>/<stamp>/charts/{distribution,
// base-vs-head,trend}.{svg,png} (see run-charts.ts). Listed after the CSV reporter, so the trend
// includes this run.
import { join } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { writeChart } from '../harness/charts/index.ts'
import type { Comparison } from '../harness/results.ts'
import { reportedTests, resultsRoot, runFolder } from './reported.ts'
import { runCharts, storedMedians } from './run-charts.ts'

export default class ChartsReporter implements Reporter {
  #root = process.cwd()
  written: string[] = []

  onInit(vitest: Vitest): void {
    this.#root = vitest.config.root
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const samples: { name: string; samples: number[] }[] = []
    const comparisons: Comparison[] = []
    for (const test of reportedTests(testModules, this.#root)) {
      for (const b of test.benchmarks) {
        for (const t of b.tasks) {
          const raw = (t.latency as { samples?: ArrayLike<number> }).samples
          if (raw && raw.length) samples.push({ name: t.name, samples: Array.from(raw) })
        }
      }
      comparisons.push(...(test.meta?.comparisons ?? []))
    }
    if (!samples.length && !comparisons.length) return
    const resultsDir = resultsRoot(this.#root)
    const dir = join(runFolder(resultsDir), 'charts')
    for (const chart of runCharts({ samples, comparisons, trend: storedMedians(resultsDir) })) {
      const files = writeChart(dir, chart.name, chart.svg)
      this.written.push(files.svg, files.png)
    }
  }
}
