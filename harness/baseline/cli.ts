// `benchgate baseline` (and `npm run bench:baseline`): runs `vitest bench` with the baseline
// reporter writing the baseline file, portable where an `ENV=value command` prefix is not.
//
//   npm run bench:baseline                               # every bench project → baselines/baseline.json
//   npm run bench:baseline -- --project harness          # options after -- go to vitest bench
//   npm run bench:baseline -- --out base.json --project harness
import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { isUserError, UserError } from '../errors.ts'

export const BASELINE_OUT_ENV = 'BENCHGATE_BASELINE_OUT'
export const DEFAULT_BASELINE_PATH = 'baselines/baseline.json'

const REPO_ROOT = resolve(import.meta.dirname, '../..')
const VITEST = resolve(REPO_ROOT, 'node_modules/vitest/vitest.mjs')

const USAGE = `usage: benchgate baseline [--out FILE] [vitest bench options…]

Runs \`vitest bench --run\` and stores every benchmark's raw samples, statistics, the tests' KPIs
and this machine's fingerprint in FILE (default ${DEFAULT_BASELINE_PATH}). Gate a later run
against it with BENCHGATE_BASELINE=FILE (a file, or a directory holding baselines).`

export interface BaselineArgs {
  out: string
  vitestArgs: string[]
}

export function parseBaselineArgs(argv: readonly string[]): BaselineArgs | 'help' {
  let out = DEFAULT_BASELINE_PATH
  const vitestArgs: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--help' || a === '-h') return 'help'
    if (a === '--out' || a.startsWith('--out=')) {
      const v = a === '--out' ? argv[++i] : a.slice('--out='.length)
      if (!v) throw new UserError({ file: 'benchgate baseline', field: '--out', message: 'missing value', expected: 'a file path', hint: `e.g. --out ${DEFAULT_BASELINE_PATH}` })
      out = v
      continue
    }
    vitestArgs.push(a)
  }
  return { out, vitestArgs }
}

export async function baselineCommand(argv: string[]): Promise<number> {
  const args = parseBaselineArgs(argv)
  if (args === 'help') {
    console.log(USAGE)
    return 0
  }
  const out = resolve(args.out)
  const started = Date.now()
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(process.execPath, [VITEST, 'bench', '--run', ...args.vitestArgs], {
      stdio: 'inherit',
      env: { ...process.env, [BASELINE_OUT_ENV]: out },
    })
    child.once('error', fail)
    child.once('exit', (c, signal) => done(c ?? (signal ? 1 : 0)))
  })
  if (!existsSync(out) || statSync(out).mtimeMs < started - 1000) {
    console.error(`benchgate baseline: no baseline written to ${out}; expected './reporters/baseline.ts' among the reporters of vitest.config.ts (hint: a --reporter option replaces the configured reporters)`)
    return code || 1
  }
  return code
}

if (import.meta.main) {
  try {
    process.exitCode = await baselineCommand(process.argv.slice(2))
  } catch (e) {
    if (!isUserError(e)) throw e
    console.error(e.message)
    process.exitCode = 2
  }
}
