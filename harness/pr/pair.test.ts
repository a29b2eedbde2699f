import { expect, test } from 'vitest'
import type { Baseline } from '../baseline/format.ts'
import { seededRandom } from '../stats/random.ts'
import { pairRounds, type RoundResults } from './pair.ts'
import { parsePrArgs } from './cli.ts'
import { roundOrder } from './run.ts'

const FINGERPRINT = { cpu_model: 'cpu', cores: 2, os: 'linux', node: 'v24', config_hash: 'h', git_commit: null }
const STATS = { mean: 1, p50: 1, p75: 1, p99: 1, min: 1, max: 1, sd: 0, rme: 0, samplesCount: 1 }

function run(tasks: Record<string, number>, kpis: Record<string, number> = {}): Baseline {
  return {
    kind: 'benchgate-baseline',
    version: 1,
    created: '2026-12-07T00:00:00.000Z',
    fingerprint: FINGERPRINT,
    tests: [
      {
        project: 'demo',
        file: 'bench/work.bench.ts',
        test: 'fixed work',
        kpis: Object.entries(kpis).map(([name, value]) => ({ name, value, unit: 'MB/s', better: 'higher' as const })),
        benchmarks: Object.entries(tasks).map(([task, ms]) => ({ benchmark: 'fixed work', task, unit: 'ms' as const, samples: [ms * 0.99, ms, ms * 1.01], stats: STATS })),
      },
    ],
  }
}

const options = { threshold: () => 0.05, rule: 'catch' as const, confidence: 0.95, baseLabel: 'base', headLabel: 'head' }

/** Rounds in which the machine's speed drifts a lot from round to round; head is `factor` × base. */
function drifting(n: number, factor: number, seed = 1): RoundResults[] {
  const rnd = seededRandom(seed)
  return Array.from({ length: n }, () => {
    const speed = 1 + rnd.next() // up to 2× slower in some rounds
    const jitter = () => 1 + (rnd.next() - 0.5) * 0.01
    return { base: run({ hash: 10 * speed * jitter() }), head: run({ hash: 10 * speed * factor * jitter() }) }
  })
}

test('pairs by round: drift between rounds divides out, a 10 % slowdown is regressed and none is not', () => {
  const slow = pairRounds(drifting(6, 1.1), options)
  expect(slow.rows).toHaveLength(1)
  expect(slow.rows[0]).toMatchObject({ project: 'demo', file: 'bench/work.bench.ts', test: 'fixed work', comparison: { name: 'hash', metric: 'time', verdict: 'regressed', order: 'interleaved revisions', rounds: 6 } })
  expect(slow.rows[0]!.comparison.ratio.estimate).toBeCloseTo(1.1, 1)
  expect(slow.rows[0]!.comparison.method).toMatch(/^per-round medians of each run, bootstrap median of per-round ratios/)
  const same = pairRounds(drifting(6, 1, 2), options)
  expect(same.rows[0]!.comparison.verdict).toBe('unchanged')
})

test('a task or KPI on one side only is new or removed, never gated; a failed run leaves its round out', () => {
  const rounds: RoundResults[] = [
    { base: run({ hash: 10, old: 5 }, { MB_s: 100 }), head: run({ hash: 10, fresh: 3 }, { MB_s: 80 }) },
    { base: null, head: run({ hash: 99, fresh: 3 }, { MB_s: 80 }) }, // base's run failed: no pair for round 2
    { base: run({ hash: 10, old: 5 }, { MB_s: 100 }), head: run({ hash: 10, fresh: 3 }, { MB_s: 80 }) },
  ]
  const p = pairRounds(rounds, options)
  expect(p.rows.map((r) => [r.comparison.name, r.comparison.metric, r.comparison.rounds, r.comparison.verdict])).toEqual([
    ['hash', 'time', 2, 'unchanged'],
    ['fixed work', 'MB_s', 2, 'regressed'], // a KPI with a direction: 20 % less throughput
  ])
  expect(p.oneSided).toEqual([
    { project: 'demo', file: 'bench/work.bench.ts', test: 'fixed work', name: 'old', side: 'removed' },
    { project: 'demo', file: 'bench/work.bench.ts', test: 'fixed work', name: 'fresh', side: 'new' },
  ])
})

test('the threshold and rule come from the options, per name and metric', () => {
  const p = pairRounds(drifting(6, 1.1), { ...options, threshold: (name, metric) => (name === 'hash' && metric === 'time' ? 0.5 : 0.05), rule: 'conservative' })
  expect(p.rows[0]!.comparison).toMatchObject({ threshold: 0.5, rule: 'conservative', verdict: 'unchanged' })
})

test('ABBA over rounds: base first in even rounds, head first in odd ones', () => {
  expect([0, 1, 2, 3].map(roundOrder)).toEqual([['base', 'head'], ['head', 'base'], ['base', 'head'], ['head', 'base']])
})

test('benchgate pr flags: defaults, repeats, filters and clear errors', () => {
  expect(parsePrArgs(['--base', 'main'])).toEqual({ base: 'main', head: 'HEAD', projects: ['harness'], filters: [], rounds: 6, maxRounds: 18, warmupRounds: 1, install: 'npm ci --no-audit --no-fund' })
  expect(parsePrArgs(['--base=origin/main', '--head', 'feature', '--project', 'a', '--project=b', '--rounds', '4', '--warmup', '0', 'benches/a/x.bench.ts'])).toMatchObject({
    base: 'origin/main', head: 'feature', projects: ['a', 'b'], rounds: 4, maxRounds: 12, warmupRounds: 0, filters: ['benches/a/x.bench.ts'],
  })
  expect(parsePrArgs(['--help'])).toBe('help')
  expect(() => parsePrArgs([])).toThrow(/^benchgate pr: --base: missing; expected the revision to compare against/)
  expect(() => parsePrArgs(['--base', 'main', '--rounds', '1'])).toThrow(/^benchgate pr: --rounds: invalid value 1; expected a whole number from 2 to 1000/)
  expect(() => parsePrArgs(['--base', 'main', '--rounds', '8', '--max-rounds', '4'])).toThrow(/--max-rounds: 4 is below --rounds 8/)
  expect(() => parsePrArgs(['--base', 'main', '--frobnicate'])).toThrow(/^benchgate pr: --frobnicate: unknown option/)
  expect(() => parsePrArgs(['--base'])).toThrow(/--base: missing value/)
})
