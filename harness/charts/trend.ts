// A metric over stored runs: one line per benchmark, runs along the x axis in the order given
// (run stamps such as 20261124T101500Z sort by time, so pass them sorted). A benchmark missing
// from a run leaves a gap, never a line drawn through the missing run.
import type { EChartsOption } from 'echarts'
import { UserError, type Problem } from '../errors.ts'
import { textWidth } from './measure.ts'
import { renderSvg, type Chart } from './render.ts'

export interface TrendPoint {
  /** The stored run, e.g. its stamp '20261124T101500Z' or a commit. */
  run: string
  /** The benchmark (series) the value belongs to. */
  name: string
  value: number
}

export interface TrendOptions {
  title: string
  /** Unit of the values, shown on the axis. */
  unit: string
  /** Name of the x axis; default 'run'. */
  runLabel?: string
  width?: number
  height?: number
}

function check(points: readonly TrendPoint[]): void {
  const problems: Problem[] = []
  if (points.length === 0) problems.push({ file: 'trendChart', field: 'points', message: 'nothing to plot', expected: 'at least one { run, name, value }' })
  const seen = new Set<string>()
  points.forEach((p, i) => {
    if (!Number.isFinite(p.value)) problems.push({ file: 'trendChart', field: `points[${i}] (${p.run}, ${p.name}).value`, message: `is ${p.value}`, expected: 'a finite number' })
    const key = `${p.run}\u0000${p.name}`
    if (seen.has(key)) problems.push({ file: 'trendChart', field: `points[${i}]`, message: `second value for '${p.name}' in run '${p.run}'`, expected: 'one value per run and benchmark' })
    seen.add(key)
  })
  if (problems.length) throw new UserError(problems)
}

/** Unique values in order of first appearance. */
function ordered(values: Iterable<string>): string[] {
  return [...new Set(values)]
}

/** A line per benchmark over the runs. */
export function trendChart(points: readonly TrendPoint[], opts: TrendOptions): Chart {
  check(points)
  const runs = ordered(points.map((p) => p.run))
  const names = ordered(points.map((p) => p.name))
  const value = new Map(points.map((p) => [`${p.run}\u0000${p.name}`, p.value]))
  const width = opts.width ?? 800
  // Every run is labelled; labels that would not fit side by side are slanted.
  const longest = Math.max(...runs.map((r) => textWidth(r, '11px sans-serif')))
  const slant = runs.length * (longest + 12) > width - 120
  const labelHeight = slant ? longest * 0.5 + 12 : 16
  const option: EChartsOption = {
    title: { text: opts.title, left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, data: names },
    grid: { left: slant ? Math.max(16, longest * 0.87 - 20) : 16, right: 48, top: 48, bottom: 48 + 22 * Math.ceil(names.length / 4), containLabel: true },
    xAxis: { type: 'category', data: runs, name: opts.runLabel ?? 'run', nameLocation: 'middle', nameGap: labelHeight + 14, axisLabel: { interval: 0, rotate: slant ? 30 : 0, fontSize: 11 } },
    yAxis: { type: 'value', name: opts.unit, nameLocation: 'end', scale: true, splitLine: { lineStyle: { color: '#e6e6e6' } } },
    series: names.map((name) => ({
      name,
      type: 'line' as const,
      symbol: 'circle',
      symbolSize: 7,
      connectNulls: false,
      data: runs.map((run) => value.get(`${run}\u0000${name}`) ?? null),
    })),
  }
  return renderSvg(option, { width, height: opts.height ?? 420 + (slant ? labelHeight : 0) }, 'bgtrend')
}
