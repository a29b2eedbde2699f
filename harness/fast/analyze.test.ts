import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { isPng } from '../charts/output.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { aggregate, analyzeSessions, comparisonCsv, type SessionRecord } from './analyze.ts'

const BIN = resolve(import.meta.dirname, '../../bin/benchgate.ts')
const dir = makeTempDir()
afterAll(() => dir.release())

function session(mode: 'A' | 'B', workflow: 'open' | 'scrub-100', cache: string, open: number, time: number, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    mode, workflow, cache_state: cache, open_time_s: open, workflow_time_s: time, cpu_mean: 50, gpu_mean: null, read_MB_s_p95: 100,
    lat_p50_ms: 1, lat_p95_ms: 2, lat_p99_ms: 3, fast_cache_hit_rate: mode === 'B' ? 0.5 : null,
    observed_source: mode === 'A' ? 'NAS_ZGY' : 'FAST_VZGY_AzureVDS', samples: 3, n: 1, warmup: false, cold: null,
    workflow_kpi: workflow === 'open' ? 'open_time_s' : 'scrub_time_s', fast_latencies_ms: mode === 'B' ? [1, 2, 3, 10] : [], ...extra,
  }
}

const sessions = [
  session('A', 'open', 'Cold', 0.1, 0.1), session('A', 'open', 'Cold', 0.3, 0.3), session('A', 'open', 'Cold', 0.2, 0.2),
  session('A', 'open', 'Cold', 9, 9, { warmup: true }), // a warm-up never counts
  session('B', 'open', 'Cold', 0.5, 0.5), session('B', 'open', 'Warm', 0.2, 0.2),
  session('A', 'scrub-100', 'Warm', 0.1, 4.1), session('B', 'scrub-100', 'Warm', 0.2, 4.3),
]

test('one row per mode × workflow × cache state, medians and p95s of the measured sessions', () => {
  const rows = aggregate(sessions)
  expect(rows.map((r) => `${r.workflow} ${r.cache_state} ${r.mode}`)).toEqual(['open Cold A', 'open Cold B', 'open Warm B', 'scrub-100 Warm A', 'scrub-100 Warm B'])
  const a = rows[0]!
  expect(a.sessions).toBe(3)
  expect(a.stats.open_time_s_median).toBe(0.2)
  expect(a.stats.open_time_s_p95).toBeCloseTo(0.29, 10)
  expect(a.stats.fast_cache_hit_rate_median).toBeNull()
  expect(rows[1]!.stats.fast_cache_hit_rate_median).toBe(0.5)
  const csv = comparisonCsv(rows).split('\n')
  expect(csv[0]).toMatch(/^mode,workflow,cache_state,sessions,workflow_kpi,open_time_s_median,open_time_s_p95,workflow_time_s_median,/)
  expect(csv[0]).toMatch(/,observed_source$/)
  expect(csv[1]).toMatch(/^A,open,Cold,3,open_time_s,0\.2,0\.29,/)
})

test('benchgate analyze writes the CSV and the three charts as SVG and PNG', async () => {
  const results = join(dir.path, 'results')
  const run = join(results, '20261124T101500Z', 'fast-ab', 'open-cold')
  mkdirSync(run, { recursive: true })
  writeFileSync(join(run, 'sessions.json'), JSON.stringify(sessions))
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'analyze', results])
  expect(stdout).toMatch(/^7 measured sessions \(1 warm-up left out\) from 1 run → 5 rows/)
  expect(readFileSync(join(results, 'comparison_kpis.csv'), 'utf8').trim().split('\n')).toHaveLength(6)
  for (const name of ['open-time-by-mode', 'scrub-time-by-mode', 'fast-latency-cdf']) {
    expect(readFileSync(join(results, 'charts', `${name}.svg`), 'utf8')).toMatch(/^<svg/)
    expect(isPng(readFileSync(join(results, 'charts', `${name}.png`)))).toBe(true)
  }
  expect(readFileSync(join(results, 'charts', 'fast-latency-cdf.svg'), 'utf8')).toContain('Warm (8 requests)')
})

test('analyze: an empty folder or a broken sessions.json is one clear line', async () => {
  const empty = join(dir.path, 'empty')
  mkdirSync(empty)
  const run = promisify(execFile)
  const none = await run(process.execPath, [BIN, 'analyze', empty]).catch((e: { code: number; stderr: string }) => e)
  expect(none).toMatchObject({ code: 2 })
  expect((none as { stderr: string }).stderr.trim()).toBe(`${empty}: no sessions.json found; expected the results directory of a fast-ab run (hint: run npx vitest bench --project fast-ab first)`)
  writeFileSync(join(empty, 'sessions.json'), '[{"mode":"A"}]')
  const bad = await run(process.execPath, [BIN, 'analyze', empty]).catch((e: { stderr: string }) => e)
  expect((bad as { stderr: string }).stderr).toMatch(/sessions\.json: \[0\]: lacks mode, workflow or cache_state/)
  expect(analyzeSessions([], join(dir.path, 'nothing')).rows).toEqual([])
  expect(existsSync(join(dir.path, 'nothing', 'comparison_kpis.csv'))).toBe(true)
})
