// `benchgate reader`: the headless reference reader, a separate process like Petrel. It opens
// the volume in mode A (the .zgy file on the NAS share) or mode B (the chunked volume in Azure
// Blob, through the FAST cache), runs one workflow, writes markers and a JSON summary, and keeps
// its files open for --hold-ms more so a sampler watching it sees which path served it.
//
// The SAS for mode B is read from the BENCHGATE_SAS environment variable (the query part of a
// container SAS URL), never from the command line, where any user's `ps` would show it.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { UserError } from '../errors.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import { appendMarker } from '../run/markers.ts'
import { BlobSource } from './source-blob.ts'
import { NasSource } from './source-nas.ts'
import { VolumeReader, type BrickSource } from './volume-reader.ts'
import { isWorkflow, runWorkflow, WORKFLOWS, WORKFLOW_SPANS, type WorkflowContext, type WorkflowName, type WorkflowResult } from './workflows.ts'

export const SAS_ENV = 'BENCHGATE_SAS'

/** The flags that say where the volume is, shared by the reader and the seismic viewer. */
export const VOLUME_FLAGS_USAGE = `  --zgy PATH            mode A: the volume file
  --container-url URL   mode B: the container (no SAS; the SAS comes from $${SAS_ENV})
  --prefix P            mode B: blob prefix of the volume (the folder holding VolumeDataLayout)
  --cache-dir DIR       mode B: FAST cache directory
  --mount-root DIR      mode B: where the virtual .vzgy file is held open (default: <cache-dir>/mount)
  --fast-log FILE       mode B: FAST log receiving one line per chunk request`

export const READER_USAGE = `usage: benchgate reader --mode A|B --workflow NAME [options]

  --mode A|B            A: the .zgy file on the NAS share; B: the chunked volume in Azure Blob via the FAST cache
  --workflow NAME       ${WORKFLOWS.join(', ')}
${VOLUME_FLAGS_USAGE}
  --params JSON         workflow parameters: {"scrub_count":100,"scrub_delay_ms":40,"open":{…},"attribute":{…},…}
  --markers FILE        markers.tsv to append to
  --out FILE            JSON summary (spans, checksums, per-read records)
  --export-dir DIR      where the export workflow writes (default: the --out file's folder)
  --label TEXT          comment written with every marker (e.g. mode=B cache=Cold round=3)
  --cache-mb N          in-memory brick cache (default 64)
  --concurrency N       bricks/chunks fetched at once (default 8)
  --timeout-ms N        per-request timeout, mode B (default 30000)
  --retries N           retries per request on 429/500/503/timeouts, mode B (default 5)
  --hold-ms N           keep the volume open this long after session_end (default 0)`

export interface ReaderSummary {
  mode: 'A' | 'B'
  workflow: WorkflowName
  label: string
  pid: number
  source: string
  markers: { event: string; ts: string; ms: number }[]
  /** Seconds: open_time_s and the workflow's own KPI span. */
  spans: Record<string, number>
  first_inline_sha256: string
  sha256: string
  figures: WorkflowResult['figures']
  /** One record per brick read from storage: [ms since the reader started (read end), bytes, latency ms, cache hit 1/0 (-1: no cache)]. */
  reads: [number, number, number, number][]
  brick_cache: { hits: number; misses: number }
  fast: { hits: number; misses: number; retries: number; throttled: number; timeouts: number } | null
}

function flagError(flag: string, message: string, expected: string): UserError {
  return new UserError({ file: 'benchgate reader', field: `--${flag}`, message, expected, hint: 'benchgate reader --help' })
}

function int(values: Record<string, string | undefined>, flag: string, fallback: number, min: number): number {
  const raw = values[flag]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw flagError(flag, `invalid value ${JSON.stringify(raw)}`, `an integer ≥ ${min}`)
  return n
}

function need(values: Record<string, string | undefined>, flag: string, why: string): string {
  const v = values[flag]
  if (typeof v !== 'string' || v === '') throw flagError(flag, 'missing', why)
  return v
}

const FLAGS = Object.fromEntries(
  ['mode', 'workflow', 'zgy', 'container-url', 'prefix', 'cache-dir', 'mount-root', 'fast-log', 'params', 'markers', 'out', 'export-dir', 'label', 'cache-mb', 'concurrency', 'timeout-ms', 'retries', 'hold-ms']
    .map((name): [string, { type: 'string' | 'boolean' }] => [name, { type: 'string' }])
    .concat([['help', { type: 'boolean' }]]),
)

export async function readerCommand(argv: string[]): Promise<number> {
  const values: Record<string, string | undefined> = {}
  let help = false
  try {
    for (const [k, v] of Object.entries(parseArgs({ args: argv, strict: true, options: FLAGS }).values)) {
      if (k === 'help') help = v === true
      else if (typeof v === 'string') values[k] = v
    }
  } catch (e) {
    const message = (e as Error).message.split('\n')[0] ?? 'bad arguments'
    throw new UserError({ file: 'benchgate reader', message, expected: 'the flags benchgate reader --help lists' })
  }
  if (help) {
    console.log(READER_USAGE)
    return 0
  }
  const mode = values.mode
  if (mode !== 'A' && mode !== 'B') throw flagError('mode', `invalid value ${JSON.stringify(mode ?? '')}`, 'A (NAS .zgy) or B (Azure Blob via FAST)')
  const workflow = need(values, 'workflow', WORKFLOWS.join(', '))
  if (!isWorkflow(workflow)) throw flagError('workflow', `unknown workflow ${JSON.stringify(workflow)}`, `one of ${WORKFLOWS.join(', ')}`)
  const out = need(values, 'out', 'the JSON summary file')
  let params: Partial<WorkflowContext['params']> = {}
  if (values.params) {
    try {
      params = JSON.parse(String(values.params)) as WorkflowContext['params']
    } catch (e) {
      throw flagError('params', `not JSON (${(e as Error).message})`, 'a JSON object of workflow parameters')
    }
  }
  const label = values.label ?? `mode=${mode} workflow=${workflow}`
  const t0 = performance.now()
  const markers: ReaderSummary['markers'] = []
  const mark = (event: string, comment = ''): void => {
    const ms = performance.now() - t0
    const c = [label, comment].filter(Boolean).join(' ')
    const m = values.markers ? appendMarker(values.markers, event, c) : { ts: new Date().toISOString() }
    markers.push({ event, ts: m.ts, ms })
  }
  const reads: ReaderSummary['reads'] = []
  const concurrency = int(values, 'concurrency', 8, 1)
  mark('open_start')
  let source: BrickSource
  let describe: string
  if (mode === 'A') {
    const zgy = need(values, 'zgy', 'the .zgy file on the NAS share')
    const nas = await NasSource.open(zgy)
    nas.onRead = (r) => reads.push([performance.now() - t0, r.bytes, r.latencyMs, -1])
    source = nas
    describe = zgy
  } else {
    const containerUrl = need(values, 'container-url', 'the container URL (the SAS comes from $' + SAS_ENV + ')')
    const cacheDir = need(values, 'cache-dir', 'the FAST cache directory')
    const blob = await BlobSource.open({
      target: { containerUrl, sas: (process.env[SAS_ENV] ?? '').replace(/^\?/, '') },
      prefix: values.prefix ?? '',
      cacheDir,
      mountRoot: values['mount-root'] ?? `${cacheDir}/mount`,
      fastLog: values['fast-log'],
      concurrency,
      timeoutMs: int(values, 'timeout-ms', 30_000, 1),
      retries: int(values, 'retries', 5, 0),
    })
    blob.onRead = (r) => reads.push([performance.now() - t0, r.bytes, r.latencyMs, r.hit ? 1 : 0])
    source = blob
    describe = `${containerUrl}/${values.prefix ?? ''}`
  }
  const reader = new VolumeReader(source, { cacheBytes: int(values, 'cache-mb', 64, 0) * 1024 * 1024, concurrency })
  try {
    const result = await runWorkflow(workflow, {
      reader,
      mark,
      exportDir: values['export-dir'] ?? dirname(out),
      label: `${mode}-${process.pid}`,
      params: { scrub_count: 100, scrub_delay_ms: 40, ...params },
    })
    mark('session_end')
    const span = (from: string, to: string): number => {
      const a = markers.find((m) => m.event === from)
      const b = markers.find((m) => m.event === to)
      return a && b ? (b.ms - a.ms) / 1000 : NaN
    }
    const spans: Record<string, number> = { open_time_s: span('open_start', 'first_pixel') }
    const s = WORKFLOW_SPANS[workflow]
    spans[s.kpi] = span(s.start, s.end)
    const fast = source instanceof BlobSource ? { hits: source.hits, misses: source.misses, ...source.client.stats } : null
    const summary: ReaderSummary = {
      mode, workflow, label, pid: process.pid, source: describe, markers, spans,
      first_inline_sha256: result.first_inline_sha256, sha256: result.sha256, figures: result.figures,
      reads, brick_cache: { hits: reader.cache.hits, misses: reader.cache.misses },
      fast: fast && { hits: fast.hits, misses: fast.misses, retries: fast.retries, throttled: fast.throttled, timeouts: fast.timeouts },
    }
    mkdirSync(dirname(out), { recursive: true })
    writeFileAtomic(out, JSON.stringify(summary) + '\n')
    const hold = int(values, 'hold-ms', 0, 0)
    if (hold > 0) await sleep(hold)
  } finally {
    await reader.close()
  }
  return 0
}
