import { expect, test } from 'vitest'
import type { BaselineTest } from './format.ts'
import { kpiComparisons } from './kpi-verdicts.ts'

const base: BaselineTest = {
  project: 'fast-ab',
  file: 'benches/fast-ab/open.bench.ts',
  test: 'open volume',
  benchmarks: [],
  kpis: [
    { name: 'open_time_s', value: 4, unit: 's', better: 'lower' },
    { name: 'read_MB_s_p95', value: 200, unit: 'MB/s', better: 'higher' },
    { name: 'peak_rss_mb', value: 500, unit: 'MB' },
    { name: 'observed_source', value: 'NAS_ZGY', unit: '' },
  ],
}

test('KPIs with a direction get verdicts; strings and KPIs the baseline lacks do not', () => {
  const head = [
    { name: 'open_time_s', value: 4.6, unit: 's', better: 'lower' as const },
    { name: 'read_MB_s_p95', value: 230, unit: 'MB/s', better: 'higher' as const },
    { name: 'peak_rss_mb', value: 510, unit: 'MB', better: 'lower' as const },
    { name: 'observed_source', value: 'NAS_ZGY', unit: '' },
    { name: 'new_kpi', value: 1, unit: '', better: 'lower' as const },
  ]
  const byMetric = Object.fromEntries(kpiComparisons(head, base, { threshold: (m) => (m === 'peak_rss_mb' ? 0.1 : 0.05) }).map((c) => [c.metric, c]))
  expect(Object.keys(byMetric)).toEqual(['open_time_s', 'read_MB_s_p95', 'peak_rss_mb'])
  expect(byMetric.open_time_s!.verdict).toBe('regressed')
  expect(byMetric.open_time_s!.ratio.estimate).toBeCloseTo(1.15, 10)
  expect(byMetric.read_MB_s_p95!.verdict).toBe('improved')
  expect(byMetric.peak_rss_mb).toMatchObject({ verdict: 'unchanged', threshold: 0.1, order: 'baseline' })
  expect(kpiComparisons(head, undefined, { threshold: () => 0.05 })).toEqual([])
})
