// Mode B: the chunked volume streamed from Azure Blob (Azurite in the embedded default) the way
// FAST serves it to Petrel: a chunk is looked up in the local FAST cache directory first, else
// fetched with a ranged GET (bounded parallelism, retries with backoff — ../azure/ranged-get.ts)
// and kept in the cache directory. Every chunk request is logged to the FAST log in the format
// ../metrics/fast-log.ts documents, which the sampler turns into the fast_req_* columns:
//
//   2026-11-24T10:00:00.000Z chunk=<object> bytes=262144 latency_ms=12.500 cache=miss status=206 attempts=1
//
// A cache hit is logged with the time the cache file took to read and status=200. While the
// session lasts, the reader holds `<mount_root>/<volume>.vzgy` open: the virtual ZGY file FAST
// presents to Petrel, by which the sampler's open-file list tells which path served the session.
import { createHash } from 'node:crypto'
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { open, readFile, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { RangedGetClient } from '../azure/ranged-get.ts'
import { describeTarget, type BlobTarget } from '../azure/target.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import { chunkIndex, chunkKind, chunkObject, decodeChunk, LAYOUT_OBJECT, parseLayout, type VolumeDataLayout } from '../volume/vds-layout.ts'
import type { ZgySamples } from '../volume/zgy.ts'
import type { BrickSource, Vec3, VolumeShape } from './volume-reader.ts'

export interface BlobSourceOptions {
  target: BlobTarget
  /** Blob prefix of the volume (the folder holding VolumeDataLayout). */
  prefix: string
  /** The FAST cache directory. */
  cacheDir: string
  /** Where FAST presents its virtual files; the reader holds `<volume>.vzgy` open there. */
  mountRoot: string
  /** The FAST log chunk requests are appended to (none when omitted). */
  fastLog?: string
  concurrency: number
  timeoutMs: number
  retries: number
}

/** The reader's shape of a chunked volume. */
export function layoutShape(layout: VolumeDataLayout): VolumeShape {
  const [s, x, i] = layout.dimensions
  const size: Vec3 = [i!.count, x!.count, s!.count]
  const brickSize: Vec3 = [layout.brickSize[2]!, layout.brickSize[1]!, layout.brickSize[0]!]
  return {
    size,
    brickSize,
    bricks: [layout.chunkCounts[2]!, layout.chunkCounts[1]!, layout.chunkCounts[0]!],
    valueType: layout.valueType,
    codingRange: layout.valueRange,
    noValue: layout.noValue,
    kind: (bi, bj, bk) => chunkKind(layout, chunkIndex(layout, bi, bj, bk)),
  }
}

function logLine(fd: number, chunk: string, bytes: number, latencyMs: number, hit: boolean, status: number, attempts: number): void {
  writeSync(fd, `${new Date().toISOString()} chunk=${chunk} bytes=${bytes} latency_ms=${latencyMs.toFixed(3)} cache=${hit ? 'hit' : 'miss'} status=${status} attempts=${attempts}\n`)
}

export class BlobSource implements BrickSource {
  readonly shape: VolumeShape
  readonly layout: VolumeDataLayout
  readonly client: RangedGetClient
  /** The virtual file held open while the session lasts. */
  readonly mountFile: string
  hits = 0
  misses = 0
  /** Called after every chunk read (cache or network) with its size and latency. */
  onRead?: (r: { chunk: string; bytes: number; latencyMs: number; hit: boolean }) => void
  readonly #options: BlobSourceOptions
  readonly #cacheRoot: string
  readonly #logFd: number | null
  readonly #mount: FileHandle

  private constructor(o: BlobSourceOptions, client: RangedGetClient, layout: VolumeDataLayout, layoutText: string, mount: FileHandle, mountFile: string, logFd: number | null) {
    this.#options = o
    this.client = client
    this.layout = layout
    this.shape = layoutShape(layout)
    // cached chunks are keyed by the layout's content, so a changed volume never reads stale chunks
    const id = createHash('sha256').update(layoutText).digest('hex').slice(0, 12)
    this.#cacheRoot = join(o.cacheDir, `${o.prefix.replace(/[^A-Za-z0-9._-]+/g, '_') || 'volume'}-${id}`)
    this.#mount = mount
    this.mountFile = mountFile
    this.#logFd = logFd
  }

  static async open(o: BlobSourceOptions): Promise<BlobSource> {
    const client = new RangedGetClient(o.target, { concurrency: o.concurrency, timeoutMs: o.timeoutMs, retries: o.retries })
    let logFd: number | null = null
    try {
      const layoutName = o.prefix ? `${o.prefix}/${LAYOUT_OBJECT}` : LAYOUT_OBJECT
      const { bytes } = await client.get(layoutName)
      const text = bytes.toString('utf8')
      const layout = parseLayout(text, `${describeTarget(o.target)}/${layoutName}`)
      mkdirSync(o.mountRoot, { recursive: true })
      const name = (o.prefix.split('/').filter(Boolean).pop() ?? 'volume').replace(/[^A-Za-z0-9._-]+/g, '_')
      const mountFile = join(o.mountRoot, `${name}.vzgy`)
      writeFileAtomic(mountFile, JSON.stringify({ container: describeTarget(o.target), prefix: o.prefix, layout: LAYOUT_OBJECT }) + '\n')
      const mount = await open(mountFile, 'r')
      if (o.fastLog) {
        mkdirSync(dirname(o.fastLog), { recursive: true })
        logFd = openSync(o.fastLog, 'a')
      }
      return new BlobSource(o, client, layout, text, mount, mountFile, logFd)
    } catch (e) {
      if (logFd !== null) closeSync(logFd)
      await client.close()
      throw e
    }
  }

  async fetch(bi: number, bj: number, bk: number): Promise<ZgySamples> {
    const index = chunkIndex(this.layout, bi, bj, bk)
    const object = chunkObject(this.#options.prefix, index)
    const cached = join(this.#cacheRoot, String(index))
    const t0 = performance.now()
    let bytes: Buffer
    let hit = true
    try {
      bytes = await readFile(cached)
    } catch {
      hit = false // not cached yet
      bytes = Buffer.alloc(0)
    }
    if (hit) {
      this.hits++
      const latencyMs = performance.now() - t0
      if (this.#logFd !== null) logLine(this.#logFd, object, bytes.length, latencyMs, true, 200, 1)
      this.onRead?.({ chunk: object, bytes: bytes.length, latencyMs, hit: true })
    } else {
      const got = await this.client.get(object)
      bytes = got.bytes
      this.misses++
      mkdirSync(this.#cacheRoot, { recursive: true })
      writeFileAtomic(cached, bytes)
      if (this.#logFd !== null) logLine(this.#logFd, object, bytes.length, got.record.latencyMs, false, got.record.status, got.record.attempts)
      this.onRead?.({ chunk: object, bytes: bytes.length, latencyMs: got.record.latencyMs, hit: false })
    }
    return decodeChunk(this.layout, bytes, `${describeTarget(this.#options.target)}/${object}`)
  }

  async close(): Promise<void> {
    if (this.#logFd !== null) closeSync(this.#logFd)
    await this.#mount.close()
    await this.client.close()
  }
}
