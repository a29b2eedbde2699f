import { expect, test } from 'vitest'
import { benchmarkRows, csvCell, STAT_FIELDS, toCsv, type ReportedTest } from './csv-rows.ts'

const stats = (base: number) => Object.fromEntries(STAT_FIELDS.map((f, i) => [f, base + i]))

const withBench: ReportedTest = {
  project: 'harness',
  file: 'benches/harness/x.bench.ts',
  test: 'tree discovery',
  state: 'passed',
  benchmarks: [
    {
      name: 'compare',
      tasks: [
        { name: 'procfs', latency: stats(1), throughput: stats(100), period: 1.5, totalTime: 300, rank: 1 },
        { name: 'ps', latency: stats(10), throughput: stats(10), period: 15, totalTime: 3000, rank: 2 },
      ],
    },
  ],
  meta: { runDir: '/r', project: 'harness', artifacts: [], kpis: [{ name: 'ratio', value: 10, unit: 'x' }] },
}
const kpiOnly: ReportedTest = {
  project: 'harness',
  file: 'benches/harness/y.bench.ts',
  test: 'overhead, "60 s"',
  state: 'failed',
  benchmarks: [],
  meta: { runDir: '/r2', project: 'harness', artifacts: [], kpis: [{ name: 'cpu', value: 0.4, unit: '% of core' }] },
}
const nothing: ReportedTest = { project: 'unit', file: 'a.test.ts', test: 'plain', state: 'passed', benchmarks: [], meta: undefined }

test('one row per benchmark task with every statistic and the KPIs of its test', () => {
  const { header, rows } = benchmarkRows([withBench, kpiOnly, nothing])
  expect(header.slice(0, 10)).toEqual(['project', 'file', 'test', 'state', 'benchmark', 'task', 'rank', 'from_store', 'period_ms', 'total_time_ms'])
  expect(header).toContain('latency_p99_ms')
  expect(header).toContain('throughput_mean_hz')
  expect(header).toContain('latency_samples')
  expect(header.slice(-2)).toEqual(['kpi_ratio_x', 'kpi_cpu_pct_of_core'])
  expect(rows).toHaveLength(3)
  const col = (name: string) => header.indexOf(name)
  expect(rows[0]![col('task')]).toBe('procfs')
  expect(rows[1]![col('latency_mean_ms')]).toBe('10')
  expect(rows[1]![col('kpi_ratio_x')]).toBe('10')
  expect(rows[2]![col('test')]).toBe('"overhead, ""60 s"""')
  expect(rows[2]![col('kpi_cpu_pct_of_core')]).toBe('0.4')
  expect(rows[2]![col('task')]).toBe('')
  for (const r of rows) expect(r).toHaveLength(header.length)
})

test('no rows when no test has a benchmark or a KPI', () => {
  expect(benchmarkRows([nothing]).rows).toEqual([])
})

test('cells are quoted per RFC 4180 and non-finite numbers are empty', () => {
  expect(csvCell('a,b')).toBe('"a,b"')
  expect(csvCell('say "hi"')).toBe('"say ""hi"""')
  expect(csvCell(Number.NaN)).toBe('')
  expect(csvCell(undefined)).toBe('')
  expect(toCsv({ header: ['a', 'b'], rows: [['1', '2']] })).toBe('a,b\n1,2\n')
})
