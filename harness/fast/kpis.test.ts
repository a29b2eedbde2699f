import { expect, test } from 'vitest'
import { emptyRow, type MetricRow } from '../metrics/columns.ts'
import { readRateP95, sessionKpis } from './kpis.ts'
import type { ReaderSummary } from './reader-cli.ts'

function row(pid: number, cpu: number, gpu: number | null, open: string[]): MetricRow {
  const r = emptyRow('2026-11-24T10:00:00.000Z', pid)
  r.cpu_pct = cpu
  r.gpu_util_pct = gpu
  r.open_zgy_paths = open
  return r
}

function summary(mode: 'A' | 'B', reads: ReaderSummary['reads']): ReaderSummary {
  return {
    mode, workflow: 'scrub-100', label: '', pid: 42, source: '',
    markers: [
      { event: 'open_start', ts: '', ms: 100 }, { event: 'first_pixel', ts: '', ms: 350 },
      { event: 'scrub_start', ts: '', ms: 360 }, { event: 'scrub_end', ts: '', ms: 4360 }, { event: 'session_end', ts: '', ms: 4361 },
    ],
    spans: { open_time_s: 0.25, scrub_time_s: 4 },
    first_inline_sha256: 'x', sha256: 'y', figures: {}, reads, brick_cache: { hits: 0, misses: 0 }, fast: null,
  }
}

const roots = { nas: ['/nas'], fast: ['/fast/cache', '/fast/mount'] }

test('KPIs of a mode A session: spans from markers, CPU from the pid rows only, source from open files', () => {
  const reads: ReaderSummary['reads'] = [[110, 1e6, 10, -1], [150, 1e6, 20, -1], [250, 2e6, 30, -1], [260, 1e6, 40, -1]]
  const rows = [row(42, 50, null, ['/nas/v.zgy']), row(42, 150, null, ['/nas/v.zgy']), row(7, 900, null, ['/fast/mount/v.vzgy'])]
  const k = sessionKpis(summary('A', reads), rows, roots, 'Cold')
  expect(k.open_time_s).toBe(0.25)
  expect(k.workflow_time_s).toBe(4)
  expect(k.cpu_mean).toBe(100)
  expect(k.gpu_mean).toBeNull()
  expect(k.lat_p50_ms).toBe(25)
  expect(k.lat_p99_ms).toBeCloseTo(39.7, 6)
  expect(k.fast_cache_hit_rate).toBeNull()
  expect(k.observed_source).toBe('NAS_ZGY')
  expect(k.samples).toBe(2)
})

test('KPIs of a mode B session: cache hit rate from the chunk requests', () => {
  const reads: ReaderSummary['reads'] = [[110, 262144, 5, 0], [120, 262144, 0.2, 1], [130, 262144, 0.3, 1], [140, 262144, 6, 0]]
  const k = sessionKpis(summary('B', reads), [row(42, 20, 10, ['/fast/mount/v.vzgy'])], roots, 'Warm')
  expect(k.fast_cache_hit_rate).toBe(0.5)
  expect(k.gpu_mean).toBe(10)
  expect(k.observed_source).toBe('FAST_VZGY_AzureVDS')
  expect(k.cache_state).toBe('Warm')
})

test('read rate p95: bytes per 100 ms window over the span of the reads, in MB/s', () => {
  // reads end at 100, 150 (window 0 with the first read's start at 90) and 350 (window 2): windows 2 MB, 0, 4 MB
  const rate = readRateP95([[100, 1e6, 10, -1], [150, 1e6, 10, -1], [350, 4e6, 10, -1]])
  // per second: 20, 0, 40 MB/s; p95 of [20, 0, 40] (type 7) = 38
  expect(rate).toBeCloseTo(38, 9)
  expect(readRateP95([])).toBeNull()
})
