// `benchgate competitive [--scenario NAME …] [--dry-run] [--preflight-only] [--out DIR]`: flags
// in, the domain out (pre-flight, the suite runner, the report).
//
// Exit codes, as the original runner's: 0 every scenario ran and met its thresholds; 1 a threshold
// was missed or a scenario crashed (the summary names which, and says which of the two); 2
// pre-flight failed and nothing ran (also a bad flag or scenario file); 130 interrupted by Ctrl-C
// (the current scenario's systems stopped, its files kept under `<name>.partial`, the summary
// printed). A second Ctrl-C leaves at once (the cleanup registry still stops every process group).
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.ts'
import { UserError } from '../errors.ts'
import { formatStamp } from '../run/stamp.ts'
import { competitiveSettings } from './settings.ts'
import { writeMetadata } from './metadata.ts'
import { formatPreflight, runPreflight } from './preflight.ts'
import { writeScenarioReport, writeSuiteSummary } from './report.ts'
import { formatPlan, runSuite } from './runner.ts'

const WHERE = 'benchgate competitive'
const REPO_ROOT = resolve(import.meta.dirname, '../..')

const USAGE = `usage: benchgate competitive [--scenario NAME …] [--dry-run] [--preflight-only] [--out DIR]

Runs the competitive scenarios (TOML files in competitive.scenarios_dir, default
fixtures/scenarios/competitive): each system started on its own free loopback port, measured
under the same open-model load in interleaved trials, its process tree sampled; writes per
scenario and system the generator's raw results, logs, server metrics and a summary, then
metadata.json and summary.md.

  --scenario NAME     run only this scenario; repeat for several (default all)
  --dry-run           pre-flight and the plan, nothing started or loaded
  --preflight-only    the pre-flight checks alone
  --out DIR           the run's folder (default <competitive.results_dir>/<stamp>)

Exit: 0 all scenarios met their thresholds; 1 a threshold missed or a scenario failed; 2 pre-flight
failed (nothing run); 130 interrupted.`

export interface CompetitiveArgs {
  scenarios: string[]
  dryRun: boolean
  preflightOnly: boolean
  out?: string
}

const OPTIONS = {
  scenario: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  'preflight-only': { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export function parseCompetitiveArgs(argv: readonly string[]): CompetitiveArgs | 'help' {
  let values
  try {
    values = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: OPTIONS }).values
  } catch (e) {
    const message = (e as Error).message.split('\n')[0] ?? 'bad arguments'
    throw new UserError({ file: WHERE, message, hint: `see ${WHERE} --help` })
  }
  if (values.help) return 'help'
  return { scenarios: values.scenario ?? [], dryRun: values['dry-run'] ?? false, preflightOnly: values['preflight-only'] ?? false, ...(values.out === undefined ? {} : { out: values.out }) }
}

/** A status line that rewrites itself on a terminal and prints every ~10 s otherwise. */
function progressPrinter(): { update(line: string): void; done(): void } {
  const tty = process.stderr.isTTY
  let last = 0
  let shown = false
  return {
    update(line) {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line}`)
        shown = true
      } else if (Date.now() - last >= 10_000) {
        last = Date.now()
        process.stderr.write(`${line}\n`)
      }
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K')
      shown = false
    },
  }
}

export async function competitiveCommand(argv: string[]): Promise<number> {
  const args = parseCompetitiveArgs(argv)
  if (args === 'help') {
    console.log(USAGE)
    return 0
  }
  const loaded = loadConfig()
  const settings = competitiveSettings(loaded, REPO_ROOT)
  const runDir = resolve(args.out ?? resolve(settings.resultsDir, formatStamp(new Date())))
  const pre = await runPreflight({ settings, only: args.scenarios, outDir: runDir })
  console.log(formatPreflight(pre.lines))
  if (pre.lines.some((l) => l.status === 'fail')) {
    console.error(`${WHERE}: pre-flight failed, nothing run`)
    return 2
  }
  if (args.preflightOnly) return 0
  console.log(formatPlan(pre.scenarios, settings))
  if (args.dryRun) return 0

  const controller = new AbortController()
  const onSigint = (): void => {
    if (controller.signal.aborted) return
    process.stderr.write(`\n${WHERE}: interrupted — stopping the current scenario, keeping its results (Ctrl-C again leaves at once)\n`)
    controller.abort(new Error('interrupted'))
    // the cleanup registry re-raises the signal once after stopping every process group (a
    // listener here receives it); only a Ctrl-C from the user a moment later leaves at once
    setTimeout(() => process.once('SIGINT', () => process.exit(130)), 1000).unref()
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  const progress = progressPrinter()
  try {
    const result = await runSuite(pre.scenarios, {
      ...settings,
      repo: REPO_ROOT,
      runDir,
      signal: controller.signal,
      log: (line) => {
        progress.done()
        console.log(line)
      },
      progress: (line) => progress.update(line),
    })
    progress.done()
    const versions = Object.assign({}, ...result.outcomes.map((o) => o.versions)) as Record<string, string | null>
    writeMetadata(runDir, { repo: REPO_ROOT, versions, settings })
    for (const o of result.outcomes) writeScenarioReport(o.dir, o)
    const summary = writeSuiteSummary(runDir, result.outcomes, { interrupted: result.interrupted, planned: pre.scenarios.map((e) => e.scenario.name) })
    console.log(`\n${summary.text}\n→ ${summary.path}`)
    if (result.interrupted) return 130
    return summary.allMet ? 0 : 1
  } finally {
    progress.done()
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
  }
}
