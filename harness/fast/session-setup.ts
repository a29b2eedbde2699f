// The volume and the Sessions object fast-ab stands on, as plain functions: the fixtures
// (./fixtures.ts) wrap them around `use`, `benchgate run` (./operator-run.ts) calls them directly.
//   prepareVolume   the volume twice: a .zgy in the NAS directory (generated and cached between
//                   runs, or config volume.file) and its chunked copy in blob storage — an embedded
//                   Azurite started here and stopped by release(), or the configured Azure
//                   container; the same code path, only endpoint and credentials differ. The reader
//                   only ever gets a read-only SAS.
//   createSessions  the Sessions (./sessions.ts) on that volume: FAST cache and mount directories,
//                   FAST log, the driver (reader or desktop).
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { startAzurite, type Azurite } from '../azure/azurite.ts'
import { containerSas, createContainer, targetFromConfig } from '../azure/store.ts'
import { describeTarget, type BlobTarget } from '../azure/target.ts'
import type { Config } from '../config/schema.ts'
import { makeTempDir } from '../run/cleanup.ts'
import type { RunDir } from '../run/run-dir.ts'
import { ensureSyntheticZgy, describeParams } from '../volume/dataset.ts'
import { uploadVolume } from './blob-volume.ts'
import { Sessions } from './sessions.ts'

export const CONTAINER = 'benchgate'

export interface FastVolume {
  /** The volume file mode A reads. */
  zgyPath: string
  /** The directory standing for the NAS share (or the configured share). */
  nasRoot: string
  /** Identity of the volume: the synthetic key, or the file name. */
  key: string
  /** Mode B: container, read-only SAS and blob prefix. */
  blob: BlobTarget & { prefix: string }
  /** The blob store's files on this machine (Azurite's workspace), for Cold runs; none for Azure. */
  storeFiles: string[]
  /** Objects of the stored (normal) chunks, in chunk index order. */
  chunks: string[]
  /** Bytes of one chunk. */
  chunkBytes: number
  /** SHA-256 of every stored chunk's bytes in index order, read from the .zgy. */
  chunksSha256: string
  /** Printable description: sizes, where each copy lives (no secrets). */
  describe: string
  /** The embedded Azurite serving the blob copy, when no Azure account is configured. */
  azurite: { pid: number; location: string } | null
}

/** Log line for long work, on stderr so Vitest shows it as it happens. */
function progress(text: string): void {
  process.stderr.write(`fast-ab: ${text}\n`)
}

function volumeFile(config: Config, log: (text: string) => void): { path: string; key: string } {
  const v = config.volume
  if (v.file) return { path: resolve(v.file), key: v.file.split(/[\\/]/).pop()!.replace(/\.zgy$/i, '') }
  const dir = config.nas.shares?.[0] ? resolve(config.nas.shares[0]) : resolve(v.data_dir, 'nas')
  mkdirSync(dir, { recursive: true })
  const params = { inlines: v.inlines, crosslines: v.crosslines, samples: v.samples, dataType: v.data_type, seed: v.seed }
  const t0 = performance.now()
  const made = ensureSyntheticZgy(params, dir)
  log(made.created ? `generated ${describeParams(params)} in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${made.path}` : `reusing ${made.path}`)
  return { path: made.path, key: made.key }
}

/**
 * Prepares the volume twice (the .zgy, generated and cached or config volume.file, and its chunked
 * blob copy on an embedded Azurite started here or the configured Azure container). release() stops
 * the Azurite and removes its workspace; the cleanup handlers do the same at Ctrl-C.
 */
export async function prepareVolume(config: Config, log: (text: string) => void = progress): Promise<FastVolume & { release(): Promise<void> }> {
  const { path: zgyPath, key } = volumeFile(config, log)
  const prefix = config.volume.prefix ?? `benchgate/${key}`
  let azurite: Azurite | null = null
  try {
    let write: BlobTarget
    let read: BlobTarget
    const configured = targetFromConfig(config.azure)
    if (configured) {
      write = read = configured
    } else {
      azurite = await startAzurite()
      await createContainer(azurite, CONTAINER)
      write = containerSas(azurite, CONTAINER, { permissions: 'racwl' })
      read = containerSas(azurite, CONTAINER, { permissions: 'r' })
    }
    const { uploaded: _, ...chunks } = await uploadVolume(zgyPath, key, write, prefix, log)
    const describe = `${zgyPath} and ${describeTarget({ containerUrl: read.containerUrl, sas: '' })}/${prefix}`
    const started = azurite
    return {
      zgyPath, nasRoot: dirname(zgyPath), key, blob: { ...read, prefix }, storeFiles: azurite ? [azurite.location] : [], describe, ...chunks,
      azurite: azurite && { pid: azurite.pid, location: azurite.location },
      release: async () => {
        await started?.stop()
      },
    }
  } catch (e) {
    await azurite?.stop()
    throw e
  }
}

/**
 * The Sessions of one test (or one `benchgate run`) on a prepared volume: FAST cache and mount
 * directories (configured, or in a temp directory), the FAST log, the driver. release() stops any
 * session still running and removes the temp directory.
 */
export function createSessions(config: Config, volume: FastVolume, run: RunDir, driver: 'reader' | 'desktop' | null): { sessions: Sessions; release(): Promise<void> } {
  const work = makeTempDir()
  const cacheDir = config.fast.cache_dir ? resolve(config.fast.cache_dir) : join(work.path, 'fast-cache')
  const mountRoot = config.fast.mount_root ? resolve(config.fast.mount_root) : join(work.path, 'fast-mount')
  mkdirSync(cacheDir, { recursive: true })
  const w = config.workflows
  const sessions = new Sessions({
    zgyPath: volume.zgyPath,
    blob: { containerUrl: volume.blob.containerUrl, sas: volume.blob.sas, prefix: volume.blob.prefix },
    cacheDir,
    mountRoot,
    fastLog: config.fast.log_path ? resolve(config.fast.log_path) : run.path('fast.log'),
    coldFiles: [volume.zgyPath, ...volume.storeFiles],
    dropOsCache: config.cache.drop_os_cache,
    roots: { nas: [volume.nasRoot, ...(config.nas.shares ?? [])], fast: [cacheDir, mountRoot] },
    params: { scrub_count: w.scrub_count, scrub_delay_ms: w.scrub_delay_ms, open: w.open, attribute: w.attribute, horizon: w.horizon, export: w.export },
    reader: { cacheMb: config.fast.brick_cache_mb, concurrency: config.fast.concurrency, timeoutMs: config.fast.timeout_ms, retries: config.fast.retries },
    workDir: work.path,
    desktop: (driver ?? config.fast.driver) === 'desktop' ? { desktop: config.desktop, petrel: config.petrel, workflows: config.workflows } : undefined,
  }, run)
  if (!config.fast.log_path) run.addArtifact('fast.log')
  return {
    sessions,
    release: async () => {
      await sessions.release()
      await work.release()
    },
  }
}

