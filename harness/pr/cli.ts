// `benchgate pr --base REF [--head REF] [--project P …] [--rounds N] [files…]`: flags in, the
// domain (./run.ts) out. Ctrl-C (SIGINT) or SIGTERM stops the running bench process group and
// exits 130; no worktree process is left running.
import { UserError } from '../errors.ts'
import { DEFAULT_PR_ROUNDS, DEFAULT_PR_WARMUP, PR_MAX_ROUNDS_FACTOR, runPr, type PrOptions } from './run.ts'

const WHERE = 'benchgate pr'
const DEFAULT_INSTALL = 'npm ci --no-audit --no-fund'

const USAGE = `usage: benchgate pr --base REF [--head REF] [--project P …] [--rounds N] [options] [bench files…]

Measures the selected bench projects for two git revisions of this repository in alternation
(ABBA over rounds of whole bench runs, in worktrees under .benchgate-cache/pr/), pairs each task's
samples by round, prints the verdict table, writes verdicts.json and verdicts.md, and exits 1 on
any regressed task (0 otherwise, 130 when interrupted). Head must be committed: a worktree holds
commits, not uncommitted changes.

  --base REF          the revision compared against (a branch, tag or commit); required
  --head REF          the revision judged (default HEAD)
  --project P         a bench project; repeat for several (default harness)
  --rounds N          measured rounds (default ${DEFAULT_PR_ROUNDS}); more, two at a time, while a task is inconclusive
  --max-rounds N      the bound on those extra rounds (default 3 × rounds)
  --warmup N          unmeasured rounds first (default ${DEFAULT_PR_WARMUP})
  --install CMD       install command for a worktree whose lockfile is not cached (default "${DEFAULT_INSTALL}")
  --out DIR           output folder (default <output.results_dir>/<stamp>)
  bench files…        passed to vitest as filters (e.g. benches/harness/gates.bench.ts)

Threshold, rule and confidence come from the repository's benchgate.config.yaml (gates.*).`

export type PrArgs = Pick<PrOptions, 'base' | 'head' | 'projects' | 'filters' | 'rounds' | 'maxRounds' | 'warmupRounds' | 'install' | 'out'>

function count(flag: string, v: string | undefined, min: number): number {
  const n = Number(v)
  if (v === undefined || !Number.isInteger(n) || n < min || n > 1000) throw new UserError({ file: WHERE, field: flag, message: `invalid value ${v ?? '(missing)'}`, expected: `a whole number from ${min} to 1000` })
  return n
}

export function parsePrArgs(argv: readonly string[]): PrArgs | 'help' {
  let base: string | undefined
  let head = 'HEAD'
  const projects: string[] = []
  const filters: string[] = []
  let rounds = DEFAULT_PR_ROUNDS
  let maxRounds: number | undefined
  let warmupRounds = DEFAULT_PR_WARMUP
  let install = DEFAULT_INSTALL
  let out: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--help' || a === '-h') return 'help'
    const eq = a.indexOf('=')
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a
    const value = (): string => {
      const v = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : argv[++i]
      if (v === undefined || v === '') throw new UserError({ file: WHERE, field: flag, message: 'missing value', hint: `see ${WHERE} --help` })
      return v
    }
    switch (flag) {
      case '--base': base = value(); break
      case '--head': head = value(); break
      case '--project': projects.push(value()); break
      case '--rounds': rounds = count(flag, value(), 2); break
      case '--max-rounds': maxRounds = count(flag, value(), 2); break
      case '--warmup': warmupRounds = count(flag, value(), 0); break
      case '--install': install = value(); break
      case '--out': out = value(); break
      default:
        if (a.startsWith('-')) throw new UserError({ file: WHERE, field: a, message: 'unknown option', hint: `see ${WHERE} --help` })
        filters.push(a)
    }
  }
  if (base === undefined) throw new UserError({ file: WHERE, field: '--base', message: 'missing', expected: 'the revision to compare against, e.g. --base origin/main' })
  const max = maxRounds ?? PR_MAX_ROUNDS_FACTOR * rounds
  if (max < rounds) throw new UserError({ file: WHERE, field: '--max-rounds', message: `${max} is below --rounds ${rounds}`, expected: 'at least the rounds' })
  return { base, head, projects: projects.length ? projects : ['harness'], filters, rounds, maxRounds: max, warmupRounds, install, ...(out !== undefined ? { out } : {}) }
}

export async function prCommand(argv: string[]): Promise<number> {
  const args = parsePrArgs(argv)
  if (args === 'help') {
    console.log(USAGE)
    return 0
  }
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return
    console.error(`\nbenchgate pr: ${signal}: stopping the running bench`)
    controller.abort(new Error(`interrupted by ${signal}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const result = await runPr({ ...args, cwd: process.cwd(), signal: controller.signal, progress: (l) => console.error(l), print: (t) => console.log(t) })
    return result.exitCode
  } catch (e) {
    if (controller.signal.aborted) return 130
    throw e
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
