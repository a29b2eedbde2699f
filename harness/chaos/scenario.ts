// One chaos scenario, from start to verdict: the store's traffic goes through our TCP proxy, the
// scenario's nemeses act while the workload runs on its own key prefix, the history is written as
// it happens (history.partial.jsonl until the run ends), then the checker judges it from the
// history alone (anomalies.json) and the run's figures and the faults' measured effects become
// one chaos_sweep.csv row. Scenarios run one at a time; a fault that did not act shows in its
// measured figures, which the bench gates on (faultActed).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { checkHistoryFile, writeAnomalies, type CheckResult } from './check/index.ts'
import { figuresFromHistoryFile } from './figures.ts'
import { openHistory } from './history.ts'
import { buildNemeses, type ReportingNemesis } from './nemesis/nemeses.ts'
import { startTcpProxy } from './nemesis/tcp-proxy.ts'
import type { ScenarioRow, ScenarioSpec, StoreAdapter, StoreServer, WorkloadParams } from './types.ts'
import { runWorkload } from './workload.ts'

export interface ScenarioContext {
  /** The store's server (the proxy forwards to it, the restart and pause nemeses act on it); null for a process client. */
  server: StoreServer | null
  /** A new adapter of the store, connected to `origin` (the proxy) instead of the server itself; null: no proxy. */
  adapterFor: (origin: { host: string; port: number } | null) => StoreAdapter
  /** The workload (the sweep's best configuration); its duration is replaced by `durationS`. */
  params: WorkloadParams
  /** The configuration's label, for the row. */
  config: string
  durationS: number
  /** The scenario's folder is made inside. */
  outDir: string
  signal?: AbortSignal
  log?: (line: string) => void
}

export interface ScenarioOutcome {
  row: ScenarioRow
  check: CheckResult
  dir: string
  historyPath: string
  anomaliesPath: string
}

export async function runChaosScenario(spec: ScenarioSpec, ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const dir = join(ctx.outDir, spec.name)
  mkdirSync(dir, { recursive: true })
  const log = ctx.log ?? (() => {})
  const params: WorkloadParams = { ...ctx.params, duration_s: ctx.durationS }
  const server = ctx.server
  const proxy = server ? await startTcpProxy({ upstreamHost: server.host, upstreamPort: server.port }) : null
  const adapter = ctx.adapterFor(proxy ? { host: '127.0.0.1', port: proxy.port } : null)
  let nemeses: ReportingNemesis[]
  try {
    nemeses = buildNemeses(spec, { proxy, server, durationS: ctx.durationS })
  } catch (e) {
    await Promise.all([adapter.close(), proxy?.stop()])
    throw e
  }
  const prefix = `chaos-${spec.name}-${Date.now().toString(36)}`
  let historyPath: string
  try {
    const session = await adapter.open(prefix)
    const history = openHistory(join(dir, 'history.jsonl'), { type: 'header', store: adapter.name, prefix, started: new Date().toISOString(), workload: params })
    const runStart = performance.now()
    const stopFaults = async () => {
      for (const n of nemeses) await n.stop()
    }
    log(`${spec.name}: ${ctx.durationS} s of ${ctx.config} with ${nemeses.map((n) => n.name).join(', ') || 'no fault'}`)
    try {
      for (const n of nemeses) await n.start(runStart)
      const w = await runWorkload({ session, params, history, runStart, beforeReadBack: stopFaults, ...(ctx.signal ? { signal: ctx.signal } : {}) })
      if (w.droppedStarts) log(`${spec.name}: ${w.lateStarts} late starts, ${w.droppedStarts} slots dropped (operations overran until the end of the run)`)
    } finally {
      await stopFaults() // safe twice; here on an error or abort
    }
    historyPath = await history.finish()
  } finally {
    await adapter.close()
    await proxy?.stop()
  }
  const check = await checkHistoryFile(historyPath)
  const anomaliesPath = join(dir, 'anomalies.json')
  writeAnomalies(anomaliesPath, check)
  const figures = await figuresFromHistoryFile(historyPath, ctx.durationS)
  const effects = Object.assign({}, ...nemeses.map((n) => n.effect())) as Partial<ScenarioRow>
  const row: ScenarioRow = {
    scenario: spec.name,
    config: ctx.config,
    ...figures,
    verdict: check.valid ? 'valid' : Object.keys(check.counts).filter((k) => (check.counts[k] ?? 0) > 0).join(','),
    anomalies: check.anomalies.length === 0 ? 0 : Object.values(check.counts).reduce((a, b) => a + b, 0),
    measured_delay_ms: effects.measured_delay_ms ?? Number.NaN,
    measured_hog_cpu: effects.measured_hog_cpu ?? Number.NaN,
    restarts: effects.restarts ?? 0,
    pauses: effects.pauses ?? 0,
  }
  return { row, check, dir, historyPath, anomaliesPath }
}

/**
 * Whether the scenario's faults measurably acted: the proxy's median added delay reaches 90 % of
 * the latency asked, the hogs used at least half the CPU asked (capped at the cores there are, less
 * one for the client and store), and every restart and pause asked happened. Null when they did;
 * otherwise the sentence that says which did not.
 */
export function faultActed(spec: ScenarioSpec, row: ScenarioRow, cores: number): string | null {
  const problems: string[] = []
  if (spec.latency_ms) {
    if (!(row.measured_delay_ms >= 0.9 * spec.latency_ms)) problems.push(`latency ${spec.latency_ms} ms asked, the proxy added ${row.measured_delay_ms.toFixed(1)} ms (median per chunk)`)
  }
  if (spec.cpu) {
    const asked = Math.min(spec.cpu.threads * spec.cpu.utilisation, Math.max(1, cores - 1))
    if (!(row.measured_hog_cpu >= 0.5 * asked)) problems.push(`CPU hogs asked ${spec.cpu.threads} × ${spec.cpu.utilisation}, they used ${row.measured_hog_cpu.toFixed(2)} cores`)
  }
  if (spec.restart_at !== undefined && row.restarts < 1) problems.push('a restart was asked and none happened')
  if (spec.pause_at !== undefined && row.pauses < 1) problems.push('a pause was asked and none happened')
  return problems.length ? `${spec.name}: ${problems.join('; ')}` : null
}
