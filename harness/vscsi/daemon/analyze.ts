// `vscsi-helper analyze JOB`: the job's saved samples → per-interval samples (each -s run from its
// own baseline) → peak filter → profile → summary.json, filtered CSV, charts and a fio job. A job
// that did not collect every sample is analyzed too, with a warning saying how many it has.
import { join, resolve } from 'node:path'
import type { ParseArgsConfig } from 'node:util'
import type { Config } from '../../config/schema.ts'
import { UserError } from '../../errors.ts'
import { analysisOptions, analyzeSamples, checkGates, filterSamples, formatGates, profileFigures, type AnalysisOptions, type FilterKind } from '../analysis.ts'
import { fioJob } from '../fio.ts'
import { writeAnalysis } from '../report.ts'
import { jobIntervalSamples } from './captures.ts'
import { readJob } from './state.ts'

export const ANALYZE_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  out: { type: 'string' },
  filter: { type: 'string' },
  percentile: { type: 'string' },
  k: { type: 'string' },
  'min-iops': { type: 'string' },
  runtime: { type: 'string' },
}

const FILTERS: readonly FilterKind[] = ['percentile', 'statistical', 'absolute']

function number(v: unknown, flag: string, ok: (n: number) => boolean, expected: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (String(v).trim() === '' || !Number.isFinite(n) || !ok(n)) {
    throw new UserError({ file: 'vscsi-helper analyze', field: `--${flag}`, message: `'${String(v)}' is not valid`, expected })
  }
  return n
}

/** The analysis options: the config's vscsi section, then the flags. */
export function analyzeOptions(config: Config, v: Record<string, unknown>): { o: AnalysisOptions; runtimeS: number } {
  const o = analysisOptions(config.vscsi)
  if (v.filter !== undefined) {
    if (!FILTERS.includes(v.filter as FilterKind)) {
      throw new UserError({ file: 'vscsi-helper analyze', field: '--filter', message: `'${String(v.filter)}' is not a filter`, expected: FILTERS.join(', ') })
    }
    o.filter = v.filter as FilterKind
  }
  const p = number(v.percentile, 'percentile', (n) => n >= 0 && n <= 100, 'a percentile between 0 and 100, e.g. 75')
  if (p !== undefined) {
    o.percentile = p
    if (v.filter === undefined) o.filter = 'percentile'
  }
  const k = number(v.k, 'k', (n) => n >= 0, 'standard deviations ≥ 0, e.g. 1')
  if (k !== undefined) {
    o.k = k
    if (v.filter === undefined) o.filter = 'statistical'
  }
  const min = number(v['min-iops'], 'min-iops', (n) => n >= 0, 'total IOPS ≥ 0')
  if (min !== undefined) {
    o.minIops = min
    if (v.filter === undefined) o.filter = 'absolute'
  }
  const runtimeS = number(v.runtime, 'runtime', (n) => Number.isInteger(n) && n > 0, 'whole seconds above 0') ?? Math.max(1, Math.round(config.vscsi.fio_runtime_s))
  return { o, runtimeS }
}

export interface AnalyzeContext {
  config: Config
  source: string | null
  dir: string
  out: (t: string) => void
  err: (t: string) => void
  cwd?: string
}

const fmt = (v: number | undefined, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : 'n/a')

export async function analyzeCommand(ctx: AnalyzeContext, v: Record<string, unknown>): Promise<number> {
  const job = readJob(ctx.dir)
  const { o, runtimeS } = analyzeOptions(ctx.config, v)
  if (job.samples.length === 0) {
    throw new UserError({ file: 'vscsi-helper analyze', field: 'JOB', message: `job ${job.id} has no sample yet (${job.status}, 0/${job.profile.samples} samples)`,
      hint: job.status === 'running' || job.status === 'pending' ? `wait for the first sample (vscsi-helper status ${job.id})` : 'start a new job' })
  }
  const outDir = typeof v.out === 'string' ? resolve(ctx.cwd ?? process.cwd(), v.out) : join(ctx.dir, 'analysis')
  const samples = jobIntervalSamples(ctx.dir)
  const kept = filterSamples(samples, o).kept
  const profile = analyzeSamples(samples, o, job.profile.samples)
  if (job.samples.length < job.profile.samples) {
    ctx.err(`warning: partial job ${job.id} (${job.status}): ${job.samples.length} of ${job.profile.samples} samples collected; analyzing those`)
  }
  let fio: string | undefined
  try {
    fio = fioJob(profile, { runtimeS, name: job.name })
  } catch (e) {
    ctx.err(`warning: no fio job: ${(e as Error).message}`)
  }
  const files = writeAnalysis(outDir, samples, kept, profile, fio !== undefined ? { ...o, fio } : o)
  for (const w of profile.warnings) if (!w.startsWith('partial job')) ctx.err(`warning: ${w}`)
  const f = profileFigures(profile)
  ctx.out([
    `${job.id}: ${job.vm} on ${job.host}, ${profile.samples_kept} of ${profile.samples_total} intervals kept (${profile.filter.rule})`,
    `  IOPS      ${fmt(f.iops_total)} total, ${fmt(f.iops_read)} read, ${fmt(f.iops_write)} write`,
    `  MB/s      ${fmt(f.MB_s_total, 2)} total, ${fmt(f.MB_s_read, 2)} read, ${fmt(f.MB_s_write, 2)} write`,
    `  read      ${fmt(f.read_pct)} %   block ${fmt(f.mean_block_kib)} KiB mean (read ${fmt(f.read_block_kib)}, write ${fmt(f.write_block_kib)})`,
    `  sequential ${fmt(f.sequential_pct)} %   queue depth avg ${fmt(f.qd_avg)}, p95 ${fmt(f.qd_p95)}, p99 ${fmt(f.qd_p99)}`,
    `  latency   read p50 ${fmt(f.read_lat_p50_ms, 2)} / p99 ${fmt(f.read_lat_p99_ms, 2)} ms, write p50 ${fmt(f.write_lat_p50_ms, 2)} / p99 ${fmt(f.write_lat_p99_ms, 2)} ms`,
    `wrote ${files.length} files to ${outDir}: ${files.map((x) => x.slice(outDir.length + 1)).join(', ')}`,
  ].join('\n'))
  const gates = checkGates(f, ctx.config.vscsi.gates, ctx.source ?? 'configuration')
  if (gates.length) ctx.out(`gates:\n${formatGates(gates).replace(/^/gm, '  ')}`)
  return gates.every((g) => g.pass) ? 0 : 1
}
