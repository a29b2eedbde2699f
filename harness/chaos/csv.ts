// The chaos family's two CSV files, written atomically (../run/atomic.ts):
//   comprehensive_sweep.csv  one SweepRow per configuration — label, parameters, precondition-
//                            failure rate, write/read TPS, write p50/p95/p99, precondition-failure
//                            p50/p99, read p50/p95/p99, then the counts and retry figures
//   chaos_sweep.csv          one ScenarioRow per scenario — the scenario column first, the
//                            configuration, the checker's verdict, the same figures, then the
//                            faults' measured effects
// Columns are the row types' keys in a fixed order (a key missing from the lists is a type error).
// Cells: RFC 4180 quoting (../metrics/csv.ts); fractions (rates, overlap) with up to 6 decimals,
// other numbers up to 3; a figure that is NaN or infinite (no sample) is an empty cell.
import { formatNumber, quoteCell } from '../metrics/csv.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import type { RunFigures, ScenarioRow, SweepRow } from './types.ts'

const FIGURE_COLUMNS = [
  'precondition_failure_rate',
  'write_tps',
  'read_tps',
  'write_p50_ms',
  'write_p95_ms',
  'write_p99_ms',
  'precondition_failure_p50_ms',
  'precondition_failure_p99_ms',
  'read_p50_ms',
  'read_p95_ms',
  'read_p99_ms',
  'commit_attempts',
  'commits',
  'precondition_failures',
  'retries',
  'writes_abandoned',
  'attempts_per_commit',
  'unknown',
  'other_failures',
  'reads',
  'read_failures',
] as const satisfies readonly (keyof RunFigures)[]

export const SWEEP_COLUMNS = ['config', 'writers', 'writer_rate', 'overlap', 'readers', 'reader_rate', 'duration_s', ...FIGURE_COLUMNS] as const satisfies readonly (keyof SweepRow)[]

export const SCENARIO_COLUMNS = [
  'scenario',
  'config',
  'verdict',
  'anomalies',
  ...FIGURE_COLUMNS,
  'measured_delay_ms',
  'measured_hog_cpu',
  'restarts',
  'pauses',
] as const satisfies readonly (keyof ScenarioRow)[]

// every key of the row types has its column (a new field in types.ts must be placed here)
type Unlisted<Row, Cols extends readonly unknown[]> = Exclude<keyof Row, Cols[number]>
export const EVERY_COLUMN_LISTED: [Unlisted<SweepRow, typeof SWEEP_COLUMNS> | Unlisted<ScenarioRow, typeof SCENARIO_COLUMNS>] extends [never] ? true : never = true

const FRACTIONS = new Set<string>(['precondition_failure_rate', 'overlap', 'measured_hog_cpu'])

function cell(column: string, v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return ''
    if (FRACTIONS.has(column)) {
      const s = String(Math.round(v * 1e6) / 1e6)
      return s === '-0' ? '0' : s
    }
    return formatNumber(v)
  }
  if (v === undefined || v === null) return ''
  return quoteCell(String(v))
}

function formatCsv<Row extends object>(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [columns.join(',')]
  for (const r of rows) lines.push(columns.map((c) => cell(c, (r as Record<string, unknown>)[c])).join(','))
  return lines.join('\n') + '\n'
}

/** comprehensive_sweep.csv's text. */
export function formatSweepCsv(rows: readonly SweepRow[]): string {
  return formatCsv(SWEEP_COLUMNS, rows)
}

/** chaos_sweep.csv's text. */
export function formatScenarioCsv(rows: readonly ScenarioRow[]): string {
  return formatCsv(SCENARIO_COLUMNS, rows)
}

/** Writes comprehensive_sweep.csv (atomically). */
export function writeSweepCsv(path: string, rows: readonly SweepRow[]): void {
  writeFileAtomic(path, formatSweepCsv(rows))
}

/** Writes chaos_sweep.csv (atomically). */
export function writeScenarioCsv(path: string, rows: readonly ScenarioRow[]): void {
  writeFileAtomic(path, formatScenarioCsv(rows))
}
