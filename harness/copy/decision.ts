// The parity decision: per workload, the figures of each tool and the gates the candidate must
// hold, and GO only when every gate of every workload held.
//
// Gates of one workload (candidate against baseline, from the same interleaved rounds):
//   throughput  candidate/baseline ≥ at_least, judged as toHoldParity judges it: at the limit,
//               failing only when the whole interval of the paired ratio lies below it;
//   memory      median peak memory (summed RSS of the process tree) candidate/baseline ≤ memory_at_most;
//   correct     every copy of the candidate matched the source (the first differing path named);
//   cold        (Cold only) every measured run had its page cache dropped; otherwise the runs were
//               not Cold and the gate says so.
// Throughput is the tree's bytes (and files) over a run's wall time; for the incremental workload
// it is the mirrored tree's size over the time to bring the destination up to date.
import type { Comparison } from '../results.ts'
import { median } from '../stats/quantile.ts'
import { compareSamples } from '../stats/verdict.ts'
import type { CommandRun } from '../command/index.ts'
import type { ToolOutcome, WorkloadOutcome } from './scenario.ts'

export interface Thresholds {
  atLeast: number
  memoryAtMost: number
  confidence: number
}

export interface ToolFigures {
  name: string
  role: 'candidate' | 'baseline' | 'third'
  runs: number
  wallSeconds: number
  MBps: number
  filesPerSecond: number
  cpuSeconds: number
  /** Median over runs of the peak summed RSS of the process tree: the figure the memory gate uses. */
  peakTreeMB: number
  /** Median over runs of GNU time's largest-process peak RSS. */
  peakProcessMB: number
  wrong?: string
}

export interface Gate {
  name: string
  held: boolean
  figure: string
}

export interface WorkloadDecision {
  workload: string
  cacheState: string
  files: number
  bytes: number
  tools: ToolFigures[]
  /** candidate/baseline throughput: the estimate and its interval. */
  throughput: { estimate: number; lo: number; hi: number; confidence: number }
  memoryRatio: number
  /** The parity comparison (time samples, kind 'limit'). */
  parity: Comparison
  /** The third peer against the baseline, throughput ratio; reported, never gated. */
  third?: { name: string; estimate: number; lo: number; hi: number } | undefined
  thirdSkipped?: string | undefined
  cold: WorkloadOutcome['coldAchieved']
  gates: Gate[]
}

export interface Decision {
  go: boolean
  workloads: WorkloadDecision[]
  failing: Array<Gate & { workload: string }>
  thresholds: Thresholds
}

const MB = 1e6

function figures(o: ToolOutcome, files: number, bytes: number): ToolFigures {
  const m = (f: (r: CommandRun) => number) => (o.runs.length ? median(o.runs.map(f)) : Number.NaN)
  const wall = m((r) => r.wallSeconds)
  return {
    name: o.tool.name,
    role: o.tool.role,
    runs: o.runs.length,
    wallSeconds: wall,
    MBps: bytes / MB / wall,
    filesPerSecond: files / wall,
    cpuSeconds: m((r) => r.userSeconds + r.systemSeconds),
    peakTreeMB: m((r) => r.treePeakRssBytes) / MB,
    peakProcessMB: m((r) => r.peakRssBytes) / MB,
    ...(o.wrong ? { wrong: o.wrong } : {}),
  }
}

/** The parity comparison of time samples, as toHoldParity makes it (harness/gates/matchers.ts). */
export function parityComparison(base: readonly number[], head: readonly number[], o: { name: string; atLeast: number; confidence: number; baseLabel: string; headLabel: string }): Comparison {
  const c = compareSamples(base, head, {
    name: o.name, metric: 'time', unit: 'ms', better: 'lower', threshold: 1 / o.atLeast - 1, rule: 'conservative',
    confidence: o.confidence, paired: base.length === head.length, order: 'interleaved', baseLabel: o.baseLabel, headLabel: o.headLabel,
  })
  c.kind = 'limit'
  return c
}

/** Throughput ratio head/base (higher is better) from a time comparison. */
function throughputOf(c: Comparison): { estimate: number; lo: number; hi: number; confidence: number } {
  return { estimate: 1 / c.ratio.estimate, lo: 1 / c.ratio.hi, hi: 1 / c.ratio.lo, confidence: c.ratio.confidence }
}

const x = (v: number) => `${v.toFixed(3)}×`

export function decideWorkload(o: WorkloadOutcome, t: Thresholds): WorkloadDecision {
  const cand = figures(o.candidate, o.files, o.bytes)
  const base = figures(o.baseline, o.files, o.bytes)
  const tools = [cand, base]
  const name = `${o.workload} · ${o.cacheState}`
  const parity = parityComparison(o.result.base, o.result.head, { name: `${name}: ${cand.name} ≥ ${t.atLeast}× ${base.name}`, atLeast: t.atLeast, confidence: t.confidence, baseLabel: base.name, headLabel: cand.name })
  const throughput = throughputOf(parity)
  const memoryRatio = cand.peakTreeMB / base.peakTreeMB
  const gates: Gate[] = [
    {
      name: `throughput ≥ ${t.atLeast}× ${base.name}`,
      held: parity.verdict !== 'regressed',
      figure: `${x(throughput.estimate)} (${Math.round(throughput.confidence * 100)} % CI ${x(throughput.lo)}–${x(throughput.hi)}; ${cand.MBps.toFixed(1)} vs ${base.MBps.toFixed(1)} MB/s)`,
    },
    {
      name: `peak memory ≤ ${t.memoryAtMost}× ${base.name}`,
      held: Number.isFinite(memoryRatio) && memoryRatio <= t.memoryAtMost,
      figure: `${x(memoryRatio)} (${cand.peakTreeMB.toFixed(1)} vs ${base.peakTreeMB.toFixed(1)} MB, process tree)`,
    },
    {
      name: 'copies correctly',
      held: !o.candidate.wrong && o.candidate.checked > 0,
      figure: o.candidate.wrong ?? `${o.candidate.checked} copies checked: paths, sizes, content, modes${o.candidate.tool.compareMtimes ? ', mtimes' : ''}`,
    },
  ]
  if (o.coldAchieved) {
    gates.push({
      name: 'Cold achieved',
      held: o.coldAchieved.cold,
      figure: o.coldAchieved.cold
        ? `${o.coldAchieved.runs} runs, ${o.coldAchieved.methods.join(', ')}${o.coldAchieved.max_resident === null ? '' : `, at most ${(o.coldAchieved.max_resident * 100).toFixed(1)} % resident`}`
        : `NOT Cold: ${o.coldAchieved.not_cold} of ${o.coldAchieved.runs} runs without a cache drop (${o.coldAchieved.detail ?? 'unknown'})`,
    })
  }
  let third: WorkloadDecision['third']
  if (o.third) {
    const f = figures(o.third.outcome, o.files, o.bytes)
    tools.push(f)
    const tp = throughputOf(o.third.comparison)
    third = { name: f.name, estimate: tp.estimate, lo: tp.lo, hi: tp.hi }
  }
  return { workload: o.workload, cacheState: o.cacheState, files: o.files, bytes: o.bytes, tools, throughput, memoryRatio, parity, third, thirdSkipped: o.thirdSkipped, cold: o.coldAchieved, gates }
}

export function decide(outcomes: readonly WorkloadOutcome[], t: Thresholds): Decision {
  const workloads = outcomes.map((o) => decideWorkload(o, t))
  const failing = workloads.flatMap((w) => w.gates.filter((g) => !g.held).map((g) => ({ ...g, workload: `${w.workload} · ${w.cacheState}` })))
  return { go: workloads.length > 0 && failing.length === 0, workloads, failing, thresholds: t }
}

/** The one line a run ends with. */
export function decisionLine(d: Decision): string {
  if (d.workloads.length === 0) return 'blit-parity: NO-GO — no workload was measured'
  if (d.go) return `blit-parity: GO — every gate held on ${d.workloads.length} workload${d.workloads.length === 1 ? '' : 's'}`
  return `blit-parity: NO-GO — ${d.failing.length} gate${d.failing.length === 1 ? '' : 's'} failed: ${d.failing.map((g) => `${g.workload} ${g.name}: ${g.figure}`).join('; ')}`
}
