// Result tables as text: the statistics of a test's benchmarks, its KPIs and its verdicts, as
// aligned plain text (terminal, the Vitest UI's <pre> blocks) or GitHub-flavoured markdown.
import { formatChange, formatNumber, formatValue } from '../charts/format.ts'
import { decisionOf, type Comparison, type Kpi } from '../results.ts'

export type TableFormat = 'text' | 'markdown'

/** The statistics resultTable reads; Tinybench's `Statistics` (and Vitest's) fit it. */
export interface StatsLike {
  mean: number
  p50: number
  p75: number
  p99: number
  min: number
  max: number
  sd: number
  /** Relative margin of error, in percent. */
  rme: number
  samplesCount: number
}

/** One benchmark's result: a `bench(...).run()` result or a task of `task.benchmarks`. */
export interface BenchmarkRow {
  name: string
  /** Milliseconds per iteration. */
  latency: StatsLike
  /** Operations per second. */
  throughput?: Pick<StatsLike, 'mean'>
}

interface Column {
  header: string
  align: 'left' | 'right'
}

/** Lays out cells as aligned text or as a markdown table. Pipes in cells are escaped for markdown. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], format: TableFormat): string {
  if (format === 'markdown') {
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
    const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`
    return [line(columns.map((c) => c.header)), `|${columns.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`, ...rows.map(line)].join('\n')
  }
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)))
  const pad = (s: string, i: number) => (columns[i]!.align === 'right' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))
  const line = (cells: readonly string[]) => cells.map(pad).join('  ').trimEnd()
  return [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

const TIME_UNITS = [
  { unit: 's', perMs: 1e-3, from: 1000 },
  { unit: 'ms', perMs: 1, from: 1 },
  { unit: 'µs', perMs: 1e3, from: 1e-3 },
  { unit: 'ns', perMs: 1e6, from: 0 },
] as const

/** The time unit that shows `ms` (a typical value of a row) with one to three integer digits. */
export function timeUnit(ms: number): { unit: string; perMs: number } {
  const abs = Math.abs(ms)
  return TIME_UNITS.find((u) => abs >= u.from) ?? TIME_UNITS[TIME_UNITS.length - 1]!
}

/** A count with thousands separated by commas: 2883238 → '2,883,238'. */
function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

export interface ResultTableOptions {
  /**
   * Only benchmark, unit, mean, p50, p99, min, max, rme and samples (about 80 characters wide,
   * for narrow places such as the Vitest UI's metadata pane). Default false: every column.
   */
  compact?: boolean
}

const STAT_COLUMNS = ['mean', 'p50', 'p75', 'p99', 'min', 'max', 'sd'] as const
const COMPACT_STATS: readonly (typeof STAT_COLUMNS)[number][] = ['mean', 'p50', 'p99', 'min', 'max']

/**
 * The statistics of benchmarks, one row each: mean, p50, p75, p99, min, max and standard deviation
 * in the row's time unit (chosen from its mean, shown once in the unit column), the relative
 * margin of error, the number of samples and operations per second.
 */
export function resultTable(rows: readonly BenchmarkRow[], format: TableFormat = 'text', options: ResultTableOptions = {}): string {
  const stats = options.compact ? COMPACT_STATS : STAT_COLUMNS
  const columns: Column[] = [
    { header: 'benchmark', align: 'left' },
    { header: 'unit', align: 'left' },
    ...stats.map((header) => ({ header, align: 'right' as const })),
    { header: 'rme', align: 'right' },
    { header: 'samples', align: 'right' },
    ...(options.compact ? [] : [{ header: 'ops/s', align: 'right' as const }]),
  ]
  const cells = rows.map((r) => {
    const { unit, perMs } = timeUnit(r.latency.mean)
    const l = r.latency
    const ops = r.throughput?.mean ?? (l.mean > 0 ? 1000 / l.mean : NaN)
    return [
      r.name,
      unit,
      ...stats.map((k) => formatNumber(l[k] * perMs)),
      `±${l.rme.toFixed(2)} %`,
      count(l.samplesCount),
      ...(options.compact ? [] : [Number.isFinite(ops) ? formatNumber(ops) : '-']),
    ]
  })
  return formatTable(columns, cells, format)
}

function direction(better: Kpi['better']): string {
  return better === 'lower' ? 'lower is better' : better === 'higher' ? 'higher is better' : ''
}

/** KPIs: name, value with unit, and which way is better. */
export function kpiTable(kpis: readonly Kpi[], format: TableFormat = 'text'): string {
  const columns: Column[] = [
    { header: 'KPI', align: 'left' },
    { header: 'value', align: 'right' },
    { header: 'better', align: 'left' },
  ]
  return formatTable(columns, kpis.map((k) => [k.name, kpiValue(k), direction(k.better)]), format)
}

/** A KPI's value as shown: numbers formatted, strings as they are, with the unit. */
export function kpiValue(k: Kpi): string {
  return typeof k.value === 'number' ? formatValue(k.value, k.unit) : k.unit ? `${k.value} ${k.unit}` : k.value
}

/** Verdicts: benchmark, metric, verdict, change with its interval, base and head medians. */
export function verdictTable(comparisons: readonly Comparison[], format: TableFormat = 'text'): string {
  const columns: Column[] = [
    { header: 'benchmark', align: 'left' },
    { header: 'metric', align: 'left' },
    { header: 'verdict', align: 'left' },
    { header: 'change', align: 'right' },
    { header: 'interval', align: 'left' },
    { header: 'base', align: 'right' },
    { header: 'head', align: 'right' },
  ]
  const cells = comparisons.map((c) => [
    c.name,
    c.metric,
    decisionOf(c),
    formatChange(c.ratio.estimate),
    `[${formatChange(c.ratio.lo)}, ${formatChange(c.ratio.hi)}]`,
    formatValue(c.base.median, c.unit),
    formatValue(c.head.median, c.unit),
  ])
  return formatTable(columns, cells, format)
}

/** One comparison in a sentence, e.g. for an annotation or a log line. */
export function verdictSentence(c: Comparison): string {
  const pct = Math.round(c.ratio.confidence * 100)
  let text =
    `${c.name} · ${c.metric}: ${decisionOf(c)}, ${formatChange(c.ratio.estimate)} [${formatChange(c.ratio.lo)}, ${formatChange(c.ratio.hi)}] at ${pct} % confidence; ` +
    `base ${formatValue(c.base.median, c.unit)} (${c.base.label}) → head ${formatValue(c.head.median, c.unit)} (${c.head.label}); ` +
    `threshold ${formatNumber(c.threshold * 100)} %, ${c.rounds} ${c.order} rounds, ${c.method}`
  if (c.fingerprintWarning) text += `; warning: ${c.fingerprintWarning}`
  return text
}
