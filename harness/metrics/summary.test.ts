import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { CSV_HEADER } from './csv.ts'
import { percentile, summarizeMetrics } from './summary.ts'
import { tempDir } from './test-support.ts'

const EMPTY16 = ',,,,,,,,,,,,,,,'

test('summary: mean, nearest-rank p95 and peak per column; null where a column is empty', () => {
  const dir = tempDir()
  const file = join(dir, 'm.csv')
  const rows = [] as string[]
  // cpu_pct 1..20, rss_mb constant 100, everything else empty
  for (let i = 1; i <= 20; i++) rows.push(`2026-11-24T10:00:${String(i).padStart(2, '0')}.000Z,7,${i},100${EMPTY16},,,`)
  writeFileSync(file, [CSV_HEADER, ...rows].join('\n') + '\n')
  const s = summarizeMetrics(file)
  expect(s.rows).toBe(20)
  expect(s.columns.cpu_pct).toEqual({ mean: 10.5, p95: 19, peak: 20 })
  expect(s.columns.rss_mb).toEqual({ mean: 100, p95: 100, peak: 100 })
  expect(s.columns.vms_mb).toBeNull()
  expect(s.columns.fast_req_cache_hit).toBeNull()
  expect(Object.keys(s.columns)).toHaveLength(19)
})

test('a file from before threads and sys_net_lo_mb_s (20 columns) still reads; those columns are empty', () => {
  const dir = tempDir()
  const file = join(dir, 'old.csv')
  writeFileSync(file, `${CSV_HEADER.split(',').slice(0, 20).join(',')}\nt,1,50,1${EMPTY16},/a.zgy\n`)
  const s = summarizeMetrics(file)
  expect(s.columns.cpu_pct?.peak).toBe(50)
  expect(s.columns.threads).toBeNull()
})

test('percentile is nearest-rank', () => {
  expect(percentile([5], 95)).toBe(5)
  expect(percentile([1, 2, 3, 4], 50)).toBe(2)
  expect(percentile([1, 2, 3, 4], 95)).toBe(4)
})

test('a partial file is summarized up to its last whole line', () => {
  const dir = tempDir()
  const file = join(dir, 'm.csv.partial')
  writeFileSync(file, `${CSV_HEADER}\nt,1,50,1${EMPTY16},,,\nt,1,60,`)
  expect(summarizeMetrics(file).rows).toBe(1)
})

test('a missing file is a user error naming it', () => {
  expect(() => summarizeMetrics('/nonexistent/m.csv')).toThrow(/^\/nonexistent\/m\.csv: cannot read \(ENOENT\)/)
})
