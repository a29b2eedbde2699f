import { describe, expect, test } from 'vitest'
import { emptyRow, METRIC_COLUMNS, NUMERIC_COLUMNS } from './columns.ts'
import { CSV_HEADER, formatNumber, formatRow, parseCsv, parseMetricsCsv } from './csv.ts'

describe('metrics CSV', () => {
  test('the header has exactly the agreed columns, in order, without spaces', () => {
    expect(CSV_HEADER).toBe(
      'ts,pid,cpu_pct,rss_mb,vms_mb,read_bytes_s,write_bytes_s,read_cnt_s,write_cnt_s,' +
        'sys_disk_read_mb_s,sys_disk_write_mb_s,sys_net_recv_mb_s,sys_net_sent_mb_s,' +
        'gpu_util_pct,gpu_mem_used_mb,gpu_mem_total_mb,fast_req_latency_ms,fast_req_bytes,fast_req_cache_hit,open_zgy_paths,threads,sys_net_lo_mb_s',
    )
    expect(METRIC_COLUMNS).toHaveLength(22)
    expect(NUMERIC_COLUMNS).toHaveLength(19)
  })

  test('numbers: at most 3 decimals, empty when not measured', () => {
    expect(formatNumber(null)).toBe('')
    expect(formatNumber(Number.NaN)).toBe('')
    expect(formatNumber(12)).toBe('12')
    expect(formatNumber(1.23456)).toBe('1.235')
    expect(formatNumber(-0.0001)).toBe('0')
    expect(formatNumber(1e-7)).toBe('0')
  })

  test('a row round-trips, with RFC 4180 quoting of paths holding commas and quotes', () => {
    const row = emptyRow('2026-11-24T10:00:00.000Z', 42)
    row.cpu_pct = 150.5
    row.rss_mb = 12.25
    row.open_zgy_paths = ['/data/a,b.zgy', '/data/say "hi".zgy']
    const line = formatRow(row)
    expect(line).toBe('2026-11-24T10:00:00.000Z,42,150.5,12.25,,,,,,,,,,,,,,,,"/data/a,b.zgy;/data/say ""hi"".zgy",,\n')
    const [back] = parseMetricsCsv(CSV_HEADER + '\n' + line, 'm.csv')
    expect(back).toEqual(row)
  })

  test('a system-only row has an empty pid', () => {
    const [back] = parseMetricsCsv(CSV_HEADER + '\n' + formatRow(emptyRow('t', null)), 'm.csv')
    expect(back!.pid).toBeNull()
    expect(back!.open_zgy_paths).toEqual([])
  })

  test('the parser handles CRLF, quoted line breaks and a missing final newline', () => {
    expect(parseCsv('a,"b\nc"\r\nd,e').map((r) => r.cells)).toEqual([['a', 'b\nc'], ['d', 'e']])
    expect(parseCsv('a,b\n').map((r) => r.line)).toEqual([1])
  })

  test('a file that is not a metrics CSV gets one clear message', () => {
    expect(() => parseMetricsCsv('a,b\n1,2\n', 'x.csv')).toThrow(/^x\.csv:1: not a metrics CSV header; expected ts,pid,/)
    expect(() => parseMetricsCsv(CSV_HEADER + '\n1,2\n', 'x.csv')).toThrow(/^x\.csv:2: 2 cells; expected 22 cells/)
    const bad = CSV_HEADER + '\n' + formatRow(emptyRow('t', 1)).replace('t,1,', 't,1,abc,')
    expect(() => parseMetricsCsv(bad.replace(/,\n$/, '\n'), 'x.csv')).toThrow(/^x\.csv:2: cpu_pct: 'abc' is not a number/)
  })
})
