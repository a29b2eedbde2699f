// competitive: our server against its competitors, started live on this machine and measured
// under the same open-model load, in interleaved trials. One test per scenario TOML of
// competitive.scenarios_dir (the four shipped ones by default: HTTP plaintext and JSON, ours against
// nginx and fastify; key-value GET/SET, ours against Redis and against memcached). Without a
// configuration file the trials are shortened (1 s warm-up, 5 s, 3 trials per system) so the
// project runs in a few minutes; the thresholds of each scenario are the gates.
//
// Every test writes its scenario's folder (raw generator results, server logs and metrics, the
// summary table and charts) inside its run directory; the last test writes summary.md and
// metadata.json for the whole run.
import { resolve } from 'node:path'
import { loadConfig } from '../../harness/config/load.ts'
import { writeMetadata } from '../../harness/competitive/metadata.ts'
import { writeScenarioReport, writeSuiteSummary } from '../../harness/competitive/report.ts'
import { runScenario, type ScenarioRun } from '../../harness/competitive/runner.ts'
import { loadScenarios } from '../../harness/competitive/scenario.ts'
import { competitiveSettings } from '../../harness/competitive/settings.ts'
import { expect, REPO_ROOT, test } from '../../harness/test.ts'

const loaded = loadConfig()
const settings = competitiveSettings(loaded, REPO_ROOT)
const entries = loadScenarios(settings.scenariosDir, settings.expectedScenarios === undefined ? {} : { expectedCount: settings.expectedScenarios })
const outcomes: ScenarioRun[] = []
const log = (line: string) => process.stderr.write(`competitive ${line}\n`)
let lastProgress = 0

for (const [i, entry] of entries.entries()) {
  const s = entry.scenario
  test(`${s.name}: ${s.systems.map((x) => x.name).join(' vs ')}`, async ({ run, kpi, publish }) => {
    const o = await runScenario(entry, { k: i + 1, n: entries.length }, {
      ...settings,
      repo: REPO_ROOT,
      runDir: run.dir,
      log,
      progress: (line) => {
        if (Date.now() - lastProgress < 5000) return
        lastProgress = Date.now()
        log(line)
      },
    })
    outcomes.push(o)
    for (const f of writeScenarioReport(o.dir, o)) run.addArtifact(f)
    run.set({ scenario: s.name, file: entry.file, status: o.status, arrival: s.arrival, systems: o.systems.map((x) => ({ name: x.name, role: x.role, version: x.version })) })
    for (const x of o.systems) {
      kpi(`${x.name}.throughput`, x.throughput, 'req/s', { better: 'higher' })
      kpi(`${x.name}.p99_ms`, x.p99, 'ms', { better: 'lower' })
      kpi(`${x.name}.p999_ms`, x.p999, 'ms', { better: 'lower' })
      kpi(`${x.name}.error_pct`, x.errorPercent, '%', { better: 'lower' })
    }
    for (const r of o.ratios) kpi(`ours/${r.competitor}.${r.metric}`, r.estimate, '×', { better: r.metric === 'throughput' ? 'higher' : 'lower' })
    await publish()

    expect(o.status, o.error ?? o.status).toBe('completed')
    for (const t of o.thresholds) expect(t.passed, `${s.name}: ${t.name} (actual ${t.actual.toFixed(3)})`).toBe(true)
  })
}

test('summary: summary.md and metadata.json of the run', async ({ run, publish }) => {
  const versions = Object.assign({}, ...outcomes.map((o) => o.versions)) as Record<string, string | null>
  for (const f of writeMetadata(run.dir, { repo: REPO_ROOT, versions, settings })) run.addArtifact(f)
  const summary = writeSuiteSummary(run.dir, outcomes, { interrupted: false, planned: entries.map((e) => e.scenario.name) })
  run.addArtifact('summary.md')
  await publish()
  process.stdout.write(`\n${summary.text}\n→ ${resolve(summary.path)}\n`)
  expect(outcomes.map((o) => o.scenario.name), 'scenarios run').toEqual(entries.map((e) => e.scenario.name))
  expect(summary.allMet, summary.text).toBe(true)
})
