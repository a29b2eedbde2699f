// The checker proven able to fail, against real stores, each through the same scenario runner as
// the chaos scenarios (history.jsonl, anomalies.json), with a contended workload: 4 writers at
// 20 commit attempts/s each on 4 shared keys, read-then-write-a-computed-value transactions (to
// PostgreSQL through the proxy with 5 ms each way, so that transactions overlap).
//   PostgreSQL 15 at READ COMMITTED loses updates and the checker finds them; SERIALIZABLE
//     (retrying serialization failures) gives a clean history with conflicts retried.
//   blob-manifest deliberately built to ignore If-Match is caught; the real one is clean.
//   a process client that returns stale reads is caught; the example client is clean.
//   Azurite restarted with kill -9 loses writes it acknowledged since its last metadata save (5 s)
//     and the checker finds them; restarted gracefully it loses nothing.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe } from 'vitest'
import { runChaosScenario, type ScenarioOutcome } from '../../harness/chaos/scenario.ts'
import { blobManifestOnAzurite } from '../../harness/chaos/stores/blob-manifest.ts'
import { startAzuriteServer, type AzuriteServer } from '../../harness/chaos/stores/azurite-server.ts'
import { postgresStore, type PostgresIsolation } from '../../harness/chaos/stores/postgres.ts'
import { startPostgres } from '../../harness/chaos/stores/postgres-server.ts'
import { processStore } from '../../harness/chaos/stores/process.ts'
import type { ScenarioSpec, StoreAdapter, StoreServer, WorkloadParams } from '../../harness/chaos/types.ts'
import { expect, REPO_ROOT, test } from '../../harness/test.ts'

const DURATION_S = 4
const CONTENDED: WorkloadParams = {
  writers: 4, writer_rate: 20, readers: 2, reader_rate: 20, key_pool: 4, overlap: 1, value_size: 64,
  delete_ratio: 0, retries: 5, computed: true, duration_s: DURATION_S, timeout_ms: 5000, seed: 7,
}
const log = (line: string) => process.stderr.write(`chaos proof ${line}\n`)
const started: { stop(): Promise<void> }[] = []
afterAll(async () => {
  for (const s of started.reverse()) await s.stop()
})

async function prove(name: string, dir: string, server: StoreServer | null, adapterFor: (o: { host: string; port: number } | null) => StoreAdapter, spec: Partial<ScenarioSpec> = {}): Promise<ScenarioOutcome> {
  mkdirSync(dir, { recursive: true })
  const o = await runChaosScenario({ name, pause_for_s: 2, ...spec }, { server, adapterFor, params: CONTENDED, config: 'contended', durationS: DURATION_S, outDir: dir, log })
  log(`${name}: ${o.row.commits} commits, ${o.row.precondition_failures} conflicts, verdict ${o.row.verdict} (${Object.entries(o.check.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'no anomaly'})`)
  return o
}

function record(o: ScenarioOutcome, run: { addArtifact(name: string): void; set(facts: Record<string, unknown>): void; dir: string }): void {
  for (const f of [o.historyPath, o.anomaliesPath]) run.addArtifact(f.slice(run.dir.length + 1))
  run.set({ verdict: o.row.verdict, counts: o.check.counts, commits: o.row.commits, conflicts: o.row.precondition_failures })
}

describe('postgres', () => {
  let server: StoreServer | undefined
  const pg = async () => {
    if (!server) started.push((server = await startPostgres()))
    return server
  }
  // a local transaction takes ~2 ms, too short for 80 attempts/s to overlap often: 5 ms each way
  // through the proxy widens every transaction to a few round trips, as a network would
  const WIDE_RACE = { latency_ms: 5 }
  const at = (s: StoreServer, isolation: PostgresIsolation) => (o: { host: string; port: number } | null) =>
    postgresStore({ host: o?.host ?? s.host, port: o?.port ?? s.port, isolation, valueSize: CONTENDED.value_size })

  test('READ COMMITTED with read-then-write loses updates, and the checker finds them', async ({ run }) => {
    const s = await pg()
    const o = await prove('postgres-read-committed', run.path('proof'), s, at(s, 'read committed'), WIDE_RACE)
    record(o, run)
    expect(o.row.commits, 'commits').toBeGreaterThan(20)
    expect(o.check.valid, 'the checker rejects the history').toBe(false)
    expect(o.check.counts['lost-update'], 'lost updates found').toBeGreaterThan(0)
  })

  test('SERIALIZABLE, retrying serialization failures, gives a clean history', async ({ run }) => {
    const s = await pg()
    const o = await prove('postgres-serializable', run.path('proof'), s, at(s, 'serializable'), WIDE_RACE)
    record(o, run)
    expect(o.row.precondition_failures, 'serialization failures happened (the workload contends)').toBeGreaterThan(0)
    expect(o.row.commits, 'commits').toBeGreaterThan(20)
    expect(o.check.anomalies, o.check.anomalies.map((a) => a.explanation).join(' | ')).toEqual([])
  })
})

describe('blob-manifest on Azurite', () => {
  let server: AzuriteServer | undefined
  const azurite = async () => {
    if (!server) started.push((server = await startAzuriteServer()))
    return server
  }
  const adapters = async (s: AzuriteServer, ignoreIfMatch: boolean) => {
    const blob = await blobManifestOnAzurite(s, { valueSize: CONTENDED.value_size, ignoreIfMatch, container: ignoreIfMatch ? 'broken' : 'chaos' })
    return (o: { host: string; port: number } | null) => (o ? blob.adapter(`http://${o.host}:${o.port}`) : blob.adapter())
  }

  test('an adapter that ignores If-Match is caught', async ({ run }) => {
    const s = await azurite()
    const o = await prove('blob-ignores-if-match', run.path('proof'), s, await adapters(s, true))
    record(o, run)
    expect(o.check.valid, 'the checker rejects the history').toBe(false)
    expect(o.check.counts['lost-update'], 'lost updates found').toBeGreaterThan(0)
  })

  test('the real adapter (If-Match) is clean under the same contention', async ({ run }) => {
    const s = await azurite()
    const o = await prove('blob-if-match', run.path('proof'), s, await adapters(s, false))
    record(o, run)
    expect(o.row.precondition_failures, 'precondition failures happened').toBeGreaterThan(0)
    expect(o.check.anomalies, o.check.anomalies.map((a) => a.explanation).join(' | ')).toEqual([])
  })

  test('Azurite killed with -9 loses acknowledged writes and the checker finds them; a graceful restart loses none', async ({ run }) => {
    const s = await azurite()
    const adapter = await adapters(s, false)
    const killed = await prove('azurite-kill-9', run.path('proof'), s, adapter, { restart_at: 0.6, restart_mode: 'kill' })
    record(killed, run)
    expect(killed.row.restarts, 'restarted').toBe(1)
    expect(killed.check.valid, `kill -9: ${s.killLosesWrites}`).toBe(false)
    expect(killed.check.counts['lost-update'] + killed.check.counts['stale-read'], 'lost or stale').toBeGreaterThan(0)
    const graceful = await prove('azurite-graceful', run.path('proof'), s, adapter, { restart_at: 0.6, restart_mode: 'graceful' })
    expect(graceful.row.restarts, 'restarted').toBe(1)
    expect(graceful.check.anomalies, graceful.check.anomalies.map((a) => a.explanation).join(' | ')).toEqual([])
  })
})

describe('process client (JSON lines)', () => {
  const client = (file: string) => () => processStore({ command: [process.execPath, join(REPO_ROOT, 'fixtures/chaos', file)], valueSize: CONTENDED.value_size })

  test('a client that returns stale reads is caught', async ({ run }) => {
    const o = await prove('process-stale-client', run.path('proof'), null, client('stale-client.mjs'))
    record(o, run)
    expect(o.check.valid, 'the checker rejects the history').toBe(false)
    expect(o.check.counts['stale-read'] + o.check.counts['non-monotonic-read'], 'stale or non-monotonic reads found').toBeGreaterThan(0)
  })

  test('the example client is clean', async ({ run }) => {
    const o = await prove('process-example-client', run.path('proof'), null, client('example-client.mjs'))
    record(o, run)
    expect(o.row.commits, 'commits').toBeGreaterThan(20)
    expect(o.check.anomalies, o.check.anomalies.map((a) => a.explanation).join(' | ')).toEqual([])
  })
})
