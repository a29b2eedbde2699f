// One probe run: the machine's facts, then every NAS share, then every Azure Blob target, each
// bounded by probe.timeout_s and each failure kept to its own target (one line naming the target
// and the cause; the rest goes on). Writes baseline.json, baseline_summary.txt and charts into
// `outDir` (./output.ts) and returns the record and its KPIs (./kpis.ts).
//
// Targets: the shares of `nas.shares` (else the embedded directory <volume.data_dir>/nas, the
// same one fast-ab's mode A reads); the blob targets of ./blob-targets.ts (else an embedded
// Azurite with a test blob uploaded for the run and stopped afterwards).
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Config } from '../config/schema.ts'
import { secretValues } from '../config/redact.ts'
import type { Kpi } from '../results.ts'
import { startEmbeddedBlob, type EmbeddedBlob } from './azurite-blob.ts'
import { blobSteps, probeBlobTarget, type BlobOptions } from './blob.ts'
import { configuredBlobSpecs, defaultBlobName, type BlobSpec } from './blob-targets.ts'
import { blobCdfSeries, latencyCdfChart, throughputChart, type CdfSeries, type NamedChart } from './charts.ts'
import { probeKpis } from './kpis.ts'
import { machineFacts } from './machine.ts'
import { nasSteps, probeShare, shareHost, type NasOptions, type ShareSpec } from './nas.ts'
import { writeProbeOutputs } from './output.ts'
import { Progress, stderrSink, type LogSink } from './progress.ts'
import { PROBE_FORMAT, type BlobTargetResult, type NasShare, type ProbeBaseline } from './schema.ts'
import { Scrubber } from './scrub.ts'
import { mibToBytes } from './stats.ts'

export interface ProbeOptions {
  /** Directory receiving baseline.json, baseline_summary.txt and charts/. */
  outDir: string
  /** More container or blob SAS URLs (the CLI's --sas-url). */
  sasUrls?: readonly string[]
  /** Overrides probe.create. */
  create?: boolean
  /** Parts to run (default all three). */
  parts?: { machine?: boolean; nas?: boolean; blob?: boolean }
  /** Progress and failure lines (default stderr); scrubbed of secrets first. */
  sink?: LogSink
  /** Environment for external tools (ping, azcopy): PATH decides whether they are found. */
  env?: NodeJS.ProcessEnv
}

export interface ProbeRun {
  baseline: ProbeBaseline
  kpis: Kpi[]
  /** Paths written, baseline.json first. */
  files: string[]
  charts: NamedChart[]
}

/** The shares to probe: nas.shares, else the embedded directory. */
export function shareSpecs(config: Config): ShareSpec[] {
  const shares = config.nas.shares
  if (!shares?.length) {
    return [{ name: 'embedded', path: resolve(config.volume.data_dir, 'nas'), host: null, embedded: true }]
  }
  return shares.map((path, i) => {
    const base = path.split(/[\\/]/).filter(Boolean).pop() ?? `share-${i + 1}`
    return { name: shares.length > 1 ? `${base}-${i + 1}` : base, path, host: config.nas.host ?? shareHost(path), embedded: false }
  })
}

/** Runs the probe; throws only when its own record cannot be written. */
export async function runProbe(config: Config, o: ProbeOptions): Promise<ProbeRun> {
  const p = config.probe
  const parts = { machine: true, nas: true, blob: true, ...o.parts }
  const create = o.create ?? p.create
  const started = new Date()
  const scrubber = new Scrubber()
  for (const v of secretValues(config)) scrubber.addValue(v)
  const sink = o.sink ?? stderrSink
  const safeSink: LogSink = (line) => sink(scrubber.scrub(line))

  // targets first, so the progress count is known and every SAS is in the scrubber before any line
  const shares = parts.nas ? shareSpecs(config) : []
  let specs: BlobSpec[] = []
  const failures: ProbeBaseline['failures'] = []
  if (parts.blob) {
    try {
      specs = configuredBlobSpecs({ ...config, probe: { ...p, create } }, o.sasUrls ?? [])
    } catch (e) {
      failures.push({ target: 'blob', cause: (e as Error).message })
    }
  }
  for (const s of specs) scrubber.addTarget(s.target)

  const nasOptions: NasOptions = {
    fileSizeMib: p.file_size_mib,
    fileName: p.file ?? `benchgate-probe-${p.file_size_mib}MiB.bin`,
    chunkMib: p.nas_chunk_mib,
    streams: p.nas_streams,
    create,
    dropOsCache: config.cache.drop_os_cache,
    rttCount: p.rtt_count,
    smbPort: p.smb_port,
    requestTimeoutMs: p.request_timeout_s * 1000,
    timeoutMs: p.timeout_s * 1000,
  }
  const blobOptions: BlobOptions = {
    chunkSizesMib: p.chunk_sizes_mib,
    streams: p.streams,
    passes: p.passes,
    requestTimeoutMs: p.request_timeout_s * 1000,
    retries: p.retries,
    blobSizeMib: p.blob_size_mib,
    rttCount: p.rtt_count,
    timeoutMs: p.timeout_s * 1000,
    azcopy: p.azcopy,
    env: o.env,
  }
  const embeddedBlob = parts.blob && specs.length === 0 && failures.length === 0
  const blobCount = embeddedBlob ? 1 : specs.length
  const total = (parts.machine ? 1 : 0) + shares.length * nasSteps(nasOptions) + blobCount * blobSteps(embeddedBlob ? { ...blobOptions, azcopy: false } : blobOptions)
  const progress = new Progress(total, safeSink)

  let machine: ProbeBaseline['machine'] = { skipped: 'not requested (--no-machine)' }
  if (parts.machine) {
    machine = await machineFacts()
    progress.step(`machine: ${machine.cpu.model}, ${machine.cpu.cores} cores, ${machine.ram_gb} GiB RAM${machine.errors.length ? ` (${machine.errors.length} facts unreadable)` : ''}`)
  }

  const cdf: CdfSeries[] = []
  const nas: NasShare[] = []
  for (const spec of shares) {
    if (spec.embedded) mkdirSync(spec.path, { recursive: true })
    const { result, latencies } = await probeShare(spec, nasOptions, progress)
    nas.push(result)
    if (result.error) {
      failures.push({ target: `nas ${spec.name} (${spec.path})`, cause: result.error })
      progress.note(`FAILED nas ${spec.name} (${spec.path}): ${result.error}`)
    }
    const n = p.nas_streams
    cdf.push(...latencies.filter((l) => l.label.endsWith(n > 1 ? `${n} streams` : '1 stream')).map((l) => ({ label: l.label.replace(/^nas /, 'NAS '), samples: l.samples })))
  }

  const blob: BlobTargetResult[] = []
  let embedded: EmbeddedBlob | undefined
  try {
    if (embeddedBlob) {
      const name = p.blob ?? defaultBlobName(p.blob_size_mib)
      try {
        embedded = await startEmbeddedBlob(name, mibToBytes(p.blob_size_mib))
        const secrets = embedded.secrets()
        secrets.targets.forEach((t) => scrubber.addTarget(t))
        secrets.values.forEach((v) => scrubber.addValue(v))
        progress.note(`blob azurite: embedded Azurite with a ${p.blob_size_mib} MiB test blob (no Azure Blob target configured)`)
        specs = [{ name: 'azurite', source: 'azurite', target: embedded.target, blob: name, namedByUrl: false, create: false }]
      } catch (e) {
        failures.push({ target: 'blob azurite', cause: `could not start the embedded Azurite: ${(e as Error).message}` })
      }
    }
    for (const spec of specs) {
      // azcopy against the embedded Azurite would measure nothing of the real path
      const options = spec.source === 'azurite' ? { ...blobOptions, azcopy: false } : blobOptions
      const { result, latencies } = await probeBlobTarget(spec, options, progress)
      if (spec.source === 'azurite' && p.azcopy) result.azcopy = { skipped: 'not run against the embedded Azurite (it cross-checks real accounts)' }
      blob.push(result)
      if (result.error) {
        failures.push({ target: `blob ${spec.name} (${result.container})`, cause: result.error })
        progress.note(`FAILED blob ${spec.name} (${result.container}): ${result.error}`)
      }
      cdf.unshift(...blobCdfSeries(result, latencies))
    }
  } finally {
    await embedded?.stop()
  }

  const ended = new Date()
  const baseline: ProbeBaseline = {
    format: PROBE_FORMAT,
    started: started.toISOString(),
    ended: ended.toISOString(),
    duration_s: Math.round((ended.getTime() - started.getTime()) / 100) / 10,
    settings: {
      chunk_sizes_mib: [...p.chunk_sizes_mib],
      streams: [...p.streams],
      passes: p.passes,
      blob_size_mib: p.blob_size_mib,
      file_size_mib: p.file_size_mib,
      nas_streams: p.nas_streams,
      nas_chunk_mib: p.nas_chunk_mib,
      rtt_count: p.rtt_count,
      request_timeout_s: p.request_timeout_s,
      retries: p.retries,
      timeout_s: p.timeout_s,
      drop_os_cache: config.cache.drop_os_cache,
    },
    machine,
    nas,
    blob,
    failures,
  }
  const charts = [...blob.map(throughputChart), latencyCdfChart(cdf)].filter((c): c is NamedChart => c !== null)
  mkdirSync(o.outDir, { recursive: true })
  const files = writeProbeOutputs(o.outDir, baseline, charts, scrubber)
  return { baseline, kpis: probeKpis(baseline), files, charts }
}
