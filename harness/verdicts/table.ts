// The verdict table, one row per gate evaluation: benchmark, metric, base, head, change,
// interval, verdict. Markdown for verdicts.md and the pull-request comment, plain text for the
// terminal. Pure, so it is unit-tested without running Vitest.
import { decisionOf, type BenchgateMeta, type Comparison, type Decision, type RatioInterval } from '../results.ts'
import type { VerdictCounts, VerdictRow } from './file.ts'

export const COLUMNS = ['benchmark', 'metric', 'base', 'head', 'change', 'interval', 'verdict'] as const

const ICON: Record<Decision, string> = { regressed: '❌', improved: '🚀', unchanged: '✅', inconclusive: '❔', holds: '✅', fails: '❌' }

/** Every comparison recorded by the reported tests, in test order. */
export function verdictRows(tests: ReadonlyArray<{ project: string; file: string; test: string; meta: BenchgateMeta | undefined }>): VerdictRow[] {
  const rows: VerdictRow[] = []
  for (const t of tests) {
    for (const comparison of t.meta?.comparisons ?? []) rows.push({ project: t.project, file: t.file, test: t.test, comparison })
  }
  return rows
}

/** A figure with 4 significant digits, no exponent for ordinary magnitudes: 1235, 12.35, 0.01235. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  if (x === 0) return '0'
  const abs = Math.abs(x)
  if (abs >= 1e15 || abs < 1e-6) return x.toPrecision(4)
  const digits = Math.max(0, 3 - Math.floor(Math.log10(abs)))
  return x.toFixed(Math.min(digits, 10)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')
}

export function formatValue(x: number, unit: string): string {
  return unit ? `${formatNumber(x)} ${unit}` : formatNumber(x)
}

/** A head/base ratio as a signed relative change: 1.123 → '+12.3 %'. */
export function formatChange(ratio: number): string {
  const p = (ratio - 1) * 100
  const s = Math.abs(p) < 0.05 ? '0.0' : p.toFixed(1)
  return `${p > 0 && s !== '0.0' ? '+' : ''}${s} %`
}

export function formatInterval(r: RatioInterval): string {
  return `${formatChange(r.lo)} … ${formatChange(r.hi)} (${Math.round(r.confidence * 1000) / 10} %)`
}

/** What the gate decided: the verdict of a comparison, holds / fails for a limit (never 'unchanged' for a limit). */
export function formatVerdict(c: Comparison, icons: boolean): string {
  const d = decisionOf(c)
  const word = icons ? `${ICON[d]} ${d}` : d === 'regressed' || d === 'fails' ? d.toUpperCase() : d
  return c.fingerprintWarning ? `${word} ${icons ? '⚠️' : '(!)'}` : word
}

/** A side's median with its label (when it says more than 'base'/'head') and sample count. */
function sideCell(side: Comparison['base'], unit: string, plain: string): string {
  const label = side.label && side.label !== plain ? `${side.label}, ` : ''
  return `${formatValue(side.median, unit)} (${label}n=${side.n})`
}

/** The cells of one row, in COLUMNS order. */
export function rowCells(row: VerdictRow, icons: boolean): string[] {
  const c = row.comparison
  const benchmark = c.name === row.test ? c.name : `${row.test} › ${c.name}`
  return [
    benchmark,
    `${c.metric}${c.unit ? ` (${c.unit})` : ''}, ${c.better} is better`,
    sideCell(c.base, c.unit, 'base'),
    sideCell(c.head, c.unit, 'head'),
    formatChange(c.ratio.estimate),
    formatInterval(c.ratio),
    formatVerdict(c, icons),
  ]
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

/** One markdown table of every row. */
export function markdownTable(rows: readonly VerdictRow[]): string {
  const lines = [`| ${COLUMNS.join(' | ')} |`, `| ${COLUMNS.map((c, i) => (i >= 2 && i <= 4 ? '---:' : '---')).join(' | ')} |`]
  for (const r of rows) lines.push(`| ${rowCells(r, true).map(mdCell).join(' | ')} |`)
  return lines.join('\n')
}

export function countsLine(counts: VerdictCounts): string {
  const line = `${counts.regressed} regressed, ${counts.improved} improved, ${counts.unchanged} unchanged, ${counts.inconclusive} inconclusive`
  const limits = (counts.holds ?? 0) + (counts.fails ?? 0)
  return limits ? `${line}; limits: ${counts.holds ?? 0} ${counts.holds === 1 ? 'holds' : 'hold'}, ${counts.fails ?? 0} ${counts.fails === 1 ? 'fails' : 'fail'}` : line
}

const pctOf = (x: number) => `${Math.round(x * 1000) / 10} %`

/** How each rule in the rows decides, in one sentence each. */
function ruleNotes(rows: readonly VerdictRow[]): string[] {
  const notes: string[] = []
  const comparisons = rows.filter((r) => r.comparison.kind !== 'limit')
  const byRule = (rule: string) => [...new Set(comparisons.filter((r) => (r.comparison.rule ?? 'conservative') === rule).map((r) => pctOf(r.comparison.threshold)))]
  const catchT = byRule('catch')
  const consT = byRule('conservative')
  if (catchT.length) notes.push(`Regressed when the interval lies above √(1 + threshold), midway between no change and the threshold (${catchT.join(', ')}): a regression of the threshold fails; improved likewise below.`)
  if (consT.length) notes.push(`Rule 'conservative': regressed only when the whole interval lies beyond the threshold (${consT.join(', ')}).`)
  if (rows.some((r) => r.comparison.kind === 'limit')) notes.push('Limits (at least a fraction of a reference, within a ratio): fails when the whole interval lies beyond the limit, else holds.')
  return notes
}

/** Notes under the table: thresholds and methods used, and every fingerprint warning (once each). */
export function tableNotes(rows: readonly VerdictRow[]): string[] {
  const notes: string[] = []
  const methods = [...new Set(rows.map((r) => `${r.comparison.order}: ${r.comparison.method}`))]
  if (rows.length) notes.push('Change is head/base − 1 of the medians.', ...ruleNotes(rows))
  for (const m of methods) notes.push(`Method (${m}).`)
  for (const w of new Set(rows.flatMap((r) => (r.comparison.fingerprintWarning ? [r.comparison.fingerprintWarning] : [])))) notes.push(`⚠️ ${w}`)
  return notes
}

/** verdicts.md: a heading with the counts, the table, and the notes. */
export function verdictsMarkdown(rows: readonly VerdictRow[], counts: VerdictCounts, title = 'benchgate verdicts'): string {
  if (rows.length === 0) return `## ${title}\n\nNo gate evaluations in this run.\n`
  return `## ${title}: ${countsLine(counts)}\n\n${markdownTable(rows)}\n\n${tableNotes(rows).map((n) => `- ${n}`).join('\n')}\n`
}

/** The compact terminal table (aligned plain text, no icons). */
export function terminalTable(rows: readonly VerdictRow[]): string {
  const head = [...COLUMNS]
  const body = rows.map((r) => {
    const cells = rowCells(r, false)
    cells[1] = `${r.comparison.metric}${r.comparison.unit ? ` (${r.comparison.unit})` : ''}` // compact: no "lower is better"
    return cells
  })
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(head), ...body.map(line)].join('\n')
}
