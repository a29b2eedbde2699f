// The synthetic volume as a cached file: `<dir>/synthetic-<key>.zgy`, where the key is a short
// hash of the parameters and the generator version (synth.ts), so changed parameters or a changed
// generator build a new file and a file with the right key is reused as it is.
//
// Generating: the writer streams into a hidden, process-unique name (`.synthetic-<key>-<pid>-<rand>.zgy`,
// via its own `.partial` file) that is renamed to the final name when whole, so a crash never leaves
// a file that looks complete and two processes making the same volume at once never write into one
// file (the second rename replaces an identical file). Cleaning: other keys' `synthetic-*.zgy` in
// the directory are removed, and hidden leftovers of crashed runs once they are a minute old
// (a live writer touches its file with every brick).
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { BYTES_PER_SAMPLE } from './coding.ts'
import { checkSyntheticParams, SYNTHETIC_GENERATOR_VERSION, syntheticSpec, type SyntheticVolumeParams } from './synth.ts'
import { openZgy } from './zgy.ts'
import { writeZgy } from './zgy-write.ts'

export interface SyntheticZgy {
  path: string
  key: string
  /** Whether this call generated the file (false: reused). */
  created: boolean
  /** File size. */
  bytes: number
}

const STALE_MS = 60_000
const FILE = /^synthetic-([0-9a-f]+)\.zgy$/
const LEFTOVER = /^(\.synthetic-.*|synthetic-.*\.partial)$/

/** A short stable hash of the parameters and the generator version. */
export function syntheticKey(params: SyntheticVolumeParams): string {
  const { inlines, crosslines, samples, dataType, seed } = params
  const canonical = JSON.stringify({ generator: SYNTHETIC_GENERATOR_VERSION, inlines, crosslines, samples, dataType, seed })
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12)
}

/** One line for logs: `synthetic 512 × 512 × 384 int8, seed 1 (96.0 MiB)`. */
export function describeParams(params: SyntheticVolumeParams): string {
  const mib = (params.inlines * params.crosslines * params.samples * BYTES_PER_SAMPLE[params.dataType]) / 2 ** 20
  return `synthetic ${params.inlines} × ${params.crosslines} × ${params.samples} ${params.dataType}, seed ${params.seed} (${mib.toFixed(1)} MiB)`
}

/** Whether `path` is a whole ZGY file of this volume's shape. */
function usable(path: string, params: SyntheticVolumeParams): boolean {
  try {
    const z = openZgy(path)
    try {
      return z.size[0] === params.inlines && z.size[1] === params.crosslines && z.size[2] === params.samples && z.dataType === params.dataType
    } finally {
      z.close()
    }
  } catch {
    return false
  }
}

function removeStale(dir: string, key: string): void {
  const now = Date.now()
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const file = FILE.exec(name)
    try {
      if (file && file[1] !== key) rmSync(path, { force: true })
      else if (LEFTOVER.test(name) && now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true })
    } catch {
      // gone already (another process cleaning up): fine
    }
  }
}

/**
 * The synthetic volume of `params` in `dir`, generated unless a whole file with its key is there.
 * `onProgress` (optional) hears of every brick generated: bricks done and the total.
 */
export function ensureSyntheticZgy(params: SyntheticVolumeParams, dir: string, onProgress?: (done: number, total: number) => void): SyntheticZgy {
  checkSyntheticParams(params)
  mkdirSync(dir, { recursive: true })
  const key = syntheticKey(params)
  const path = join(dir, `synthetic-${key}.zgy`)
  removeStale(dir, key)
  if (usable(path, params)) return { path, key, created: false, bytes: statSync(path).size }
  const tmp = join(dir, `.synthetic-${key}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.zgy`)
  try {
    writeZgy(tmp, onProgress ? { ...syntheticSpec(params), onProgress } : syntheticSpec(params))
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  return { path, key, created: true, bytes: statSync(path).size }
}
