import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isPng } from '../charts/output.ts'
import { analyzeSamples, DEFAULT_ANALYSIS_OPTIONS, filterSamples } from './analysis.ts'
import { fioJob } from './fio.ts'
import { CSV_COLUMNS, intervalPoints, samplesCsv, writeAnalysis } from './report.ts'
import { disk, samples, VM_WORKLOAD } from './analysis-test-support.ts'

const dir = mkdtempSync(join(tmpdir(), 'vscsi-report-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const O = DEFAULT_ANALYSIS_OPTIONS
// 2 disks × 8 intervals; intervals 5 and 6 twice as busy
const all = samples([disk(8194), disk(8195)], 8, VM_WORKLOAD, (i) => (i === 5 || i === 6 ? 2 : 1))

describe('writeAnalysis', () => {
  const out = join(dir, 'analysis')
  let files: string[] = []
  beforeAll(() => {
    const f = filterSamples(all, { ...O, percentile: 80 })
    const profile = analyzeSamples(all, { ...O, percentile: 80 }, 10)
    files = writeAnalysis(out, all, f.kept, profile, { ...O, percentile: 80, fio: fioJob(profile, { runtimeS: 10 }) })
  })

  test('writes the summary last, the CSV, the fio job and every chart as SVG and PNG', () => {
    expect(files.map((p) => p.slice(out.length + 1))).toEqual([
      'samples_filtered.csv', 'profile.fio',
      'vscsi-iops.svg', 'vscsi-iops.png', 'vscsi-latency.svg', 'vscsi-latency.png', 'vscsi-block-sizes.svg', 'vscsi-block-sizes.png',
      'summary.json',
    ])
    expect(readdirSync(out).filter((n) => n.includes('.tmp-'))).toEqual([])
    for (const p of files.filter((p) => p.endsWith('.png'))) expect(isPng(readFileSync(p)), p).toBe(true)
    expect(readFileSync(join(out, 'vscsi-iops.svg'), 'utf8')).toContain('<svg')
    expect(readFileSync(join(out, 'profile.fio'), 'utf8')).toContain('rw=randrw')
  })

  test('summary.json holds the profile, options, figures and the partial-job warning', () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))
    expect(summary.options).toEqual({ ...O, percentile: 80 })
    expect(summary.profile.samples_kept).toBe(2)
    expect(summary.profile.samples_total).toBe(8)
    expect(summary.warnings).toContain('partial job: 8 of 10 samples collected; the profile covers what was collected')
    expect(summary.figures.read_pct).toBeCloseTo(70, 6)
    expect(summary.files).toContain('vscsi-block-sizes.png')
    expect(Object.keys(summary.method)).toEqual(['bytes', 'block_sizes', 'percentiles', 'queue_depth', 'rates'])
    expect(summary.method.percentiles).toMatch(/previous limit \+ 1/)
  })

  test('captures without IOs: summary.json has the warning and null (never NaN) for what was not measured', () => {
    const idle = samples([disk(8194)], 4, { ...VM_WORKLOAD, reads: 0, writes: 0 })
    const idleOut = join(dir, 'idle')
    writeAnalysis(idleOut, idle, filterSamples(idle, O).kept, analyzeSamples(idle, O), O)
    const text = readFileSync(join(idleOut, 'summary.json'), 'utf8')
    expect(text).not.toMatch(/NaN|Infinity/)
    const summary = JSON.parse(text)
    expect(summary.warnings).toContain('no IOs in the kept intervals (was collection running?)')
    expect(summary.figures.iops_total).toBe(0)
    expect(summary.figures.MB_s_total).toBe(0)
    expect(summary.figures.read_pct).toBeNull()
    expect(summary.figures.qd_avg).toBeNull()
    expect(summary.profile.latency_ms.read.p99_ms).toBeNull()
  })

  test('samples_filtered.csv: one row per kept sample, kept intervals only', () => {
    const lines = readFileSync(join(out, 'samples_filtered.csv'), 'utf8').trim().split('\n')
    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    expect(lines).toHaveLength(1 + 4)
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [CSV_COLUMNS[i]!, v])))
    expect(rows.map((r) => r.start)).toEqual([all[10]!.start, all[10]!.start, all[12]!.start, all[12]!.start])
    expect(rows.map((r) => r.device)).toEqual(['scsi0:0', 'scsi0:1', 'scsi0:0', 'scsi0:1'])
    expect(Number(rows[0]!.iops_total)).toBeCloseTo(20000 / 60, 3)
    expect(Number(rows[0]!.read_pct)).toBe(70)
    expect(Number(rows[0]!.read_lat_p99_ms)).toBe(0.995)
  })
})

test('intervalPoints: one point per interval in time order, kept ones marked', () => {
  const f = filterSamples(all, { ...O, percentile: 80 })
  const points = intervalPoints(all, f.kept, O)
  expect(points.map((p) => p.kept)).toEqual([false, false, false, false, false, true, true, false])
  expect(points[0]!.label).toBe('10:01:00')
  expect(points[5]!.figures.iops.total).toBeCloseTo(40000 / 60, 9)
})

test('a CSV cell with a comma is quoted', () => {
  const s = samples([{ worldGroupId: 1, handleId: 2, device: 'scsi0:0', vm: 'db, primary' }], 1)
  expect(samplesCsv(s, O).split('\n')[1]).toContain(',"db, primary",')
})
