import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isPng } from '../charts/output.ts'
import { spectrumLabel, spectrumX, SPECTRUM_TICKS } from './charts.ts'
import { CLOSED_LABEL, overallLine, suiteSummaryMarkdown, writeScenarioReport, writeSuiteSummary } from './report.ts'
import type { Scenario } from './scenario-schema.ts'
import { summarizeScenario } from './summary.ts'
import { syntheticTrial, type TrialFigures } from './test-support.ts'
import type { ScenarioOutcome } from './types.ts'

const root = mkdtempSync(join(tmpdir(), 'benchgate-competitive-report-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function outcome(name: string, figures: TrialFigures[], over: Partial<ScenarioOutcome> = {}, thresholds: Partial<Scenario['thresholds']> = {}): ScenarioOutcome {
  const scenario = {
    name,
    description: `${name} for the test`,
    protocol: 'http',
    systems: [
      { name: 'ours', role: 'ours', port: 0 },
      { name: 'nginx', role: 'competitor', port: 0 },
      { name: 'wrk-peer', role: 'competitor', port: 0 },
    ],
    requests: [],
    arrival: { model: 'constant', rate: 1000 },
    connections: 16,
    duration_s: 5,
    thresholds: { ratios: [], ...thresholds },
  } as unknown as Scenario
  const trials = figures.map((f, i) => syntheticTrial(f, i))
  return { scenario, file: `${name}.toml`, status: 'completed', trials, ...summarizeScenario(scenario, trials, { ours: 'ours 1.2.3', nginx: 'nginx/1.22.1' }), dir: join(root, name), ...over }
}

const figures: TrialFigures[] = [1, 2, 3].flatMap((trial) => [
  { system: 'ours', trial, throughput: 1000 + trial, p99: 5 + trial, cpuS: 1 },
  { system: 'nginx', trial, throughput: 990 + trial, p99: 4 + trial },
  { system: 'wrk-peer', trial, throughput: 3000, p99: 2, corrected: false },
])

describe('the scenario report', () => {
  test('summary.md table, ratios, thresholds and the three charts as SVG and PNG', () => {
    const o = outcome('http-plaintext', figures, {}, { p99_ms: 6, ratios: [{ competitor: 'nginx', metric: 'throughput', at_least: 0.9 }] })
    const files = writeScenarioReport(o.dir, o)
    expect(files).toEqual(['summary.md', 'latency-over-time.svg', 'latency-over-time.png', 'percentile-spectrum.svg', 'percentile-spectrum.png', 'throughput-over-time.svg', 'throughput-over-time.png'].map((f) => join('http-plaintext', f)))
    for (const f of files.filter((x) => x.endsWith('.png'))) expect(isPng(readFileSync(join(root, f)))).toBe(true)
    const spectrum = readFileSync(join(o.dir, 'percentile-spectrum.svg'), 'utf8')
    for (const label of ['50 %', '90 %', '99 %', '99.9 %', '99.99 %', 'ours', 'nginx', 'wrk-peer']) expect(spectrum).toContain(label)
    // wrk gives no timeline: no line of it over time
    const overTime = readFileSync(join(o.dir, 'latency-over-time.svg'), 'utf8')
    expect(overTime).toContain('nginx')
    expect(overTime).not.toContain('wrk-peer')

    const md = readFileSync(join(o.dir, 'summary.md'), 'utf8')
    expect(md).toMatch(/^# competitive: http-plaintext\n\n## http-plaintext\n/)
    expect(md).toContain(`Load: **${CLOSED_LABEL}**`) // one system's figures come from a closed-loop tool
    expect(md).toContain('| ours | ours | ours 1.2.3 | 3 | 1002 | 1002 | 1.4 | 3.5 | 7 | 10.5 | 14 | 0.00 | 0 / 0 | 20 | – |')
    expect(md).toContain('| wrk-peer | competitor | – | 3 | – | 3000 | 0.4 † | 1 † | 2 † | 3 † | 4 † |')
    expect(md).toMatch(/† uncorrected: timed from the actual send/)
    expect(md).toMatch(/\| nginx \| throughput \| 1\.010× \| \[1\.010, 1\.010\] \| better \|/)
    expect(md).toMatch(/\| nginx \| p99 \| 1\.167× \| \[1\.143, 1\.200\] \| worse \|/)
    // against a closed-model peer the p99s compared are both the actual-send ones
    expect(md).toMatch(/\| wrk-peer \| p99 \| 1\.167× \| \[1\.000, 1\.333\] \| same \|/)
    expect(md).toContain('- **missed**: p99 ≤ 6 ms — 7 ms')
    expect(md).toContain('- passed: throughput ≥ 0.9× nginx — 1.010× (the interval\'s low end)')
    expect(md).toContain('Charts: [p99 latency per second](latency-over-time.svg) ([PNG](latency-over-time.png))')
  })

  test('spectrum axis: x = log10(1/(1−p)), labelled in percent', () => {
    expect(SPECTRUM_TICKS.map(spectrumX).map((x) => Number(x.toFixed(6)))).toEqual([0.30103, 1, 2, 3, 4])
    expect(SPECTRUM_TICKS.map((p) => spectrumLabel(spectrumX(p)))).toEqual(['50 %', '90 %', '99 %', '99.9 %', '99.99 %'])
    expect(spectrumLabel(5)).toBe('99.999 %')
  })
})

describe('the run summary', () => {
  const ok = (name: string) => outcome(name, figures.filter((f) => f.system !== 'wrk-peer'), { dir: join(root, 'suite', name) })
  test('all met; which threshold missed where; which crashed; interrupted and not run', () => {
    expect(overallLine([ok('a'), ok('b')], { interrupted: false, planned: ['a', 'b'] })).toEqual({ allMet: true, line: '**All 2 scenarios ran and met their thresholds.**' })
    const missed = outcome('kv', figures, { dir: join(root, 'suite', 'kv') }, { error_rate_at_most: 0.01, throughput_at_least: 5000 })
    const crashed: ScenarioOutcome = { ...ok('json'), status: 'failed', error: 'nginx did not start: port in use', dir: join(root, 'suite', 'json.partial') }
    const cut: ScenarioOutcome = { ...ok('burst'), status: 'interrupted', dir: join(root, 'suite', 'burst.partial') }
    const r = overallLine([missed, crashed, cut], { interrupted: true, planned: ['kv', 'json', 'burst', 'last'] })
    expect(r.allMet).toBe(false)
    expect(r.line).toBe('**Not all met** — threshold missed: throughput ≥ 5000 req/s in kv (1002 req/s) · crashed: json (nginx did not start: port in use) · interrupted: burst (partial results kept) · not run: last.')

    const { text, allMet } = suiteSummaryMarkdown(join(root, 'suite'), [missed, crashed, cut], { interrupted: true, planned: ['kv', 'json', 'burst', 'last'] })
    expect(allMet).toBe(false)
    expect(text).toMatch(/^# benchgate competitive — PARTIAL \(interrupted\)\n\n\*\*Not all met\*\*/)
    expect(text).toContain('4 scenarios planned, 3 run, 1 completed.')
    expect(text).toContain('## json — FAILED (partial)\n\njson for the test\n\n**Failed:** nginx did not start: port in use.')
    expect(text).toContain('## burst — PARTIAL (interrupted)')
    expect(text).toContain('Load: open model, constant 1000 req/s; 16 connections; benchgate generator; http; 5 s measured per trial.')
  })

  test('writeSuiteSummary writes summary.md atomically and links the charts a scenario has', () => {
    const dir = join(root, 'written')
    const withCharts = { ...ok('http-plaintext'), dir: join(root, 'http-plaintext') } // charts written by the first test
    const s = writeSuiteSummary(root, [withCharts], { interrupted: false, planned: ['http-plaintext'] })
    expect(s.path).toBe(join(root, 'summary.md'))
    expect(readFileSync(s.path, 'utf8')).toBe(s.text)
    expect(s.text).toContain('[p99 latency per second](http-plaintext/latency-over-time.svg)')
    expect(s.allMet).toBe(true)
    expect(existsSync(dir)).toBe(false)
  })
})
