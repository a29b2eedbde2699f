// The NAS part of the probe, for one share (a mounted share, a UNC path, or the local directory
// standing for one): round-trip time to the share host (TCP connect to its SMB port, and ICMP
// where allowed), then a test file read whole with one stream and with N parallel streams, Cold
// (page cache dropped where permitted, per ../fast/cache-state.ts, with what was achieved
// recorded) and Warm (after an unmeasured priming read): sustained MB/s and per-read times.
//
// The test file is `probe.file` (default benchgate-probe-<size>MiB.bin) in the share. It is made
// (random bytes, written to .partial and renamed) in the embedded directory, and on a configured
// share only when asked (probe.create); it is then kept for the next run. A share that is missing
// or unreadable, a missing test file, or the deadline gives a failed result naming the cause.
import { randomFillSync } from 'node:crypto'
import { readFileSync, statfsSync } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { makeCold } from '../fast/cache-state.ts'
import { withDeadline } from './deadline.ts'
import type { Progress } from './progress.ts'
import { icmpRtt, tcpConnectRtt } from './rtt.ts'
import type { NasRead, NasShare } from './schema.ts'
import { mbPerSecond, mibToBytes, summarize } from './stats.ts'

export interface ShareSpec {
  name: string
  path: string
  /** The host serving the share, for the round-trip time; null for a local directory. */
  host: string | null
  /** The local directory standing for a share when none is configured. */
  embedded: boolean
}

export interface NasOptions {
  fileSizeMib: number
  /** Test file name inside the share. */
  fileName: string
  chunkMib: number
  /** The parallel stream count (one stream is always measured too). */
  streams: number
  /** Create the test file on a configured share when it is missing. */
  create: boolean
  dropOsCache: boolean
  rttCount: number
  smbPort: number
  requestTimeoutMs: number
  timeoutMs: number
}

export interface NasOutcome {
  result: NasShare
  /** Per-read times of each measured pass, for the latency chart. */
  latencies: { label: string; samples: number[] }[]
}

/** Progress steps one share takes: the round-trip time and test file, then each measured pass. */
export function nasSteps(o: Pick<NasOptions, 'streams'>): number {
  return 1 + 2 * (o.streams > 1 ? 2 : 1)
}

const FS_TYPES: Record<number, string> = {
  0xef53: 'ext4', 0x01021994: 'tmpfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x6969: 'nfs', 0xff534d42: 'cifs',
  0xfe534d42: 'smb2', 0x517b: 'smb', 0x794c7630: 'overlayfs', 0x65735546: 'fuse', 0x5346544e: 'ntfs', 0x4d44: 'vfat',
  0x2fc12fc1: 'zfs', 0x858458f6: 'ramfs', 0x00c36400: 'ceph',
}

/** The file system type of a directory, when this platform tells. */
export function fsType(path: string): string | null {
  try {
    const type = statfsSync(path).type
    return FS_TYPES[type] ?? `0x${type.toString(16)}`
  } catch {
    return null
  }
}

/**
 * The host serving a share: from a UNC path (\\host\share, //host/share), or from the mount the
 * directory lives on (cifs //host/share, nfs host:/export in /proc/mounts). Null for a local disk.
 */
export function shareHost(path: string, mounts = readMounts()): string | null {
  const unc = /^(?:\\\\|\/\/)([^\\/]+)[\\/]/.exec(path)
  if (unc) return unc[1]!
  const full = resolve(path)
  let best: { point: string; source: string } | null = null
  for (const m of mounts) {
    const inside = full === m.point || full.startsWith(m.point.endsWith('/') ? m.point : `${m.point}/`)
    if (inside && (!best || m.point.length > best.point.length)) best = m
  }
  if (!best) return null
  const smb = /^\/\/([^/]+)\//.exec(best.source)
  const nfs = /^([^/:]+):\//.exec(best.source)
  return smb?.[1] ?? nfs?.[1] ?? null
}

function readMounts(): { point: string; source: string }[] {
  try {
    return readFileSync('/proc/mounts', 'utf8').split('\n').filter(Boolean).map((line) => {
      const [source = '', point = ''] = line.split(' ')
      return { source, point: point.replace(/\\040/g, ' ') }
    })
  } catch {
    return []
  }
}

function problemOf(e: unknown, path: string): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return `share path does not exist (${path})`
  if (code === 'ENOTDIR') return `share path is not a directory (${path})`
  if (code === 'EACCES' || code === 'EPERM') return `share is not readable (${code})`
  return (e as Error).message ?? String(e)
}

async function makeTestFile(path: string, bytes: number, progress: Progress): Promise<void> {
  const partial = `${path}.partial`
  const block = Buffer.allocUnsafe(Math.min(bytes, 8 * 1024 * 1024))
  const file = await open(partial, 'w')
  let whole = false
  try {
    for (let written = 0; written < bytes;) {
      const n = Math.min(block.length, bytes - written)
      randomFillSync(block, 0, n)
      written += (await file.write(block, 0, n, written)).bytesWritten
    }
    await file.sync()
    whole = true
  } finally {
    await file.close()
    if (!whole) await rm(partial, { force: true })
  }
  await rename(partial, path)
  progress.note(`wrote the ${(bytes / 1048576).toFixed(0)} MiB test file ${path}`)
}

/** Reads the whole file with `streams` workers taking the next chunk in turn. */
export async function readWhole(path: string, chunkBytes: number, streams: number, signal: AbortSignal): Promise<{ bytes: number; ms: number; latencies: number[] }> {
  const file = await open(path, 'r')
  try {
    const size = (await file.stat()).size
    const latencies: number[] = []
    let next = 0
    let bytes = 0
    const worker = async () => {
      const buffer = Buffer.allocUnsafe(chunkBytes)
      while (next < size) {
        signal.throwIfAborted()
        const offset = next
        next += chunkBytes
        const t = performance.now()
        const { bytesRead } = await file.read(buffer, 0, Math.min(chunkBytes, size - offset), offset)
        latencies.push(performance.now() - t)
        bytes += bytesRead
        if (bytesRead === 0) throw new Error(`${path}: the file shrank while it was read (nothing at byte ${offset})`)
      }
    }
    const t0 = performance.now()
    await Promise.all(Array.from({ length: streams }, worker))
    return { bytes, ms: performance.now() - t0, latencies }
  } finally {
    await file.close()
  }
}

function emptyResult(spec: ShareSpec): NasShare {
  return {
    name: spec.name,
    path: spec.path,
    embedded: spec.embedded,
    fs_type: null,
    ok: false,
    rtt: { skipped: 'not reached' },
    icmp: { skipped: 'not reached' },
    file: null,
    uv_threadpool_size: Number(process.env.UV_THREADPOOL_SIZE) || 4,
    reads: [],
  }
}

/** Probes one share; never throws: a failure is in `result.error`, with what was measured before it. */
export async function probeShare(spec: ShareSpec, o: NasOptions, progress: Progress): Promise<NasOutcome> {
  const result = emptyResult(spec)
  const latencies: NasOutcome['latencies'] = []
  const steps = nasSteps(o)
  const startedAt = progress.done
  try {
    await withDeadline(`NAS share '${spec.name}'`, o.timeoutMs, async (signal) => {
      try {
        const st = await stat(spec.path)
        if (!st.isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' })
      } catch (e) {
        throw new Error(problemOf(e, spec.path))
      }
      result.fs_type = fsType(spec.path)
      const reason = spec.embedded ? 'a local directory stands for the share (no host)' : 'no host: the share is a local directory (set nas.host)'
      if (spec.host) {
        const rttOptions = { count: o.rttCount, timeoutMs: Math.min(o.requestTimeoutMs, 5000), signal }
        result.rtt = await tcpConnectRtt(spec.host, o.smbPort, rttOptions)
        result.icmp = await icmpRtt(spec.host, rttOptions)
      } else {
        result.rtt = { skipped: reason }
        result.icmp = { skipped: reason }
      }

      const path = join(spec.path, o.fileName)
      const existing = await stat(path).catch(() => null)
      let created = false
      if (!existing || existing.size === 0) {
        if (!spec.embedded && !o.create) {
          throw new Error(`no test file ${path} (hint: set probe.create: true or pass --create to write one of ${o.fileSizeMib} MiB, or put a file there)`)
        }
        await makeTestFile(path, mibToBytes(o.fileSizeMib), progress)
        created = true
      }
      result.file = { path, bytes: (await stat(path)).size, created }
      progress.step(`nas ${spec.name}: ${result.fs_type ?? 'unknown fs'}, test file ${(result.file.bytes / 1048576).toFixed(0)} MiB${spec.host ? `, RTT ${describeRtt(result.rtt)}` : ''}`)

      const chunkBytes = mibToBytes(o.chunkMib)
      const counts = o.streams > 1 ? [1, o.streams] : [1]
      for (const state of ['Cold', 'Warm'] as const) {
        if (state === 'Warm') await readWhole(path, chunkBytes, o.streams, signal) // priming read, not measured
        for (const streams of counts) {
          const cold = state === 'Cold' ? makeCold({ files: [path], dropOsCache: o.dropOsCache }) : undefined
          const pass = await readWhole(path, chunkBytes, streams, signal)
          const read: NasRead = {
            cache_state: state,
            streams,
            chunk_bytes: chunkBytes,
            bytes: pass.bytes,
            seconds: Math.round(pass.ms) / 1000,
            MB_s: mbPerSecond(pass.bytes, pass.ms),
            chunk_ms: summarize(pass.latencies),
            ...(cold ? { cold: { os_cache: cold.os_cache, ...(cold.os_cache_detail ? { os_cache_detail: cold.os_cache_detail } : {}), resident_bytes: cold.resident_bytes, file_bytes: cold.file_bytes } } : {}),
          }
          result.reads.push(read)
          latencies.push({ label: `nas ${spec.name} ${state} ${streams} stream${streams > 1 ? 's' : ''}`, samples: pass.latencies })
          progress.step(`nas ${spec.name}: ${state}, ${streams} stream${streams > 1 ? 's' : ''}: ${read.MB_s.toFixed(0)} MB/s, p99 read ${read.chunk_ms.p99?.toFixed(2)} ms${cold ? ` (OS cache ${cold.os_cache})` : ''}`)
        }
      }
    })
    result.ok = true
  } catch (e) {
    result.error = (e as Error).message
    progress.skip(steps - (progress.done - startedAt))
  }
  return { result, latencies }
}

function describeRtt(rtt: NasShare['rtt']): string {
  if ('skipped' in rtt) return rtt.skipped
  return rtt.avg_ms === null ? `failed (${rtt.errors.join('; ')})` : `avg ${rtt.avg_ms.toFixed(2)} ms`
}
