// The Azure Blob sweep: the test blob read whole with ranged GETs of each chunk size, with each
// number of parallel streams, `passes` times each, through ../azure/ranged-get.ts (bounded
// concurrency, per-attempt timeout, capped exponential backoff on 429/500/503, timeouts and
// resets). Bodies are drained, not kept, so the figure is the path's, not the client's copying.
//
// A pass gets a fresh client (its own connections, opened inside the timed window, as a new
// reader would). Sustained MB/s = bytes received / wall time from the first request to the last
// byte. A chunk that still fails after its retries is counted as an error and the pass goes on;
// a refusal that every chunk would get (403, 404, 400, an unreachable host) or the deadline ends
// the sweep at once, keeping the points measured so far. A pass also reports the CPU seconds this
// process spent over it (process.cpuUsage, user + system, every thread): the client's cost per
// GiB when nothing else runs in the process meanwhile, as in the probe and its bench.
import { BlobRequestError } from '../azure/blob-error.ts'
import { RangedGetClient, type RangedGetStats, type RequestRecord } from '../azure/ranged-get.ts'
import type { BlobTarget } from '../azure/target.ts'
import { median, quantile } from '../stats/quantile.ts'
import type { SweepPoint } from './schema.ts'
import { mbPerSecond, mibToBytes, summarize } from './stats.ts'

export interface PassOptions {
  requestTimeoutMs: number
  retries: number
  signal?: AbortSignal
}

export interface SweepOptions extends PassOptions {
  chunkSizesMib: readonly number[]
  streams: readonly number[]
  passes: number
}

export interface PassResult {
  bytes: number
  ms: number
  /** User + system CPU seconds of this process from the first request to the last byte. */
  cpuSeconds: number
  records: RequestRecord[]
  stats: RangedGetStats
  /** Chunks that failed after every retry (the pass went on). */
  failures: BlobRequestError[]
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/** A failure every other chunk would meet too: refused, missing, malformed, or no host. */
export function isFatal(e: unknown): boolean {
  if (!(e instanceof BlobRequestError)) return true
  if (e.status >= 400 && e.status < 500) return e.status !== 408 && e.status !== 429
  return e.status === 0 && UNREACHABLE.has(e.code ?? '')
}

/** The byte ranges that cover `size` in chunks of `chunkBytes`. */
export function chunkRanges(size: number, chunkBytes: number): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = []
  for (let offset = 0; offset < size; offset += chunkBytes) out.push({ offset, length: Math.min(chunkBytes, size - offset) })
  return out
}

/** One pass over the whole blob with `streams` ranged GETs in flight. Throws on a fatal failure. */
export async function readBlobPass(target: BlobTarget, blob: string, size: number, chunkBytes: number, streams: number, o: PassOptions): Promise<PassResult> {
  const controller = new AbortController()
  const onOuter = () => controller.abort(o.signal!.reason)
  o.signal?.throwIfAborted()
  o.signal?.addEventListener('abort', onOuter, { once: true })
  const client = new RangedGetClient(target, { concurrency: streams, timeoutMs: o.requestTimeoutMs, retries: o.retries, signal: controller.signal })
  const records: RequestRecord[] = []
  const failures: BlobRequestError[] = []
  let fatal: unknown
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  try {
    await Promise.all(chunkRanges(size, chunkBytes).map((range) =>
      client.drain(blob, range).then(
        (record) => void records.push(record),
        (e: unknown) => {
          if (controller.signal.aborted) return // the pass is over; the first cause is kept
          if (isFatal(e)) {
            fatal = e
            controller.abort(e)
          } else {
            failures.push(e as BlobRequestError)
          }
        },
      )))
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    o.signal?.throwIfAborted()
    if (fatal !== undefined) throw fatal
    return { bytes: records.reduce((n, r) => n + r.bytes, 0), ms, cpuSeconds: (cpu.user + cpu.system) / 1e6, records, stats: client.stats, failures }
  } finally {
    o.signal?.removeEventListener('abort', onOuter)
    await client.close()
  }
}

/** One sweep point from its passes. */
export function sweepPoint(chunkMib: number, chunkBytes: number, streams: number, size: number, passes: readonly PassResult[]): SweepPoint {
  const records = passes.flatMap((p) => p.records)
  const failures = passes.flatMap((p) => p.failures)
  // every 429/500/503 answer the clients saw, of chunks that succeeded and of those that failed
  const throttled = { '429': 0, '500': 0, '503': 0 }
  for (const p of passes) for (const s of ['429', '500', '503'] as const) throttled[s] += p.stats.throttledByStatus[s] ?? 0
  // a pass in which every chunk failed measured nothing: no figure rather than 0
  const perPass = passes.filter((p) => p.records.length > 0).map((p) => mbPerSecond(p.bytes, p.ms))
  const chunks = Math.ceil(size / chunkBytes)
  const point: SweepPoint = {
    chunk_mib: chunkMib,
    chunk_bytes: chunkBytes,
    streams,
    passes: passes.length,
    MB_s: perPass.length ? Math.round(median(perPass) * 1000) / 1000 : null,
    MB_s_passes: perPass,
    bytes: passes.reduce((n, p) => n + p.bytes, 0),
    requests: passes.reduce((n, p) => n + p.stats.requests, 0),
    chunk_ms: summarize(records.map((r) => r.totalMs)),
    ttfb_ms_p50: records.length ? Math.round(quantile(records.map((r) => r.ttfbMs), 0.5) * 1000) / 1000 : null,
    retries: passes.reduce((n, p) => n + p.stats.retries, 0),
    throttled,
    timeouts: passes.reduce((n, p) => n + p.stats.timeouts, 0),
    errors: failures.length,
  }
  if (failures[0]) point.error = failures[0].message
  if (chunks < 2 * streams) point.note = `the test blob has ${chunks} chunk${chunks === 1 ? '' : 's'} of this size, fewer than 2 per stream: a larger probe.blob_size_mib measures this parallelism better`
  return point
}

/** Label of a sweep point: `4 MiB × 8`. */
export function pointLabel(p: { chunk_mib: number; streams: number }): string {
  return `${p.chunk_mib} MiB × ${p.streams}`
}

/** The label read as words: `4 MiB × 8 streams`, `1 MiB × 1 stream`. */
export function streamsLabel(p: { chunk_mib: number; streams: number }): string {
  return `${pointLabel(p)} stream${p.streams === 1 ? '' : 's'}`
}

/**
 * Every chunk size × stream count, `passes` each. Points go into `into` as they finish, so a
 * sweep ended by a fatal failure keeps what it measured; the failure is thrown.
 * Returns per-chunk times (ms) per point label, for the latency chart.
 */
export async function sweepBlob(target: BlobTarget, blob: string, size: number, o: SweepOptions, into: SweepPoint[], onPass: (text: string) => void): Promise<Map<string, number[]>> {
  const latencies = new Map<string, number[]>()
  for (const chunkMib of o.chunkSizesMib) {
    const chunkBytes = mibToBytes(chunkMib)
    for (const streams of o.streams) {
      const passes: PassResult[] = []
      for (let pass = 1; pass <= o.passes; pass++) {
        const result = await readBlobPass(target, blob, size, chunkBytes, streams, o)
        passes.push(result)
        const label = streamsLabel({ chunk_mib: chunkMib, streams })
        const errors = result.failures.length ? `, ${result.failures.length} chunks failed` : ''
        const retries = result.stats.retries ? `, ${result.stats.retries} retries` : ''
        onPass(`${label}, pass ${pass}/${o.passes}: ${mbPerSecond(result.bytes, result.ms).toFixed(0)} MB/s${retries}${errors}`)
      }
      const point = sweepPoint(chunkMib, chunkBytes, streams, size, passes)
      into.push(point)
      latencies.set(pointLabel(point), passes.flatMap((p) => p.records.map((r) => r.totalMs)))
    }
  }
  return latencies
}

/** The point with the highest median MB/s among those without errors (the first on a tie). */
export function bestPoint(points: readonly SweepPoint[]): SweepPoint | null {
  let best: SweepPoint | null = null
  for (const p of points) {
    if (p.errors === 0 && p.MB_s !== null && (best === null || p.MB_s > best.MB_s!)) best = p
  }
  return best
}
