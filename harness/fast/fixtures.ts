// The fixtures the fast-ab scenario stands on, on top of the harness's own (../test.ts):
//   fastVolume  (worker) the volume twice: a .zgy in the NAS directory (generated and cached
//               between runs, or config volume.file) and its chunked copy in blob storage —
//               an embedded Azurite started here and stopped afterwards, or the configured Azure
//               container; the same code path, only endpoint and credentials differ. The reader
//               only ever gets a read-only SAS.
//   sessions    (test) runs sessions under a 10 Hz sampler and computes their KPIs: headless reader
//               sessions, or desktop sessions through the application's window when fast.driver
//               (or the `fastDriver` option, set by `test.override({ fastDriver: 'desktop' })`) is desktop.
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { startAzurite, type Azurite } from '../azure/azurite.ts'
import { containerSas, createContainer, targetFromConfig } from '../azure/store.ts'
import { describeTarget, type BlobTarget } from '../azure/target.ts'
import type { Config } from '../config/schema.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { test as harnessTest } from '../test.ts'
import { ensureSyntheticZgy, describeParams } from '../volume/dataset.ts'
import { uploadVolume } from './blob-volume.ts'
import { Sessions } from './sessions.ts'

export { expect } from '../test.ts'

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

function volumeFile(config: Config): { path: string; key: string } {
  const v = config.volume
  if (v.file) return { path: resolve(v.file), key: v.file.split(/[\\/]/).pop()!.replace(/\.zgy$/i, '') }
  const dir = config.nas.shares?.[0] ? resolve(config.nas.shares[0]) : resolve(v.data_dir, 'nas')
  mkdirSync(dir, { recursive: true })
  const params = { inlines: v.inlines, crosslines: v.crosslines, samples: v.samples, dataType: v.data_type, seed: v.seed }
  const t0 = performance.now()
  const made = ensureSyntheticZgy(params, dir)
  progress(made.created ? `generated ${describeParams(params)} in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${made.path}` : `reusing ${made.path}`)
  return { path: made.path, key: made.key }
}

export interface FastFixtures {
  fastVolume: FastVolume
  sessions: Sessions
  /** Overrides fast.driver for a bench file; null: as configured. */
  fastDriver: 'reader' | 'desktop' | null
}

export const test = harnessTest.extend<FastFixtures>({
  fastVolume: [
    async ({ config }, use) => {
      const { path: zgyPath, key } = volumeFile(config)
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
        const { uploaded: _, ...chunks } = await uploadVolume(zgyPath, key, write, prefix, progress)
        const describe = `${zgyPath} and ${describeTarget({ containerUrl: read.containerUrl, sas: '' })}/${prefix}`
        await use({ zgyPath, nasRoot: dirname(zgyPath), key, blob: { ...read, prefix }, storeFiles: azurite ? [azurite.location] : [], describe, ...chunks,
          azurite: azurite && { pid: azurite.pid, location: azurite.location } })
      } finally {
        await azurite?.stop()
      }
    },
    { scope: 'worker' },
  ],

  fastDriver: null,

  sessions: async ({ fastVolume, config, run, fastDriver }, use) => {
    const work = makeTempDir()
    const cacheDir = config.fast.cache_dir ? resolve(config.fast.cache_dir) : join(work.path, 'fast-cache')
    const mountRoot = config.fast.mount_root ? resolve(config.fast.mount_root) : join(work.path, 'fast-mount')
    mkdirSync(cacheDir, { recursive: true })
    const w = config.workflows
    const sessions = new Sessions({
      zgyPath: fastVolume.zgyPath,
      blob: { containerUrl: fastVolume.blob.containerUrl, sas: fastVolume.blob.sas, prefix: fastVolume.blob.prefix },
      cacheDir,
      mountRoot,
      fastLog: config.fast.log_path ? resolve(config.fast.log_path) : run.path('fast.log'),
      coldFiles: [fastVolume.zgyPath, ...fastVolume.storeFiles],
      dropOsCache: config.cache.drop_os_cache,
      roots: { nas: [fastVolume.nasRoot, ...(config.nas.shares ?? [])], fast: [cacheDir, mountRoot] },
      params: { scrub_count: w.scrub_count, scrub_delay_ms: w.scrub_delay_ms, open: w.open, attribute: w.attribute, horizon: w.horizon, export: w.export },
      reader: { cacheMb: config.fast.brick_cache_mb, concurrency: config.fast.concurrency, timeoutMs: config.fast.timeout_ms, retries: config.fast.retries },
      workDir: work.path,
      desktop: (fastDriver ?? config.fast.driver) === 'desktop' ? { desktop: config.desktop, petrel: config.petrel, workflows: config.workflows } : undefined,
    }, run)
    if (!config.fast.log_path) run.addArtifact('fast.log')
    try {
      await use(sessions)
    } finally {
      await sessions.release()
      await work.release()
    }
  },
})
