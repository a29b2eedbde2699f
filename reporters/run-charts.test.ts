import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { compareSamples } from '../harness/stats/verdict.ts'
import { runCharts, storedMedians } from './run-charts.ts'

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function storeRun(stamp: string, rows: [string, number][]): void {
  mkdirSync(join(dir, stamp), { recursive: true })
  const lines = ['project,test,task,from_store,latency_p50_ms', ...rows.map(([t, v]) => `harness,t,${t},false,${v}`)]
  writeFileSync(join(dir, stamp, 'benchmarks.csv'), lines.join('\n') + '\n')
}

test('the trend reads every stored run in order and skips what is not a run', () => {
  dir = mkdtempSync(join(tmpdir(), 'bg-trend-'))
  storeRun('20261124T100000Z', [['parse', 1.5], ['copy', 800]])
  storeRun('20261123T090000Z', [['parse', 1.4]])
  mkdirSync(join(dir, 'not-a-run'))
  expect(storedMedians(dir)).toEqual([
    { run: '20261123T090000Z', name: 'parse', value: 1.4 },
    { run: '20261124T100000Z', name: 'parse', value: 1.5 },
    { run: '20261124T100000Z', name: 'copy', value: 800 },
  ])
  expect(storedMedians(join(dir, 'missing'))).toEqual([])
})

test('a run gives a distribution, a base-versus-head and (with two stored runs) a trend chart', () => {
  const base = Array.from({ length: 20 }, (_, i) => 10 + (i % 5) * 0.01)
  const head = base.map((v) => v * 1.2)
  const charts = runCharts({
    samples: [{ name: 'parse', samples: base }],
    comparisons: [compareSamples(base, head, { name: 'parse' })],
    trend: [
      { run: 'a', name: 'parse', value: 10 },
      { run: 'b', name: 'parse', value: 12 },
    ],
  })
  expect(charts.map((c) => c.name)).toEqual(['distribution', 'base-vs-head', 'trend'])
  for (const c of charts) expect(c.svg).toMatch(/^<svg[\s\S]*parse[\s\S]*<\/svg>\s*$/)
  expect(runCharts({ samples: [], comparisons: [], trend: [{ run: 'a', name: 'x', value: 1 }] })).toEqual([])
})
