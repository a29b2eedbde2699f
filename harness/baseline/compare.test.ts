import { describe, expect, test } from 'vitest'
import type { BenchgateMeta } from '../results.ts'
import { compareToBaseline, findBaselineTask } from './compare.ts'
import type { LoadedBaseline } from './format.ts'
import { gateTask, regressionMessage } from './gate.ts'
import { FINGERPRINT, samples, sampleBaseline, userErrorMessage } from './test-support.ts'

const baseline: LoadedBaseline = { file: 'baselines/main.json', data: sampleBaseline() }
const HEAD = { ...FINGERPRINT, git_commit: '9999999aaaaaaa' }
/** This run: same machine as the baseline, another commit. Doubles as compare options and as a CurrentRun. */
const SAME = { current: HEAD, fingerprint: HEAD, threshold: 0.05, policy: 'warn' as const }


describe('compareToBaseline', () => {
  test('the same workload: unchanged; labels say baseline and head commits; order is baseline', () => {
    const c = compareToBaseline(baseline, 'copy > many-small', 'blit', samples(100, 30, 0.02, 99), SAME)
    expect(c.verdict).toBe('unchanged')
    expect(c).toMatchObject({ name: 'blit', metric: 'time', unit: 'ms', better: 'lower', order: 'baseline', threshold: 0.05 })
    expect(c.base).toMatchObject({ label: 'baseline 1a2b3c4', n: 30 })
    expect(c.head).toMatchObject({ label: 'head 9999999', n: 30 })
    expect(c.method).toMatch(/^bootstrap ratio of medians, 2000 resamples/)
    expect(c.fingerprintWarning).toBeUndefined()
  })

  test('20 % slower: regressed; 20 % faster: improved', () => {
    expect(compareToBaseline(baseline, 'copy > many-small', 'blit', samples(120, 30, 0.02, 5), SAME).verdict).toBe('regressed')
    expect(compareToBaseline(baseline, 'copy > many-small', 'blit', samples(80, 30, 0.02, 5), SAME).verdict).toBe('improved')
  })

  test('the threshold comes from the options (the configuration by default)', () => {
    const c = compareToBaseline(baseline, 'copy > many-small', 'blit', samples(120, 30, 0.02, 5), { ...SAME, threshold: 0.5 })
    expect(c.verdict).toBe('unchanged')
    expect(c.threshold).toBe(0.5)
  })

  test('another environment, policy warn: warns and marks the comparison', () => {
    const warnings: string[] = []
    const c = compareToBaseline(baseline, 'parse a capture', 'parse', samples(3.2, 50, 0.02, 3), { ...SAME, current: { ...FINGERPRINT, cpu_model: 'Intel Xeon' }, warn: (m) => warnings.push(m) })
    expect(c.fingerprintWarning).toBe('baseline baselines/main.json was measured in a different environment: cpu_model: "AMD EPYC 7763 64-Core Processor" (baseline) ≠ "Intel Xeon" (this run)')
    expect(warnings.join('\n')).toContain('DIFFERENT ENVIRONMENT')
  })

  test('another environment, policy refuse: no verdict, a UserError', () => {
    expect(userErrorMessage(() => compareToBaseline(baseline, 'parse a capture', 'parse', [3.2], { ...SAME, current: { ...FINGERPRINT, cores: 64 }, policy: 'refuse' }))).toMatch(
      /^baselines\/main\.json: fingerprint: baseline measured in a different environment \(cores: 4 \(baseline\) ≠ 64 \(this run\)\)/,
    )
  })

  test('a test or task the baseline does not have: a UserError naming the file, what it has, and a hint', () => {
    expect(userErrorMessage(() => compareToBaseline(baseline, 'copy > many-small', 'cp', [1], SAME))).toBe(
      "baselines/main.json: tests[copy > many-small].benchmarks: no task 'cp' in test 'copy > many-small'; expected one of 'blit', 'rsync' (hint: the baseline predates this benchmark; write a fresh one with `npm run bench:baseline`)",
    )
    expect(userErrorMessage(() => compareToBaseline(baseline, 'new test', 'x', [1], SAME))).toMatch(/^baselines\/main\.json: tests: no test 'new test'; expected a baseline written by a run of this test/)
    expect(findBaselineTask(baseline, 'new test', 'x')).toBeUndefined()
  })

  test('the same test name in two files must be disambiguated by file', () => {
    const twice: LoadedBaseline = { file: 'b.json', data: sampleBaseline() }
    twice.data.tests.push({ ...twice.data.tests[0]!, file: 'benches/blit-parity/other.bench.ts' })
    expect(userErrorMessage(() => findBaselineTask(twice, 'copy > many-small', 'blit'))).toMatch(/^b\.json: tests: test 'copy > many-small' appears in 2 files .*pass \{ file \}/)
    expect(findBaselineTask(twice, 'copy > many-small', 'blit', { file: 'benches/blit-parity/other.bench.ts' })?.task).toBe('blit')
  })
})

describe('gateTask (the baseline fixture after the test body)', () => {
  const task = (slow: number) => ({
    name: 'many-small',
    fullTestName: 'copy > many-small',
    file: { filepath: `${process.cwd()}/benches/blit-parity/copy.bench.ts`, projectName: 'blit-parity' },
    meta: {} as { benchgate?: BenchgateMeta },
    benchmarks: [{ name: 'copy > many-small', tasks: [
      { name: 'blit', latency: { samples: samples(100 * slow, 30, 0.02, 3) } },
      { name: 'rsync', latency: { samples: samples(120, 30, 0.02, 4) } },
      { name: 'added later', latency: { samples: [1, 2, 3] } },
      { name: 'no samples', latency: {} },
      { name: 'stored', fromStore: true, latency: { samples: [1] } },
    ] }],
  })

  test('every measured task the baseline knows is compared; the rest is listed as not gated', () => {
    const { comparisons, notGated } = gateTask(baseline, task(1.3), SAME)
    expect(comparisons.map((c) => [c.name, c.verdict])).toEqual([['blit', 'regressed'], ['rsync', 'unchanged']])
    expect(notGated).toEqual(["'added later': not in the baseline", "'no samples': no samples (turn on benchmark.retainSamples)"])
    expect(regressionMessage(baseline, comparisons.filter((c) => c.verdict === 'regressed'))).toMatch(
      /^regressed against the baseline baselines\/main\.json:\n {2}'blit' time: median 100\.\d → 130\.\d ms, \+30\.\d % \[\+\d+\.\d %, \+\d+\.\d %\] at 95 %, threshold 5 % \(rule catch: interval above \+2\.5 %\)$/,
    )
  })

  test('a baseline from another environment marks every comparison (warned once, at set-up)', () => {
    const { comparisons } = gateTask(baseline, task(1), { ...SAME, fingerprint: { ...FINGERPRINT, cores: 64 } })
    expect(comparisons).toHaveLength(2)
    expect(comparisons.every((c) => c.fingerprintWarning?.endsWith('cores: 4 (baseline) ≠ 64 (this run)'))).toBe(true)
  })

  test('per-benchmark thresholds (gates.thresholds[name].time) win over the default', () => {
    const { comparisons } = gateTask(baseline, task(1.3), { ...SAME, thresholds: { blit: { time: 0.8 } } })
    expect(comparisons.map((c) => [c.name, c.threshold, c.verdict])).toEqual([['blit', 0.8, 'unchanged'], ['rsync', 0.05, 'unchanged']])
  })

  test('the same environment leaves comparisons unmarked', () => {
    expect(gateTask(baseline, task(1), SAME).comparisons.every((c) => c.fingerprintWarning === undefined)).toBe(true)
  })
})
