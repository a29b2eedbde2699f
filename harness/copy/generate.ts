// Writes planned files: open, write from the keystream (hashing the same bytes), fchmod, futimes,
// close; all synchronous in one tight loop (per-file async costs more than the syscalls here),
// yielding to the event loop every 50 ms so Ctrl-C is handled and the partial tree removed.
import { createHash } from 'node:crypto'
import { chmodSync, closeSync, fchmodSync, futimesSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { ManifestEntry } from './manifest.ts'
import { FILE_MODE, type Keystream, type PlannedFile } from './tree-spec.ts'

export type Progress = (done: number, total: number) => void

/** Creates `dirs` under `root` and gives them and `root` `mode`, whatever the umask. */
export function makeDirs(root: string, dirs: readonly string[], mode: number): void {
  chmodSync(root, mode)
  for (const d of dirs) {
    mkdirSync(join(root, d), { recursive: true })
    chmodSync(join(root, d), mode)
  }
}

/** Writes one file of `f.size` bytes from `ks` and returns its manifest entry. */
export function writePlanned(root: string, f: PlannedFile, ks: Keystream): ManifestEntry {
  const hash = createHash('sha256')
  const fd = openSync(join(root, f.path), 'w', FILE_MODE)
  try {
    for (let left = f.size; left > 0; ) {
      const piece = ks.next(left)
      for (let off = 0; off < piece.length; ) off += writeSync(fd, piece, off)
      hash.update(piece)
      left -= piece.length
    }
    fchmodSync(fd, FILE_MODE)
    futimesSync(fd, f.mtimeMs / 1000, f.mtimeMs / 1000)
  } finally {
    closeSync(fd)
  }
  return [f.path, f.size, FILE_MODE, f.mtimeMs, hash.digest('hex')]
}

const PROGRESS_BYTES = 64 * 1024 * 1024
const PROGRESS_FILES = 2000
const YIELD_MS = 50

/**
 * Writes `files` in order; `onProgress(bytesDone, bytesTotal)` every 2000 files or 64 MiB and at
 * the end (an exception from it stops the generation).
 */
export async function writeFiles(root: string, files: readonly PlannedFile[], ks: Keystream, onProgress?: Progress): Promise<ManifestEntry[]> {
  const total = files.reduce((n, f) => n + f.size, 0)
  const entries: ManifestEntry[] = []
  let done = 0
  let sinceBytes = 0
  let sinceFiles = 0
  let lastYield = performance.now()
  for (const f of files) {
    entries.push(writePlanned(root, f, ks))
    done += f.size
    sinceBytes += f.size
    sinceFiles++
    if (onProgress && (sinceBytes >= PROGRESS_BYTES || sinceFiles >= PROGRESS_FILES)) {
      onProgress(done, total)
      sinceBytes = sinceFiles = 0
    }
    if (performance.now() - lastYield > YIELD_MS) {
      await new Promise((ok) => setImmediate(ok))
      lastYield = performance.now()
    }
  }
  onProgress?.(done, total)
  return entries
}
