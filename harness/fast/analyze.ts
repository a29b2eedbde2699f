// `benchgate analyze [results dir]`: every fast-ab session found under the results directory
// (the sessions.json each A/B test writes into its run folder), aggregated into
//
//   comparison_kpis.csv        one row per mode × workflow × cache state: the number of measured
//                              sessions, then <kpi>_median and <kpi>_p95 for every numeric KPI
//                              (./kpis.ts defines them), and the observed sources seen
//   charts/open-time-by-mode   median open time per mode and cache state (SVG and PNG)
//   charts/scrub-time-by-mode  median scrub-100 time per mode and cache state
//   charts/fast-latency-cdf    CDF of FAST chunk request latency per cache state (mode B)
//
// Warm-up sessions are left out. The same files are written at the end of a fast-ab bench run.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { EChartsOption } from 'echarts'
import { renderSvg, type Chart } from '../charts/render.ts'
import { writeChart } from '../charts/output.ts'
import { quoteCell } from '../metrics/csv.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import { quantile } from '../stats/quantile.ts'
import { UserError } from '../errors.ts'
import type { SessionKpis } from './kpis.ts'

export const SESSIONS_FILE = 'sessions.json'

/** One session as sessions.json stores it. */
export interface SessionRecord extends SessionKpis {
  n: number
  warmup: boolean
  /** The cache state actually achieved before a Cold session (./cache-state.ts). */
  cold: unknown
  /** The workflow's KPI name (open_time_s, scrub_time_s, …). */
  workflow_kpi: string
  /** Mode B: latency of every FAST chunk request, ms. */
  fast_latencies_ms: number[]
}

const NUMERIC = ['open_time_s', 'workflow_time_s', 'cpu_mean', 'gpu_mean', 'read_MB_s_p95', 'lat_p50_ms', 'lat_p95_ms', 'lat_p99_ms', 'fast_cache_hit_rate'] as const

/** Every sessions.json under `dir` (run folders nest as <stamp>/<project>/<test>/). */
export function findSessionFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string, depth: number): void => {
    let entries: string[]
    try {
      entries = readdirSync(d)
    } catch {
      return
    }
    for (const e of entries) {
      const p = join(d, e)
      if (e === SESSIONS_FILE) out.push(p)
      else if (depth < 6 && statSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p, depth + 1)
    }
  }
  walk(dir, 0)
  return out.sort()
}

export function readSessions(files: readonly string[]): SessionRecord[] {
  const all: SessionRecord[] = []
  for (const f of files) {
    let data: unknown
    try {
      data = JSON.parse(readFileSync(f, 'utf8'))
    } catch (e) {
      throw new UserError({ file: f, message: `not readable as JSON (${(e as Error).message})`, expected: 'a sessions.json written by a fast-ab run' })
    }
    if (!Array.isArray(data)) throw new UserError({ file: f, message: 'is not a list of sessions', expected: 'a JSON array' })
    data.forEach((s: Partial<SessionRecord>, i) => {
      if (typeof s?.mode !== 'string' || typeof s.workflow !== 'string' || typeof s.cache_state !== 'string') {
        throw new UserError({ file: f, field: `[${i}]`, message: 'lacks mode, workflow or cache_state', expected: 'a session record written by a fast-ab run' })
      }
    })
    all.push(...(data as SessionRecord[]))
  }
  return all
}

export interface ComparisonRow {
  mode: string
  workflow: string
  cache_state: string
  sessions: number
  workflow_kpi: string
  stats: Record<string, number | null>
  observed_source: string
}

export function aggregate(sessions: readonly SessionRecord[]): ComparisonRow[] {
  const groups = new Map<string, SessionRecord[]>()
  for (const s of sessions) {
    if (s.warmup) continue
    const key = `${s.mode}\u0000${s.workflow}\u0000${s.cache_state}`
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  const rows: ComparisonRow[] = []
  for (const list of groups.values()) {
    const first = list[0]!
    const stats: Record<string, number | null> = {}
    for (const k of NUMERIC) {
      const v = list.map((s) => s[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
      stats[`${k}_median`] = v.length ? quantile(v, 0.5) : null
      stats[`${k}_p95`] = v.length ? quantile(v, 0.95) : null
    }
    rows.push({
      mode: first.mode, workflow: first.workflow, cache_state: first.cache_state, sessions: list.length, workflow_kpi: first.workflow_kpi,
      stats, observed_source: [...new Set(list.map((s) => s.observed_source))].join('+'),
    })
  }
  const order = (r: ComparisonRow) => `${r.workflow}\u0000${r.cache_state}\u0000${r.mode}`
  return rows.sort((a, b) => order(a).localeCompare(order(b)))
}

export function comparisonCsv(rows: readonly ComparisonRow[]): string {
  const statCols = NUMERIC.flatMap((k) => [`${k}_median`, `${k}_p95`])
  const header = ['mode', 'workflow', 'cache_state', 'sessions', 'workflow_kpi', ...statCols, 'observed_source']
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(Number(v.toPrecision(6))))
  const lines = rows.map((r) => [r.mode, r.workflow, r.cache_state, String(r.sessions), r.workflow_kpi, ...statCols.map((c) => cell(r.stats[c])), r.observed_source].map(quoteCell).join(','))
  return [header.join(','), ...lines].join('\n') + '\n'
}

function barByMode(rows: readonly ComparisonRow[], workflow: string, stat: string, title: string): Chart | null {
  const mine = rows.filter((r) => r.workflow === workflow && r.stats[stat] !== null)
  if (!mine.length) return null
  const states = [...new Set(mine.map((r) => r.cache_state))]
  const modes = [...new Set(mine.map((r) => r.mode))].sort()
  const option: EChartsOption = {
    title: { text: title, left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, data: modes.map((m) => `mode ${m}`) },
    grid: { left: 16, right: 32, top: 48, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: states, name: 'cache state', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 's', min: 0 },
    series: modes.map((m) => ({
      type: 'bar', name: `mode ${m}`,
      data: states.map((st) => mine.find((r) => r.mode === m && r.cache_state === st)?.stats[stat] ?? null),
      label: { show: true, position: 'top', formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? p.value.toFixed(3) : '') },
    })),
  }
  return renderSvg(option, { width: 640, height: 400 }, `bar-${workflow}-`)
}

function latencyCdf(sessions: readonly SessionRecord[]): Chart | null {
  const byState = new Map<string, number[]>()
  for (const s of sessions) {
    if (s.warmup || s.mode !== 'B' || !s.fast_latencies_ms?.length) continue
    byState.set(s.cache_state, [...(byState.get(s.cache_state) ?? []), ...s.fast_latencies_ms])
  }
  if (!byState.size) return null
  const series = [...byState].map(([state, values]) => {
    const v = [...values].sort((a, b) => a - b)
    const step = Math.max(1, Math.floor(v.length / 400)) // at most ~400 points per line
    const points: [number, number][] = []
    for (let i = 0; i < v.length; i += step) points.push([v[i]!, (i + 1) / v.length])
    points.push([v[v.length - 1]!, 1])
    return { type: 'line' as const, name: `${state} (${v.length} requests)`, showSymbol: false, step: 'end' as const, data: points }
  })
  const option: EChartsOption = {
    title: { text: 'FAST chunk request latency (mode B), CDF', left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6 },
    grid: { left: 40, right: 32, top: 48, bottom: 56, containLabel: true },
    xAxis: { type: 'log', name: 'latency, ms', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', min: 0, max: 1, name: 'fraction of requests', nameLocation: 'middle', nameGap: 40, nameRotate: 90 },
    series,
  }
  return renderSvg(option, { width: 720, height: 420 }, 'cdf-')
}

export interface Analysis {
  rows: ComparisonRow[]
  files: string[]
}

/** Writes comparison_kpis.csv and the charts into `outDir` (charts under charts/). */
export function analyzeSessions(sessions: readonly SessionRecord[], outDir: string): Analysis {
  const rows = aggregate(sessions)
  const files = [join(outDir, 'comparison_kpis.csv')]
  writeFileAtomic(files[0]!, comparisonCsv(rows))
  const charts: [string, Chart | null][] = [
    ['open-time-by-mode', barByMode(rows, 'open', 'open_time_s_median', 'Median open time by mode')],
    ['scrub-time-by-mode', barByMode(rows, 'scrub-100', 'workflow_time_s_median', 'Median scrub-100 time by mode')],
    ['fast-latency-cdf', latencyCdf(sessions)],
  ]
  for (const [name, chart] of charts) {
    if (!chart) continue
    const p = writeChart(join(outDir, 'charts'), name, chart.svg)
    files.push(p.svg, p.png)
  }
  return { rows, files }
}

export const ANALYZE_USAGE = `usage: benchgate analyze [results dir] [--out DIR]

Aggregates every fast-ab session under the results directory (default: results) into
comparison_kpis.csv (one row per mode × workflow × cache state, medians and p95s) and charts
(SVG and PNG): median open time by mode, median scrub-100 time by mode, CDF of FAST chunk latency.
--out DIR   where to write them (default: the results directory)`

export async function analyzeCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(ANALYZE_USAGE)
    return 0
  }
  const args = [...argv]
  let out: string | undefined
  const at = args.indexOf('--out')
  if (at >= 0) {
    out = args[at + 1]
    if (!out) throw new UserError({ file: 'benchgate analyze', field: '--out', message: 'missing directory', expected: '--out DIR' })
    args.splice(at, 2)
  }
  const unknown = args.find((a) => a.startsWith('-'))
  if (unknown || args.length > 1) throw new UserError({ file: 'benchgate analyze', message: `unexpected argument ${unknown ?? args[1]}`, expected: '[results dir] [--out DIR]', hint: 'benchgate analyze --help' })
  const dir = resolve(args[0] ?? 'results')
  const files = findSessionFiles(dir)
  if (!files.length) throw new UserError({ file: dir, message: `no ${SESSIONS_FILE} found`, expected: 'the results directory of a fast-ab run', hint: 'run npx vitest bench --project fast-ab first' })
  const sessions = readSessions(files)
  const result = analyzeSessions(sessions, resolve(out ?? dir))
  const warmups = sessions.filter((s) => s.warmup).length
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  console.log(`${plural(sessions.length - warmups, 'measured session')} (${plural(warmups, 'warm-up')} left out) from ${plural(files.length, 'run')} → ${plural(result.rows.length, 'row')}`)
  for (const f of result.files) console.log(`  ${f}`)
  return 0
}
