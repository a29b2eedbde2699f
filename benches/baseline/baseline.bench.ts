// baseline: before comparing modes, the ceilings of the machine and of each path. How fast can
// this workstation read from the NAS at all (1 and N streams, Cold and Warm), and how fast from
// Azure Blob with the best chunk size and parallelism? The same probe as `benchgate probe`,
// with its files attached to the report and its figures recorded as KPIs, so later runs can
// gate on them against a stored baseline (BENCHGATE_BASELINE).
//
// Targets come from the config (nas.shares, azure, probe.sas_urls); with none configured, the
// embedded directory stands for the share and an embedded Azurite for the blob store.
import { join } from 'node:path'
import { expect, test } from '../../harness/test.ts'
import { runProbe } from '../../harness/probe/run.ts'
import { ProbeBaselineSchema } from '../../harness/probe/schema.ts'
import { readFileSync } from 'node:fs'

test('probe: machine, NAS and Azure Blob ceilings', async ({ config, run, kpi, publish }) => {
  const probe = await runProbe(config, { outDir: run.dir })
  for (const f of probe.files) run.addArtifact(f.slice(run.dir.length + 1))
  for (const k of probe.kpis) kpi(k.name, k.value, k.unit, k.better ? { better: k.better } : {})
  await publish({
    charts: probe.charts.map((c) => ({ name: c.name, svg: c.chart.svg, caption: c.caption })),
    dir: join(run.dir, 'charts'),
  })
  const summary = readFileSync(probe.files[1]!, 'utf8')
  process.stdout.write(`\n${summary}`)

  const b = probe.baseline
  expect(ProbeBaselineSchema.safeParse(JSON.parse(readFileSync(probe.files[0]!, 'utf8'))).success, 'baseline.json matches its schema').toBe(true)
  expect(b.failures, 'every target measured').toEqual([])
  expect('skipped' in b.machine ? 0 : b.machine.cpu.cores, 'machine facts').toBeGreaterThan(0)
  for (const share of b.nas) {
    expect(share.reads.map((r) => `${r.cache_state} ${r.streams}`), `NAS ${share.name}: every pass`).toHaveLength(config.probe.nas_streams > 1 ? 4 : 2)
    for (const r of share.reads) expect(r.bytes, `NAS ${share.name} ${r.cache_state} ${r.streams} streams read the whole file`).toBe(share.file!.bytes)
  }
  for (const t of b.blob) {
    expect(t.sweep, `blob ${t.name}: every chunk size × streams point`).toHaveLength(config.probe.chunk_sizes_mib.length * config.probe.streams.length)
    expect(t.best, `blob ${t.name}: the best configuration is named`).not.toBeNull()
    expect(t.sweep.every((p) => p.errors === 0), `blob ${t.name}: no chunk failed after its retries`).toBe(true)
  }
})
