// KPIs with a direction (kpi(name, value, unit, { better })) judged against the same test's KPI
// in the baseline. A KPI is one figure per run, so there is no interval to bootstrap: the ratio
// head/base is its own interval (lo = hi = estimate) and the verdict is the usual rule
// (./../stats/verdict.ts) on it. Gate noisy figures with interleaved samples instead.
import type { Comparison, Kpi } from '../results.ts'
import { DEFAULT_RULE, verdictOf, type GateRule } from '../stats/verdict.ts'
import type { BaselineTest } from './format.ts'

export function kpiComparisons(
  head: readonly Kpi[],
  base: BaselineTest | undefined,
  opts: { threshold: (metric: string) => number; rule?: GateRule; fingerprintWarning?: string },
): Comparison[] {
  if (!base) return []
  const out: Comparison[] = []
  const rule = opts.rule ?? DEFAULT_RULE
  for (const k of head) {
    const b = base.kpis.find((x) => x.name === k.name)
    const better = k.better ?? b?.better
    if (!b || !better || typeof k.value !== 'number' || typeof b.value !== 'number' || b.value === 0) continue
    const r = k.value / b.value
    const ratio = { estimate: r, lo: r, hi: r, confidence: 1 }
    const threshold = opts.threshold(k.name)
    out.push({
      name: base.test,
      metric: k.name,
      unit: k.unit,
      better,
      base: { label: 'baseline', median: b.value, n: 1 },
      head: { label: 'head', median: k.value, n: 1 },
      ratio,
      threshold,
      rule,
      verdict: verdictOf(ratio, threshold, better, rule),
      rounds: 1,
      order: 'baseline',
      method: 'single figure per run: ratio head/base against the threshold',
      ...(opts.fingerprintWarning ? { fingerprintWarning: opts.fingerprintWarning } : {}),
    })
  }
  return out
}
