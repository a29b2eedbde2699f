// The probe's charts (ECharts SVG, written with a PNG beside it by ../charts/output.ts):
//   blob-<target>-throughput   sustained MB/s by parallel streams, one line per chunk size
//   chunk-latency-cdf          CDF of per-chunk times: each blob target at its best configuration
//                              and at the best stream count of every other chunk size, and each
//                              NAS share's Cold and Warm passes with N streams
import type { EChartsOption } from 'echarts'
import { renderSvg, type Chart } from '../charts/render.ts'
import { slug } from '../run/stamp.ts'
import { pointLabel } from './blob-sweep.ts'
import type { BlobTargetResult, SweepPoint } from './schema.ts'

export interface NamedChart {
  /** File name without extension. */
  name: string
  caption: string
  chart: Chart
}

export interface CdfSeries {
  label: string
  samples: readonly number[]
}

/** MB/s by streams, a line per chunk size; null when the target has no figures. */
export function throughputChart(target: BlobTargetResult): NamedChart | null {
  const points = target.sweep.filter((p) => p.MB_s !== null)
  if (points.length === 0) return null
  const streams = [...new Set(points.map((p) => p.streams))].sort((a, b) => a - b)
  const chunks = [...new Set(points.map((p) => p.chunk_mib))]
  const at = new Map(points.map((p) => [`${p.chunk_mib}|${p.streams}`, p.MB_s]))
  const option: EChartsOption = {
    title: { text: `Azure Blob '${target.name}': sustained MB/s by parallel streams`, left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, data: chunks.map((c) => `${c} MiB chunks`) },
    grid: { left: 24, right: 40, top: 52, bottom: 56, containLabel: true },
    xAxis: { type: 'category', data: streams.map(String), name: 'parallel streams', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'MB/s', min: 0, splitLine: { lineStyle: { color: '#e6e6e6' } } },
    series: chunks.map((c) => ({
      name: `${c} MiB chunks`,
      type: 'line' as const,
      symbol: 'circle',
      symbolSize: 8,
      data: streams.map((s) => at.get(`${c}|${s}`) ?? null),
    })),
  }
  return {
    name: `blob-${slug(target.name)}-throughput`,
    caption: `Azure Blob ${target.name}: sustained MB/s by parallel streams, per chunk size`,
    chart: renderSvg(option, { width: 760, height: 420 }, `bgprobe${slug(target.name)}`),
  }
}

/** At most `max` points of the empirical CDF of `samples` (evenly by rank, always the last). */
export function cdfPoints(samples: readonly number[], max = 400): [number, number][] {
  const s = [...samples].filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (s.length === 0) return []
  const step = Math.max(1, Math.ceil(s.length / max))
  const out: [number, number][] = []
  for (let i = step - 1; i < s.length; i += step) out.push([Math.max(s[i]!, 0.001), (i + 1) / s.length])
  if (out[out.length - 1]![1] !== 1) out.push([Math.max(s[s.length - 1]!, 0.001), 1])
  return out
}

/** The sweep points whose per-chunk times the CDF shows: per chunk size, its best stream count. */
export function cdfPointsOf(sweep: readonly SweepPoint[]): SweepPoint[] {
  const best = new Map<number, SweepPoint>()
  for (const p of sweep) {
    if (p.MB_s === null || p.errors > 0) continue
    const seen = best.get(p.chunk_mib)
    if (!seen || p.MB_s > seen.MB_s!) best.set(p.chunk_mib, p)
  }
  return [...best.values()]
}

/** CDF of per-chunk times, one line per series; null when there are no samples. */
export function latencyCdfChart(series: readonly CdfSeries[]): NamedChart | null {
  const lines = series.map((s) => ({ label: s.label, data: cdfPoints(s.samples) })).filter((s) => s.data.length > 0)
  if (lines.length === 0) return null
  const option: EChartsOption = {
    title: { text: 'Per-chunk time, CDF', left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, type: 'plain' },
    grid: { left: 40, right: 32, top: 48, bottom: 40 + 22 * Math.ceil(lines.length / 2), containLabel: true },
    xAxis: { type: 'log', name: 'time per chunk, ms (log scale)', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', min: 0, max: 1, name: 'fraction of chunks', nameLocation: 'middle', nameGap: 40, nameRotate: 90 },
    series: lines.map((l) => ({ name: l.label, type: 'line' as const, step: 'end' as const, showSymbol: false, data: l.data })),
  }
  return {
    name: 'chunk-latency-cdf',
    caption: 'Per-chunk time CDF: blob targets per chunk size at their best stream count, NAS Cold and Warm',
    chart: renderSvg(option, { width: 760, height: 440 + 22 * Math.ceil(lines.length / 2) }, 'bgprobecdf'),
  }
}

/** The CDF series of a blob target: per chunk size, at the stream count that gave it the most MB/s. */
export function blobCdfSeries(target: BlobTargetResult, latencies: ReadonlyMap<string, number[]>): CdfSeries[] {
  return cdfPointsOf(target.sweep).map((p) => ({ label: `${target.name} ${pointLabel(p)}`, samples: latencies.get(pointLabel(p)) ?? [] }))
}
