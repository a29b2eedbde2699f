// The competitive report's three charts, one series per system, rendered to SVG with ECharts
// (../charts/render.ts); ./report.ts writes them as SVG and PNG.
//
//   latency over time     p99 of each second of the measured part (corrected, from the intended
//                         start, when the system's figures are; else the actual-send p99), ms on a
//                         log axis so a 500 ms stall and a 1 ms baseline both read.
//   percentile spectrum   latency against percentile on a 1/(1−p) axis: x = log10(1/(1−p)), so
//                         50 %, 90 %, 99 %, 99.9 %, 99.99 % are (almost) evenly spaced and the tail
//                         gets the room it deserves (HdrHistogram's plot); ms on a log axis.
//                         The 100th percentile (max, x = ∞) is not drawn: the table has it.
//   throughput over time  successful requests completed in each second.
//
// Which trial: the system's MEDIAN TRIAL — the one whose p99 is the median of its trials' p99s
// (the lower middle one for an even count) — so a line is one real run, not a blend of runs, and
// the one the table's median p99 comes from (for an odd count). A system whose tool gives no
// per-second timeline (wrk, loadtest) has no line in the two over-time charts; a chart nobody
// has data for is not drawn (null).
import type { EChartsOption } from 'echarts'
import { renderSvg } from '../charts/render.ts'
import type { SpectrumPoint, TimelineSecond } from '../load/types.ts'
import { latencyOf } from './summary.ts'
import type { SystemSummary, TrialResult } from './types.ts'

const WIDTH = 820
const HEIGHT = 440

/** Percentiles labelled on the spectrum's x axis. */
export const SPECTRUM_TICKS = [50, 90, 99, 99.9, 99.99]

/** x of percentile p (0–100) on the spectrum axis: log10(1 / (1 − p/100)). */
export function spectrumX(p: number): number {
  return Math.log10(1 / (1 - p / 100))
}

/** The percentile label of an x on the spectrum axis, e.g. 2 → "99 %". */
export function spectrumLabel(x: number): string {
  const p = (1 - 10 ** -x) * 100
  return `${p.toFixed(Math.max(0, Math.ceil(x - 1e-9) - 2))} %`
}

/** The trial whose p99 is the median of the system's trials (lower middle for an even count). */
function medianTrial(trials: readonly TrialResult[], basis: SystemSummary['latencyBasis']): TrialResult | undefined {
  const byP99 = [...trials].sort((a, b) => latencyOf(a.load, basis).p99 - latencyOf(b.load, basis).p99 || a.trial - b.trial)
  return byP99[Math.floor((byP99.length - 1) / 2)]
}

export interface SystemSeries {
  name: string
  basis: SystemSummary['latencyBasis']
  trial: TrialResult
}

/** Each system's median trial, in the order of the rows. */
export function seriesOf(systems: readonly SystemSummary[], trials: readonly TrialResult[]): SystemSeries[] {
  return systems.flatMap((s) => {
    const trial = medianTrial(trials.filter((t) => t.system === s.name), s.latencyBasis)
    return trial ? [{ name: s.name, basis: s.latencyBasis, trial }] : []
  })
}

const title = (text: string, sub: string) => ({ text, subtext: sub, left: 'center', top: 6, textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 11, color: '#666666' } })
const grid = { left: 64, right: 32, top: 72, bottom: 72 }
const legend = { bottom: 8 }
const positive = (v: number) => (Number.isFinite(v) && v > 0 ? v : null)

function overTime(series: readonly SystemSeries[], y: (s: TimelineSecond, basis: SystemSummary['latencyBasis']) => number | null, opts: { title: string; sub: string; unit: string; log: boolean; id: string }): string | null {
  const withTimeline = series.filter((s) => s.trial.load.timeline.length > 0)
  if (withTimeline.length === 0) return null
  const option: EChartsOption = {
    title: title(opts.title, opts.sub),
    legend,
    grid,
    xAxis: { type: 'value', name: 's', nameLocation: 'end', min: 0, max: Math.max(...withTimeline.map((s) => s.trial.load.timeline.at(-1)!.t)) },
    yAxis: opts.log ? { type: 'log', name: opts.unit, logBase: 10, splitLine: { lineStyle: { color: '#e6e6e6' } } } : { type: 'value', name: opts.unit, min: 0, splitLine: { lineStyle: { color: '#e6e6e6' } } },
    series: withTimeline.map((s) => ({
      name: s.name,
      type: 'line' as const,
      symbol: 'none',
      connectNulls: false,
      data: s.trial.load.timeline.map((sec) => [sec.t, y(sec, s.basis)]),
    })),
  }
  return renderSvg(option, { width: WIDTH, height: HEIGHT }, opts.id).svg
}

const basisNote = (series: readonly SystemSeries[]) =>
  series.some((s) => s.basis === 'uncorrected') ? 'corrected (from intended start); closed-model tools: from actual send' : 'corrected: from each request\'s intended start'

/** p99 per second of each system's median trial; null when no system has a timeline. */
export function latencyOverTimeChart(series: readonly SystemSeries[], scenario: string): string | null {
  return overTime(series, (sec, basis) => positive(basis === 'corrected' ? sec.p99 : sec.p99Uncorrected), {
    title: `${scenario}: p99 latency per second`,
    sub: `median trial of each system; ${basisNote(series)}`,
    unit: 'ms',
    log: true,
    id: 'bgcomplat',
  })
}

/** Successful requests per second of each system's median trial; null when no system has a timeline. */
export function throughputOverTimeChart(series: readonly SystemSeries[], scenario: string): string | null {
  return overTime(series, (sec) => sec.completed, {
    title: `${scenario}: throughput per second`,
    sub: 'successful requests completed in each second, median trial of each system',
    unit: 'req/s',
    log: false,
    id: 'bgcomptp',
  })
}

function spectrumPoints(s: SystemSeries): SpectrumPoint[] {
  const sp = s.basis === 'corrected' && s.trial.load.spectrum.corrected ? s.trial.load.spectrum.corrected : s.trial.load.spectrum.uncorrected
  return sp.filter((p) => p.percentile >= 0 && p.percentile < 100 && p.ms > 0)
}

/** Latency against percentile on the 1/(1−p) axis; null when no system has a spectrum. */
export function spectrumChart(series: readonly SystemSeries[], scenario: string): string | null {
  const withPoints = series.map((s) => ({ s, points: spectrumPoints(s) })).filter((x) => x.points.length > 0)
  if (withPoints.length === 0) return null
  const xs = withPoints.flatMap((x) => x.points.map((p) => spectrumX(p.percentile)))
  const maxX = Math.max(spectrumX(99.99), Math.ceil(Math.max(...xs)))
  const ticks = [...SPECTRUM_TICKS.map(spectrumX), ...Array.from({ length: Math.max(0, maxX - 4) }, (_, i) => 5 + i)]
  const option: EChartsOption = {
    title: title(`${scenario}: latency by percentile`, `median trial; x: 1/(1−p) on a log scale; ${basisNote(series)}`),
    legend,
    grid,
    xAxis: {
      type: 'value',
      name: 'percentile',
      nameLocation: 'middle',
      nameGap: 28,
      min: 0,
      max: maxX,
      axisLabel: { customValues: ticks, formatter: (v: number) => spectrumLabel(v) },
      axisTick: { customValues: ticks },
      splitLine: { show: false },
    },
    yAxis: { type: 'log', name: 'ms', logBase: 10, splitLine: { lineStyle: { color: '#e6e6e6' } } },
    series: withPoints.map(({ s, points }) => ({
      name: s.name,
      type: 'line' as const,
      symbol: points.length > 12 ? 'none' : 'circle',
      symbolSize: 6,
      data: points.map((p) => [spectrumX(p.percentile), p.ms]),
    })),
  }
  return renderSvg(option, { width: WIDTH, height: HEIGHT }, 'bgcompspec').svg
}
