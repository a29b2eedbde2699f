// The seismic viewer's volume session: what the window's keys do, on the server side. The volume
// is opened on the first `open` (mode A: the .zgy file; mode B: the chunked volume through the
// FAST cache, exactly as the headless reader opens them) and stays open until close(), so a
// sampler watching the process sees which path served it. Actions run one at a time, in the order
// they are asked for (a promise chain), whatever the page does.
//
// Data identity: every action reads through the headless workflows' own functions
// (../../fast/workflows.ts) and hashes the same storage bytes with the same SHA-256, so the
// viewer's hashes equal the headless reader's for the same parameters:
//   open       the open inline                      = reader `open` sha256 (and first_inline_sha256)
//   scrub      every inline drawn, in order, from the open inline on (open, then one per `next`)
//                                                   = reader `scrub-100` with scrub_count = inlines drawn
//   headless_scrub  the first params.scrub_count inlines drawn = reader `scrub-100` with the same params
//   attribute  the attribute's sub-volume          = reader `attribute`
//   horizon    the picks                            = reader `horizon`
//   export     the exported slice                   = reader `export`
//
// Every action is logged with its sequence number and monotonic times in ms since the viewer
// started (performance.now()): `t_ms` when its key reached the server, `start_ms`/`end_ms`
// around the work, `drawn_ms` when the page reported the result on screen.
import { createHash, type Hash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { appendMarker } from '../../run/markers.ts'
import { BlobSource, type BlobSourceOptions } from '../../fast/source-blob.ts'
import { NasSource } from '../../fast/source-nas.ts'
import { VolumeReader, type BrickSource } from '../../fast/volume-reader.ts'
import {
  attributeBox, attributeFigures, bytesOf, exportSlice, horizonFigures, openInline, sha256, trackHorizon, type WorkflowContext,
} from '../../fast/workflows.ts'
import type { ZgySamples } from '../../volume/zgy.ts'
import type { ViewerActionName } from './hotkeys.ts'
import type { KeylogEvent } from './keylog.ts'

export interface ViewerSessionOptions {
  mode: 'A' | 'B'
  /** Mode A: the .zgy file. */
  zgy?: string
  /** Mode B: the blob source's options (SAS inside the target, never logged). */
  blob?: Omit<BlobSourceOptions, 'concurrency'>
  cacheMb: number
  concurrency: number
  params: WorkflowContext['params']
  exportDir: string
  /** Comment written with every marker. */
  label: string
  /** markers.tsv to append to (optional). */
  markers?: string
}

/** What the page draws: `values` is width × height bytes, row-major, row 0 at the top. */
export interface Frame {
  seq: number
  action: ViewerActionName
  /** grey: a section (0–255 grey); heat: an attribute map; depth: horizon picks (0 = no pick); none: keep the view. */
  kind: 'grey' | 'heat' | 'depth' | 'none'
  width: number
  height: number
  inline?: number
  status: string
  values?: Uint8Array
}

export interface ViewerAction {
  seq: number
  action: ViewerActionName
  /** The key as the page saw it (KeyboardEvent.key), when the action came from a key. */
  key?: string
  repeat?: boolean
  /** ms since the viewer started: the key (or the run request) reached the server. */
  t_ms: number
  /** The page's clock at the keydown, as epoch ms (performance.timeOrigin + event.timeStamp). */
  page_epoch_ms?: number
  start_ms?: number
  end_ms?: number
  drawn_ms?: number
  inline?: number
  sha256?: string
  /** Why nothing was done (e.g. no volume open yet). */
  ignored?: string
  error?: string
}

export interface ViewerSummary {
  mode: 'A' | 'B'
  source: string
  pid: number
  title: string
  url: string
  label: string
  /** Epoch ms at which the viewer's clock (t_ms = 0) started. */
  started_epoch_ms: number
  /** Why the summary was written: quit (POST /quit), SIGTERM, SIGINT. */
  ended_by: string
  markers: { event: string; ts: string; ms: number }[]
  actions: ViewerAction[]
  sha256: { open: string | null; scrub: string | null; attribute: string | null; horizon: string | null; export: string | null }
  /** The inlines drawn, in order (the scrub hash's inputs). */
  scrub_inlines: number[]
  /** The first params.scrub_count inlines drawn: equal to the headless scrub-100's sha256 (null until that many). */
  headless_scrub: { scrub_count: number; sha256: string | null }
  figures: Partial<Record<'open' | 'attribute' | 'horizon' | 'export', Record<string, number | string>>>
  /** As ReaderSummary.reads: [ms since start (read end), bytes, latency ms, cache hit 1/0 (-1: no cache)]. */
  reads: [number, number, number, number][]
  brick_cache: { hits: number; misses: number }
  fast: { hits: number; misses: number; retries: number; throttled: number; timeouts: number } | null
  /** What the key-logging page received (GET /keylog/events). */
  keylog: KeylogEvent[]
}

function greyScale(reader: VolumeReader, data: ZgySamples): number {
  let max = 0
  for (let n = 0; n < data.length; n++) max = Math.max(max, Math.abs(reader.toFloat(data[n]!)))
  return max > 0 ? max : 1
}

export class ViewerSession {
  readonly options: ViewerSessionOptions
  readonly t0 = performance.now()
  readonly startedEpochMs = Date.now()
  readonly markers: ViewerSummary['markers'] = []
  readonly reads: ViewerSummary['reads'] = []
  readonly hashes: ViewerSummary['sha256'] = { open: null, scrub: null, attribute: null, horizon: null, export: null }
  readonly figures: ViewerSummary['figures'] = {}
  readonly scrubInlines: number[] = []
  readonly #actions = new Map<number, ViewerAction>()
  readonly #scrub: Hash = createHash('sha256')
  readonly #headless: Hash = createHash('sha256')
  #headlessSha: string | null = null
  #source: BrickSource | null = null
  #reader: VolumeReader | null = null
  #opening: Promise<VolumeReader> | null = null
  #current = 0
  #scale = 1
  #chain: Promise<unknown> = Promise.resolve()
  #autoSeq = 1_000_000_000
  #closed = false

  constructor(options: ViewerSessionOptions) {
    this.options = options
  }

  now(): number {
    return performance.now() - this.t0
  }

  get source(): string {
    const o = this.options
    return o.mode === 'A' ? (o.zgy ?? '') : `${o.blob?.target.containerUrl ?? ''}/${o.blob?.prefix ?? ''}`
  }

  get isOpen(): boolean {
    return this.#reader !== null
  }

  get shape(): VolumeReader['shape'] | null {
    return this.#reader?.shape ?? null
  }

  get currentInline(): number | null {
    return this.#reader ? this.#current : null
  }

  mark(event: string, comment = ''): void {
    const c = [this.options.label, comment].filter(Boolean).join(' ')
    const m = this.options.markers ? appendMarker(this.options.markers, event, c) : { ts: new Date().toISOString() }
    this.markers.push({ event, ts: m.ts, ms: this.now() })
  }

  #entry(seq: number, action: ViewerActionName): ViewerAction {
    let a = this.#actions.get(seq)
    if (!a) {
      a = { seq, action, t_ms: this.now() }
      this.#actions.set(seq, a)
    }
    return a
  }

  /** A key reached the server (logged at once, before its action runs). */
  key(seq: number, action: ViewerActionName, info: { key?: string; repeat?: boolean; page_epoch_ms?: number } = {}): ViewerAction {
    const a = this.#entry(seq, action)
    if (info.key !== undefined) a.key = info.key
    if (info.repeat) a.repeat = true
    if (typeof info.page_epoch_ms === 'number') a.page_epoch_ms = info.page_epoch_ms
    return a
  }

  /** The page drew the result of `seq`; the open's drawing is `first_pixel`. */
  drawn(seq: number): void {
    const a = this.#actions.get(seq)
    if (!a || a.drawn_ms !== undefined) return
    a.drawn_ms = this.now()
    if (a.action === 'open' && !this.markers.some((m) => m.event === 'first_pixel') && !a.error && !a.ignored) this.mark('first_pixel', `inline=${a.inline}`)
  }

  /** Runs one action after every earlier one; `seq` null numbers it here (API use without a page). */
  run(action: ViewerActionName, seq: number | null): Promise<Frame> {
    const s = seq ?? this.#autoSeq++
    const entry = this.#entry(s, action)
    const next = this.#chain.then(() => this.#run(entry))
    this.#chain = next.catch(() => undefined)
    return next
  }

  async #run(a: ViewerAction): Promise<Frame> {
    a.start_ms = this.now()
    const frame: Frame = { seq: a.seq, action: a.action, kind: 'none', width: 0, height: 0, status: '' }
    try {
      if (this.#closed) throw new Error('the viewer is closing')
      if (a.action !== 'open' && !this.#reader) {
        a.ignored = 'no volume open'
        frame.status = `${a.action}: no project open`
      } else if (a.action === 'open') await this.#open(a, frame)
      else if (a.action === 'next') await this.#inline(a, frame, (this.#current + 1) % this.#reader!.shape.size[0])
      else if (a.action === 'attribute') await this.#attribute(a, frame)
      else if (a.action === 'horizon') await this.#horizon(a, frame)
      else await this.#export(a, frame)
    } catch (e) {
      a.error = (e as Error).message
      frame.kind = 'none'
      frame.status = `${a.action}: error: ${a.error}`
      process.stderr.write(`benchgate viewer: ${a.action}: ${a.error}\n`)
    }
    a.end_ms = this.now()
    return frame
  }

  #ctx(reader: VolumeReader): WorkflowContext {
    return { reader, params: this.options.params, exportDir: this.options.exportDir, label: `${this.options.mode}-${process.pid}`, mark: () => undefined }
  }

  async #openSource(): Promise<VolumeReader> {
    const o = this.options
    let source: BrickSource
    if (o.mode === 'A') {
      const nas = await NasSource.open(o.zgy ?? '')
      nas.onRead = (r) => this.reads.push([this.now(), r.bytes, r.latencyMs, -1])
      source = nas
    } else {
      const blob = await BlobSource.open({ ...o.blob!, concurrency: o.concurrency })
      blob.onRead = (r) => this.reads.push([this.now(), r.bytes, r.latencyMs, r.hit ? 1 : 0])
      source = blob
    }
    this.#source = source
    return new VolumeReader(source, { cacheBytes: o.cacheMb * 1024 * 1024, concurrency: o.concurrency })
  }

  async #open(a: ViewerAction, frame: Frame): Promise<void> {
    const first = !this.#reader
    if (first) {
      this.mark('open_start')
      this.#opening ??= this.#openSource()
      try {
        this.#reader = await this.#opening
      } finally {
        this.#opening = null
      }
    }
    const reader = this.#reader!
    const inline = openInline(this.#ctx(reader))
    const data = await this.#inline(a, frame, inline, first)
    if (first) {
      this.hashes.open = sha256(data)
      this.figures.open = { inline }
    }
  }

  /** Reads, hashes and renders inline `i` (crossline across, samples down). */
  async #inline(a: ViewerAction, frame: Frame, i: number, setScale = false): Promise<ZgySamples> {
    const reader = this.#reader!
    const data = await reader.inline(i)
    if (setScale) this.#scale = greyScale(reader, data)
    this.#current = i
    this.scrubInlines.push(i)
    this.#scrub.update(bytesOf(data))
    const count = this.options.params.scrub_count
    if (this.scrubInlines.length <= count) this.#headless.update(bytesOf(data))
    if (this.scrubInlines.length === count) this.#headlessSha = this.#headless.copy().digest('hex')
    const [, crosslines, samples] = reader.shape.size
    const values = new Uint8Array(crosslines * samples)
    const scale = 127 / this.#scale
    for (let x = 0; x < crosslines; x++) {
      for (let s = 0; s < samples; s++) {
        const v = 128 + reader.toFloat(data[x * samples + s]!) * scale
        values[s * crosslines + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v)
      }
    }
    a.inline = i
    a.sha256 = sha256(data)
    Object.assign(frame, { kind: 'grey', width: crosslines, height: samples, inline: i, values, status: `${a.action}: inline ${i}` })
    return data
  }

  async #attribute(a: ViewerAction, frame: Frame): Promise<void> {
    const reader = this.#reader!
    this.mark('attr_start')
    const { lo, hi, box } = await attributeBox(this.#ctx(reader))
    const { sha256: hash, ...figures } = attributeFigures(reader, box)
    this.mark('attr_end')
    this.hashes.attribute = a.sha256 = hash
    this.figures.attribute = figures
    // the RMS map: one value per trace of the box, inline down, crossline across
    const ni = hi[0]! - lo[0]!, nj = hi[1]! - lo[1]!, nk = hi[2]! - lo[2]!
    const rms = new Float64Array(ni * nj)
    let max = 0
    for (let t = 0; t < ni * nj; t++) {
      let sum = 0
      for (let k = 0; k < nk; k++) {
        const v = reader.toFloat(box[t * nk + k]!)
        sum += v * v
      }
      rms[t] = Math.sqrt(sum / nk)
      max = Math.max(max, rms[t]!)
    }
    const values = new Uint8Array(ni * nj)
    for (let t = 0; t < values.length; t++) values[t] = max > 0 ? Math.round((rms[t]! / max) * 255) : 0
    Object.assign(frame, { kind: 'heat', width: nj, height: ni, values, status: `attribute: RMS ${Number(figures.rms).toPrecision(4)} over inlines ${lo[0]}–${hi[0]! - 1}` })
  }

  async #horizon(a: ViewerAction, frame: Frame): Promise<void> {
    const reader = this.#reader!
    this.mark('horizon_start')
    const track = await trackHorizon(this.#ctx(reader))
    const { sha256: hash, ...figures } = horizonFigures(track)
    this.mark('horizon_end')
    this.hashes.horizon = a.sha256 = hash
    this.figures.horizon = figures
    let lo = Infinity, hi = -Infinity
    for (const p of track.picks) if (p >= 0) (lo = Math.min(lo, p)), (hi = Math.max(hi, p))
    const values = new Uint8Array(track.picks.length)
    for (let t = 0; t < values.length; t++) {
      const p = track.picks[t]!
      values[t] = p < 0 ? 0 : 1 + Math.round(hi > lo ? ((p - lo) / (hi - lo)) * 254 : 127)
    }
    Object.assign(frame, { kind: 'depth', width: track.nj, height: track.ni, values, status: `horizon: ${track.picked} picks of ${track.ni * track.nj} traces` })
  }

  async #export(a: ViewerAction, frame: Frame): Promise<void> {
    const reader = this.#reader!
    mkdirSync(this.options.exportDir, { recursive: true })
    this.mark('export_start')
    const { sha256: hash, ...figures } = await exportSlice(this.#ctx(reader))
    this.mark('export_end')
    this.hashes.export = a.sha256 = hash
    this.figures.export = figures
    frame.status = `export: ${figures.file}`
  }

  summary(extra: { title: string; url: string; ended_by: string; keylog?: KeylogEvent[] }): ViewerSummary {
    const source = this.#source
    const fast = source instanceof BlobSource ? { hits: source.hits, misses: source.misses, ...source.client.stats } : null
    return {
      mode: this.options.mode,
      source: this.source,
      pid: process.pid,
      title: extra.title,
      url: extra.url,
      label: this.options.label,
      started_epoch_ms: this.startedEpochMs,
      ended_by: extra.ended_by,
      markers: this.markers,
      actions: [...this.#actions.values()].sort((x, y) => x.seq - y.seq),
      sha256: { ...this.hashes, scrub: this.scrubInlines.length ? this.#scrub.copy().digest('hex') : null },
      scrub_inlines: this.scrubInlines,
      headless_scrub: { scrub_count: this.options.params.scrub_count, sha256: this.#headlessSha },
      figures: this.figures,
      reads: this.reads,
      brick_cache: { hits: this.#reader?.cache.hits ?? 0, misses: this.#reader?.cache.misses ?? 0 },
      fast: fast && { hits: fast.hits, misses: fast.misses, retries: fast.retries, throttled: fast.throttled, timeouts: fast.timeouts },
      keylog: [...(extra.keylog ?? [])].sort((a, b) => a.seq - b.seq),
    }
  }

  /** Waits for the running action, then closes the volume's files. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#chain
    if (this.#opening) await this.#opening.catch(() => undefined)
    const reader = this.#reader // kept: the summary reads its cache's counts
    if (reader) await reader.close()
    else if (this.#source) await this.#source.close()
  }
}
