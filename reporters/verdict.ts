// Verdict reporter: at the end of a run collects every test's gate evaluations
// (meta.benchgate.comparisons), writes <results>/<stamp>/verdicts.json and verdicts.md
// (atomically) and prints the compact verdict table. It reads only what reporters receive, so it
// works the same on a merged report (`vitest --merge-reports=DIR --reporter=./reporters/verdict.ts`):
// shards run anywhere, one verdict table comes out.
//
// Nothing is written for a run that measured nothing and compared nothing (e.g. the unit tests).
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { writeFileAtomic } from '../harness/run/atomic.ts'
import { runStamp } from '../harness/run/stamp.ts'
import { reportedTests, resultsRoot } from './reported.ts'
import { verdictsFile, type VerdictRow } from '../harness/verdicts/file.ts'
import { countsLine, terminalTable, verdictRows, verdictsMarkdown } from '../harness/verdicts/table.ts'

/** A path as the terminal shows it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

export interface VerdictReporterOptions {
  /** Directory receiving the stamp folder; default output.results_dir of the configuration. */
  resultsDir?: string
}

export default class VerdictReporter implements Reporter {
  #root = process.cwd()
  #resultsDir: string | undefined
  #log: (message: string) => void = (m) => console.log(m)
  /** Where the last run's verdicts.json went, or null. */
  written: string | null = null

  constructor(options: VerdictReporterOptions = {}) {
    this.#resultsDir = options.resultsDir
  }

  onInit(vitest: Vitest): void {
    this.#root = vitest.config.root
    this.#log = (m) => vitest.logger.log(m)
    runStamp()
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests = [...reportedTests(testModules, this.#root)]
    const measured = tests.some((t) => t.benchmarks.length > 0)
    const rows: VerdictRow[] = verdictRows(tests)
    if (rows.length === 0 && !measured) return
    const resultsDir = this.#resultsDir ? resolve(this.#root, this.#resultsDir) : resultsRoot(this.#root)
    const stamp = runStamp()
    const file = verdictsFile(rows, stamp)
    const dir = join(resultsDir, stamp)
    writeFileAtomic(join(dir, 'verdicts.md'), verdictsMarkdown(rows, file.counts))
    writeFileAtomic(join(dir, 'verdicts.json'), JSON.stringify(file, null, 2) + '\n')
    this.written = join(dir, 'verdicts.json')
    if (rows.length === 0) {
      this.#log(`\nbenchgate verdicts: no gate evaluations (${shown(this.written)})`)
      return
    }
    this.#log(`\nbenchgate verdicts: ${countsLine(file.counts)}\n${terminalTable(rows)}\n→ ${shown(join(dir, 'verdicts.md'))}`)
  }
}
