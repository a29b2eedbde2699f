// Distribution per benchmark: a horizontal Tukey box plot per group (whiskers at 1.5 IQR), its
// outliers as dots and its mean as a diamond, on one value axis in the caller's unit.
import type { EChartsOption } from 'echarts'
import { UserError, type Problem } from '../errors.ts'
import { boxStats, thin } from './box-stats.ts'
import { renderSvg, PALETTE, type Chart } from './render.ts'

export interface SampleGroup {
  name: string
  samples: readonly number[]
}

export interface DistributionOptions {
  title: string
  /** Unit of the samples, shown on the axis, e.g. 'ms'. */
  unit: string
  /** Chart width in px (default 800); the height grows with the number of groups. */
  width?: number
  /** Outlier dots drawn per group at most (default 200, spread evenly by rank). */
  maxOutliers?: number
}

function checkGroups(groups: readonly SampleGroup[]): void {
  const problems: Problem[] = []
  if (groups.length === 0) problems.push({ file: 'distributionChart', field: 'groups', message: 'no groups to plot', expected: 'at least one { name, samples }' })
  groups.forEach((g, i) => {
    if (g.samples.length === 0) {
      problems.push({ file: 'distributionChart', field: `groups[${i}] (${g.name})`, message: 'has no samples', hint: 'run the benchmark with benchmark.retainSamples: true' })
    } else {
      const bad = g.samples.findIndex((v) => !Number.isFinite(v))
      if (bad >= 0) problems.push({ file: 'distributionChart', field: `groups[${i}] (${g.name}).samples[${bad}]`, message: `is ${g.samples[bad]}`, expected: 'finite numbers' })
    }
  })
  if (problems.length) throw new UserError(problems)
}

/** A box plot per group. Groups are drawn top to bottom in the order given. */
export function distributionChart(groups: readonly SampleGroup[], opts: DistributionOptions): Chart {
  checkGroups(groups)
  const stats = groups.map((g) => boxStats(g.samples))
  const labels = groups.map((g, i) => `${g.name} (n=${stats[i]!.n})`)
  const maxOutliers = opts.maxOutliers ?? 200
  const option: EChartsOption = {
    title: { text: opts.title, left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, data: ['box (quartiles, 1.5 IQR whiskers)', 'mean', 'outliers'] },
    grid: { left: 16, right: 32, top: 44, bottom: 70, containLabel: true },
    // Category axis reversed so the first group is at the top.
    yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontSize: 12 } },
    xAxis: { type: 'value', name: opts.unit, nameLocation: 'middle', nameGap: 26, scale: true, splitLine: { lineStyle: { color: '#e6e6e6' } } },
    series: [
      {
        name: 'box (quartiles, 1.5 IQR whiskers)',
        type: 'boxplot',
        itemStyle: { color: '#cfe3f5', borderColor: PALETTE[0] },
        data: stats.map((s) => [s.low, s.q1, s.median, s.q3, s.high]),
      },
      {
        name: 'mean',
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 9,
        itemStyle: { color: PALETTE[1] },
        data: stats.map((s, i) => [s.mean, i]),
      },
      {
        name: 'outliers',
        type: 'scatter',
        symbolSize: 4,
        itemStyle: { color: PALETTE[3], opacity: 0.6 },
        data: stats.flatMap((s, i) => thin(s.outliers, maxOutliers).map((v) => [v, i])),
      },
    ],
  }
  return renderSvg(option, { width: opts.width ?? 800, height: 130 + 46 * groups.length }, 'bgdist')
}
