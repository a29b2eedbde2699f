// Writing and reading metrics CSV files. RFC 4180 quoting (a cell with a comma, a double quote
// or a line break is quoted, quotes doubled); lines end in LF, and CRLF is accepted on reading.
// Numbers are written with at most 3 decimals; an empty cell is a figure that was not measured.
import { readFileSync } from 'node:fs'
import { UserError } from '../errors.ts'
import { METRIC_COLUMNS, NUMERIC_COLUMNS, type MetricRow } from './columns.ts'

export const CSV_HEADER = METRIC_COLUMNS.join(',')

/** One number as a cell: up to 3 decimals, no exponent for normal magnitudes; '' if not finite. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return ''
  const rounded = Math.round(n * 1000) / 1000
  return Object.is(rounded, -0) ? '0' : String(rounded)
}

export function quoteCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One row as a CSV line, with its trailing newline. */
export function formatRow(row: MetricRow): string {
  const cell = (c: (typeof METRIC_COLUMNS)[number]): string =>
    c === 'ts' ? quoteCell(row.ts) : c === 'pid' ? (row.pid === null ? '' : String(row.pid)) : c === 'open_zgy_paths' ? quoteCell(row.open_zgy_paths.join(';')) : formatNumber(row[c])
  return METRIC_COLUMNS.map(cell).join(',') + '\n'
}

/** RFC 4180 records; a trailing newline does not make an empty record. Records carry their 1-based line. */
export function parseCsv(text: string): { cells: string[]; line: number }[] {
  const records: { cells: string[]; line: number }[] = []
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let recordLine = 1
  let i = 0
  let atRecordStart = true
  while (i < text.length) {
    const c = text[i]!
    atRecordStart = false
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i += 2
          continue
        }
        quoted = false
      } else {
        if (c === '\n') line++
        cell += c
      }
      i++
      continue
    }
    if (c === '"' && cell === '') quoted = true
    else if (c === ',') {
      cells.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      cells.push(cell)
      records.push({ cells, line: recordLine })
      cells = []
      cell = ''
      if (c === '\r' && text[i + 1] === '\n') i++
      line++
      recordLine = line
      atRecordStart = true
    } else cell += c
    i++
  }
  if (!atRecordStart) {
    cells.push(cell)
    records.push({ cells, line: recordLine })
  }
  return records
}

/** Files written before `threads` and `sys_net_lo_mb_s` were added end at `open_zgy_paths`. */
const FIRST_HEADER = METRIC_COLUMNS.slice(0, METRIC_COLUMNS.indexOf('open_zgy_paths') + 1).join(',')

/** The rows of a metrics CSV (this version's columns, or the first twenty of older files; absent ones are null); a UserError naming the file and line if it is not one. */
export function parseMetricsCsv(text: string, file: string): MetricRow[] {
  const records = parseCsv(text)
  const header = records[0]?.cells.join(',')
  if (header !== CSV_HEADER && header !== FIRST_HEADER) {
    throw new UserError({
      file,
      line: 1,
      message: header === undefined ? 'the file is empty' : 'not a metrics CSV header',
      expected: CSV_HEADER,
      hint: 'give a file written by benchgate metrics or the sampler',
    })
  }
  const columns = records[0]!.cells
  const index = new Map(columns.map((c, i) => [c, i]))
  const rows: MetricRow[] = []
  for (const { cells, line } of records.slice(1)) {
    if (cells.length === 1 && cells[0] === '') continue // blank line
    if (cells.length !== columns.length) {
      throw new UserError({
        file,
        line,
        message: `${cells.length} cells`,
        expected: `${columns.length} cells, one per column of the header`,
        hint: 'the file may have been cut off or edited; a .partial file ends at its last whole row',
      })
    }
    const number = (column: string, cell: string | undefined): number | null => {
      if (cell === undefined || cell === '') return null
      const n = Number(cell)
      if (!Number.isFinite(n)) {
        throw new UserError({ file, line, field: column, message: `'${cell}' is not a number`, expected: 'a number or an empty cell' })
      }
      return n
    }
    const paths = cells[index.get('open_zgy_paths')!]
    const row = {
      ts: cells[0]!,
      pid: number('pid', cells[1]!),
      open_zgy_paths: paths ? paths.split(';') : [],
    } as MetricRow
    for (const c of NUMERIC_COLUMNS) {
      const k = index.get(c)
      row[c] = number(c, k === undefined ? undefined : cells[k])
    }
    rows.push(row)
  }
  return rows
}

/**
 * The rows of the sampler's CSV at `path` once it stopped: the file itself, or `<path>.partial`
 * when the agent was killed before finishing it (read up to its last whole line). Null when
 * neither exists.
 */
export function readMetricsCsv(path: string): MetricRow[] | null {
  for (const file of [path, `${path}.partial`]) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    if (file !== path) text = text.slice(0, text.lastIndexOf('\n') + 1)
    return parseMetricsCsv(text, file)
  }
  return null
}
