// chaos: does the store keep its isolation guarantees under latency, CPU load, pauses and
// restarts? First the configuration sweep (the original 96 configurations by default, in parallel
// batches, each on its own key prefix) picks the client configuration with the fewest
// precondition failures among those with enough commits; then every chaos scenario runs from that
// configuration, one at a time, through our TCP proxy, with its nemeses acting. Each scenario's
// history is judged by the checker (anomalies.json): an anomaly fails its test, and so does a fault
// that did not measurably act. The last test writes chaos_sweep.csv and the charts.
//
// The store is chaos.store (blob-manifest on the embedded Azurite by default). Without a
// configuration file the durations are shortened (4 s per configuration, 20 s per scenario).
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../harness/config/load.ts'
import { writeChaosCharts } from '../../harness/chaos/charts.ts'
import { writeScenarioCsv, writeSweepCsv } from '../../harness/chaos/csv.ts'
import { faultActed, runChaosScenario } from '../../harness/chaos/scenario.ts'
import { chaosSettings } from '../../harness/chaos/settings.ts'
import { startChaosStore, type ChaosStore } from '../../harness/chaos/store.ts'
import { chooseBest, runSweep, sweepGrid, type BestChoice } from '../../harness/chaos/sweep.ts'
import type { ScenarioRow, SweepRow, WorkloadParams } from '../../harness/chaos/types.ts'
import { expect, test } from '../../harness/test.ts'
import { afterAll } from 'vitest'

const loaded = loadConfig()
const settings = chaosSettings(loaded)
const c = settings.chaos
const log = (line: string) => process.stderr.write(`chaos ${line}\n`)
let store: ChaosStore | undefined
let best: BestChoice | undefined
let sweepRows: SweepRow[] = []
const rows: ScenarioRow[] = []
afterAll(async () => store?.stop())

async function theStore(): Promise<ChaosStore> {
  store ??= await startChaosStore(loaded)
  return store
}

const configs = sweepGrid(c.sweep)
test(`sweep: ${configs.length} configurations × ${settings.sweepDurationS} s, ${c.sweep.parallel} at a time`, async ({ run, kpi, publish }) => {
  const s = await theStore()
  const started = Date.now()
  const result = await runSweep({
    configs,
    parallel: c.sweep.parallel,
    base: c.workload,
    durationS: settings.sweepDurationS,
    outDir: run.path('sweep'),
    makeSession: (prefix) => s.direct.open(prefix),
    store: s.direct.name,
    onProgress: (p) => log(`sweep ${p.done}/${p.total}, ${Math.round((Date.now() - started) / 1000)} s, ETA ${Math.round(p.etaS)} s`),
  })
  sweepRows = result.rows
  writeSweepCsv(run.path('comprehensive_sweep.csv'), sweepRows)
  run.addArtifact('comprehensive_sweep.csv')
  best = chooseBest(sweepRows, settings.minCommits)
  run.set({ store: s.description, best: best.row.config, explanation: best.explanation })
  kpi('best.precondition_failure_rate', best.row.precondition_failure_rate, '', { better: 'lower' })
  kpi('best.write_tps', best.row.write_tps, 'tps', { better: 'higher' })
  await publish()
  process.stdout.write(`\nchaos sweep: ${best.explanation}\n`)

  expect(sweepRows.length, 'configurations measured').toBe(configs.length)
  for (const r of sweepRows) {
    expect(r.precondition_failure_rate, `${r.config}: failure rate is failures ÷ commit attempts`).toBeGreaterThanOrEqual(0)
    expect(r.precondition_failure_rate, `${r.config}: failure rate is failures ÷ commit attempts`).toBeLessThanOrEqual(1)
  }
  expect(best.row.commits, best.explanation).toBeGreaterThanOrEqual(settings.minCommits)
  const invalid = result.checks.filter((x) => !x.valid)
  expect(invalid.map((x) => `${x.config}: ${x.summary}`), 'sweep histories the checker rejects').toEqual([])
})

for (const spec of c.scenarios) {
  test(`scenario ${spec.name}`, async ({ run, kpi, publish }) => {
    expect(best, 'the sweep chose a configuration').toBeDefined()
    const s = await theStore()
    const params: WorkloadParams = { ...c.workload, ...pick(best!.row), duration_s: settings.scenarioDurationS }
    const o = await runChaosScenario(spec, { server: s.server, adapterFor: s.adapterFor, params, config: best!.row.config, durationS: settings.scenarioDurationS, outDir: run.dir, log })
    rows.push(o.row)
    for (const f of [o.historyPath, o.anomaliesPath]) run.addArtifact(f.slice(run.dir.length + 1))
    run.set({ scenario: spec.name, config: o.row.config, verdict: o.row.verdict, row: o.row })
    kpi('precondition_failure_rate', o.row.precondition_failure_rate, '', { better: 'lower' })
    kpi('write_tps', o.row.write_tps, 'tps', { better: 'higher' })
    kpi('write_p99_ms', o.row.write_p99_ms, 'ms', { better: 'lower' })
    if (Number.isFinite(o.row.read_p99_ms)) kpi('read_p99_ms', o.row.read_p99_ms, 'ms', { better: 'lower' })
    await publish()

    expect(o.row.commits, `${spec.name}: commits`).toBeGreaterThan(0)
    expect(faultActed(spec, o.row, availableParallelism())).toBeNull()
    expect(o.check.valid, `${spec.name}: ${o.check.anomalies.map((a) => a.explanation).slice(0, 3).join(' | ')} (${o.anomaliesPath})`).toBe(true)
  })
}

test('report: chaos_sweep.csv and the charts', async ({ run, publish }) => {
  writeScenarioCsv(run.path('chaos_sweep.csv'), rows)
  run.addArtifact('chaos_sweep.csv')
  const files = await writeChaosCharts(run.dir, { scenarios: rows, sweep: sweepRows, ...(best ? { best: best.row.config } : {}) })
  for (const f of files) run.addArtifact(f.slice(run.dir.length + 1))
  await publish()
  process.stdout.write(`\nchaos: ${rows.map((r) => `${r.scenario} ${r.verdict}`).join(', ')}\n→ ${join(run.dir, 'chaos_sweep.csv')}\n`)
  expect(rows.map((r) => r.scenario), 'scenarios run').toEqual(c.scenarios.map((s) => s.name))
})

function pick(r: SweepRow): Partial<WorkloadParams> {
  return { writers: r.writers, writer_rate: r.writer_rate, overlap: r.overlap, readers: r.readers, reader_rate: r.reader_rate }
}
