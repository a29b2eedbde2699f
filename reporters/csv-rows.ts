// Turns reported tests into CSV rows: one row per benchmark task with every Tinybench statistic
// and the test's KPIs (as kpi_<name>[_<unit>] columns); a test with KPIs but no benchmark gets
// one row of its own. Pure, so it is unit-tested without running Vitest.
import type { BenchgateMeta } from '../harness/results.ts'

export const STAT_FIELDS = [
  'mean', 'min', 'max', 'p50', 'p75', 'p99', 'p995', 'p999',
  'sd', 'variance', 'sem', 'moe', 'rme', 'mad', 'aad', 'df', 'critical', 'samplesCount',
] as const

type Stats = Partial<Record<(typeof STAT_FIELDS)[number], number>>

export interface ReportedTask {
  name: string
  latency: Stats
  throughput: Stats
  period: number
  totalTime: number
  rank: number
  fromStore?: boolean
}

export interface ReportedTest {
  project: string
  file: string
  test: string
  state: string
  benchmarks: ReadonlyArray<{ name: string; tasks: ReadonlyArray<ReportedTask> }>
  meta: BenchgateMeta | undefined
}

const FIXED = ['project', 'file', 'test', 'state', 'benchmark', 'task', 'rank', 'from_store', 'period_ms', 'total_time_ms']

function kpiColumn(name: string, unit: string): string {
  const u = unit.replace(/%/g, 'pct').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
  return u ? `kpi_${name}_${u}` : `kpi_${name}`
}

/** Column name of one statistic: unit suffix only where the figure has that unit. */
function statColumn(kind: string, field: (typeof STAT_FIELDS)[number], unit: string): string {
  if (field === 'samplesCount') return `${kind}_samples`
  if (field === 'rme') return `${kind}_rme_pct`
  if (field === 'df' || field === 'critical') return `${kind}_${field}`
  if (field === 'variance') return `${kind}_variance_${unit}2`
  return `${kind}_${field}_${unit}`
}

export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return ''
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function benchmarkRows(tests: readonly ReportedTest[]): { header: string[]; rows: string[][] } {
  const kpiCols: string[] = []
  for (const t of tests) {
    for (const k of t.meta?.kpis ?? []) {
      const col = kpiColumn(k.name, k.unit)
      if (!kpiCols.includes(col)) kpiCols.push(col)
    }
  }
  const statCols = [...STAT_FIELDS.map((f) => statColumn('latency', f, 'ms')), ...STAT_FIELDS.map((f) => statColumn('throughput', f, 'hz'))]
  const header = [...FIXED, ...statCols, ...kpiCols]
  const rows: string[][] = []
  for (const t of tests) {
    const kpis: Record<string, unknown> = {}
    for (const k of t.meta?.kpis ?? []) kpis[kpiColumn(k.name, k.unit)] = k.value
    const kpiCells = kpiCols.map((c) => csvCell(kpis[c]))
    const base = [t.project, t.file, t.test, t.state]
    const tasks = t.benchmarks.flatMap((b) => b.tasks.map((task) => ({ group: b.name, task })))
    if (tasks.length === 0) {
      if (kpiCols.length && t.meta?.kpis.length) {
        rows.push([...base, '', '', '', '', '', '', ...statCols.map(() => ''), ...kpiCells].map(csvCell))
      }
      continue
    }
    for (const { group, task } of tasks) {
      rows.push([
        ...[...base, group, task.name, task.rank, task.fromStore ? 'true' : 'false', task.period, task.totalTime].map(csvCell),
        ...STAT_FIELDS.map((f) => csvCell(task.latency[f])),
        ...STAT_FIELDS.map((f) => csvCell(task.throughput[f])),
        ...kpiCells,
      ])
    }
  }
  return { header, rows }
}

export function toCsv({ header, rows }: { header: string[]; rows: string[][] }): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n'
}
