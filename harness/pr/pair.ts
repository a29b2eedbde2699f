// Pairs the rounds of a `benchgate pr` run and judges each task, head against base.
//
// Method
// ------
// A round is one whole run of the selected bench projects for base and one for head, back to
// back, in ABBA order over rounds (./plan.ts). Each run leaves a baseline file (raw samples per
// benchmark task, and the tests' KPIs). Per task the figure of a run is the MEDIAN of its
// samples (ms per iteration); per KPI with a direction, its value. Round i's base figure and round
// i's head figure were measured minutes apart at most, so whatever slowed the machine in that
// round mostly divides out of their ratio: the verdict is the bootstrap median of the per-round
// ratios (../stats/verdict.ts with `paired: true`), exactly as inside one interleaved comparison,
// by the configured threshold and rule. A round in which one side lacks the task (its run
// failed) is left out of that task's pairs; a task measured on one side only in every round is
// listed as new or removed and never gated.
import type { Baseline } from '../baseline/format.ts'
import type { Comparison } from '../results.ts'
import { median } from '../stats/quantile.ts'
import { compareSamples, type GateRule } from '../stats/verdict.ts'

export interface RoundResults {
  /** null when that side's run of the round left no results. */
  base: Baseline | null
  head: Baseline | null
}

export interface PairedRow {
  project: string
  file: string
  test: string
  comparison: Comparison
}

export interface OneSided {
  project: string
  file: string
  test: string
  /** The benchmark task or KPI name. */
  name: string
  side: 'new' | 'removed'
}

export interface Paired {
  rows: PairedRow[]
  oneSided: OneSided[]
}

export interface PairOptions {
  threshold: (name: string, metric: string) => number
  rule: GateRule
  confidence: number
  baseLabel: string
  headLabel: string
}

interface Figure {
  project: string
  file: string
  test: string
  name: string
  metric: string
  unit: string
  better: 'lower' | 'higher'
}

/** One run's figures, keyed by test and task or KPI. */
function figures(b: Baseline): Map<string, { figure: Figure; value: number }> {
  const out = new Map<string, { figure: Figure; value: number }>()
  for (const t of b.tests) {
    const where = { project: t.project, file: t.file, test: t.test }
    for (const task of t.benchmarks) {
      const name = task.benchmark && task.benchmark !== t.test ? `${task.benchmark} › ${task.task}` : task.task
      out.set(`${t.file}\0${t.test}\0task\0${task.benchmark}\0${task.task}`, { figure: { ...where, name, metric: 'time', unit: 'ms', better: 'lower' }, value: median(task.samples) })
    }
    for (const k of t.kpis) {
      if (!k.better || typeof k.value !== 'number' || !(k.value > 0)) continue
      out.set(`${t.file}\0${t.test}\0kpi\0${k.name}`, { figure: { ...where, name: t.test, metric: k.name, unit: k.unit, better: k.better }, value: k.value })
    }
  }
  return out
}

/** Every task and KPI judged over the rounds in which both sides measured it. */
export function pairRounds(rounds: readonly RoundResults[], o: PairOptions): Paired {
  const series = new Map<string, { figure: Figure; base: number[]; head: number[]; onBase: boolean; onHead: boolean }>()
  const entry = (key: string, figure: Figure) => {
    let s = series.get(key)
    if (!s) series.set(key, (s = { figure, base: [], head: [], onBase: false, onHead: false }))
    return s
  }
  for (const r of rounds) {
    const base = r.base ? figures(r.base) : new Map()
    const head = r.head ? figures(r.head) : new Map()
    for (const [key, b] of base) entry(key, b.figure).onBase = true
    for (const [key, h] of head) entry(key, h.figure).onHead = true
    for (const [key, b] of base) {
      const h = head.get(key)
      if (!h) continue
      const s = series.get(key)!
      s.base.push(b.value)
      s.head.push(h.value)
    }
  }
  const rows: PairedRow[] = []
  const oneSided: OneSided[] = []
  for (const { figure: f, base, head, onBase, onHead } of series.values()) {
    const where = { project: f.project, file: f.file, test: f.test }
    if (!onBase || !onHead) {
      oneSided.push({ ...where, name: f.metric === 'time' ? f.name : `${f.name} · ${f.metric}`, side: onHead ? 'new' : 'removed' })
      continue
    }
    if (base.length === 0) continue // never measured by both in one round: nothing to pair
    const comparison = compareSamples(base, head, {
      name: f.name,
      metric: f.metric,
      unit: f.unit,
      better: f.better,
      threshold: o.threshold(f.name, f.metric),
      rule: o.rule,
      confidence: o.confidence,
      paired: true,
      order: 'interleaved revisions',
      baseLabel: o.baseLabel,
      headLabel: o.headLabel,
    })
    comparison.method = `per-round ${f.metric === 'time' ? 'medians of each run' : 'KPI values'}, ${comparison.method}`
    rows.push({ ...where, comparison })
  }
  return { rows, oneSided }
}
