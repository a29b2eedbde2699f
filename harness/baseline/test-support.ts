// Shared by the baseline unit tests: a fingerprint, deterministic samples and a small baseline.
import { isUserError } from '../errors.ts'
import { buildBaseline, type MeasuredTest } from './build.ts'
import type { Baseline, Fingerprint } from './format.ts'

export const FINGERPRINT: Fingerprint = {
  cpu_model: 'AMD EPYC 7763 64-Core Processor',
  cores: 4,
  os: 'linux 6.8.0-1014-azure x64',
  node: 'v24.21.0',
  config_hash: '0123456789abcdef',
  git_commit: '1a2b3c4d5e6f708192a3b4c5d6e7f80912345678',
}

/** n samples around `center` with ±`noise` relative spread, the same every time. */
export function samples(center: number, n: number, noise = 0.02, seed = 7): number[] {
  let s = seed
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return center * (1 + ((s / 2 ** 31) - 0.5) * 2 * noise)
  })
}

function latency(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return { samples: sorted, mean, p50: sorted[Math.floor(sorted.length / 2)], p75: sorted[Math.floor(sorted.length * 0.75)], p99: sorted.at(-1), min: sorted[0], max: sorted.at(-1), sd: 0.01, rme: 1.5, samplesCount: values.length }
}

export const MEASURED: MeasuredTest[] = [
  {
    project: 'blit-parity',
    file: 'benches/blit-parity/copy.bench.ts',
    test: 'copy > many-small',
    kpis: [{ name: 'throughput_MB_s', value: 812.5, unit: 'MB/s', better: 'higher' }],
    benchmarks: [{ name: 'copy > many-small', tasks: [
      { name: 'blit', latency: latency(samples(100, 30)) },
      { name: 'rsync', latency: latency(samples(120, 30, 0.02, 11)) },
    ] }],
  },
  {
    project: 'vscsi',
    file: 'benches\\vscsi\\parse.bench.ts',
    test: 'parse a capture',
    kpis: [{ name: 'observed_source', value: 'NAS_ZGY', unit: '' }],
    benchmarks: [{ name: 'parse a capture', tasks: [
      { name: 'parse', latency: latency(samples(3.2, 50)) },
      { name: 'no samples', latency: { mean: 1, samplesCount: 10 } },
      { name: 'stored', fromStore: true, latency: latency(samples(3.2, 5)) },
    ] }],
  },
  { project: 'harness', file: 'benches/harness/empty.bench.ts', test: 'nothing measured', kpis: [], benchmarks: [] },
]

export function sampleBaseline(fingerprint: Fingerprint = FINGERPRINT, created = new Date('2026-11-24T10:15:00Z')): Baseline {
  return buildBaseline(MEASURED, fingerprint, created).baseline
}

/** The message of the UserError `fn` throws; fails when it throws nothing or something else. */
export function userErrorMessage(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (isUserError(e)) return e.message
    throw e
  }
  throw new Error('expected a UserError')
}
