// What every benchgate reporter reads off a finished run, and where it writes: each test with its project, file
// (relative to the root, / separators), full name, state, benchmarks and benchgate metadata.
import { join, relative, resolve } from 'node:path'
import type { TestCase, TestModule } from 'vitest/node'
import { loadConfig } from '../harness/config/load.ts'
import { benchgateMeta, type BenchgateMeta } from '../harness/results.ts'
import { runStamp } from '../harness/run/stamp.ts'

export interface Reported {
  testCase: TestCase
  project: string
  file: string
  test: string
  state: string
  benchmarks: ReturnType<TestCase['benchmarks']>
  meta: BenchgateMeta | undefined
}

export function* reportedTests(testModules: ReadonlyArray<TestModule>, root: string): Generator<Reported> {
  for (const mod of testModules) {
    const file = relative(root, mod.moduleId).split('\\').join('/')
    for (const testCase of mod.children.allTests()) {
      const meta = benchgateMeta(testCase)
      yield {
        testCase,
        project: meta?.project ?? testCase.project.name,
        file,
        test: testCase.fullName,
        state: testCase.result().state,
        benchmarks: testCase.benchmarks(),
        meta,
      }
    }
  }
}

/** The results root of the configuration (output.results_dir, relative to the Vitest root). */
export function resultsRoot(root: string): string {
  return resolve(root, loadConfig({ cwd: root }).config.output.results_dir)
}

/** This run's folder under the results root: <results>/<UTC stamp>. */
export function runFolder(resultsDir: string): string {
  return join(resultsDir, runStamp())
}
