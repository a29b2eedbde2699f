// What every benchgate reporter reads off a finished run: each test with its project, file
// (relative to the root, / separators), full name, state, benchmarks and benchgate metadata.
import { relative } from 'node:path'
import type { TestCase, TestModule } from 'vitest/node'
import { benchgateMeta, type BenchgateMeta } from '../harness/results.ts'

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
