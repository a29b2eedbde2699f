// The steps of the fast-ab scenario, so the bench file reads like its spec: compare modes A and B
// on one workflow and cache state (interleaved rounds of reader sessions, each timed by its own
// workflow markers), sum the sessions up per mode, and probe the network ceiling (mode C).
import { createHash } from 'node:crypto'
import type { CompareResult } from '../compare/interleave.ts'
import type { Config } from '../config/schema.ts'
import type { Comparer, KpiRecorder } from '../test.ts'
import { median, quantile } from '../stats/quantile.ts'
import { RangedGetClient } from '../azure/ranged-get.ts'
import type { ObservedSource } from './classify.ts'
import type { SessionKpis } from './kpis.ts'
import type { Mode, Session, Sessions } from './sessions.ts'
import { WORKFLOW_SPANS, type WorkflowName } from './workflows.ts'

export const MODE_LABEL: Record<Mode, string> = { A: 'A · NAS .zgy', B: 'B · Azure Blob via FAST' }

export interface AbOutcome {
  workflow: WorkflowName
  cache_state: string
  result: CompareResult
  /** Measured sessions (warm-ups left out) per mode. */
  sessions: Record<Mode, Session[]>
  /** Every session of the comparison, warm-ups included, in the order run. */
  all: Session[]
  /** Distinct data checksums (first inline + workflow data) per mode: one each when identical. */
  checksums: Record<Mode, string[]>
  observed: Record<Mode, ObservedSource[]>
  maxRatio: number
  /** The cache state actually achieved, for run.json: what Cold preparation did, or the warm-ups run. */
  cacheAchieved: Record<string, unknown>
}

/** What the Cold preparations of these sessions achieved, in one record. */
export function achieved(sessions: readonly Session[], cacheState: string): Record<string, unknown> {
  if (cacheState !== 'Cold') return { state: cacheState, warmup_sessions: sessions.filter((s) => s.warmup).length }
  const colds = sessions.map((s) => s.cold).filter((c) => c !== null)
  const detail = colds.find((c) => c.os_cache_detail)?.os_cache_detail
  const resident = colds.map((c) => c.resident_bytes).filter((r): r is number => r !== null)
  return {
    state: 'Cold',
    fast_cache: [...new Set(colds.map((c) => c.fast_cache))],
    os_cache: [...new Set(colds.map((c) => c.os_cache))],
    ...(detail ? { os_cache_detail: detail } : {}),
    resident_bytes_max: resident.length ? Math.max(...resident) : null,
    file_bytes: colds[0]?.file_bytes ?? null,
  }
}

export function maxRatioFor(config: Config, workflow: WorkflowName): number {
  return config.fast.max_ratios[workflow] ?? config.fast.max_ratio
}

/** Interleaved A-versus-B rounds of `workflow` in `cacheState`; base is A, head is B. */
export async function compareModes(sessions: Sessions, compare: Comparer, config: Config, workflow: WorkflowName, cacheState: string): Promise<AbOutcome> {
  const kpi = WORKFLOW_SPANS[workflow].kpi
  const warmupRounds = cacheState === 'Warm' ? 1 : 0
  const calls: Record<Mode, number> = { A: 0, B: 0 }
  const side = (mode: Mode) => ({
    label: MODE_LABEL[mode],
    timing: 'reported' as const,
    beforeEach: cacheState === 'Cold' ? () => void sessions.cold(mode) : undefined,
    fn: async () => {
      const warmup = calls[mode]++ < warmupRounds
      const s = await sessions.run(mode, workflow, cacheState, warmup)
      return (s.summary.spans[kpi] ?? NaN) * 1000
    },
  })
  const result = await compare(side('A'), side('B'), {
    name: `${workflow} · ${cacheState}: B vs A`,
    rounds: config.fast.rounds,
    maxRounds: config.fast.max_rounds,
    warmupRounds,
    batchRounds: 1,
  })
  const done = await sessions.finish()
  const mine = done.filter((s) => s.workflow === workflow && s.cache_state === cacheState)
  const pick = (mode: Mode) => mine.filter((s) => s.mode === mode && !s.warmup)
  const measured = { A: pick('A'), B: pick('B') }
  const distinct = <T>(xs: T[]): T[] => [...new Set(xs)]
  return {
    workflow,
    cache_state: cacheState,
    result,
    sessions: measured,
    all: mine,
    checksums: {
      A: distinct(measured.A.map((s) => `${s.summary.first_inline_sha256}:${s.summary.sha256}`)),
      B: distinct(measured.B.map((s) => `${s.summary.first_inline_sha256}:${s.summary.sha256}`)),
    },
    observed: { A: distinct(measured.A.map((s) => s.kpis!.observed_source)), B: distinct(measured.B.map((s) => s.kpis!.observed_source)) },
    maxRatio: maxRatioFor(config, workflow),
    cacheAchieved: achieved(mine, cacheState),
  }
}

type NumericKpi = Exclude<keyof SessionKpis, 'mode' | 'workflow' | 'cache_state' | 'observed_source' | 'samples'>

const KPI_UNITS: Record<NumericKpi, [string, 'lower' | 'higher']> = {
  open_time_s: ['s', 'lower'], workflow_time_s: ['s', 'lower'], cpu_mean: ['%', 'lower'], gpu_mean: ['%', 'lower'],
  read_MB_s_p95: ['MB/s', 'higher'], lat_p50_ms: ['ms', 'lower'], lat_p95_ms: ['ms', 'lower'], lat_p99_ms: ['ms', 'lower'],
  fast_cache_hit_rate: ['', 'higher'],
}

/** Records the median of each KPI over a mode's measured sessions as `<mode>.<kpi>`. */
export function recordModeKpis(kpi: KpiRecorder, outcome: AbOutcome): void {
  const span = WORKFLOW_SPANS[outcome.workflow].kpi
  for (const mode of ['A', 'B'] as const) {
    const ks = outcome.sessions[mode].map((s) => s.kpis!)
    for (const [name, [unit, better]] of Object.entries(KPI_UNITS) as [NumericKpi, [string, 'lower' | 'higher']][]) {
      if (name === 'workflow_time_s' && span === 'open_time_s') continue
      const values = ks.map((k) => k[name]).filter((v): v is number => v !== null && Number.isFinite(v))
      if (values.length) kpi(`${mode}.${name === 'workflow_time_s' ? span : name}`, median(values), unit, { better })
    }
    kpi(`${mode}.observed_source`, outcome.observed[mode].join('+') || 'unknown')
  }
}

export interface NetworkCeiling {
  chunks: number
  bytes: number
  single_MB_s: number
  parallel_MB_s: number
  streams: number
  lat_p50_ms: number
  lat_p95_ms: number
  lat_p99_ms: number
  retries: number
  /** SHA-256 of every chunk read, in index order (equal to the .zgy's bricks when the copy is true). */
  sha256: string
}

/** Mode C: ranged GETs of the volume's chunks straight from the store, one stream then `streams`. */
export async function probeNetwork(target: { containerUrl: string; sas: string }, objects: readonly string[], streams: number): Promise<NetworkCeiling> {
  const pass = async (concurrency: number) => {
    const client = new RangedGetClient(target, { concurrency })
    const latencies: number[] = []
    const bytes: Buffer[] = new Array(objects.length)
    const t0 = performance.now()
    try {
      await Promise.all(objects.map(async (o, i) => {
        const got = await client.get(o)
        bytes[i] = got.bytes
        latencies.push(got.record.latencyMs)
      }))
      return { ms: performance.now() - t0, latencies, bytes, retries: client.stats.retries }
    } finally {
      await client.close()
    }
  }
  const single = await pass(1)
  const parallel = await pass(streams)
  const total = single.bytes.reduce((n, b) => n + b.length, 0)
  const h = createHash('sha256')
  for (const b of parallel.bytes) h.update(b)
  const all = [...single.latencies, ...parallel.latencies]
  return {
    chunks: objects.length,
    bytes: total,
    single_MB_s: total / 1e6 / (single.ms / 1000),
    parallel_MB_s: total / 1e6 / (parallel.ms / 1000),
    streams,
    lat_p50_ms: quantile(all, 0.5),
    lat_p95_ms: quantile(all, 0.95),
    lat_p99_ms: quantile(all, 0.99),
    retries: single.retries + parallel.retries,
    sha256: h.digest('hex'),
  }
}
