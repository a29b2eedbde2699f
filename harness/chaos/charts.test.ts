// The chaos charts render for real from small synthetic rows: every file is written, each PNG is a
// real PNG, each SVG names the scenarios (and the sweep's best configuration), and NaN figures or
// a missing baseline draw "n/a" instead of failing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isPng, pngSize } from '../charts/output.ts'
import { chaosCharts, writeChaosCharts } from './charts.ts'
import type { RunFigures, ScenarioRow, SweepRow } from './types.ts'

const scratch = mkdtempSync(join(tmpdir(), 'bg-chaos-charts-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function figures(rate: number, tps: number, ms: number): RunFigures {
  return {
    commit_attempts: 1000, commits: Math.round(1000 * (1 - rate)), precondition_failures: Math.round(1000 * rate), precondition_failure_rate: rate,
    writes_abandoned: 0, retries: 10, attempts_per_commit: 1.1, unknown: 0, other_failures: 0, reads: 500, read_failures: 0,
    write_tps: tps, read_tps: 20, write_p50_ms: ms, write_p95_ms: ms * 2, write_p99_ms: ms * 3,
    precondition_failure_p50_ms: ms, precondition_failure_p99_ms: ms * 2, read_p50_ms: ms / 2, read_p95_ms: ms, read_p99_ms: ms * 1.5,
  }
}

const CONFIG = 'w3_wr5_o0.2_r2_rr10'
function scenario(name: string, rate: number, tps: number, ms: number): ScenarioRow {
  return { ...figures(rate, tps, ms), scenario: name, config: CONFIG, verdict: 'valid', anomalies: 0, measured_delay_ms: NaN, measured_hog_cpu: NaN, restarts: 0, pauses: 0 }
}

const scenarios = [
  scenario('latency-100ms', 0.08, 13.5, 120),
  scenario('baseline', 0.05, 15, 4),
  scenario('cpu-4x80', 0.06, 14.8, 9),
  { ...scenario('pause', NaN, 11, NaN), read_p99_ms: NaN },
]

const sweep: SweepRow[] = [2, 3].flatMap((writers) =>
  [5].flatMap((writer_rate) =>
    [0.1, 0.2].flatMap((overlap) =>
      [1, 2].map((readers) => ({
        ...figures(writers === 2 && overlap === 0.1 && readers === 1 ? NaN : 0.01 * writers * overlap * 10, writers * writer_rate, 5),
        config: `w${writers}_wr${writer_rate}_o${overlap}_r${readers}_rr10`, writers, writer_rate, overlap, readers, reader_rate: 10, duration_s: 5,
      })),
    ),
  ),
)
const best = 'w3_wr5_o0.2_r2_rr10'

const NAMES = ['precondition-failure-rate', 'write-tps', 'write-latency', 'read-latency', 'failure-rate-degradation', 'write-tps-degradation', 'sweep-failure-rate']

describe('writeChaosCharts', () => {
  test('writes every chart as SVG and PNG, the PNGs real, the SVGs naming the scenarios and the best configuration', async () => {
    const dir = join(scratch, 'all')
    const paths = await writeChaosCharts(dir, { scenarios, sweep, best })
    expect(paths.map((p) => basename(p))).toEqual(NAMES.flatMap((n) => [`${n}.svg`, `${n}.png`]))
    for (const p of paths.filter((p) => p.endsWith('.png'))) {
      const png = readFileSync(p)
      expect(isPng(png), p).toBe(true)
      expect(pngSize(png).width).toBeGreaterThan(600)
    }
    const svgs = Object.fromEntries(NAMES.map((n) => [n, readFileSync(join(dir, `${n}.svg`), 'utf8')]))
    for (const n of NAMES.slice(0, 4)) {
      for (const s of scenarios) expect(svgs[n], `${n} names ${s.scenario}`).toContain(s.scenario)
    }
    for (const n of NAMES.slice(4, 6)) {
      expect(svgs[n]).toContain('latency-100ms')
      expect(svgs[n]).not.toContain('>baseline (')
    }
    expect(svgs['failure-rate-degradation']).toContain('percentage points')
    expect(svgs['failure-rate-degradation']).toContain('+3.0 pp')
    expect(svgs['write-tps-degradation']).toContain('-10.0 %')
    expect(svgs['precondition-failure-rate']).toContain('baseline 5 %')
    expect(svgs['sweep-failure-rate']).toContain(`best configuration ${best}`)
    expect(svgs['sweep-failure-rate']).toContain('★ 6 %')
    expect(svgs['sweep-failure-rate']).toContain('2 readers × 10 reads/s')
    expect(svgs['sweep-failure-rate']).toContain('3 writers × 5/s')
  })

  test('NaN figures draw n/a, in bars and in sweep cells', () => {
    const charts = Object.fromEntries(chaosCharts({ scenarios, sweep, best }).map((c) => [c.name, c.svg]))
    expect(charts['precondition-failure-rate']).toContain('n/a')
    expect(charts['read-latency']).toContain('n/a')
    expect(charts['failure-rate-degradation']).toContain('n/a')
    expect(charts['sweep-failure-rate']).toContain('n/a')
    expect(charts['write-tps']).not.toContain('NaN')
    expect(charts['sweep-failure-rate']).not.toContain('NaN')
  })

  test('without a baseline row or sweep, every scenario chart is still written and says so; a best outside the grid is named', async () => {
    const noBase = scenarios.filter((s) => s.scenario !== 'baseline')
    const paths = await writeChaosCharts(join(scratch, 'nobase'), { scenarios: noBase })
    expect(paths.map((p) => basename(p))).toEqual(NAMES.slice(0, 6).flatMap((n) => [`${n}.svg`, `${n}.png`]))
    expect(readFileSync(join(scratch, 'nobase', 'failure-rate-degradation.svg'), 'utf8')).toContain('no baseline row')
    const [sweepOnly] = chaosCharts({ scenarios: [], sweep: sweep.slice(0, 3), best: 'w9_wr1_o0.5_r1_rr5' })
    expect(sweepOnly!.name).toBe('sweep-failure-rate')
    expect(sweepOnly!.svg).toContain('w9_wr1_o0.5_r1_rr5 (not in the grid)')
  })

  test('only a baseline: four charts, no degradation charts; same input, same bytes', () => {
    const only = chaosCharts({ scenarios: [scenario('baseline', 0, 15, 4)] })
    expect(only.map((c) => c.name)).toEqual(NAMES.slice(0, 4))
    expect(chaosCharts({ scenarios, sweep, best })).toEqual(chaosCharts({ scenarios, sweep, best }))
  })
})
