// The decision's files, each written atomically (a run cut short leaves the previous file or
// none, never half of one): decision.md (the Phase 2.5 decision document: GO/NO-GO, workload
// table, memory table, failing gates, cache state achieved, machine, commands and versions),
// parity.csv (one row per workload and tool) and two charts, SVG and PNG: the throughput ratio
// per workload with its interval against the at_least line, and peak memory per tool.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemReturn, EChartsOption } from 'echarts'
import { renderSvg } from '../charts/render.ts'
import { writeChart } from '../charts/output.ts'
import { expandTemplate } from '../command/index.ts'
import type { Environment } from '../run/environment.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import type { Decision, WorkloadDecision } from './decision.ts'
import type { ParityTool } from './scenario.ts'

export interface ReportFacts {
  environment: Environment
  tools: ParityTool[]
  rounds: number
  seed: number
  generatedAt: string
}

/** The first line `program --version` prints (empty when it prints nothing or fails). */
export function toolVersion(t: ParityTool): string {
  const program = expandTemplate(t.template, { src: 'SRC', dst: 'DST' }, t.field, ['src', 'dst'])[0]!
  const r = spawnSync(program, ['--version'], { encoding: 'utf8', timeout: 10_000 })
  return (r.stdout || r.stderr || '').split('\n').find((l) => l.trim())?.trim() ?? ''
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–')
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–')
const cell = (s: string) => s.replaceAll('|', '\\|')
const sizeOf = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`)

function workloadRows(d: Decision): string[] {
  return d.workloads.map((w) => {
    const [cand, base] = w.tools
    const gate = w.gates[0]!
    return `| ${w.workload} · ${w.cacheState} | ${w.files.toLocaleString('en')} file${w.files === 1 ? '' : 's'}, ${sizeOf(w.bytes)} | ${f1(base!.MBps)} MB/s, ${f1(base!.filesPerSecond)} files/s | ${f1(cand!.MBps)} MB/s, ${f1(cand!.filesPerSecond)} files/s | ${f3(w.throughput.estimate)}× [${f3(w.throughput.lo)}, ${f3(w.throughput.hi)}] | ${f1(base!.cpuSeconds)} / ${f1(cand!.cpuSeconds)} | ${gate.held ? 'holds' : '**fails**'} |`
  })
}

function memoryRows(d: Decision): string[] {
  return d.workloads.map((w) => {
    const [cand, base] = w.tools
    const gate = w.gates[1]!
    return `| ${w.workload} · ${w.cacheState} | ${f1(base!.peakTreeMB)} (${f1(base!.peakProcessMB)}) | ${f1(cand!.peakTreeMB)} (${f1(cand!.peakProcessMB)}) | ${f3(w.memoryRatio)}× | ${gate.held ? 'holds' : '**fails**'} |`
  })
}

export function decisionMarkdown(d: Decision, facts: ReportFacts): string {
  const [candidate, baseline] = [facts.tools.find((t) => t.role === 'candidate')!, facts.tools.find((t) => t.role === 'baseline')!]
  const third = facts.tools.find((t) => t.role === 'third')
  const e = facts.environment
  const lines = [
    `# blit-parity decision: ${d.go ? 'GO' : 'NO-GO'}`,
    '',
    `**${d.go ? 'GO' : 'NO-GO'}** — ${candidate.name} against ${baseline.name}: throughput at least ${d.thresholds.atLeast}× and peak memory at most ${d.thresholds.memoryAtMost}× on every workload, every copy correct${d.workloads.some((w) => w.cold) ? ', Cold runs really cold' : ''}.`,
    '',
  ]
  if (d.failing.length) {
    lines.push('## Failing gates', '', ...d.failing.map((g) => `- ${g.workload}: ${g.name} — ${g.figure}`), '')
  } else if (d.workloads.length === 0) {
    lines.push('No workload was measured.', '')
  }
  lines.push(
    '## Throughput',
    '',
    `Medians of ${facts.rounds}+ interleaved rounds (ABBA, each round runs both tools once); ratio ${candidate.name}/${baseline.name} with its ${Math.round((d.workloads[0]?.throughput.confidence ?? 0.95) * 100)} % interval (paired bootstrap).`,
    '',
    `| workload | tree | ${baseline.name} | ${candidate.name} | ratio | CPU s (${baseline.name} / ${candidate.name}) | ≥ ${d.thresholds.atLeast}× |`,
    '|---|---|---|---|---|---|---|',
    ...workloadRows(d),
    '',
    '## Peak memory',
    '',
    'MB, median over runs of the peak summed RSS of the tool\'s process tree (20 Hz /proc poll; the gate uses it); in brackets the largest single process (wait4).',
    '',
    `| workload | ${baseline.name} | ${candidate.name} | ratio | ≤ ${d.thresholds.memoryAtMost}× |`,
    '|---|---|---|---|---|',
    ...memoryRows(d),
    '',
    '## Correctness',
    '',
    ...d.workloads.map((w) => `- ${w.workload} · ${w.cacheState}: ${w.gates[2]!.held ? 'correct' : '**wrong**'} — ${w.gates[2]!.figure}${w.tools[1]?.wrong ? `; baseline: ${w.tools[1].wrong}` : ''}`),
    '',
  )
  if (third) {
    lines.push(`## Third peer: ${third.name} (reported, not gated)`, '', ...d.workloads.map((w) => w.third
      ? `- ${w.workload} · ${w.cacheState}: ${third.name}/${baseline.name} throughput ${f3(w.third.estimate)}× [${f3(w.third.lo)}, ${f3(w.third.hi)}], ${f1(w.tools[2]!.MBps)} MB/s, peak ${f1(w.tools[2]!.peakTreeMB)} MB${w.tools[2]!.wrong ? `; ${w.tools[2]!.wrong}` : ''}`
      : `- ${w.workload} · ${w.cacheState}: ${w.thirdSkipped ?? 'not run'}`), '')
  }
  lines.push(
    '## Cache state achieved',
    '',
    ...d.workloads.map((w) => w.cold
      ? `- ${w.workload} · Cold: ${w.cold.cold ? 'cold' : '**NOT cold**'}: ${w.cold.runs - w.cold.not_cold} of ${w.cold.runs} runs after a drop (${w.cold.methods.join(', ')})${w.cold.max_resident === null ? '' : `, source at most ${(w.cold.max_resident * 100).toFixed(1)} % resident`}${w.cold.detail ? `; ${w.cold.detail}` : ''}`
      : `- ${w.workload} · ${w.cacheState}: one unmeasured run of each tool first`),
    '',
    '## Machine',
    '',
    `- ${e.hostname}: ${e.os.platform} ${e.os.release} ${e.os.arch}, ${e.cpu.model}, ${e.cpu.cores} cores, ${e.ram_gb} GB RAM`,
    `- Node ${e.node}; benchgate ${e.git.commit ?? 'unknown commit'}${e.git.dirty ? ' (dirty)' : ''}`,
    `- trees generated from seed ${facts.seed}; ${facts.generatedAt}`,
    '',
    '## Commands and versions',
    '',
    ...facts.tools.map((t) => `- ${t.role} **${t.name}**: \`${cell(t.template)}\` — ${toolVersion(t) || 'version unknown'}`),
    '',
  )
  return lines.join('\n')
}

const CSV_HEAD = ['workload', 'cache_state', 'files', 'bytes', 'tool', 'role', 'runs', 'median_wall_s', 'MB_s', 'files_s', 'cpu_s', 'peak_tree_rss_MB', 'peak_process_rss_MB', 'throughput_ratio', 'ratio_lo', 'ratio_hi', 'memory_ratio', 'correct', 'gates_held']

export function parityCsv(d: Decision): string {
  const rows = d.workloads.flatMap((w) => w.tools.map((t) => {
    const ratio = t.role === 'candidate' ? w.throughput : t.role === 'third' ? w.third : undefined
    return [w.workload, w.cacheState, w.files, w.bytes, t.name, t.role, t.runs, t.wallSeconds.toFixed(4), t.MBps.toFixed(2), t.filesPerSecond.toFixed(1), t.cpuSeconds.toFixed(3),
      t.peakTreeMB.toFixed(1), t.peakProcessMB.toFixed(1), ratio ? ratio.estimate.toFixed(4) : '', ratio ? ratio.lo.toFixed(4) : '', ratio ? ratio.hi.toFixed(4) : '',
      t.role === 'candidate' ? w.memoryRatio.toFixed(4) : '', t.wrong ? 'no' : 'yes', t.role === 'candidate' ? String(w.gates.every((g) => g.held)) : '']
  }))
  return [CSV_HEAD, ...rows].map((r) => r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v))).join(',')).join('\n') + '\n'
}

const label = (w: WorkloadDecision) => `${w.workload} · ${w.cacheState}`

/** Throughput ratio per workload with its interval, against the at_least line. */
export function throughputChart(d: Decision): string {
  const whisker = (_p: unknown, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
    const [x, lo] = api.coord([api.value(0), api.value(1)]) as [number, number]
    const [, hi] = api.coord([api.value(0), api.value(2)]) as [number, number]
    const line = (x1: number, y1: number, x2: number, y2: number) => ({ type: 'line' as const, shape: { x1, y1, x2, y2 }, style: { stroke: '#333333', lineWidth: 2 } })
    return { type: 'group', children: [line(x, lo, x, hi), line(x - 8, lo, x + 8, lo), line(x - 8, hi, x + 8, hi)] }
  }
  const option: EChartsOption = {
    title: { text: 'Throughput, candidate / baseline (with interval)', left: 'center', top: 8, textStyle: { fontSize: 15 } },
    grid: { left: 60, right: 30, top: 50, bottom: 50 },
    xAxis: { type: 'category', data: d.workloads.map(label) },
    yAxis: { type: 'value', name: 'ratio', min: (v: { min: number }) => Math.min(0.8, Math.floor(v.min * 20) / 20) },
    series: [
      {
        type: 'bar', barWidth: '45%',
        data: d.workloads.map((w) => ({ value: w.throughput.estimate, itemStyle: { color: w.gates[0]!.held ? '#1f77b4' : '#d62728' } })),
        markLine: { symbol: 'none', lineStyle: { color: '#d62728', type: 'dashed' }, label: { formatter: `${d.thresholds.atLeast}×` }, data: [{ yAxis: d.thresholds.atLeast }] },
      },
      { type: 'custom', renderItem: whisker as never, data: d.workloads.map((w, i) => [i, w.throughput.lo, w.throughput.hi]), z: 5 },
    ],
  }
  return renderSvg(option, { width: 760, height: 420 }, 'bgtp').svg
}

/** Peak memory (process tree) per tool and workload. */
export function memoryChart(d: Decision): string {
  const tools = [...new Set(d.workloads.flatMap((w) => w.tools.map((t) => t.name)))]
  const option: EChartsOption = {
    title: { text: 'Peak memory per tool (process tree, MB)', left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6 },
    grid: { left: 60, right: 30, top: 50, bottom: 70 },
    xAxis: { type: 'category', data: d.workloads.map(label) },
    yAxis: { type: 'value', name: 'MB' },
    series: tools.map((name) => ({ name, type: 'bar' as const, data: d.workloads.map((w) => w.tools.find((t) => t.name === name)?.peakTreeMB ?? null) })),
  }
  return renderSvg(option, { width: 760, height: 420 }, 'bgmem').svg
}

/** Writes decision.md, parity.csv and the two charts into `dir`; returns the file names. */
export function writeDecision(dir: string, d: Decision, facts: ReportFacts): string[] {
  writeFileAtomic(join(dir, 'parity.csv'), parityCsv(d))
  const files = ['parity.csv']
  if (d.workloads.length) {
    writeChart(dir, 'throughput-ratio', throughputChart(d))
    writeChart(dir, 'peak-memory', memoryChart(d))
    files.push('throughput-ratio.svg', 'throughput-ratio.png', 'peak-memory.svg', 'peak-memory.png')
  }
  writeFileAtomic(join(dir, 'decision.md'), decisionMarkdown(d, facts))
  return ['decision.md', ...files]
}
