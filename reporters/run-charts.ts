// Charts of a whole run, built from what the run wrote: the distribution of every benchmark's
// samples, base versus head for every gate evaluation, and the trend of each benchmark's median
// over the stored runs (every <results>/<stamp>/benchmarks.csv). Pure, so it is unit-tested.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { baseVsHeadChart, distributionChart, trendChart, type SampleGroup, type TrendPoint } from '../harness/charts/index.ts'
import { parseCsv } from '../harness/metrics/csv.ts'
import type { Comparison } from '../harness/results.ts'

export interface NamedChart {
  name: string
  svg: string
}

/** Median latency (ms) of every benchmark task in every stored run under `resultsDir`. */
export function storedMedians(resultsDir: string): TrendPoint[] {
  if (!existsSync(resultsDir)) return []
  const points: TrendPoint[] = []
  for (const stamp of readdirSync(resultsDir).sort()) {
    const file = join(resultsDir, stamp, 'benchmarks.csv')
    if (!/^\d{8}T\d{6}Z$/.test(stamp) || !existsSync(file)) continue
    const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'))
    if (!header) continue
    const col = (name: string) => header.cells.indexOf(name)
    const [task, p50, fromStore] = [col('task'), col('latency_p50_ms'), col('from_store')]
    if (task < 0 || p50 < 0) continue
    for (const { cells } of rows) {
      const value = Number(cells[p50])
      if (!cells[task] || cells[p50] === '' || !Number.isFinite(value) || cells[fromStore] === 'true') continue
      if (points.some((p) => p.run === stamp && p.name === cells[task])) continue
      points.push({ run: stamp, name: cells[task]!, value })
    }
  }
  return points
}

export function runCharts(input: { samples: SampleGroup[]; comparisons: Comparison[]; trend: TrendPoint[] }): NamedChart[] {
  const charts: NamedChart[] = []
  const groups = input.samples.filter((g) => g.samples.length > 0)
  if (groups.length) charts.push({ name: 'distribution', svg: distributionChart(groups, { title: 'Time per iteration', unit: 'ms' }).svg })
  if (input.comparisons.length) charts.push({ name: 'base-vs-head', svg: baseVsHeadChart(input.comparisons).svg })
  if (new Set(input.trend.map((p) => p.run)).size >= 2) {
    charts.push({ name: 'trend', svg: trendChart(input.trend, { title: 'Median time per iteration over stored runs', unit: 'ms' }).svg })
  }
  return charts
}
