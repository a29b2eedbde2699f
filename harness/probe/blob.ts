// The Azure Blob part of the probe, for one target: TCP-connect round-trip time to the endpoint,
// the test blob (its size read with one ranged GET; uploaded when missing and allowed), the
// chunk-size × streams sweep (./blob-sweep.ts), the best configuration, and the optional azcopy
// cross-check. Bounded by the target's deadline. Never throws: a failure (expired SAS, missing
// permission, missing blob, unreachable host, deadline) is one line in `result.error`, with what
// was measured before it kept.
import { randomBytes } from 'node:crypto'
import { BlobRequestError } from '../azure/blob-error.ts'
import { blobSize, putBlob } from '../azure/store.ts'
import { describeTarget } from '../azure/target.ts'
import { azcopyBench } from './azcopy.ts'
import type { BlobSpec } from './blob-targets.ts'
import { bestPoint, streamsLabel, sweepBlob, type SweepOptions } from './blob-sweep.ts'
import { withDeadline } from './deadline.ts'
import type { Progress } from './progress.ts'
import { tcpConnectRtt } from './rtt.ts'
import type { BlobTargetResult } from './schema.ts'
import { mibToBytes } from './stats.ts'
import { findOnPath } from './tools.ts'

export interface BlobOptions extends Omit<SweepOptions, 'signal'> {
  blobSizeMib: number
  rttCount: number
  timeoutMs: number
  azcopy: boolean
  env?: NodeJS.ProcessEnv
}

export interface BlobOutcome {
  result: BlobTargetResult
  /** Per-chunk times of each sweep point, by label ('4 MiB × 8'). */
  latencies: Map<string, number[]>
}

/** Progress steps one target takes: round-trip time and blob, every pass, azcopy when it will run. */
export function blobSteps(o: Pick<BlobOptions, 'chunkSizesMib' | 'streams' | 'passes' | 'azcopy' | 'env'>): number {
  return 1 + o.chunkSizesMib.length * o.streams.length * o.passes + (o.azcopy && findOnPath('azcopy', o.env) ? 1 : 0)
}

/** A failure as one line: the cause, the blob, the HTTP status or network code, and a hint. */
export function failureLine(e: unknown): string {
  if (e instanceof BlobRequestError) {
    const what = e.status ? `HTTP ${e.status}${e.code ? ` ${e.code}` : ''}` : e.code
    return `${e.reason} (blob '${e.blob}'${what ? `; ${what}` : ''}${e.hint ? `; hint: ${e.hint}` : ''})`
  }
  return (e as Error)?.message ?? String(e)
}

function endpoint(containerUrl: string): { host: string; port: number } {
  const url = new URL(containerUrl)
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) }
}

/** Probes one blob target. */
export async function probeBlobTarget(spec: BlobSpec, o: BlobOptions, progress: Progress): Promise<BlobOutcome> {
  const container = describeTarget(spec.target)
  const result: BlobTargetResult = {
    name: spec.name,
    source: spec.source,
    container,
    blob: spec.blob,
    blob_bytes: null,
    created: false,
    ok: false,
    rtt: { skipped: 'not reached' },
    sweep: [],
    best: null,
    azcopy: { skipped: o.azcopy ? 'not reached' : 'probe.azcopy is false' },
  }
  let latencies = new Map<string, number[]>()
  const steps = blobSteps(o)
  const startedAt = progress.done
  const t0 = performance.now()
  try {
    await withDeadline(`blob target '${spec.name}'`, o.timeoutMs, async (signal) => {
      const { host, port } = endpoint(spec.target.containerUrl)
      result.rtt = await tcpConnectRtt(host, port, { count: o.rttCount, timeoutMs: Math.min(o.requestTimeoutMs, 5000), signal })
      let size = await blobSize(spec.target, spec.blob)
      if (size === null) {
        if (!spec.create) {
          const hint = spec.namedByUrl
            ? 'check the blob SAS URL'
            : `set probe.create: true (or pass --create) with a SAS that may write, or upload a test blob named '${spec.blob}'`
          throw new Error(`not found (no such blob '${spec.blob}'; hint: ${hint})`)
        }
        size = mibToBytes(o.blobSizeMib)
        await putBlob(spec.target, spec.blob, randomBytes(size))
        result.created = true
        progress.note(`blob ${spec.name}: uploaded the ${o.blobSizeMib} MiB test blob '${spec.blob}'`)
      }
      result.blob_bytes = size
      if (size === 0) throw new Error(`the test blob '${spec.blob}' is empty`)
      const rtt = result.rtt.avg_ms === null ? `failed (${result.rtt.errors.join('; ')})` : `avg ${result.rtt.avg_ms.toFixed(2)} ms`
      progress.step(`blob ${spec.name}: ${(size / 1048576).toFixed(1)} MiB test blob, RTT ${rtt}`)
      latencies = await sweepBlob(spec.target, spec.blob, size, { ...o, signal }, result.sweep, (text) => progress.step(`blob ${spec.name}: ${text}`))
      const best = bestPoint(result.sweep)
      result.best = best && { chunk_mib: best.chunk_mib, streams: best.streams, MB_s: best.MB_s!, chunk_p99_ms: best.chunk_ms.p99 }
      if (best) progress.note(`blob ${spec.name}: best ${streamsLabel(best)}, ${best.MB_s!.toFixed(0)} MB/s`)
      if (o.azcopy) {
        const remaining = o.timeoutMs - (performance.now() - t0)
        result.azcopy = await azcopyBench(spec.target, { blob: spec.blob, timeoutMs: Math.max(1000, remaining), env: o.env })
        if (!('skipped' in result.azcopy)) progress.step(`blob ${spec.name}: azcopy bench ${result.azcopy.MB_s === null ? 'gave no figure' : `${result.azcopy.MB_s.toFixed(0)} MB/s`}`)
      }
    })
    result.ok = true
  } catch (e) {
    result.error = failureLine(e)
    progress.skip(steps - (progress.done - startedAt))
  }
  return { result, latencies }
}
