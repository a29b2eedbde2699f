import { describe, expect, test } from 'vitest'
import { isUserError, UserError } from '../errors.ts'
import { buildBaseline } from './build.ts'
import { parseBaseline, serializeBaseline } from './format.ts'
import { FINGERPRINT, MEASURED, sampleBaseline, userErrorMessage } from './test-support.ts'


describe('baseline format', () => {
  test('build keeps samples, stats and KPIs per test and task; leaves out what has no samples', () => {
    const { baseline, skipped } = buildBaseline(MEASURED, FINGERPRINT, new Date('2026-11-24T10:15:00Z'))
    expect(baseline.kind).toBe('benchgate-baseline')
    expect(baseline.version).toBe(1)
    expect(baseline.created).toBe('2026-11-24T10:15:00.000Z')
    expect(baseline.tests.map((t) => t.test)).toEqual(['copy > many-small', 'parse a capture'])
    const copy = baseline.tests[0]!
    expect(copy.kpis).toEqual([{ name: 'throughput_MB_s', value: 812.5, unit: 'MB/s', better: 'higher' }])
    expect(copy.benchmarks.map((b) => [b.benchmark, b.task, b.unit, b.samples.length, b.stats.samplesCount])).toEqual([
      ['copy > many-small', 'blit', 'ms', 30, 30],
      ['copy > many-small', 'rsync', 'ms', 30, 30],
    ])
    expect(baseline.tests[1]!.file).toBe('benches/vscsi/parse.bench.ts') // Windows separators normalised
    expect(baseline.tests[1]!.benchmarks.map((b) => b.task)).toEqual(['parse'])
    expect(skipped).toEqual([
      'benches/vscsi/parse.bench.ts > parse a capture > no samples (no samples: benchmark.retainSamples is off)',
      'benches/vscsi/parse.bench.ts > parse a capture > stored (read from a stored result, not measured)',
    ])
  })

  test('round trip: serialize then parse gives the same baseline; number lists stay on one line', () => {
    const baseline = sampleBaseline()
    const text = serializeBaseline(baseline)
    expect(parseBaseline(text, 'b.json')).toEqual({ file: 'b.json', data: baseline })
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.startsWith('{\n  "kind": "benchgate-baseline",\n  "version": 1,')).toBe(true)
    const samplesLine = text.split('\n').find((l) => l.includes('"samples"'))!
    expect(samplesLine).toMatch(/^\s+"samples": \[[\d.,]+\],?$/)
  })

  test('a name that looks like a number list is kept verbatim', () => {
    const baseline = sampleBaseline()
    baseline.tests[0]!.test = 'sizes [1, 2, 3]'
    expect(parseBaseline(serializeBaseline(baseline), 'b.json').data.tests[0]!.test).toBe('sizes [1, 2, 3]')
  })

  test('not JSON, not a baseline, another version: one line naming the file (and field)', () => {
    expect(userErrorMessage(() => parseBaseline('{oops', 'baselines/b.json'))).toMatch(/^baselines\/b\.json: not valid JSON \(.+\); expected a benchgate baseline file \(hint: write a fresh one with `npm run bench:baseline`\)$/)
    expect(userErrorMessage(() => parseBaseline('{"kind":"allure"}', 'b.json'))).toBe(
      'b.json: kind: not a benchgate baseline; expected "kind": "benchgate-baseline" (hint: write a fresh one with `npm run bench:baseline`)',
    )
    expect(userErrorMessage(() => parseBaseline('{"kind":"benchgate-baseline","version":2}', 'b.json'))).toBe(
      'b.json: version: unsupported version 2; expected 1 (hint: update benchgate)',
    )
  })

  test('invalid fields: one line per problem, naming the field path', () => {
    const raw = JSON.parse(serializeBaseline(sampleBaseline()))
    raw.tests[0].benchmarks[1].samples[3] = -1
    delete raw.fingerprint.cores
    raw.tests[1].benchmarks[0].samples = []
    const err = (() => {
      try {
        parseBaseline(JSON.stringify(raw), 'main/baseline.json')
      } catch (e) {
        return e as UserError
      }
    })()!
    expect(isUserError(err)).toBe(true)
    const fields = err.problems.map((p) => p.field).sort()
    expect(fields).toEqual(['fingerprint.cores', 'tests[0].benchmarks[1].samples[3]', 'tests[1].benchmarks[0].samples'])
    for (const line of err.message.split('\n')) expect(line).toMatch(/^main\/baseline\.json: (fingerprint|tests)\S*: .+ \(hint: /)
    expect(err.stack).toBe(`UserError: ${err.message}`)
  })

  test('serializing an invalid baseline throws rather than writing it', () => {
    const baseline = sampleBaseline()
    baseline.tests[0]!.benchmarks[0]!.samples = [Number.NaN]
    expect(() => serializeBaseline(baseline)).toThrow()
  })
})
