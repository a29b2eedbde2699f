// manifest.json: what a cached tree holds, written last (so a tree with a manifest is complete)
// beside the tree, not in it (the tools copy the tree; the manifest is not theirs to copy).
// Layout of the cache:  <cacheRoot>/<key>/manifest.json  and  <cacheRoot>/<key>/tree/…
// The per-file sha256 lets compareTrees check a copy without rehashing the source every run.
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writeFileAtomic } from '../run/atomic.ts'

/** [path relative to the tree, size, mode (permission bits), mtime in ms, sha256 hex] */
export type ManifestEntry = [path: string, size: number, mode: number, mtimeMs: number, sha256: string]

export interface Manifest {
  format: number
  key: string
  /** What the tree was made from: a TreeSpec, or the base and change of an incremental tree. */
  spec: unknown
  files: number
  bytes: number
  /** Directories relative to the tree, with their modes. */
  dirs: Array<[path: string, mode: number]>
  /** Sorted by path. */
  entries: ManifestEntry[]
  change?: { touched: string[]; deleted: string[]; added: string[] }
}

export const MANIFEST = 'manifest.json'
export const TREE = 'tree'

export function manifestPathOf(treeDir: string): string {
  return join(dirname(treeDir), MANIFEST)
}

export function writeManifest(entryDir: string, m: Manifest): void {
  m.entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  m.dirs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  writeFileAtomic(join(entryDir, MANIFEST), JSON.stringify(m))
}

// Parsed manifests by path, kept while the file is unchanged (compareTrees runs every round).
const parsed = new Map<string, { mtimeMs: number; manifest: Manifest }>()

export function readManifest(path: string): Manifest {
  const mtimeMs = statSync(path).mtimeMs
  const hit = parsed.get(path)
  if (hit && hit.mtimeMs === mtimeMs) return hit.manifest
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest
  parsed.set(path, { mtimeMs, manifest })
  return manifest
}
