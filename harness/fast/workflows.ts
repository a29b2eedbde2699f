// The interpretation workflows the reference reader runs, each reproducing the I/O pattern of
// the Petrel workflow of the same name. Every workflow starts by opening the volume and drawing
// its first inline (`open_start` … `first_pixel`), then runs between its own start and end
// markers. Parameters come from the config (`workflows.<name>`), with the defaults below:
//
//   open        inline            the inline drawn first (default: the middle one)
//   scrub-100   count, delay_ms   consecutive inlines from the open inline (workflows.scrub_count,
//                                 default 100) with a pause between them (workflows.scrub_delay_ms, 40)
//   attribute   inline_from … sample_to   sub-volume [from, to) read whole; RMS amplitude computed
//                                 (default: a central box of up to 128 samples per side)
//   horizon     seed_inline, seed_crossline, seed_sample, window, radius, min_ratio
//                                 autotracks the peak nearest the seed, trace by trace, across a square
//                                 of ±radius traces (default 48) around the seed, searching ±window
//                                 samples (default 4) around the neighbour's pick; a trace whose peak
//                                 is below min_ratio (default 0.3) of the seed's amplitude stops the
//                                 track there
//   export      slice ('inline' | 'crossline' | 'time'), index   one slice written to a file as
//                                 float32 little-endian with a JSON sidecar (default: the middle time slice)
//
// Each workflow returns a SHA-256 over the storage bytes it read (and a few figures), so runs of
// the same workflow in two modes can be checked for identical data.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { UserError } from '../errors.ts'
import type { ZgySamples } from '../volume/zgy.ts'
import type { VolumeReader } from './volume-reader.ts'

export const WORKFLOWS = ['open', 'scrub-100', 'attribute', 'horizon', 'export'] as const
export type WorkflowName = (typeof WORKFLOWS)[number]

/** The markers around each workflow and the KPI their span is reported as. */
export const WORKFLOW_SPANS: Record<WorkflowName, { start: string; end: string; kpi: string }> = {
  open: { start: 'open_start', end: 'first_pixel', kpi: 'open_time_s' },
  'scrub-100': { start: 'scrub_start', end: 'scrub_end', kpi: 'scrub_time_s' },
  attribute: { start: 'attr_start', end: 'attr_end', kpi: 'attr_time_s' },
  horizon: { start: 'horizon_start', end: 'horizon_end', kpi: 'horizon_time_s' },
  export: { start: 'export_start', end: 'export_end', kpi: 'export_time_s' },
}

export function isWorkflow(name: string): name is WorkflowName {
  return (WORKFLOWS as readonly string[]).includes(name)
}

export type Params = Record<string, string | number | boolean>

export interface WorkflowContext {
  reader: VolumeReader
  mark: (event: string, comment?: string) => void
  /** Directory the export workflow writes into. */
  exportDir: string
  /** Label used in exported file names (e.g. the mode). */
  label: string
  /** Parameters per workflow, as the config gives them. */
  params: { open?: Params; attribute?: Params; horizon?: Params; export?: Params; scrub_count: number; scrub_delay_ms: number }
}

export interface WorkflowResult {
  /** SHA-256 (hex) of the first inline drawn. */
  first_inline_sha256: string
  /** SHA-256 (hex) of the storage bytes the workflow itself read (or computed). */
  sha256: string
  /** Workflow figures: RMS amplitude, picks, exported file, … */
  figures: Record<string, number | string>
}

/** The storage bytes of samples, as every workflow hashes them. */
export function bytesOf(a: ZgySamples): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

/** SHA-256 (hex) over the storage bytes of `parts`, in order. */
export function sha256(...parts: ZgySamples[]): string {
  const h = createHash('sha256')
  for (const p of parts) h.update(bytesOf(p))
  return h.digest('hex')
}

/** One integer parameter: present and whole within [min, max], else a UserError naming it. */
function intParam(params: Params | undefined, workflow: string, name: string, fallback: number, min: number, max: number): number {
  const v = params?.[name] ?? fallback
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new UserError({ file: 'config', field: `workflows.${workflow}.${name}`, message: `invalid value ${JSON.stringify(v)}`, expected: `an integer from ${min} to ${max}` })
  }
  return v
}

function checkKnown(params: Params | undefined, workflow: string, known: readonly string[]): void {
  for (const name of Object.keys(params ?? {})) {
    if (!known.includes(name)) {
      throw new UserError({ file: 'config', field: `workflows.${workflow}.${name}`, message: 'unknown parameter', expected: `one of ${known.join(', ')}` })
    }
  }
}

/** The inline the open draws first: `open.inline`, else the middle one. */
export function openInline(ctx: Pick<WorkflowContext, 'reader' | 'params'>): number {
  const { size } = ctx.reader.shape
  checkKnown(ctx.params.open, 'open', ['inline'])
  return intParam(ctx.params.open, 'open', 'inline', Math.floor(size[0] / 2), 0, size[0] - 1)
}

/** Opens the volume: the first inline is drawn (`first_pixel`). Returns the inline's index and hash. */
async function openVolume(ctx: WorkflowContext): Promise<{ inline: number; sha256: string }> {
  const inline = openInline(ctx)
  const data = await ctx.reader.inline(inline)
  ctx.mark('first_pixel', `inline=${inline}`)
  return { inline, sha256: sha256(data) }
}

async function scrub(ctx: WorkflowContext, from: number): Promise<WorkflowResult['figures'] & { sha256: string }> {
  const { size } = ctx.reader.shape
  const h = createHash('sha256')
  const count = ctx.params.scrub_count
  for (let s = 0; s < count; s++) {
    if (s > 0 && ctx.params.scrub_delay_ms > 0) await sleep(ctx.params.scrub_delay_ms)
    h.update(bytesOf(await ctx.reader.inline((from + s) % size[0])))
  }
  return { sha256: h.digest('hex'), inlines: count, first: from % size[0] }
}

/** The attribute's sub-volume [lo, hi), read whole (sample fastest, then crossline, then inline). */
export async function attributeBox(ctx: Pick<WorkflowContext, 'reader' | 'params'>): Promise<{ lo: number[]; hi: number[]; box: ZgySamples }> {
  const p = ctx.params.attribute
  const names = ['inline_from', 'inline_to', 'crossline_from', 'crossline_to', 'sample_from', 'sample_to'] as const
  checkKnown(p, 'attribute', names)
  const { size } = ctx.reader.shape
  const lo: number[] = []
  const hi: number[] = []
  for (let d = 0; d < 3; d++) {
    const side = Math.min(128, size[d]!)
    const from = intParam(p, 'attribute', names[2 * d]!, Math.floor((size[d]! - side) / 2), 0, size[d]! - 1)
    lo.push(from)
    hi.push(intParam(p, 'attribute', names[2 * d + 1]!, from + side, from + 1, size[d]!))
  }
  return { lo, hi, box: await ctx.reader.box([lo[0]!, lo[1]!, lo[2]!], [hi[0]!, hi[1]!, hi[2]!]) }
}

/** The attribute's result over its sub-volume: RMS amplitude and the hash of the bytes read. */
export function attributeFigures(reader: VolumeReader, box: ZgySamples): WorkflowResult['figures'] & { sha256: string } {
  let sum = 0
  for (let n = 0; n < box.length; n++) {
    const v = reader.toFloat(box[n]!)
    sum += v * v
  }
  return { sha256: sha256(box), rms: Math.sqrt(sum / box.length), samples: box.length }
}

async function attribute(ctx: WorkflowContext): Promise<WorkflowResult['figures'] & { sha256: string }> {
  return attributeFigures(ctx.reader, (await attributeBox(ctx)).box)
}

/** Index of the largest value of `trace` within [centre − w, centre + w]. */
function peakNear(trace: ZgySamples, centre: number, w: number): number {
  let best = Math.max(0, centre - w)
  for (let k = best + 1; k <= Math.min(trace.length - 1, centre + w); k++) if (trace[k]! > trace[best]!) best = k
  return best
}

/** A tracked horizon: picks over traces [i0, i0 + ni) × [j0, j0 + nj), `picks[(i − i0) * nj + (j − j0)]`. */
export interface HorizonTrack {
  /** Sample index of the pick; -1 never reached, -2 tried but the reflector fades out there. */
  picks: Int32Array
  i0: number
  j0: number
  ni: number
  nj: number
  picked: number
  depthSum: number
}

/** Autotracks the horizon from its seed (the parameters in the header comment). */
export async function trackHorizon(ctx: Pick<WorkflowContext, 'reader' | 'params'>): Promise<HorizonTrack> {
  const p = ctx.params.horizon
  checkKnown(p, 'horizon', ['seed_inline', 'seed_crossline', 'seed_sample', 'window', 'radius', 'min_ratio'])
  const { size } = ctx.reader.shape
  const si = intParam(p, 'horizon', 'seed_inline', Math.floor(size[0] / 2), 0, size[0] - 1)
  const sj = intParam(p, 'horizon', 'seed_crossline', Math.floor(size[1] / 2), 0, size[1] - 1)
  const sk = intParam(p, 'horizon', 'seed_sample', Math.floor(size[2] / 2), 0, size[2] - 1)
  const w = intParam(p, 'horizon', 'window', 4, 1, 64)
  const radius = intParam(p, 'horizon', 'radius', 48, 1, 4096)
  const minRatio = p?.min_ratio ?? 0.3
  if (typeof minRatio !== 'number' || !(minRatio >= 0 && minRatio <= 1)) {
    throw new UserError({ file: 'config', field: 'workflows.horizon.min_ratio', message: `invalid value ${JSON.stringify(minRatio)}`, expected: 'a number from 0 to 1' })
  }
  const i0 = Math.max(0, si - radius), i1 = Math.min(size[0] - 1, si + radius)
  const j0 = Math.max(0, sj - radius), j1 = Math.min(size[1] - 1, sj + radius)
  const ni = i1 - i0 + 1, nj = j1 - j0 + 1
  const picks = new Int32Array(ni * nj).fill(-1)
  const seedTrace = await ctx.reader.trace(si, sj)
  const seedPick = peakNear(seedTrace, sk, w)
  const floor = Math.abs(ctx.reader.toFloat(seedTrace[seedPick]!)) * minRatio
  picks[(si - i0) * nj + (sj - j0)] = seedPick
  const queue: [number, number][] = [[si, sj]]
  let picked = 1
  let depthSum = seedPick
  while (queue.length) {
    const [i, j] = queue.shift()!
    const from = picks[(i - i0) * nj + (j - j0)]!
    for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
      const a = i + di, b = j + dj
      if (a < i0 || a > i1 || b < j0 || b > j1 || picks[(a - i0) * nj + (b - j0)] !== -1) continue
      const trace = await ctx.reader.trace(a, b)
      const k = peakNear(trace, from, w)
      if (ctx.reader.toFloat(trace[k]!) < floor) {
        picks[(a - i0) * nj + (b - j0)] = -2 // tried: the reflector fades out here
        continue
      }
      picks[(a - i0) * nj + (b - j0)] = k
      picked++
      depthSum += k
      queue.push([a, b])
    }
  }
  return { picks, i0, j0, ni, nj, picked, depthSum }
}

/** The horizon's figures and the hash of its picks. */
export function horizonFigures(t: HorizonTrack): WorkflowResult['figures'] & { sha256: string } {
  return { sha256: sha256(t.picks), picks: t.picked, traces: t.ni * t.nj, mean_pick: t.depthSum / t.picked }
}

async function horizon(ctx: WorkflowContext): Promise<WorkflowResult['figures'] & { sha256: string }> {
  return horizonFigures(await trackHorizon(ctx))
}

/** Writes one slice (`export.slice`, `export.index`) into ctx.exportDir as float32 with a JSON sidecar. */
export async function exportSlice(ctx: Pick<WorkflowContext, 'reader' | 'params' | 'exportDir' | 'label'>): Promise<WorkflowResult['figures'] & { sha256: string }> {
  const p = ctx.params.export
  checkKnown(p, 'export', ['slice', 'index'])
  const { size } = ctx.reader.shape
  const slice = p?.slice ?? 'time'
  const axis = ['inline', 'crossline', 'time'].indexOf(String(slice))
  if (axis < 0) throw new UserError({ file: 'config', field: 'workflows.export.slice', message: `invalid value ${JSON.stringify(slice)}`, expected: "'inline', 'crossline' or 'time'" })
  const index = intParam(p, 'export', 'index', Math.floor(size[axis]! / 2), 0, size[axis]! - 1)
  const data = axis === 0 ? await ctx.reader.inline(index) : axis === 1 ? await ctx.reader.crossline(index) : await ctx.reader.timeSlice(index)
  const floats = new Float32Array(data.length)
  for (let n = 0; n < data.length; n++) floats[n] = ctx.reader.toFloat(data[n]!)
  mkdirSync(ctx.exportDir, { recursive: true })
  const base = join(ctx.exportDir, `export-${ctx.label}-${slice}-${index}`)
  writeFileSync(`${base}.f32`, new Uint8Array(floats.buffer))
  const dims = axis === 0 ? [size[1], size[2]] : axis === 1 ? [size[0], size[2]] : [size[0], size[1]]
  writeFileSync(`${base}.json`, JSON.stringify({ slice, index, dims, format: 'float32 little-endian, row-major' }) + '\n')
  return { sha256: sha256(data), file: `${base}.f32`, values: floats.length }
}

/**
 * Draws the first inline, runs `workflow` between its markers, and returns what it read. The
 * caller marks `open_start` before it opens the source, so the open span includes reading the
 * header (mode A) or the layout object (mode B), as in Petrel.
 */
export async function runWorkflow(workflow: WorkflowName, ctx: WorkflowContext): Promise<WorkflowResult> {
  const opened = await openVolume(ctx)
  const span = WORKFLOW_SPANS[workflow]
  if (workflow === 'open') {
    ctx.mark('open_end')
    return { first_inline_sha256: opened.sha256, sha256: opened.sha256, figures: { inline: opened.inline } }
  }
  ctx.mark(span.start)
  const { sha256: hash, ...figures } =
    workflow === 'scrub-100' ? await scrub(ctx, opened.inline)
      : workflow === 'attribute' ? await attribute(ctx)
        : workflow === 'horizon' ? await horizon(ctx)
          : await exportSlice(ctx)
  ctx.mark(span.end)
  return { first_inline_sha256: opened.sha256, sha256: hash, figures }
}
