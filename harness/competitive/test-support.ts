// Synthetic trials for the summary and report tests: a LoadResult with the figures a test names
// and plausible ones elsewhere (percentiles scaled from p99, a per-second timeline).
import type { LoadResult, Percentiles } from '../load/types.ts'
import type { TrialResult } from './types.ts'

export interface TrialFigures {
  system: string
  trial: number
  throughput: number
  p99: number
  /** false: a closed-model tool's result (no corrected figures). Default true. */
  corrected?: boolean
  sent?: number
  errors?: number
  late?: number
  dropped?: number
  seconds?: number
  cpuS?: number
}

function percentiles(p99: number, count: number): Percentiles {
  return { count, mean: p99 / 4, p50: p99 / 5, p90: p99 / 2, p99, p999: p99 * 1.5, max: p99 * 2 }
}

export function syntheticTrial(f: TrialFigures, order = 0): TrialResult {
  const seconds = f.seconds ?? 5
  const sent = f.sent ?? Math.round(f.throughput * seconds)
  const closed = f.corrected === false
  const corrected = closed ? null : percentiles(f.p99, sent)
  const uncorrected = percentiles(closed ? f.p99 : f.p99 / 3, sent)
  const spectrum = (p: Percentiles) => [
    { percentile: 50, ms: p.p50 },
    { percentile: 90, ms: p.p90 },
    { percentile: 99, ms: p.p99 },
    { percentile: 99.9, ms: p.p999 },
    { percentile: 99.99, ms: p.max * 0.9 },
    { percentile: 100, ms: p.max },
  ]
  const load: LoadResult = {
    generator: closed ? 'wrk' : 'benchgate',
    model: closed ? 'closed' : 'open',
    arrival: closed ? { model: 'closed' } : { model: 'constant', rate: f.throughput },
    connections: 16,
    durationS: seconds,
    offeredRate: closed ? null : f.throughput,
    throughput: f.throughput,
    scheduled: sent,
    sent,
    completed: sent - (f.errors ?? 0),
    errors: f.errors ?? 0,
    errorKinds: f.errors ? { 'status 500': f.errors } : {},
    late: f.late ?? 0,
    dropped: f.dropped ?? 0,
    corrected,
    uncorrected,
    spectrum: { corrected: corrected ? spectrum(corrected) : null, uncorrected: spectrum(uncorrected) },
    timeline: closed
      ? []
      : Array.from({ length: seconds }, (_, i) => ({ t: i + 1, scheduled: f.throughput, sent: f.throughput, completed: f.throughput, errors: 0, late: 0, dropped: 0, p50: f.p99 / 5, p99: f.p99 * (i === 2 ? 3 : 1), max: f.p99 * 2, p99Uncorrected: f.p99 / 3 })),
    generatorCpu: f.cpuS === undefined ? null : { userS: f.cpuS * 0.7, systemS: f.cpuS * 0.3, cores: 2 },
    interrupted: false,
  }
  return { system: f.system, trial: f.trial, order, startedAt: '2026-01-01T00:00:00.000Z', load, server: null, files: [] }
}
