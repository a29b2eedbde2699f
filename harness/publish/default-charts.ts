// The charts a bench test publishes when it names none: the distribution of its benchmarks'
// samples and base versus head for its gate evaluations.
import type { TestContext } from 'vitest'
import { baseVsHeadChart, distributionChart } from '../charts/index.ts'
import type { ChartToPublish } from './publish.ts'

export function defaultCharts(task: TestContext['task']): ChartToPublish[] {
  const charts: ChartToPublish[] = []
  const groups = task.benchmarks
    .flatMap((b) => b.tasks)
    .map((t) => ({ name: t.name, samples: Array.from((t.latency as { samples?: ArrayLike<number> }).samples ?? []) }))
    .filter((g) => g.samples.length > 0)
  if (groups.length) {
    charts.push({ name: 'distribution', svg: distributionChart(groups, { title: 'Time per iteration', unit: 'ms' }).svg, caption: 'distribution per benchmark' })
  }
  const comparisons = task.meta.benchgate?.comparisons ?? []
  if (comparisons.length) charts.push({ name: 'base-vs-head', svg: baseVsHeadChart(comparisons).svg, caption: 'base versus head' })
  return charts
}

