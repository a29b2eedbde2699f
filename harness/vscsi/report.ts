// What an analysis leaves in its output directory, every file written atomically:
//   samples_filtered.csv   one row per kept sample (one disk over one interval) with its figures
//   profile.fio            the generated fio job (when given)
//   vscsi-iops.svg/.png    read, write and total IOPS per interval (all disks summed), the kept
//                          intervals marked and the filter's threshold drawn
//   vscsi-latency.svg/.png read and write latency p50 and p99 per interval (all disks together)
//   vscsi-block-sizes.svg/.png  share of IOs by block size per interval (stacked bars)
//   summary.json           the profile, its flat figures, the options, the method (interpolation
//                          and representative sizes, in words) and the warnings; a figure that
//                          was not measured (no IOs) is null; written last, so a directory
//                          without it is an analysis that did not finish
import { join } from 'node:path'
import type { EChartsOption } from 'echarts'
import { writeChart } from '../charts/output.ts'
import { renderSvg, type Chart } from '../charts/render.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import { groupFigures, intervalsOf, METHOD, profileFigures, sampleFigures, type AnalysisOptions, type Interval, type Profile, type WorkloadFigures } from './analysis.ts'
import { diskKey, type IntervalSample } from './types.ts'

export const CSV_COLUMNS = [
  'start', 'end', 'seconds', 'disk', 'device', 'vm',
  'iops_total', 'iops_read', 'iops_write', 'MB_s_total', 'MB_s_read', 'MB_s_write',
  'read_pct', 'mean_block_kib', 'read_block_kib', 'write_block_kib', 'sequential_pct', 'qd_avg',
  'read_lat_p50_ms', 'read_lat_p99_ms', 'write_lat_p50_ms', 'write_lat_p99_ms',
] as const

function num(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toFixed(4))) : ''
}

function cell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** samples_filtered.csv: a header and one row per sample. */
export function samplesCsv(samples: readonly IntervalSample[], o: Pick<AnalysisOptions, 'sequentialLbns'>): string {
  const rows = samples.map((s) => {
    const f = sampleFigures(s, o)
    return [
      s.start, s.end, num(s.seconds), diskKey(s.disk), s.disk.device, s.disk.vm ?? '',
      num(f.iops.total), num(f.iops.read), num(f.iops.write), num(f.MB_s.total), num(f.MB_s.read), num(f.MB_s.write),
      num(f.read_ratio * 100), num(f.mean_block_bytes.all / 1024), num(f.mean_block_bytes.read / 1024), num(f.mean_block_bytes.write / 1024),
      num(f.sequential.all * 100), num(f.queue_depth.avg),
      num(f.latency_ms.read.p50_ms), num(f.latency_ms.read.p99_ms), num(f.latency_ms.write.p50_ms), num(f.latency_ms.write.p99_ms),
    ].map(cell).join(',')
  })
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n'
}

interface IntervalPoint {
  interval: Interval
  label: string
  kept: boolean
  figures: WorkloadFigures
}

/** Every interval (all disks together) with its figures, in time order. */
export function intervalPoints(samples: readonly IntervalSample[], kept: readonly IntervalSample[], o: Pick<AnalysisOptions, 'sequentialLbns'>): IntervalPoint[] {
  const keptSet = new Set(kept)
  return intervalsOf(samples).map((interval) => ({
    interval,
    label: interval.end.slice(11, 19), // HH:MM:SS UTC: the same labels in every time zone
    kept: interval.samples.some((s) => keptSet.has(s)),
    figures: groupFigures(interval.samples, interval.seconds, o),
  }))
}

const round = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null)

function frame(title: string, labels: string[], yName: string): EChartsOption {
  return {
    title: { text: title, left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, type: 'plain' },
    grid: { left: 24, right: 40, top: 52, bottom: 64, containLabel: true },
    xAxis: { type: 'category', data: labels, name: 'interval end (UTC)', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: yName, min: 0, splitLine: { lineStyle: { color: '#e6e6e6' } } },
  }
}

const SIZE = { width: 900, height: 440 }

export interface NamedChart {
  name: string
  caption: string
  chart: Chart
}

/** IOPS per interval: read, write, total, the kept intervals and the threshold. */
export function iopsChart(points: readonly IntervalPoint[], profile: Profile): NamedChart {
  const labels = points.map((p) => p.label)
  const threshold = profile.filter.threshold
  const option: EChartsOption = {
    ...frame(`IOPS per interval, all disks (${profile.samples_kept} of ${profile.samples_total} intervals kept)`, labels, 'IOPS'),
    series: [
      { name: 'read', type: 'line', symbol: 'none', data: points.map((p) => round(p.figures.iops.read, 1)) },
      { name: 'write', type: 'line', symbol: 'none', data: points.map((p) => round(p.figures.iops.write, 1)) },
      {
        name: 'total',
        type: 'line',
        symbol: 'none',
        data: points.map((p) => round(p.figures.iops.total, 1)),
        ...(Number.isFinite(threshold)
          ? { markLine: { symbol: 'none', silent: true, label: { position: 'insideEndTop', formatter: `threshold ${threshold.toFixed(0)} IOPS` }, lineStyle: { type: 'dashed' }, data: [{ yAxis: round(threshold, 1) ?? 0 }] } }
          : {}),
      },
      { name: 'kept (peak)', type: 'scatter', symbolSize: 7, data: points.map((p) => (p.kept ? round(p.figures.iops.total, 1) : null)) },
    ],
  }
  return { name: 'vscsi-iops', caption: `IOPS per interval (read, write, total; kept intervals marked; ${profile.filter.rule})`, chart: renderSvg(option, SIZE, 'bgvscsiiops') }
}

/** Latency p50 and p99 per interval, reads and writes. */
export function latencyChart(points: readonly IntervalPoint[]): NamedChart {
  const line = (name: string, pick: (f: WorkloadFigures) => number) => ({ name, type: 'line' as const, symbol: 'none', data: points.map((p) => round(pick(p.figures))) })
  const option: EChartsOption = {
    ...frame('Latency per interval, all disks (interpolated within vscsiStats buckets)', points.map((p) => p.label), 'ms'),
    series: [
      line('read p50', (f) => f.latency_ms.read.p50_ms),
      line('read p99', (f) => f.latency_ms.read.p99_ms),
      line('write p50', (f) => f.latency_ms.write.p50_ms),
      line('write p99', (f) => f.latency_ms.write.p99_ms),
    ],
  }
  return { name: 'vscsi-latency', caption: 'Read and write latency p50 and p99 per interval, ms', chart: renderSvg(option, SIZE, 'bgvscsilat') }
}

function sizeLabel(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`
}

/** Share of IOs by block size per interval, reads and writes together (stacked to 100 %). */
export function blockSizeChart(points: readonly IntervalPoint[]): NamedChart {
  const ios = (p: IntervalPoint, size: string) =>
    (p.figures.block_sizes.read[size] ?? 0) * p.figures.ios.read + (p.figures.block_sizes.write[size] ?? 0) * p.figures.ios.write
  const sizes = [...new Set(points.flatMap((p) => [...Object.keys(p.figures.block_sizes.read), ...Object.keys(p.figures.block_sizes.write)]))]
    .sort((a, b) => Number(a) - Number(b))
  const option: EChartsOption = {
    ...frame('Block sizes per interval, share of IOs (reads and writes)', points.map((p) => p.label), '% of IOs'),
    yAxis: { type: 'value', name: '% of IOs', min: 0, max: 100, splitLine: { lineStyle: { color: '#e6e6e6' } } },
    series: sizes.map((size) => ({
      name: sizeLabel(Number(size)),
      type: 'bar' as const,
      stack: 'sizes',
      barCategoryGap: '10%',
      data: points.map((p) => {
        const n = p.figures.ios.read + p.figures.ios.write
        return n > 0 ? round((ios(p, size) / n) * 100, 2) : 0
      }),
    })),
  }
  return { name: 'vscsi-block-sizes', caption: 'Share of IOs by block size per interval (vscsiStats buckets as aligned sizes)', chart: renderSvg(option, SIZE, 'bgvscsibs') }
}

/** The analysis charts of `samples` (all of them), the kept ones marked. */
export function analysisCharts(samples: readonly IntervalSample[], kept: readonly IntervalSample[], profile: Profile, o: Pick<AnalysisOptions, 'sequentialLbns'>): NamedChart[] {
  const points = intervalPoints(samples, kept, o)
  return [iopsChart(points, profile), latencyChart(points), blockSizeChart(points)]
}

/** JSON text in which a figure that was not measured (NaN, ±Infinity) is null, never NaN. */
export function summaryJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n'
}

/**
 * Writes the analysis files (see the header) into `outDir` and returns their paths, summary.json
 * last. `samples` are all the samples analyzed, `kept` those of the peak intervals.
 */
export function writeAnalysis(outDir: string, samples: IntervalSample[], kept: IntervalSample[], profile: Profile, o: AnalysisOptions & { fio?: string }): string[] {
  const files: string[] = []
  const csv = join(outDir, 'samples_filtered.csv')
  writeFileAtomic(csv, samplesCsv(kept, o))
  files.push(csv)
  if (o.fio !== undefined) {
    const fio = join(outDir, 'profile.fio')
    writeFileAtomic(fio, o.fio)
    files.push(fio)
  }
  const charts = samples.length ? analysisCharts(samples, kept, profile, o) : []
  for (const c of charts) {
    const paths = writeChart(outDir, c.name, c.chart.svg)
    files.push(paths.svg, paths.png)
  }
  const { fio: _fio, ...options } = o
  const summary = {
    generated_by: 'benchgate vscsi analysis',
    options,
    method: METHOD,
    warnings: profile.warnings,
    figures: profileFigures(profile),
    profile,
    files: files.map((f) => f.slice(outDir.length + 1)),
  }
  const path = join(outDir, 'summary.json')
  writeFileAtomic(path, summaryJson(summary))
  files.push(path)
  return files
}
