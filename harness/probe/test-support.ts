// Helpers for the harness/probe tests: a small probe configuration, a line sink, a synthetic
// baseline record that satisfies the schema, and the search of a run's output for secrets.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { signatureValues } from '../config/sas.ts'
import { ConfigSchema, type Config, type ConfigInput } from '../config/schema.ts'
import type { LogSink } from './progress.ts'
import { PROBE_FORMAT, type LatencySummary, type ProbeBaseline, type SweepPoint } from './schema.ts'
import { MIB } from './stats.ts'

type ProbeInput = NonNullable<ConfigInput['probe']>

/**
 * A configuration with small probe settings, the embedded NAS directory under `dataDir`, no OS
 * cache dropping and no azcopy (so a machine with azcopy installed runs the same tests).
 */
export function probeConfig(dataDir: string, probe: ProbeInput = {}, rest: Omit<ConfigInput, 'probe'> = {}): Config {
  return ConfigSchema.parse({
    ...rest,
    volume: { data_dir: dataDir, ...rest.volume },
    cache: { drop_os_cache: false, ...rest.cache },
    probe: { blob_size_mib: 2, chunk_sizes_mib: [1], streams: [2], passes: 1, file_size_mib: 2, rtt_count: 2, azcopy: false, ...probe },
  })
}

/** A sink keeping every line. */
export function lineSink(): { lines: string[]; sink: LogSink } {
  const lines: string[] = []
  return { lines, sink: (line) => void lines.push(line) }
}

/** A container SAS URL (or blob SAS URL when `blob` is given) of a target. */
export function sasUrlOf(target: { containerUrl: string; sas: string }, blob?: string): string {
  return `${target.containerUrl}${blob ? `/${blob.split('/').map(encodeURIComponent).join('/')}` : ''}?${target.sas}`
}

/** Every form a SAS signature may take in text: as in the URL, percent-decoded, percent-encoded. */
export function signatureForms(sas: string): string[] {
  const forms = new Set<string>()
  for (const raw of signatureValues(sas)) {
    const decoded = decodeURIComponent(raw)
    forms.add(raw).add(decoded).add(encodeURIComponent(decoded))
  }
  return [...forms]
}

/** Every regular file under `dir`, recursively. */
export function filesIn(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...filesIn(path))
    else out.push(path)
  }
  return out
}

/** The texts to search: each file (a PNG read as latin1, byte for byte; the rest as UTF-8), then each line. */
export function textsOf(files: readonly string[], lines: readonly string[]): { where: string; text: string }[] {
  return [
    ...files.map((f) => ({ where: f, text: readFileSync(f, f.endsWith('.png') ? 'latin1' : 'utf8') })),
    ...lines.map((line, i) => ({ where: `progress line ${i + 1}`, text: line })),
  ]
}

/**
 * Where each secret, or a `sig=` followed by anything but REDACTED, appears; empty when nowhere.
 * The hints' placeholder `?sv=…&sig=…` (an ellipsis, no value) is not a signature.
 */
export function secretLeaks(texts: readonly { where: string; text: string }[], secrets: readonly string[]): string[] {
  const leaks: string[] = []
  for (const { where, text } of texts) {
    secrets.forEach((s, i) => {
      if (s.length >= 4 && text.includes(s)) leaks.push(`${where}: secret #${i + 1}`)
    })
    // PNG bytes are compressed noise: there only the exact spelling counts, so chance cannot match
    const sig = (where.endsWith('.png') ? /sig=(?!REDACTED)/ : /sig=(?!REDACTED|…)/i).exec(text)
    if (sig) leaks.push(`${where}: '${text.slice(sig.index, sig.index + 12)}…'`)
  }
  return leaks
}

const latency = (p99: number): LatencySummary => ({ n: 32, min: 0.5, avg: 3, p50: 2.5, p95: p99 * 0.8, p99, max: p99 * 1.2 })

function point(chunkMib: number, streams: number, MB_s: number | null, errors = 0): SweepPoint {
  const chunks = Math.ceil((64 * MIB) / (chunkMib * MIB))
  return {
    chunk_mib: chunkMib,
    chunk_bytes: chunkMib * MIB,
    streams,
    passes: 2,
    MB_s,
    MB_s_passes: MB_s === null ? [] : [MB_s, MB_s],
    bytes: 2 * 64 * MIB - errors * chunkMib * MIB,
    requests: 2 * chunks + errors * 2,
    chunk_ms: latency(10 + chunkMib),
    ttfb_ms_p50: 0.8,
    retries: errors * 2,
    throttled: { '429': 0, '500': 0, '503': errors * 2 },
    timeouts: 0,
    errors,
    ...(errors ? { error: "GET 'benchgate-probe/probe-64MiB.bin' in https://acct.blob.core.windows.net/vols: store busy (throttled) (HTTP 503 ServerBusy)" } : {}),
  }
}

/**
 * A complete record: machine facts, one embedded share (Cold and Warm, 1 and 4 streams) and one
 * blob target whose fastest point had failed chunks, so its best is the next one (4 MiB × 4).
 */
export function syntheticBaseline(failures: ProbeBaseline['failures'] = []): ProbeBaseline {
  const read = (cache_state: 'Cold' | 'Warm', streams: number, MB_s: number) => ({
    cache_state, streams, chunk_bytes: MIB, bytes: 64 * MIB, seconds: (64 * MIB) / 1e6 / MB_s, MB_s, chunk_ms: latency(cache_state === 'Cold' ? 4 : 1),
    ...(cache_state === 'Cold' ? { cold: { os_cache: 'not-requested' as const, resident_bytes: null, file_bytes: 64 * MIB } } : {}),
  })
  return {
    format: PROBE_FORMAT,
    started: '2025-03-04T10:00:00.000Z',
    ended: '2025-03-04T10:01:30.000Z',
    duration_s: 90,
    settings: {
      chunk_sizes_mib: [1, 4], streams: [1, 4, 8], passes: 2, blob_size_mib: 64, file_size_mib: 64, nas_streams: 4, nas_chunk_mib: 1,
      rtt_count: 10, request_timeout_s: 30, retries: 5, timeout_s: 600, drop_os_cache: false,
    },
    machine: {
      cpu: { model: 'AMD EPYC 7763', manufacturer: 'AMD', cores: 16, physical_cores: 8, speed_ghz: 2.45 },
      ram_gb: 64,
      gpus: [],
      nics: [{ name: 'eth0', type: 'wired', speed_mbps: 25000, state: 'up', mtu: 1500, internal: false, default: true }],
      os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', kernel: '6.8.0', arch: 'x64', hostname: 'probe-host' },
      disks: [{ name: '/dev/nvme0n1', type: 'NVMe', size_gb: 512, model: 'disk' }],
      filesystems: [{ mount: '/', type: 'ext4', size_gb: 500 }],
      errors: [],
    },
    nas: [{
      name: 'embedded',
      path: '/data/nas',
      embedded: true,
      fs_type: 'ext4',
      ok: true,
      rtt: { skipped: 'a local directory stands for the share (no host)' },
      icmp: { skipped: 'a local directory stands for the share (no host)' },
      file: { path: '/data/nas/benchgate-probe-64MiB.bin', bytes: 64 * MIB, created: false },
      uv_threadpool_size: 4,
      reads: [read('Cold', 1, 700), read('Cold', 4, 1400), read('Warm', 1, 3000), read('Warm', 4, 6000)],
    }],
    blob: [{
      name: 'sas-1',
      source: 'sas_url',
      container: 'https://acct.blob.core.windows.net/vols',
      blob: 'benchgate-probe/probe-64MiB.bin',
      blob_bytes: 64 * MIB,
      created: false,
      ok: true,
      rtt: { method: 'tcp-connect', host: 'acct.blob.core.windows.net', port: 443, attempts: 3, samples_ms: [1.5, 2, 2.5], min_ms: 1.5, avg_ms: 2, p95_ms: 2.45, errors: [] },
      sweep: [point(1, 1, 90), point(1, 4, 300), point(4, 1, 150), point(4, 4, 812), point(4, 8, 900, 2)],
      best: { chunk_mib: 4, streams: 4, MB_s: 812, chunk_p99_ms: 14 },
      azcopy: { skipped: 'azcopy is not on PATH' },
    }],
    failures,
  }
}
