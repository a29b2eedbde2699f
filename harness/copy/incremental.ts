// The incremental workload's changed source: a second cached tree, the base with
//   touched  `incrementalTouch` files rewritten: same size, new content, new mtime (so a tool's
//            quick check — size and mtime — sees them, and a tool that trusted size alone fails);
//   deleted  `incrementalDelete` files removed;
//   added    `incrementalAdd` new files n<j>.bin, spread round-robin over the base's directories,
//            sizes uniform in the base's (first group's) size range.
// Touched and deleted files are distinct, drawn from seededRandom(seed). New content comes from
// keystreams of their own ('touch', 'add'); new mtimes are a year after the base's epoch.
// The run: dst = mirrorState(base) (untimed), then the tool mirrors this source into dst.
import { rmSync } from 'node:fs'
import { seededRandom } from '../stats/random.ts'
import { blockBytes, cachedTree } from './cache.ts'
import { writePlanned } from './generate.ts'
import type { Manifest, ManifestEntry } from './manifest.ts'
import { copyDir } from './mirror.ts'
import { EPOCH_MS, Keystream, sha16, TREE_FORMAT, type PlannedFile, type TreeSpec } from './tree-spec.ts'
import { manifestOf, type GeneratedTree } from './trees.ts'
import type { WorkloadSizes } from './workloads.ts'

export interface IncrementalChange {
  touched: string[]
  deleted: string[]
  added: string[]
}

const CHANGE_EPOCH_MS = EPOCH_MS + 366 * 86_400_000

export async function ensureIncrementalSource(
  base: GeneratedTree,
  sizes: WorkloadSizes,
  seed: number,
  cacheRoot: string,
): Promise<GeneratedTree & { change: IncrementalChange }> {
  const baseManifest = manifestOf(base)
  const touch = sizes.incrementalTouch
  const del = sizes.incrementalDelete
  const add = sizes.incrementalAdd
  if (touch + del > baseManifest.files) {
    throw new Error(`incremental change of ${touch} touched + ${del} deleted files, but the base tree ${base.key} has ${baseManifest.files}`)
  }
  const spec = { format: TREE_FORMAT, base: base.key, touch, delete: del, add, seed }
  const key = sha16(JSON.stringify(spec))
  const range = (baseManifest.spec as TreeSpec).files?.[0] ?? { minBytes: 1024, maxBytes: 1024 }

  // the change, from the seed alone
  const rng = seededRandom(seed)
  const order = baseManifest.entries.map((_, i) => i)
  for (let i = 0; i < touch + del; i++) {
    const j = i + rng.int(order.length - i)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const touchedIdx = order.slice(0, touch)
  const deletedIdx = order.slice(touch, touch + del)
  const dirs = baseManifest.dirs.length > 0 ? baseManifest.dirs.map(([d]) => d) : ['']
  const width = Math.max(7, String(add - 1).length)
  const addedPlan: PlannedFile[] = Array.from({ length: add }, (_, j) => {
    const dir = dirs[j % dirs.length]!
    const name = `n${String(j).padStart(width, '0')}.bin`
    const size = range.minBytes + Math.floor(rng.next() * (range.maxBytes - range.minBytes + 1))
    return { path: dir === '' ? name : `${dir}/${name}`, size, mtimeMs: CHANGE_EPOCH_MS + (touch + j) * 1000 + (j % 1000) }
  })
  const touchedPlan: PlannedFile[] = touchedIdx.map((idx, k) => {
    const [path, size] = baseManifest.entries[idx]!
    return { path, size, mtimeMs: CHANGE_EPOCH_MS + k * 1000 + (k % 1000) }
  })
  const addedBytes = addedPlan.reduce((n, f) => n + blockBytes(f.size), 0)
  const baseBlocks = baseManifest.entries.reduce((n, e) => n + blockBytes(e[1]), 0)

  const got = await cachedTree(cacheRoot, key, {
    neededBytes: baseBlocks + addedBytes,
    field: 'incremental',
    build: async (treeDir): Promise<Manifest> => {
      await copyDir(base.dir, treeDir)
      const entries = new Map<string, ManifestEntry>(baseManifest.entries.map((e) => [e[0], e]))
      for (const idx of deletedIdx) {
        const path = baseManifest.entries[idx]![0]
        rmSync(`${treeDir}/${path}`)
        entries.delete(path)
      }
      const touchKs = new Keystream(seed, `touch:${base.key}`)
      for (const f of touchedPlan) entries.set(f.path, writePlanned(treeDir, f, touchKs))
      const addKs = new Keystream(seed, `add:${base.key}`)
      for (const f of addedPlan) entries.set(f.path, writePlanned(treeDir, f, addKs))
      const list = [...entries.values()]
      return {
        format: TREE_FORMAT,
        key,
        spec,
        files: list.length,
        bytes: list.reduce((n, e) => n + e[1], 0),
        dirs: baseManifest.dirs,
        entries: list,
        change: {
          touched: touchedPlan.map((f) => f.path).sort(),
          deleted: deletedIdx.map((i) => baseManifest.entries[i]![0]).sort(),
          added: addedPlan.map((f) => f.path).sort(),
        },
      }
    },
  })
  const change = got.manifest.change ?? { touched: [], deleted: [], added: [] }
  return { dir: got.dir, files: got.manifest.files, bytes: got.manifest.bytes, key, seconds: got.seconds, cached: got.cached, change }
}
