// ensureTree: the generated source tree of a spec, from the cache (./cache.ts) or made now
// (./tree-spec.ts says what a spec generates, ./generate.ts writes it).
import { blockBytes, cachedTree } from './cache.ts'
import { makeDirs, writeFiles, type Progress } from './generate.ts'
import { manifestPathOf, readManifest, type Manifest } from './manifest.ts'
import { canonicalSpec, DIR_MODE, Keystream, planTree, TREE_FORMAT, treeKey, type TreeSpec } from './tree-spec.ts'

export interface GeneratedTree {
  /** The tree's root: copy from here. */
  dir: string
  files: number
  bytes: number
  /** The cache key (16 hex digits of the spec's sha256). */
  key: string
  /** Wall time of this call: generation, or checking the cached tree. */
  seconds: number
  cached: boolean
}

export interface EnsureOptions {
  /** Bytes written so far of the total (every 2000 files or 64 MiB, and at the end); throwing stops. */
  onProgress?: Progress
  /** The config field the sizes come from, named if the disk is too small. */
  field?: string
}

/** The tree of `spec` under `cacheRoot` (callers use <repo>/.benchgate-cache/copy/trees). */
export async function ensureTree(spec: TreeSpec, cacheRoot: string, opts: EnsureOptions = {}): Promise<GeneratedTree> {
  const key = treeKey(spec)
  const plan = planTree(spec)
  const needed = plan.files.reduce((n, f) => n + blockBytes(f.size), 0) + plan.dirs.length * 4096
  const got = await cachedTree(cacheRoot, key, {
    neededBytes: needed,
    field: opts.field,
    build: async (treeDir): Promise<Manifest> => {
      makeDirs(treeDir, plan.dirs, DIR_MODE)
      const entries = await writeFiles(treeDir, plan.files, new Keystream(spec.seed, 'tree'), opts.onProgress)
      return {
        format: TREE_FORMAT,
        key,
        spec: JSON.parse(canonicalSpec(spec)) as unknown,
        files: entries.length,
        bytes: plan.bytes,
        dirs: plan.dirs.map((d) => [d, DIR_MODE]),
        entries,
      }
    },
  })
  return { dir: got.dir, files: got.manifest.files, bytes: got.manifest.bytes, key, seconds: got.seconds, cached: got.cached }
}

/** The manifest of a tree made by ensureTree or ensureIncrementalSource. */
export function manifestOf(tree: GeneratedTree): Manifest {
  return readManifest(manifestPathOf(tree.dir))
}

