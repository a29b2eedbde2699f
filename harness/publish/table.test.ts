import { describe, expect, test } from 'vitest'
import type { Comparison, Kpi } from '../results.ts'
import { formatTable, kpiTable, resultTable, timeUnit, verdictSentence, verdictTable, type BenchmarkRow } from './table.ts'

const stats = (mean: number, extra: Partial<BenchmarkRow['latency']> = {}): BenchmarkRow['latency'] => ({
  mean,
  p50: mean * 0.98,
  p75: mean * 1.01,
  p99: mean * 1.5,
  min: mean * 0.9,
  max: mean * 2,
  sd: mean * 0.05,
  rme: 0.3219,
  samplesCount: 2883238,
  ...extra,
})

const rows: BenchmarkRow[] = [
  { name: 'sum', latency: stats(0.000334), throughput: { mean: 2999134.57 } },
  { name: 'copy | 1 GiB', latency: stats(812.4, { samplesCount: 30, rme: 1.5 }) },
]

const comparison: Comparison = {
  name: 'copy 1 GiB',
  metric: 'time',
  unit: 'ms',
  better: 'lower',
  base: { label: 'main', median: 812.4, n: 30 },
  head: { label: 'pr-42', median: 879.8, n: 30 },
  ratio: { estimate: 1.083, lo: 1.061, hi: 1.102, confidence: 0.95 },
  threshold: 0.05,
  verdict: 'regressed',
  rounds: 30,
  order: 'interleaved',
  method: 'bootstrap ratio of medians',
}

describe('resultTable', () => {
  test('aligned text: every statistic in the row’s own time unit', () => {
    expect(resultTable(rows)).toBe(
      [
        'benchmark     unit   mean    p50    p75   p99    min   max     sd      rme    samples    ops/s',
        '------------  ----  -----  -----  -----  ----  -----  ----  -----  -------  ---------  -------',
        'sum           ns      334  327.3  337.3   501  300.6   668   16.7  ±0.32 %  2,883,238  2999135',
        'copy | 1 GiB  ms    812.4  796.2  820.5  1219  731.2  1625  40.62  ±1.50 %         30    1.231',
      ].join('\n'),
    )
  })

  test('compact text leaves out p75, sd and ops/s', () => {
    const [header] = resultTable(rows, 'text', { compact: true }).split('\n')
    expect(header!.split(/\s+/)).toEqual(['benchmark', 'unit', 'mean', 'p50', 'p99', 'min', 'max', 'rme', 'samples'])
  })

  test('markdown: numbers right-aligned, pipes in names escaped', () => {
    const md = resultTable(rows, 'markdown').split('\n')
    expect(md[0]).toBe('| benchmark | unit | mean | p50 | p75 | p99 | min | max | sd | rme | samples | ops/s |')
    expect(md[1]).toBe('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    expect(md[3]).toBe('| copy \\| 1 GiB | ms | 812.4 | 796.2 | 820.5 | 1219 | 731.2 | 1625 | 40.62 | ±1.50 % | 30 | 1.231 |')
  })

  test('no rows gives the header only', () => {
    expect(resultTable([]).split('\n')).toHaveLength(2)
  })
})

describe('timeUnit', () => {
  test('keeps one to three integer digits', () => {
    expect(timeUnit(2500).unit).toBe('s')
    expect(timeUnit(2.5).unit).toBe('ms')
    expect(timeUnit(0.0025).unit).toBe('µs')
    expect(timeUnit(0.0000025).unit).toBe('ns')
    expect(timeUnit(0).unit).toBe('ns')
  })
})

describe('kpiTable and verdictTable', () => {
  test('KPIs with units and direction', () => {
    const kpis: Kpi[] = [
      { name: 'read_MB_s', value: 812.44, unit: 'MB/s', better: 'higher' },
      { name: 'observed_source', value: 'NAS_ZGY', unit: '' },
    ]
    expect(kpiTable(kpis)).toBe(
      ['KPI                   value  better', '---------------  ----------  ----------------', 'read_MB_s        812.4 MB/s  higher is better', 'observed_source     NAS_ZGY'].join('\n'),
    )
  })

  test('verdicts: what, the verdict, the change with its interval, then both medians', () => {
    expect(verdictTable([comparison], 'markdown').split('\n')[2]).toBe('| copy 1 GiB | time | regressed | +8.3 % | [+6.1 %, +10.2 %] | 812.4 ms | 879.8 ms |')
  })

  test('verdictSentence says everything a reader needs, and any fingerprint warning', () => {
    expect(verdictSentence({ ...comparison, fingerprintWarning: 'base ran on another CPU' })).toBe(
      'copy 1 GiB · time: regressed, +8.3 % [+6.1 %, +10.2 %] at 95 % confidence; base 812.4 ms (main) → head 879.8 ms (pr-42); ' +
        'threshold 5 %, 30 interleaved rounds, bootstrap ratio of medians; warning: base ran on another CPU',
    )
  })
})

test('formatTable pads by the widest cell and trims line ends', () => {
  const text = formatTable(
    [
      { header: 'a', align: 'left' },
      { header: 'b', align: 'right' },
    ],
    [
      ['xx', '1'],
      ['y', ''],
    ],
    'text',
  )
  expect(text).toBe(['a   b', '--  -', 'xx  1', 'y'].join('\n'))
})
