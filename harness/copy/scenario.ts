// One blit-parity workload: the candidate against the baseline in interleaved ABBA rounds (the
// `compare` fixture), and the third peer, when there is one, in the same rounds (paired with the
// baseline's runs, reported, never gated).
// Before every run, untimed: a fresh destination (or, for the incremental workload, an exact
// mirror of the base tree) and, for Cold, the page cache dropped (./scenario-cold.ts). After every
// run, untimed: the destination compared with the source (paths, sizes, content, modes, mtimes,
// nothing extra). Every run's wall, CPU and peak memory come from harness/command; the memory
// figure a gate uses is the peak summed RSS of the tool's process tree (rsync forks; a tool
// that spreads its memory over processes cannot hide it), GNU time's largest-process peak is
// reported beside it.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { commandSide, expandTemplate, resolveProgram, type CommandRun } from '../command/index.ts'
import type { CompareResult } from '../compare/interleave.ts'
import type { Comparer } from '../test.ts'
import type { Config } from '../config/schema.ts'
import { isAlive } from '../run/cleanup.ts'
import type { Comparison } from '../results.ts'
import { compareSamples } from '../stats/verdict.ts'
import { compareTrees, describeDiff, ensureIncrementalSource, ensureTree, freshDestination, mirrorState, workloadSpec, type GeneratedTree, type WorkloadName, type WorkloadSizes } from './index.ts'
import { coldSummary, makeCold, type ColdRun } from './scenario-cold.ts'

export type CacheState = 'Cold' | 'Warm'

/** A copy tool as the scenario runs it. */
export interface ParityTool {
  role: 'candidate' | 'baseline' | 'third'
  name: string
  template: string
  /** Where it was configured, for messages: blitParity.candidate.command. */
  field: string
  successCodes: readonly number[]
  mirror: boolean
  compareMtimes: boolean
  compareModes: boolean
}

type ToolConfig = Config['blitParity']['candidate']

const DEFAULT_BASELINE: Record<'posix' | 'win32', ToolConfig> = {
  posix: { name: 'rsync', command: 'rsync -a --delete {src}/ {dst}/', success_codes: [0], mirror: true, compare_mtimes: true, compare_modes: true },
  win32: { name: 'robocopy', command: 'robocopy {src} {dst} /MIR /COPY:DAT /DCOPY:T /R:0 /W:0 /NFL /NDL /NJH /NJS /NP', success_codes: [0, 1, 2, 3, 4, 5, 6, 7], mirror: true, compare_mtimes: true, compare_modes: false },
}
const DEFAULT_THIRD: ToolConfig = { name: 'cp', command: 'cp -a {src}/. {dst}/', success_codes: [0], mirror: false, compare_mtimes: true, compare_modes: true }

function tool(role: ParityTool['role'], c: ToolConfig): ParityTool {
  const field = `blitParity.${role}.command`
  const argv = expandTemplate(c.command, { src: 'SRC', dst: 'DST' }, field, ['src', 'dst'])
  resolveProgram(argv[0]!, field) // a missing binary is one line naming the field, before anything is generated
  return { role, name: c.name, template: c.command, field, successCodes: c.success_codes, mirror: c.mirror, compareMtimes: c.compare_mtimes, compareModes: c.compare_modes }
}

/** The tools of the configuration, with the platform's defaults; each program checked on PATH. */
export function parityTools(bp: Config['blitParity'], platform: NodeJS.Platform = process.platform): { candidate: ParityTool; baseline: ParityTool; third: ParityTool | null } {
  const baseline = bp.baseline ?? DEFAULT_BASELINE[platform === 'win32' ? 'win32' : 'posix']
  const third = bp.third === null ? null : (bp.third ?? (platform === 'win32' ? null : DEFAULT_THIRD))
  const tools = { candidate: tool('candidate', bp.candidate), baseline: tool('baseline', baseline), third: third && tool('third', third) }
  const names = [tools.candidate.name, tools.baseline.name, tools.third?.name].filter(Boolean)
  if (new Set(names).size !== names.length) throw new Error(`blitParity: the tools need distinct names, got ${names.join(', ')}`)
  return tools
}

/** The workload sizes of the configuration. */
export function workloadSizes(w: Config['blitParity']['workloads']): WorkloadSizes {
  return {
    largeBytes: w.large.bytes,
    smallCount: w.small.files, smallMinBytes: w.small.min_bytes, smallMaxBytes: w.small.max_bytes,
    mixedLargeCount: w.mixed.large_files, mixedLargeBytes: w.mixed.large_bytes,
    mixedSmallCount: w.mixed.small_files, mixedSmallMinBytes: w.mixed.small_min_bytes, mixedSmallMaxBytes: w.mixed.small_max_bytes,
    incrementalBaseCount: w.incremental.files, incrementalTouch: w.incremental.touch, incrementalDelete: w.incremental.delete, incrementalAdd: w.incremental.add,
  }
}

/** The enabled workloads, in the configuration's order. */
export function enabledWorkloads(w: Config['blitParity']['workloads']): WorkloadName[] {
  return (['large', 'small', 'mixed', 'incremental'] as const).filter((n) => w[n].enabled)
}

/** The field of a workload's sizes, named when the disk is too small. */
const SIZE_FIELD: Record<WorkloadName, string> = {
  large: 'blitParity.workloads.large.bytes',
  small: 'blitParity.workloads.small.files',
  mixed: 'blitParity.workloads.mixed',
  incremental: 'blitParity.workloads.incremental',
}

/** A workload's trees: what a run copies from, and what the destination starts as. */
export interface WorkloadTrees {
  workload: WorkloadName
  /** The tree each run copies from. */
  source: GeneratedTree
  /** Incremental only: the tree the destination mirrors before each run. */
  start?: GeneratedTree
  /** Incremental only: what changed between start and source. */
  change?: { touched: number; deleted: number; added: number }
}

export async function workloadTrees(workload: WorkloadName, bp: Config['blitParity'], progress?: (done: number, total: number) => void): Promise<WorkloadTrees> {
  const sizes = workloadSizes(bp.workloads)
  const cacheRoot = join(bp.cache_dir, 'trees')
  const opts = { field: SIZE_FIELD[workload], ...(progress ? { onProgress: progress } : {}) }
  const tree = await ensureTree(workloadSpec(workload, sizes, bp.seed), cacheRoot, opts)
  if (workload !== 'incremental') return { workload, source: tree }
  const changed = await ensureIncrementalSource(tree, sizes, bp.seed, cacheRoot)
  return { workload, source: changed, start: tree, change: { touched: changed.change.touched.length, deleted: changed.change.deleted.length, added: changed.change.added.length } }
}

let destinations = 0

/** Destinations of one workload run of this process, under cache_dir; those of processes no longer alive are removed first. */
export function destinationRoot(cacheDir: string): string {
  const root = join(cacheDir, 'dst')
  mkdirSync(root, { recursive: true })
  for (const name of readdirSync(root)) {
    const pid = Number(/^p(\d+)-\d+$/.exec(name)?.[1])
    if (pid && pid !== process.pid && !isAlive(pid)) rmSync(join(root, name), { recursive: true, force: true })
  }
  return join(root, `p${process.pid}-${++destinations}`)
}

/** What one tool did on one workload. */
export interface ToolOutcome {
  tool: ParityTool
  /** The measured runs (warm-ups left out). */
  runs: CommandRun[]
  cold: ColdRun[]
  /** The first wrong copy, named by its first differing path; undefined when every copy was right. */
  wrong?: string
  /** Runs whose copy was checked. */
  checked: number
}

export interface WorkloadOutcome {
  workload: WorkloadName
  cacheState: CacheState
  files: number
  bytes: number
  change?: WorkloadTrees['change']
  candidate: ToolOutcome
  baseline: ToolOutcome
  /** candidate against baseline: the samples the gates use. */
  result: CompareResult
  /** The third peer against the baseline, reported only; null when there is none or it cannot mirror. */
  third: { outcome: ToolOutcome; comparison: Comparison } | null
  thirdSkipped?: string
  coldAchieved: ReturnType<typeof coldSummary> | null
}

interface RunOptions {
  compare: Comparer
  trees: WorkloadTrees
  cacheState: CacheState
  rounds: number
  maxRounds: number
  dstRoot: string
  /** One line per run (progress on the terminal). */
  log?: (line: string) => void
}

function side(t: ParityTool, o: RunOptions, warmups: number) {
  const dst = join(o.dstRoot, t.name)
  const out: ToolOutcome = { tool: t, runs: [], cold: [], checked: 0 }
  const argv = expandTemplate(t.template, { src: o.trees.source.dir, dst }, t.field, ['src', 'dst'])
  let n = 0
  const s = commandSide(t.name, { argv, successCodes: t.successCodes, field: t.field }, {
    warmups,
    prepare: async () => {
      if (o.trees.start) await mirrorState(o.trees.start, dst)
      else freshDestination(dst)
      if (o.cacheState === 'Cold' && n >= warmups) out.cold.push(makeCold(o.trees.source.dir, [dst]))
    },
    verify: async () => {
      const measured = n++ >= warmups
      const r = await compareTrees(o.trees.source, dst, { mtimes: t.compareMtimes, modes: t.compareModes, maxDiffs: 1 })
      if (measured) out.checked++
      if (r.diffs[0] && !out.wrong) out.wrong = `${t.name} copied ${o.trees.workload} wrongly: ${describeDiff(r.diffs[0])}`
      const run = s.runs.at(-1)!
      o.log?.(`${o.trees.workload} · ${o.cacheState}: ${t.name} ${measured ? `run ${n - warmups}` : 'warm-up'} ${run.wallSeconds.toFixed(2)} s, ${(o.trees.source.bytes / 1e6 / run.wallSeconds).toFixed(0)} MB/s, ${(run.treePeakRssBytes / 1e6).toFixed(0)} MB peak${r.diffs[0] ? `, WRONG: ${describeDiff(r.diffs[0])}` : ''}`)
    },
  })
  return { s, out }
}

/** Runs one workload in one cache state, the three tools in the same rounds. */
export async function runWorkload(o: RunOptions & { tools: ReturnType<typeof parityTools> }): Promise<WorkloadOutcome> {
  const { candidate, baseline, third } = o.tools
  const label = `${o.trees.workload} · ${o.cacheState}`
  const warmups = o.cacheState === 'Warm' ? 1 : 0
  try {
    const h = side(candidate, o, warmups)
    const b = side(baseline, o, warmups)
    // The third peer runs in the same rounds, right before each baseline run (untimed for the
    // baseline: its own prepare comes after), so a round is T B C or C T B: one more run per
    // round instead of a second comparison that would run the baseline all over again.
    const runsThird = third !== null && (third.mirror || !o.trees.start)
    const t = runsThird ? side(third, o, warmups) : null
    if (t) {
      const own = b.s.beforeEach
      b.s.beforeEach = async () => {
        await t.s.beforeEach?.()
        await t.s.fn()
        await t.s.afterEach?.()
        await own?.()
      }
    }
    const result = await o.compare(b.s, h.s, { name: `${label}: ${candidate.name} vs ${baseline.name}`, rounds: o.rounds, maxRounds: o.maxRounds, warmupRounds: warmups, batchRounds: 2 })
    for (const x of [h, b, ...(t ? [t] : [])]) x.out.runs = x.s.runs.filter((r) => !r.warmup)
    const main = { head: h.out, base: b.out }
    let thirdOut: WorkloadOutcome['third'] = null
    let thirdSkipped: string | undefined
    if (t) {
      const ms = (runs: readonly CommandRun[]) => runs.map((r) => r.wallSeconds * 1000)
      const comparison = compareSamples(ms(b.out.runs), ms(t.out.runs), { name: `${label}: ${third!.name} vs ${baseline.name}`, paired: true, order: 'interleaved', rounds: b.out.runs.length, baseLabel: baseline.name, headLabel: third!.name })
      thirdOut = { outcome: t.out, comparison }
    } else if (third) {
      thirdSkipped = `${third.name} does not mirror (deletes nothing): not run on the incremental workload`
    }
    const cold = o.cacheState === 'Cold' ? [...main.head.cold, ...main.base.cold, ...(t?.out.cold ?? [])] : null
    return {
      workload: o.trees.workload,
      cacheState: o.cacheState,
      files: o.trees.source.files,
      bytes: o.trees.source.bytes,
      ...(o.trees.change ? { change: o.trees.change } : {}),
      candidate: main.head,
      baseline: main.base,
      result,
      third: thirdOut,
      ...(thirdSkipped ? { thirdSkipped } : {}),
      coldAchieved: cold && coldSummary(cold),
    }
  } finally {
    rmSync(o.dstRoot, { recursive: true, force: true })
  }
}
