// `benchgate run`: one measured fast-ab session for an operator, as the original run_bench did,
// without a bench file (./operator-run.ts does the work). This file only parses and checks the
// flags, loads the configuration and prints progress (stderr) and the one-line result (stdout).
// Exit codes: 0 the session ran and its run folder was written; 2 bad flags or configuration.
import { isAbsolute, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.ts'
import { UserError } from '../errors.ts'
import { resultLine, runOperatorSession } from './operator-run.ts'
import { WORKFLOWS, isWorkflow } from './workflows.ts'

export const RUN_USAGE = `usage: benchgate run --mode A|B --workflow NAME --cache Cold|Warm [options]

One measured fast-ab session, without a bench file: the volume prepared as the fast-ab scenario
prepares it (the .zgy generated or cached, its blob copy on an embedded Azurite started and
stopped by this command, or the configured Azure container), the cache state made (Cold: FAST
cache emptied and OS cache dropped; Warm: one unmeasured warm-up session first), then one session
under the sampler. benchgate analyze aggregates such runs with the bench runs.

  --mode A|B            A: the .zgy on the NAS; B: Azure Blob through FAST
  --workflow NAME       ${WORKFLOWS.join(', ')}
  --cache Cold|Warm     the cache state of the measured session
  --driver reader|desktop
                        the headless reader or the application's window (default: fast.driver)
  --session FILE        a recording to replay with the desktop driver (not supported yet)
  --config FILE         benchgate config (default: BENCHGATE_CONFIG, then ./benchgate.config.yaml)
  --out DIR             results directory (default: output.results_dir); the run folder is
                        DIR/<UTC stamp>/fast-ab/run-<mode>-<workflow>-<cache>/
  -h, --help            this text

writes: run.json, markers.tsv, metrics.csv, fast.log, sessions.json.
exit codes: 0 the session ran, 2 bad flags or configuration.`

const OPTIONS = {
  mode: { type: 'string' },
  workflow: { type: 'string' },
  cache: { type: 'string' },
  driver: { type: 'string' },
  session: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

function flagError(flag: string, message: string, expected: string): UserError {
  return new UserError({ file: 'benchgate run', field: `--${flag}`, message, expected, hint: 'benchgate run --help' })
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) throw flagError(flag, 'missing', `--${flag} ${allowed.join('|')}`)
  if (!(allowed as readonly string[]).includes(value)) throw flagError(flag, `unknown value ${JSON.stringify(value)}`, `one of ${allowed.join(', ')}`)
  return value as T
}

/** A path as the result line shows it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

export async function runCommand(argv: string[]): Promise<number> {
  let values
  try {
    values = parseArgs({ args: argv, strict: true, allowPositionals: false, options: OPTIONS }).values
  } catch (e) {
    const message = (e as Error).message.split('\n')[0] ?? 'bad arguments'
    throw new UserError({ file: 'benchgate run', message, expected: 'the options benchgate run --help lists', hint: 'benchgate run --help' })
  }
  if (values.help) {
    console.log(RUN_USAGE)
    return 0
  }
  const mode = oneOf('mode', values.mode, ['A', 'B'] as const)
  if (values.workflow === undefined) throw flagError('workflow', 'missing', `--workflow ${WORKFLOWS.join('|')}`)
  if (!isWorkflow(values.workflow)) throw flagError('workflow', `unknown workflow ${JSON.stringify(values.workflow)}`, `one of ${WORKFLOWS.join(', ')}`)
  const workflow = values.workflow
  const cache = oneOf('cache', values.cache, ['Cold', 'Warm'] as const)
  const driverFlag = values.driver === undefined ? undefined : oneOf('driver', values.driver, ['reader', 'desktop'] as const)
  if (values.out === '') throw flagError('out', 'empty', '--out DIR')
  if (values.session !== undefined) {
    throw flagError('session', 'replaying a recording in benchgate run is not supported yet', 'the scripted workflow (omit --session)')
  }
  const loaded = loadConfig({ path: values.config })
  const driver = driverFlag ?? loaded.config.fast.driver
  const t0 = performance.now()
  const log = (text: string) => process.stderr.write(`run: [${((performance.now() - t0) / 1000).toFixed(1)} s] ${text}\n`)
  const result = await runOperatorSession({
    loaded, mode, workflow, cache, driver,
    resultsDir: resolve(values.out ?? loaded.config.output.results_dir),
    log,
  })
  console.log(resultLine(result, shown(result.runJson)))
  return 0
}
