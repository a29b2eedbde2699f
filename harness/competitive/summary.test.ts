import { describe, expect, test } from 'vitest'
import type { Scenario } from './scenario-schema.ts'
import { competitorRatio, ratioVerdict, summarizeScenario } from './summary.ts'
import { syntheticTrial, type TrialFigures } from './test-support.ts'
import type { ServerMetrics } from './types.ts'

const system = (name: string, role: 'ours' | 'competitor') => ({ name, role, port: 0 }) as Scenario['systems'][number]
const scenario = (thresholds: Partial<Scenario['thresholds']> = {}) =>
  ({ systems: [system('ours', 'ours'), system('nginx', 'competitor'), system('fastify', 'competitor')], thresholds: { ratios: [], ...thresholds } }) as Pick<Scenario, 'systems' | 'thresholds'>
const trials = (list: TrialFigures[]) => list.map((f, i) => syntheticTrial(f, i))

describe('system rows', () => {
  test('medians over trials, pooled error %, corrected basis, server peaks, generator CPU', () => {
    const t = trials([
      { system: 'ours', trial: 1, throughput: 900, p99: 10, sent: 1000, errors: 10, late: 5, cpuS: 1 },
      { system: 'ours', trial: 2, throughput: 1000, p99: 30, sent: 1000, errors: 0, late: 7, cpuS: 2 },
      { system: 'ours', trial: 3, throughput: 1100, p99: 20, sent: 2000, errors: 0, late: 100, cpuS: 3 },
    ])
    const server = (cpu: number, rss: number): ServerMetrics => {
      const z = { mean: 0, peak: 0 }
      return { samples: 5, intervalS: 1, cpuPercent: { mean: cpu, peak: cpu * 2 }, rssMB: { mean: rss, peak: rss + 10 }, threads: z, ioReadBps: z, ioWriteBps: z, netBps: z }
    }
    t[0]!.server = server(50, 100)
    t[2]!.server = server(70, 200)
    const s = summarizeScenario(scenario(), t, { ours: 'ours 1.0' }, [{ name: 'ours', port: 4242 }])
    expect(s.systems).toHaveLength(1) // the competitors have no trial, so no row
    const row = s.systems[0]!
    expect(row).toMatchObject({ name: 'ours', role: 'ours', version: 'ours 1.0', port: 4242, offeredRate: 1000, throughput: 1000, p99: 20, p50: 4, p999: 30, max: 40, latencyBasis: 'corrected', late: 7, dropped: 0 })
    expect(row.errorPercent).toBeCloseTo(10 / 4000 * 100)
    expect(row.generatorCpuPercent).toBeCloseTo((2 / 5) * 100)
    expect(row.server).toMatchObject({ samples: 10, cpuPercent: { mean: 60, peak: 140 }, rssMB: { mean: 150, peak: 210 } })
  })

  test('a closed-model tool: uncorrected basis, no offered rate, no CPU', () => {
    const s = summarizeScenario(scenario(), trials([{ system: 'nginx', trial: 1, throughput: 500, p99: 8, corrected: false }]))
    expect(s.systems[0]).toMatchObject({ name: 'nginx', latencyBasis: 'uncorrected', offeredRate: null, p99: 8, generatorCpuPercent: null, server: null })
  })
})

describe('ratios of ours to each competitor', () => {
  const t = trials([
    { system: 'ours', trial: 1, throughput: 2000, p99: 10 },
    { system: 'nginx', trial: 1, throughput: 1000, p99: 20 },
    { system: 'fastify', trial: 1, throughput: 1900, p99: 9 },
    { system: 'fastify', trial: 2, throughput: 2100, p99: 11 },
    { system: 'nginx', trial: 2, throughput: 1100, p99: 21 },
    { system: 'ours', trial: 2, throughput: 2100, p99: 10 },
    { system: 'ours', trial: 3, throughput: 1900, p99: 10 },
    { system: 'nginx', trial: 3, throughput: 900, p99: 19 },
    { system: 'fastify', trial: 3, throughput: 2000, p99: 10 },
  ])
  test('paired by trial index, the interval over the trials, the verdict from it', () => {
    const { ratios } = summarizeScenario(scenario(), t)
    const get = (c: string, m: string) => ratios.find((r) => r.competitor === c && r.metric === m)!
    expect(ratios.map((r) => `${r.competitor}/${r.metric}`)).toEqual(['nginx/throughput', 'nginx/p99', 'fastify/throughput', 'fastify/p99'])
    const nt = get('nginx', 'throughput')
    // three pairs: 2000/1000, 2100/1100, 1900/900 → median 2; with 3 pairs the interval spans them
    expect(nt.estimate).toBeCloseTo(2000 / 1000)
    expect(nt.low).toBeCloseTo(2100 / 1100)
    expect(nt.high).toBeCloseTo(1900 / 900)
    expect(nt.verdict).toBe('better')
    expect(get('nginx', 'p99')).toMatchObject({ verdict: 'better' }) // 10/20, lower is better
    expect(get('fastify', 'throughput').verdict).toBe('same') // 2000/1900, 2100/2100, 1900/2000
    expect(get('fastify', 'p99').verdict).toBe('same')
  })
  test('verdict directions, and no ratio when nothing can be divided', () => {
    expect(ratioVerdict('throughput', 0.8, 0.9)).toBe('worse')
    expect(ratioVerdict('p99', 1.1, 1.3)).toBe('worse')
    expect(ratioVerdict('p99', 0.5, 0.9)).toBe('better')
    const zero = trials([{ system: 'ours', trial: 1, throughput: 10, p99: 1 }, { system: 'nginx', trial: 1, throughput: 0, p99: 1 }])
    expect(competitorRatio([zero[0]!], [zero[1]!], 'nginx', 'throughput')).toBeNull()
    expect(competitorRatio([zero[0]!], [], 'nginx', 'p99')).toBeNull()
  })
  test('p99 pairs fall back to uncorrected when one side is a closed-model result', () => {
    const mixed = trials([{ system: 'ours', trial: 1, throughput: 10, p99: 30 }, { system: 'nginx', trial: 1, throughput: 10, p99: 10, corrected: false }])
    // ours' uncorrected p99 is 30 / 3 = 10 in the synthetic trial: like for like, the ratio is 1
    expect(competitorRatio([mixed[0]!], [mixed[1]!], 'nginx', 'p99')!.estimate).toBeCloseTo(1)
  })

  test('thresholds: absolute ones on ours, ratios on the interval\'s conservative end, unmeasured fails', () => {
    const th = scenario({
      p99_ms: 10,
      throughput_at_least: 2500,
      error_rate_at_most: 0.01,
      ratios: [
        { competitor: 'nginx', metric: 'throughput', at_least: 1.95 },
        { competitor: 'nginx', metric: 'p99', at_most: 0.6 },
        { competitor: 'fastify', metric: 'throughput', at_least: 0.97, at_most: 1.2 },
      ],
    })
    const checks = summarizeScenario(th, t).thresholds
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ['p99 ≤ 10 ms', true],
      ['throughput ≥ 2500 req/s', false],
      ['error rate ≤ 1 %', true],
      ['throughput ≥ 1.95× nginx', false], // estimate 2.0, but the low end 1.909 is below
      ['p99 ≤ 0.6× nginx', true],
      ['throughput ≥ 0.97× fastify', false], // low end 0.95
      ['throughput ≤ 1.2× fastify', true], // high end 1.0526
    ])
    expect(checks[3]!.actual).toBeCloseTo(2100 / 1100)
    const none = summarizeScenario(th, t.filter((x) => x.system !== 'ours')).thresholds
    expect(none.every((c) => !c.passed && Number.isNaN(c.actual))).toBe(true)
  })
})
