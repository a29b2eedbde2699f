// `npm run report`: the Allure report, built only from scrubbed results and scrubbed itself.
//
//   node harness/secrets/allure-report.ts [RESULTS_DIR=allure-results] [REPORT_DIR=allure-report]
//
// 1. The results are scrubbed in place first (./files.ts; each file rewritten atomically, only if
//    it held a secret). reporters/allure.ts already scrubs them as they are written; this catches
//    results written by anything else (another Allure writer, an older run).
// 2. `allure generate` (the `allure` package, no Java) writes the report into a fresh sibling
//    directory `.REPORT_DIR-<random>`; every file of it is scrubbed (its data files, embedded
//    data, attachments copied from the results); then it replaces REPORT_DIR by renames, so
//    REPORT_DIR is never a half-written or unscrubbed report.
// The scrubber is the run's (./scrubber.ts: the configuration's secrets plus secret shapes).
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { scrubTree } from './files.ts'
import { outputScrubber } from './scrubber.ts'

/** The `allure` package's bin (cli.js beside its dist/; the package exports no package.json). */
function allureCli(): string {
  return join(dirname(createRequire(import.meta.url).resolve('allure')), '..', 'cli.js')
}

function generate(results: string, out: string): Promise<void> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [allureCli(), 'generate', results, '-o', out], { timeout: 10 * 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`allure generate ${results} failed: ${outputScrubber().text(`${err.message}\n${stderr}`).trim()}`))
      else {
        if (stdout.trim()) process.stdout.write(outputScrubber().text(stdout))
        done()
      }
    })
  })
}

/** Builds REPORT_DIR from RESULTS_DIR as described above; resolves to the report directory. */
export async function buildAllureReport(resultsDir = 'allure-results', reportDir = 'allure-report'): Promise<string> {
  const results = resolve(resultsDir)
  const report = resolve(reportDir)
  if (!existsSync(results)) throw new Error(`${resultsDir}: no Allure results here (hint: run npm test or a bench first)`)
  const s = outputScrubber()
  scrubTree(results, s)
  const fresh = mkdtempSync(join(dirname(report), `.${basename(report)}-`))
  // Ctrl-C while generating: the half-built directory goes too (allure, in our process group, gets the signal itself)
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(fresh, { recursive: true, force: true })
    process.kill(process.pid, signal)
  }
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
  try {
    await generate(results, fresh)
    scrubTree(fresh, s)
    const old = existsSync(report) ? `${fresh}-old` : null
    if (old) renameSync(report, old)
    renameSync(fresh, report)
    if (old) rmSync(old, { recursive: true, force: true })
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    rmSync(fresh, { recursive: true, force: true })
  }
  return report
}

if (import.meta.main) {
  const [results, report] = process.argv.slice(2)
  try {
    console.log(`Allure report: ${await buildAllureReport(results, report)} (every file scrubbed of secrets)`)
  } catch (e) {
    console.error((e as Error).message)
    process.exitCode = 1
  }
}
