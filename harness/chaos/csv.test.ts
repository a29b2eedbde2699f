import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../metrics/csv.ts'
import { SCENARIO_COLUMNS, SWEEP_COLUMNS, formatSweepCsv, writeScenarioCsv, writeSweepCsv } from './csv.ts'
import { figuresFromHistory } from './figures.ts'
import type { ScenarioRow, SweepRow } from './types.ts'

const dir = mkdtempSync(join(tmpdir(), 'chaos-csv-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const figures = { ...figuresFromHistory([], 10), commit_attempts: 300, commits: 290, precondition_failures: 10, precondition_failure_rate: 1 / 30, write_tps: 29, write_p50_ms: 12.34567 }
const sweepRow: SweepRow = { config: 'w3_wr5_o0.2_r2_rr10', writers: 3, writer_rate: 5, overlap: 0.2, readers: 2, reader_rate: 10, duration_s: 10, ...figures }
const scenarioRow: ScenarioRow = { scenario: 'latency-50ms', config: 'w3_wr5_o0.2_r2_rr10', verdict: 'lost-update,stale-read', anomalies: 2, measured_delay_ms: 50.2, measured_hog_cpu: Number.NaN, restarts: 0, pauses: 0, ...figures }

describe('comprehensive_sweep.csv', () => {
  it('has the original columns in a fixed order, figures rounded, NaN as empty', () => {
    writeSweepCsv(join(dir, 'comprehensive_sweep.csv'), [sweepRow])
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([])
    const [head, row] = parseCsv(readFileSync(join(dir, 'comprehensive_sweep.csv'), 'utf8')).map((r) => r.cells)
    expect(head!.slice(0, 18)).toEqual([
      'config', 'writers', 'writer_rate', 'overlap', 'readers', 'reader_rate', 'duration_s',
      'precondition_failure_rate', 'write_tps', 'read_tps', 'write_p50_ms', 'write_p95_ms', 'write_p99_ms',
      'precondition_failure_p50_ms', 'precondition_failure_p99_ms', 'read_p50_ms', 'read_p95_ms', 'read_p99_ms',
    ])
    expect(head).toEqual([...SWEEP_COLUMNS])
    expect(head).toContain('retries')
    expect(head).toContain('writes_abandoned')
    const cell = (c: string): string => row![head!.indexOf(c)]!
    expect(cell('config')).toBe('w3_wr5_o0.2_r2_rr10')
    expect(cell('overlap')).toBe('0.2')
    expect(cell('precondition_failure_rate')).toBe('0.033333')
    expect(cell('write_p50_ms')).toBe('12.346')
    expect(cell('write_p99_ms')).toBe('') // NaN: no sample
    expect(cell('commits')).toBe('290')
  })

  it('is only a header without rows', () => {
    expect(formatSweepCsv([])).toBe(SWEEP_COLUMNS.join(',') + '\n')
  })
})

describe('chaos_sweep.csv', () => {
  it('has the scenario column first, the verdict quoted when it needs to be, the measured effects last', () => {
    writeScenarioCsv(join(dir, 'chaos_sweep.csv'), [scenarioRow])
    const [head, row] = parseCsv(readFileSync(join(dir, 'chaos_sweep.csv'), 'utf8')).map((r) => r.cells)
    expect(head).toEqual([...SCENARIO_COLUMNS])
    expect(head![0]).toBe('scenario')
    expect(head!.slice(-4)).toEqual(['measured_delay_ms', 'measured_hog_cpu', 'restarts', 'pauses'])
    expect(readFileSync(join(dir, 'chaos_sweep.csv'), 'utf8')).toContain('"lost-update,stale-read"')
    const cell = (c: string): string => row![head!.indexOf(c)]!
    expect(cell('scenario')).toBe('latency-50ms')
    expect(cell('verdict')).toBe('lost-update,stale-read')
    expect(cell('measured_delay_ms')).toBe('50.2')
    expect(cell('measured_hog_cpu')).toBe('')
  })
})
