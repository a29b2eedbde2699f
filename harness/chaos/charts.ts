// The chaos family's charts, rendered with ECharts (../charts/render.ts) and written as SVG and PNG
// (../charts/output.ts), from the rows of chaos_sweep.csv (one per scenario, one of them
// 'baseline') and of comprehensive_sweep.csv:
//
//   precondition-failure-rate   failure rate (precondition failures ÷ commit attempts, %) per scenario
//   write-tps                   commits per second per scenario
//       both: the baseline first (its name bold on grey), its bar grey, its value a dashed line
//   write-latency, read-latency p50 / p95 / p99 per scenario, grouped bars, the baseline first
//   failure-rate-degradation    scenario − baseline failure rate in PERCENTAGE POINTS: a ratio of two
//                               rates explodes near a 0 % baseline (0.1 % → 0.5 % is "×5"), a
//                               difference reads the same at any level
//   write-tps-degradation       write TPS change relative to the baseline, % (scenario ÷ baseline − 1)
//       both: red = worse than the baseline, green = better; a direction, not a significance test
//   sweep-failure-rate          the sweep: one heatmap per readers × reader-rate combination (small
//                               multiples), writers × writer-rate rows against overlap columns,
//                               each cell the failure rate (the mean when a configuration ran more
//                               than once), the best configuration outlined and named
//
// A figure that is NaN (no baseline, no attempts, a latency with no sample) draws no bar (a grey
// cell in the sweep) and is labelled "n/a". A chart with no rows to plot is not written; the sweep chart needs sweep
// rows, the two degradation charts a scenario besides the baseline.
import { mkdirSync } from 'node:fs'
import type { EChartsOption } from 'echarts'
import { formatChange, formatNumber, shorten } from '../charts/format.ts'
import { writeChart } from '../charts/output.ts'
import { BASE_COLOR, PALETTE, renderSvg, VERDICT_COLORS } from '../charts/render.ts'
import type { ScenarioRow, SweepRow } from './types.ts'

export interface ChaosChartsInput {
  scenarios: readonly ScenarioRow[]
  sweep?: readonly SweepRow[]
  /** The sweep's best configuration (SweepRow.config), outlined in the sweep chart. */
  best?: string
}

/** One chart to write: its file name (without extension) and its SVG document. */
export interface NamedChart {
  name: string
  svg: string
}

const BASELINE = 'baseline'
const WIDTH = 900
const NA = 'n/a'
const NA_COLOR = '#9a9a9a'
const NA_CELL = '#dddddd'
const SHADE = '#f0f0f0'
const GRID_LINE = { lineStyle: { color: '#e6e6e6' } }

const finite = (v: number): boolean => Number.isFinite(v)
const pct = (v: number): string => `${formatNumber(v)} %`
const pp = (v: number): string => {
  const text = Math.abs(v).toFixed(1)
  return text === '0.0' ? '0.0 pp' : `${v > 0 ? '+' : '-'}${text} pp`
}
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN)
const title = (text: string, sub: string) => ({ text, subtext: sub, left: 'center', top: 6, textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 11, color: '#666666' } })

/** The baseline row first, the other scenarios in their order. */
function ordered(rows: readonly ScenarioRow[]): { all: ScenarioRow[]; base: ScenarioRow | undefined; others: ScenarioRow[] } {
  const base = rows.find((r) => r.scenario === BASELINE)
  const others = rows.filter((r) => r !== base)
  return { all: base ? [base, ...others] : others, base, others }
}

/** The category axis of scenarios (horizontal bars, first row on top), the baseline's name in bold on grey. */
function scenarioAxis(rows: readonly ScenarioRow[]) {
  return {
    type: 'category' as const,
    inverse: true,
    data: rows.map((r) => shorten(r.scenario, 32)),
    axisTick: { show: false },
    axisLabel: { fontSize: 12, formatter: (v: string) => (v === BASELINE ? `{base|${v}}` : v), rich: { base: { fontWeight: 'bold' as const, fontSize: 12, backgroundColor: SHADE, padding: [3, 5] } } },
  }
}

/** A bar's data item; NaN draws no bar and says n/a where the bar would end. */
function bar(value: number, label: string, color?: string) {
  if (!finite(value)) return { value: 0, itemStyle: { color: 'transparent' }, label: { show: true, formatter: NA, color: NA_COLOR } }
  return { value, ...(color ? { itemStyle: { color } } : {}), label: { show: true, formatter: label, position: value < 0 ? ('left' as const) : ('right' as const) } }
}

interface BarSpec {
  name: string
  title: string
  sub: string
  axis: string
  series: { name: string; values: number[]; colors?: (string | undefined)[] }[]
  label: (v: number) => string
  /** A dashed vertical line at this value, e.g. the baseline's figure. */
  reference?: { value: number; label: string }
  rows: readonly ScenarioRow[]
}

function barChart(spec: BarSpec): NamedChart {
  const perRow = spec.series.length === 1 ? 34 : 62
  const reference = spec.reference && finite(spec.reference.value)
    ? { markLine: { silent: true, symbol: 'none' as const, lineStyle: { type: 'dashed' as const, color: '#444444', width: 1.5 }, label: { formatter: spec.reference.label, position: 'start' as const, fontSize: 11 }, data: [{ xAxis: spec.reference.value }] } }
    : {}
  const option: EChartsOption = {
    title: title(spec.title, spec.sub),
    ...(spec.series.length > 1 ? { legend: { bottom: 8 } } : {}),
    grid: { left: 16, right: 90, top: 72, bottom: spec.series.length > 1 ? 64 : 40, containLabel: true },
    yAxis: scenarioAxis(spec.rows),
    xAxis: { type: 'value', name: spec.axis, nameLocation: 'middle', nameGap: 26, splitLine: GRID_LINE, axisLabel: { formatter: (v: number) => formatNumber(v) } },
    series: spec.series.map((s, i) => ({
      name: s.name,
      type: 'bar' as const,
      barMaxWidth: 22,
      label: { position: 'right' as const, fontSize: 10 },
      data: s.values.map((v, j) => bar(v, spec.label(v), s.colors?.[j])),
      ...(i === 0 ? reference : {}),
    })),
  }
  return { name: spec.name, svg: renderSvg(option, { width: WIDTH, height: 130 + perRow * spec.rows.length }, `bgchaos${spec.name.replace(/[^a-z]/g, '')}`).svg }
}

const configNote = (base: ScenarioRow | undefined, rows: readonly ScenarioRow[]): string => {
  const config = base?.config ?? rows[0]?.config
  return config ? `configuration ${config}` : ''
}
const join = (...parts: string[]): string => parts.filter(Boolean).join('; ')

/** The six scenario charts (fewer when there is nothing to compare). */
export function scenarioCharts(rows: readonly ScenarioRow[]): NamedChart[] {
  if (rows.length === 0) return []
  const { all, base, others } = ordered(rows)
  const note = configNote(base, rows)
  const baseMark = base ? 'grey bar and dashed line: baseline' : 'no baseline row'
  const baseColor = (r: ScenarioRow) => (r === base ? BASE_COLOR : PALETTE[0])
  const charts: NamedChart[] = [
    barChart({
      name: 'precondition-failure-rate',
      title: 'Precondition-failure rate per scenario',
      sub: join('precondition failures ÷ commit attempts', baseMark, note),
      axis: 'precondition-failure rate (%)',
      series: [{ name: 'failure rate', values: all.map((r) => r.precondition_failure_rate * 100), colors: all.map(baseColor) }],
      label: pct,
      reference: base && { value: base.precondition_failure_rate * 100, label: `baseline ${pct(base.precondition_failure_rate * 100)}` },
      rows: all,
    }),
    barChart({
      name: 'write-tps',
      title: 'Write TPS per scenario',
      sub: join('commits per second', baseMark, note),
      axis: 'write TPS (commits/s)',
      series: [{ name: 'write TPS', values: all.map((r) => r.write_tps), colors: all.map(baseColor) }],
      label: formatNumber,
      reference: base && { value: base.write_tps, label: `baseline ${formatNumber(base.write_tps)}` },
      rows: all,
    }),
    ...(['write', 'read'] as const).map((kind) =>
      barChart({
        name: `${kind}-latency`,
        title: `${kind === 'write' ? 'Write (committed attempts)' : 'Read'} latency p50 / p95 / p99 per scenario`,
        sub: join(base ? 'first row, on grey: baseline' : 'no baseline row', note),
        axis: 'ms',
        series: (['p50', 'p95', 'p99'] as const).map((p) => ({ name: p, values: all.map((r) => r[`${kind}_${p}_ms`]) })),
        label: formatNumber,
        rows: all,
      }),
    ),
  ]
  if (others.length === 0) return charts
  const direction = (worse: boolean, better: boolean) => (worse ? VERDICT_COLORS.regressed : better ? VERDICT_COLORS.improved : VERDICT_COLORS.unchanged)
  const ppValues = others.map((r) => (base ? (r.precondition_failure_rate - base.precondition_failure_rate) * 100 : NaN))
  const ratios = others.map((r) => (base && base.write_tps > 0 ? r.write_tps / base.write_tps : NaN))
  const colourNote = 'red: worse than baseline, green: better (direction only, no significance test)'
  charts.push(
    barChart({
      name: 'failure-rate-degradation',
      title: 'Failure-rate change vs baseline (percentage points)',
      sub: join(base ? `scenario rate − baseline rate (${pct(base.precondition_failure_rate * 100)})` : 'no baseline row: nothing to compare', colourNote, note),
      axis: 'change in precondition-failure rate (percentage points)',
      series: [{ name: 'pp', values: ppValues, colors: ppValues.map((v) => direction(v > 0, v < 0)) }],
      label: pp,
      reference: { value: 0, label: 'baseline' },
      rows: others,
    }),
    barChart({
      name: 'write-tps-degradation',
      title: 'Write TPS change vs baseline (%)',
      sub: join(base ? `scenario ÷ baseline (${formatNumber(base.write_tps)} commits/s) − 1` : 'no baseline row: nothing to compare', colourNote, note),
      axis: 'change in write TPS (%)',
      series: [{ name: '%', values: ratios.map((q) => (q - 1) * 100), colors: ratios.map((q) => direction(q < 1, q > 1)) }],
      label: (v) => formatChange(1 + v / 100),
      reference: { value: 0, label: 'baseline' },
      rows: others,
    }),
  )
  return charts
}

/** A cell without a finite rate: below the colour scale's range, drawn grey with an n/a label. */
const NA_VALUE = -1
const distinct = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b)

/** Failure rate across the sweep grid: small multiples of heatmaps, best configuration outlined; null without rows. */
export function sweepChart(rows: readonly SweepRow[], best?: string): NamedChart | null {
  if (rows.length === 0) return null
  const rowKeys = [...new Map(rows.map((r) => [`${r.writers}|${r.writer_rate}`, r] as const)).values()].sort((a, b) => a.writers - b.writers || a.writer_rate - b.writer_rate)
  const yLabels = rowKeys.map((r) => `${plural(r.writers, 'writer')} × ${formatNumber(r.writer_rate)}/s`)
  const overlaps = distinct(rows.map((r) => r.overlap))
  const facets = [...new Map(rows.map((r) => [`${r.readers}|${r.reader_rate}`, r] as const)).values()].sort((a, b) => a.readers - b.readers || a.reader_rate - b.reader_rate)
  const bestRow = best === undefined ? undefined : rows.find((r) => r.config === best)

  const cellW = 70
  const cellH = 30
  const labelW = 150
  const cols = Math.min(facets.length, overlaps.length > 5 ? 1 : 2)
  const facetW = labelW + cellW * overlaps.length + 30
  const facetH = 34 + cellH * yLabels.length + 46
  const top = 84
  const width = Math.max(640, 20 + cols * facetW)
  const height = top + Math.ceil(facets.length / cols) * facetH + 70

  const cells = facets.map((f) => {
    const list: [number, number, number, boolean][] = []
    let repeated = false
    yLabels.forEach((_, y) => overlaps.forEach((o, x) => {
      const here = rows.filter((r) => r.readers === f.readers && r.reader_rate === f.reader_rate && r.writers === rowKeys[y]!.writers && r.writer_rate === rowKeys[y]!.writer_rate && r.overlap === o)
      if (here.length === 0) return
      repeated ||= here.length > 1
      const isBest = bestRow !== undefined && here.includes(bestRow)
      const v = mean(here.map((r) => r.precondition_failure_rate * 100).filter(finite))
      ;list.push([x, y, finite(v) ? v : NA_VALUE, isBest])
    }))
    return { list, repeated }
  })
  const values = cells.flatMap((c) => c.list.map((v) => v[2]))
  const max = Math.max(...values, 0) || 1

  const bestStyle = { borderColor: '#000000', borderWidth: 3 }
  const item = ([x, y, v, isBest]: [number, number, number, boolean], text: string) => ({
    value: [x, y, v],
    label: { show: true, formatter: isBest ? `★ ${text}` : text, fontSize: 10, fontWeight: isBest ? ('bold' as const) : ('normal' as const) },
    itemStyle: { ...(v === NA_VALUE ? { color: NA_CELL } : {}), ...(isBest ? bestStyle : {}) },
  })
  const place = (i: number) => ({ x: 10 + (i % cols) * facetW, y: top + Math.floor(i / cols) * facetH })
  const bestNote = best === undefined ? 'no best configuration given' : `★ outlined: best configuration ${best}${bestRow ? '' : ' (not in the grid)'}`
  const meanNote = cells.some((c) => c.repeated) ? '; repeated configurations: mean' : ''
  const option: EChartsOption = {
    title: [
      title('Sweep: precondition-failure rate across the grid', `one panel per readers × reads/s; rows writers × commit attempts/s per writer; columns overlap${meanNote}. ${bestNote}`),
      ...facets.map((f, i) => ({ text: `${plural(f.readers, 'reader')} × ${formatNumber(f.reader_rate)} reads/s`, left: place(i).x + labelW, top: place(i).y + 4, textStyle: { fontSize: 12, fontWeight: 'bold' as const } })),
    ],
    grid: facets.map((_, i) => ({ left: place(i).x + labelW, top: place(i).y + 34, width: cellW * overlaps.length, height: cellH * yLabels.length })),
    xAxis: facets.map((_, i) => ({ type: 'category' as const, gridIndex: i, data: overlaps.map(formatNumber), name: 'overlap', nameLocation: 'middle' as const, nameGap: 24, splitArea: { show: false }, axisTick: { show: false } })),
    yAxis: facets.map((_, i) => ({ type: 'category' as const, gridIndex: i, data: yLabels, inverse: true, axisTick: { show: false }, axisLabel: { fontSize: 11 } })),
    visualMap: {
      type: 'continuous',
      min: 0,
      max,
      seriesIndex: facets.map((_, i) => i),
      orient: 'horizontal',
      left: 'center',
      bottom: 10,
      itemHeight: 260,
      text: [pct(max), '0 % failure rate'],
      inRange: { color: ['#fff5eb', '#fd8d3c', '#a50f15'] },
      calculable: false,
    },
    series: cells.map((c, i) => ({ name: `failure rate ${i}`, type: 'heatmap' as const, xAxisIndex: i, yAxisIndex: i, data: [...c.list].sort((a, b) => Number(a[3]) - Number(b[3])).map((v) => item(v, v[2] === NA_VALUE ? NA : pct(v[2]))) })),
  }
  return { name: 'sweep-failure-rate', svg: renderSvg(option, { width, height }, 'bgchaossweep').svg }
}

/** Every chart of the input, in order. */
export function chaosCharts(input: ChaosChartsInput): NamedChart[] {
  const sweep = sweepChart(input.sweep ?? [], input.best)
  return [...scenarioCharts(input.scenarios), ...(sweep ? [sweep] : [])]
}

/** Writes `<name>.svg` and `<name>.png` of every chart into `outDir` (atomically) and returns their paths. */
export async function writeChaosCharts(outDir: string, input: ChaosChartsInput): Promise<string[]> {
  mkdirSync(outDir, { recursive: true })
  return chaosCharts(input).flatMap((c) => {
    const paths = writeChart(outDir, c.name, c.svg)
    return [paths.svg, paths.png]
  })
}
