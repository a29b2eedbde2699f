// Mean, 95th percentile and peak of every numeric column of a metrics CSV, over all its rows
// (all watched pids together). Empty cells are left out; a column with no value at all is null.
// p95 is the nearest-rank percentile: the smallest value with at least 95 % of values ≤ it.
import { readFileSync } from 'node:fs'
import { UserError } from '../errors.ts'
import { NUMERIC_COLUMNS, type NumericColumn } from './columns.ts'
import { parseMetricsCsv } from './csv.ts'

export interface ColumnStats {
  mean: number
  p95: number
  peak: number
}

export interface MetricsSummary {
  rows: number
  columns: Record<NumericColumn, ColumnStats | null>
}

/** Nearest-rank percentile (0 < p ≤ 100) of values sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]!
}

export function columnStats(values: number[]): ColumnStats | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  let sum = 0
  for (const v of sorted) sum += v
  return { mean: sum / sorted.length, p95: percentile(sorted, 95), peak: sorted[sorted.length - 1]! }
}

/** The summary of a metrics CSV (a `.partial` file is read up to its last whole line). */
export function summarizeMetrics(csvPath: string): MetricsSummary {
  let text: string
  try {
    text = readFileSync(csvPath, 'utf8')
  } catch (e) {
    throw new UserError({
      file: csvPath,
      message: `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      expected: 'a metrics CSV written by benchgate metrics or the sampler',
      hint: 'check the path; an unfinished run leaves FILE.partial',
    })
  }
  if (csvPath.endsWith('.partial') && !text.endsWith('\n')) text = text.slice(0, text.lastIndexOf('\n') + 1)
  const rows = parseMetricsCsv(text, csvPath)
  const columns = {} as Record<NumericColumn, ColumnStats | null>
  for (const c of NUMERIC_COLUMNS) {
    const values: number[] = []
    for (const row of rows) {
      const v = row[c]
      if (v !== null) values.push(v)
    }
    columns[c] = columnStats(values)
  }
  return { rows: rows.length, columns }
}
