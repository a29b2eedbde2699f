// Base versus head per benchmark and metric, on one axis whatever the units: each row shows the
// base median at 1, the head median as head/base with its confidence interval, the zone in which
// a ratio counts as unchanged shaded (1/(1+t) … 1+t for threshold t, as harness/stats/verdict.ts
// judges), and the verdict as the head's colour. The absolute medians are in the row
// label, e.g. "copy 1 GiB · time" / "12.3 ms → 13.1 ms".
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn, EChartsOption } from 'echarts'
import { UserError, type Problem } from '../errors.ts'
import type { Comparison, Verdict } from '../results.ts'
import { formatChange, formatValue, shorten } from './format.ts'
import { BASE_COLOR, FONT_FAMILY, renderSvg, VERDICT_COLORS, type Chart } from './render.ts'

export interface BaseVsHeadOptions {
  title?: string
  /** Chart width in px (default 900); the height grows with the number of comparisons. */
  width?: number
}

const VERDICTS: readonly Verdict[] = ['regressed', 'improved', 'unchanged', 'inconclusive']
const ROW_HEIGHT = 58

function check(comparisons: readonly Comparison[]): void {
  const problems: Problem[] = []
  if (comparisons.length === 0) problems.push({ file: 'baseVsHeadChart', field: 'comparisons', message: 'nothing to plot', expected: 'at least one comparison' })
  comparisons.forEach((c, i) => {
    const where = `comparisons[${i}] (${c.name} · ${c.metric})`
    for (const [key, v] of [['ratio.estimate', c.ratio.estimate], ['ratio.lo', c.ratio.lo], ['ratio.hi', c.ratio.hi], ['threshold', c.threshold]] as const) {
      if (!Number.isFinite(v)) problems.push({ file: 'baseVsHeadChart', field: `${where}.${key}`, message: `is ${v}`, expected: 'a finite number' })
    }
    if (!(c.ratio.lo <= c.ratio.estimate && c.ratio.estimate <= c.ratio.hi)) {
      problems.push({ file: 'baseVsHeadChart', field: `${where}.ratio`, message: `interval [${c.ratio.lo}, ${c.ratio.hi}] does not contain the estimate ${c.ratio.estimate}`, expected: 'lo ≤ estimate ≤ hi' })
    }
  })
  if (problems.length) throw new UserError(problems)
}

/** Row label: what was compared, then the two medians. */
function rowLabel(c: Comparison): string {
  return `${shorten(`${c.name} · ${c.metric}`, 46)}\n${formatValue(c.base.median, c.unit)} → ${formatValue(c.head.median, c.unit)}`
}

/** Draws, for one row, the threshold zone: a light band from 1/(1 + t) to 1 + t. */
function thresholdZone(_params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn {
  const row = api.value(0) as number
  const [x0, y] = api.coord([api.value(1) as number, row]) as [number, number]
  const [x1] = api.coord([api.value(2) as number, row]) as [number, number]
  const h = (api.size!([0, 1]) as number[])[1]! * 0.7
  return { type: 'rect', shape: { x: x0, y: y - h / 2, width: x1 - x0, height: h }, style: { fill: '#eef2f7' }, silent: true }
}

/**
 * Draws, for one row, the confidence interval of head/base as a whisker with end caps, and in
 * the column right of the plot the change and the verdict, with the interval below them.
 */
function interval(comparisons: readonly Comparison[]) {
  return (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
    const row = api.value(0) as number
    const c = comparisons[row]!
    const [xLo, y] = api.coord([c.ratio.lo, row]) as [number, number]
    const [xHi] = api.coord([c.ratio.hi, row]) as [number, number]
    const color = VERDICT_COLORS[c.verdict]
    const box = params.coordSys as unknown as { x: number; width: number }
    const cap = 7
    const line = (x1: number, y1: number, x2: number, y2: number) => ({ type: 'line' as const, shape: { x1, y1, x2, y2 }, style: { stroke: color, lineWidth: 2 } })
    const text = (t: string, dy: number, style: object) => ({ type: 'text' as const, x: box.x + box.width + 14, y: y + dy, style: { text: t, fontFamily: FONT_FAMILY, verticalAlign: 'middle' as const, ...style } })
    return {
      type: 'group',
      children: [
        line(xLo, y, xHi, y),
        line(xLo, y - cap, xLo, y + cap),
        line(xHi, y - cap, xHi, y + cap),
        text(`${formatChange(c.ratio.estimate)} ${c.verdict}`, -8, { fill: color, fontSize: 13, fontWeight: 'bold' }),
        text(`[${formatChange(c.ratio.lo)}, ${formatChange(c.ratio.hi)}]`, 9, { fill: '#666666', fontSize: 11 }),
      ],
    }
  }
}

/** Base vs head medians per benchmark and metric with the ratio interval, coloured by verdict. */
export function baseVsHeadChart(comparisons: readonly Comparison[], opts: BaseVsHeadOptions = {}): Chart {
  check(comparisons)
  const present = VERDICTS.filter((v) => comparisons.some((c) => c.verdict === v))
  const head = (v: Verdict) => `head: ${v}`
  const option: EChartsOption = {
    title: { text: opts.title ?? 'Head vs base (ratio of medians, with confidence interval)', left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, data: ['base (= 1)', ...present.map(head), '± threshold'] },
    grid: { left: 16, right: 190, top: 44, bottom: 74, containLabel: true },
    yAxis: { type: 'category', inverse: true, data: comparisons.map(rowLabel), axisTick: { show: false }, axisLabel: { lineHeight: 16, fontSize: 12 } },
    xAxis: {
      type: 'value',
      scale: true,
      name: 'head / base',
      nameLocation: 'middle',
      nameGap: 26,
      axisLabel: { formatter: (v: number) => `×${Number(v.toFixed(3))}` },
      splitLine: { lineStyle: { color: '#e6e6e6' } },
    },
    series: [
      {
        name: '± threshold',
        type: 'custom',
        renderItem: thresholdZone,
        itemStyle: { color: '#dfe6ef' },
        encode: { x: [1, 2], y: 0 },
        data: comparisons.map((c, i) => [i, 1 / (1 + c.threshold), 1 + c.threshold]),
        z: 1,
      },
      {
        name: 'base (= 1)',
        type: 'scatter',
        symbol: 'rect',
        symbolSize: [3, 26],
        itemStyle: { color: BASE_COLOR },
        data: comparisons.map((_, i) => [1, i]),
        z: 3,
      },
      {
        name: 'interval',
        type: 'custom',
        renderItem: interval(comparisons),
        encode: { x: [1, 2], y: 0 },
        data: comparisons.map((c, i) => [i, c.ratio.lo, c.ratio.hi]),
        z: 4,
      },
      ...present.map((v) => ({
        name: head(v),
        type: 'scatter' as const,
        symbolSize: 11,
        itemStyle: { color: VERDICT_COLORS[v] },
        data: comparisons.flatMap((c, i) => (c.verdict === v ? [[c.ratio.estimate, i]] : [])),
        z: 5,
      })),
    ],
  }
  return renderSvg(option, { width: opts.width ?? 900, height: 130 + ROW_HEIGHT * comparisons.length }, 'bgbvh')
}
