// `benchgate pr`: base and head of a pull request measured in alternation on one machine, so that
// a load that comes and goes during the run falls on both sides alike (sequential order, all of
// base then all of head, is about 20× noisier under such a load: benches/harness/gates.bench.ts).
//
// Order: after `warmupRounds` unmeasured rounds (base, head), round i runs the selected bench
// projects once for each revision, base first in even rounds and head first in odd ones (ABBA
// over rounds), each run a whole `vitest bench --run` in its revision's worktree writing its
// samples with the baseline reporter of this benchgate. The rounds are paired and judged by
// ./pair.ts. While any comparison is inconclusive, rounds are added two at a time (keeping the
// order balanced) up to `maxRounds`. Every loop is bounded by those counts.
//
// Output, under <results>/<stamp>/: rounds/rNN-base.json and rNN-head.json (each run's samples),
// logs/ (each run's terminal output), verdicts.json and verdicts.md (the verdict table of every
// run, one row per task and metric; new and removed tasks listed, never gated). Exit code 1 on any
// `regressed`, else 0; the caller maps an interruption to 130.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { parseBaseline, type Baseline } from '../baseline/format.ts'
import { loadConfig } from '../config/load.ts'
import { UserError } from '../errors.ts'
import { pickThreshold } from '../gates/thresholds.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import { ownFile } from '../run/own-file.ts'
import { startProcess, type Started } from '../run/processes.ts'
import { formatStamp } from '../run/stamp.ts'
import { verdictsFile } from '../verdicts/file.ts'
import { countsLine, terminalTable, verdictsMarkdown } from '../verdicts/table.ts'
import { pairRounds, type OneSided, type Paired, type RoundResults } from './pair.ts'
import { installDependencies, prepareWorktree, repoRoot, resolveRevision, type Worktree } from './worktrees.ts'

const WHERE = 'benchgate pr'
const BENCHGATE_ROOT = resolve(import.meta.dirname, '../..')
const BASELINE_REPORTER = ownFile(BENCHGATE_ROOT, 'reporters/baseline.ts')

export interface PrOptions {
  cwd: string
  base: string
  head: string
  /** Bench projects (vitest --project); at least one. */
  projects: string[]
  /** Bench file filters passed on to vitest (e.g. benches/harness/gates.bench.ts). */
  filters: string[]
  rounds: number
  maxRounds: number
  warmupRounds: number
  /** Install command run in a worktree whose lockfile is not cached, split on spaces. */
  install: string
  /** Output folder; default <output.results_dir>/<stamp> of the repository's configuration. */
  out?: string
  signal?: AbortSignal
  /** Progress lines (stderr). */
  progress: (line: string) => void
  /** The result (stdout). */
  print: (text: string) => void
}

export interface PrResult {
  exitCode: number
  outDir: string
  paired: Paired
  rounds: number
  /** Wall seconds of the whole run, worktrees and installs included. */
  seconds: number
  /** Wall seconds of each measured bench run. */
  runSeconds: number[]
}

export const DEFAULT_PR_ROUNDS = 6
export const DEFAULT_PR_WARMUP = 1
/** Rounds at most, as a multiple of the rounds asked for, while a task is inconclusive (as `compare`'s default). */
export const PR_MAX_ROUNDS_FACTOR = 3

function clock(s: number): string {
  const m = Math.floor(s / 60)
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`
}

/** One revision's side: its worktree and how to run vitest in it. */
interface SideRun {
  label: 'base' | 'head'
  wt: Worktree
}

function nodeOf(wt: Worktree): string {
  const own = join(wt.dir, 'node_modules', '.bin', process.platform === 'win32' ? 'node.exe' : 'node')
  return existsSync(own) ? own : process.execPath
}

/** The order of the sides in round i: ABBA over rounds. */
export function roundOrder(i: number): ['base' | 'head', 'base' | 'head'] {
  return i % 2 === 0 ? ['base', 'head'] : ['head', 'base']
}

export async function runPr(o: PrOptions): Promise<PrResult> {
  const t0 = performance.now()
  const elapsed = () => (performance.now() - t0) / 1000
  if (o.projects.length === 0) throw new UserError({ file: WHERE, field: '--project', message: 'no bench project named', hint: 'e.g. --project harness' })
  const root = repoRoot(o.cwd)
  const cacheDir = join(root, '.benchgate-cache', 'pr')
  const baseRev = resolveRevision(root, o.base, '--base')
  const headRev = resolveRevision(root, o.head, '--head')
  const { config } = loadConfig({ cwd: root })
  const stamp = formatStamp(new Date())
  const outDir = o.out ? resolve(o.cwd, o.out) : resolve(root, config.output.results_dir, stamp)
  mkdirSync(join(outDir, 'rounds'), { recursive: true })
  mkdirSync(join(outDir, 'logs'), { recursive: true })

  let current: Started | null = null
  const onAbort = () => void current?.stop()
  o.signal?.addEventListener('abort', onAbort, { once: true })
  const check = () => o.signal?.throwIfAborted()
  const [cmd, ...cmdArgs] = o.install.split(/\s+/).filter(Boolean)
  if (!cmd) throw new UserError({ file: WHERE, field: '--install', message: 'empty command', expected: 'e.g. "npm ci --no-audit --no-fund"' })

  try {
    const sides: Record<'base' | 'head', SideRun> = {} as Record<'base' | 'head', SideRun>
    for (const [label, rev] of [['base', baseRev], ['head', headRev]] as const) {
      check()
      const wt = prepareWorktree(root, cacheDir, rev)
      const step = await installDependencies(root, cacheDir, wt, {
        command: o.install,
        run: async (cwd) => {
          o.progress(`benchgate pr: ${label} ${rev.short}: ${o.install} in ${relative(root, cwd)} (no install of this lockfile is cached yet)`)
          const log = openSync(join(outDir, 'logs', `install-${label}.log`), 'a')
          try {
            current = startProcess(cmd, cmdArgs, { cwd, stdio: ['ignore', log, log], env: process.env, exitSignal: 'SIGTERM' })
            const code = await current.exited
            check()
            return typeof code === 'number' ? code : 1
          } finally {
            closeSync(log)
            current = null
          }
        },
      })
      o.progress(`benchgate pr: ${label} ${o.base === rev.ref || o.head === rev.ref ? `${rev.ref} = ` : ''}${rev.short} in ${relative(root, wt.dir)}, dependencies ${step.how}${step.hash ? ` (lockfile ${step.hash})` : ''}`)
      sides[label] = { label, wt }
    }

    const runSeconds: number[] = []
    let planned = o.rounds
    const totalRuns = () => 2 * (o.warmupRounds + planned)
    let runsDone = 0
    const runOnce = async (side: SideRun, name: string, measured: boolean, what: string): Promise<Baseline | null> => {
      check()
      const mean = runSeconds.length ? runSeconds.reduce((a, b) => a + b, 0) / runSeconds.length : null
      const eta = mean === null ? '' : `, ETA ${clock(mean * (totalRuns() - runsDone))}`
      o.progress(`benchgate pr: ${what} · ${side.label} ${side.wt.short} · ${o.projects.join(', ')} · ${clock(elapsed())} elapsed${eta}`)
      const file = join(outDir, 'rounds', `${name}.json`)
      const args = [join(side.wt.dir, 'node_modules', 'vitest', 'vitest.mjs'), 'bench', '--run', ...o.projects.flatMap((p) => ['--project', p]), `--reporter=${BASELINE_REPORTER}`, ...o.filters]
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(side.wt.dir, 'node_modules', '.bin')}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}` }
      // a run of its own: nothing of a Vitest or benchgate run this one may be called from
      for (const k of Object.keys(env)) if (k.startsWith('VITEST')) delete env[k]
      delete env.BENCHGATE_BASELINE
      delete env.BENCHGATE_RUN_STAMP
      delete env.BENCHGATE_BASELINE_OUT
      if (measured) env.BENCHGATE_BASELINE_OUT = file
      const log = openSync(join(outDir, 'logs', `${name}.log`), 'w')
      const r0 = performance.now()
      let code: number | string
      try {
        current = startProcess(nodeOf(side.wt), args, { cwd: side.wt.dir, stdio: ['ignore', log, log], env, exitSignal: 'SIGTERM' })
        code = await current.exited
      } finally {
        closeSync(log)
        current = null
      }
      check()
      runsDone++
      const seconds = (performance.now() - r0) / 1000
      if (measured) runSeconds.push(seconds)
      if (!measured) return null
      if (!existsSync(file)) {
        o.progress(`benchgate pr: ⚠️  ${what}, ${side.label}: vitest exited ${code} and wrote no samples; the round is left out for it (log: ${relative(o.cwd, join(outDir, 'logs', `${name}.log`))})`)
        return null
      }
      if (code !== 0) o.progress(`benchgate pr: ${what}, ${side.label}: vitest exited ${code} (a bench's own gate failed, or a test errored); its samples are used (log: logs/${name}.log)`)
      return parseBaseline(readFileSync(file, 'utf8'), relative(o.cwd, file)).data
    }

    for (let w = 0; w < o.warmupRounds; w++) {
      for (const label of roundOrder(w)) await runOnce(sides[label], `warmup${w + 1}-${label}`, false, `warm-up ${w + 1} of ${o.warmupRounds}`)
    }
    const rounds: RoundResults[] = []
    const threshold = (name: string, metric: string) => pickThreshold(config.gates, name, metric)
    const judge = () => pairRounds(rounds, { threshold, rule: config.gates.rule, confidence: config.gates.confidence, baseLabel: `base ${baseRev.short}`, headLabel: `head ${headRev.short}` })
    let paired: Paired = { rows: [], oneSided: [] }
    while (rounds.length < planned) {
      const i = rounds.length
      const round: RoundResults = { base: null, head: null }
      const id = `r${String(i + 1).padStart(2, '0')}`
      for (const label of roundOrder(i)) round[label] = await runOnce(sides[label], `${id}-${label}`, true, `round ${i + 1} of ${planned}`)
      rounds.push(round)
      if (rounds.length === planned) {
        paired = judge()
        const open = paired.rows.filter((r) => r.comparison.verdict === 'inconclusive').length
        if (open > 0 && planned < o.maxRounds) {
          planned = Math.min(o.maxRounds, planned + 2)
          o.progress(`benchgate pr: ${open} inconclusive after ${rounds.length} rounds: measuring up to ${planned}`)
        }
      }
    }
    const regressed = paired.rows.filter((r) => r.comparison.verdict === 'regressed').length
    const file = verdictsFile(paired.rows, stamp)
    const title = `benchgate pr: head ${headRev.short} (${o.head}) vs base ${baseRev.short} (${o.base}), ${rounds.length} interleaved rounds`
    writeFileAtomic(join(outDir, 'verdicts.json'), JSON.stringify(file, null, 2) + '\n')
    writeFileAtomic(join(outDir, 'verdicts.md'), verdictsMarkdown(paired.rows, file.counts, title) + oneSidedMarkdown(paired.oneSided))
    if (paired.rows.length === 0) {
      throw new UserError({
        file: WHERE,
        message: `no task was measured by both revisions in any of ${rounds.length} rounds: nothing to gate`,
        hint: `see the logs in ${relative(o.cwd, join(outDir, 'logs')) || 'logs'}; check the --project names and file filters`,
      })
    }
    const seconds = elapsed()
    o.print(
      `\n${title}: ${countsLine(file.counts)}\n${paired.rows.length ? terminalTable(paired.rows) : 'no task measured on both sides'}` +
        `${oneSidedText(paired.oneSided)}\n→ ${relative(o.cwd, join(outDir, 'verdicts.md')) || 'verdicts.md'} (${clock(seconds)})`,
    )
    return { exitCode: regressed > 0 ? 1 : 0, outDir, paired, rounds: rounds.length, seconds, runSeconds }
  } finally {
    o.signal?.removeEventListener('abort', onAbort)
    await (current as Started | null)?.stop()
  }
}

function oneSidedText(list: readonly OneSided[]): string {
  return list.map((s) => `\n${s.side === 'new' ? 'new (head only, not gated)' : 'removed (base only, not gated)'}: ${s.test} › ${s.name} (${s.file})`).join('')
}

function oneSidedMarkdown(list: readonly OneSided[]): string {
  if (list.length === 0) return ''
  return `\n### Not gated\n\n${list.map((s) => `- ${s.side === 'new' ? '🆕 new (head only)' : '🗑️ removed (base only)'}: \`${s.name}\` in ${s.test} (${s.file})`).join('\n')}\n`
}
