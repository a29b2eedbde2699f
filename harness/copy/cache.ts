// The tree cache: a tree is generated into <key>.partial-<pid>, its manifest written last, and the
// directory renamed to <key>; so a directory named <key> is complete. On reuse the tree is checked
// against its manifest by file count and total bytes; a mismatch (someone deleted or grew a file)
// regenerates it. A partial directory is removed when its generation fails, and at exit or on
// SIGINT/SIGTERM/SIGHUP (synchronously, like ../run/cleanup.ts); one left by a process that died
// harder (SIGKILL, power loss) is removed by the next call in any process, once its pid is gone.
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statfsSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from '../errors.ts'
import { isAlive, registerDir } from '../run/cleanup.ts'
import { MANIFEST, TREE, readManifest, writeManifest, type Manifest } from './manifest.ts'
import { walk } from './walk.ts'

export interface CachedTree {
  dir: string
  manifest: Manifest
  seconds: number
  cached: boolean
}

export interface BuildOptions {
  /** Disk the new tree needs (block-rounded bytes); checked before building, with a 10 % margin. */
  neededBytes: number
  /** The config field the size comes from, named when the disk is too small. */
  field?: string
  /** Fills `treeDir` (exists, empty) and returns its manifest. */
  build: (treeDir: string) => Promise<Manifest>
}

/** Removes `<key>.partial-<pid>` directories whose process is gone. */
export function removeDeadPartials(cacheRoot: string): void {
  let names: string[]
  try {
    names = readdirSync(cacheRoot)
  } catch {
    return
  }
  for (const name of names) {
    const m = /\.partial-(\d+)$/.exec(name)
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) rmSync(join(cacheRoot, name), { recursive: true, force: true })
  }
}

/** Regular files and their total size under `treeDir`. */
export function countTree(treeDir: string): { files: number; bytes: number } {
  let files = 0
  let bytes = 0
  for (const [rel, type] of walk(treeDir)) {
    if (type !== 'file') continue
    files++
    bytes += lstatSync(`${treeDir}/${rel}`).size
  }
  return { files, bytes }
}

function verified(entryDir: string): Manifest | null {
  const path = join(entryDir, MANIFEST)
  if (!existsSync(path) || !existsSync(join(entryDir, TREE))) return null
  try {
    const m = readManifest(path)
    const c = countTree(join(entryDir, TREE))
    return c.files === m.files && c.bytes === m.bytes ? m : null
  } catch {
    return null
  }
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** Throws a UserError naming `field` unless `dir`'s file system has `needed` + 10 % free. */
export function checkFreeDisk(dir: string, needed: number, field = 'files'): void {
  const st = statfsSync(dir)
  const free = st.bavail * st.bsize
  const want = Math.ceil(needed * 1.1)
  if (free >= want) return
  throw new UserError({
    file: dir,
    field,
    message: `the source tree needs ${formatBytes(want)} of free disk (${formatBytes(needed)} + 10 %), but only ${formatBytes(free)} is free`,
    expected: `at most ${formatBytes(free / 1.1)} of files`,
    hint: 'lower the size, free disk space, or move the cache (.benchgate-cache/) to a larger file system',
  })
}

const inFlight = new Map<string, Promise<CachedTree>>()

/** The complete tree `<cacheRoot>/<key>`, reused or built. One build per key at a time in this process. */
export function cachedTree(cacheRoot: string, key: string, opts: BuildOptions): Promise<CachedTree> {
  const entryDir = join(cacheRoot, key)
  const running = inFlight.get(entryDir)
  if (running) return running
  const p = obtain(cacheRoot, entryDir, opts).finally(() => inFlight.delete(entryDir))
  inFlight.set(entryDir, p)
  return p
}

async function obtain(cacheRoot: string, entryDir: string, opts: BuildOptions): Promise<CachedTree> {
  const t0 = performance.now()
  const seconds = () => (performance.now() - t0) / 1000
  mkdirSync(cacheRoot, { recursive: true })
  removeDeadPartials(cacheRoot)
  const reuse = verified(entryDir)
  if (reuse) return { dir: join(entryDir, TREE), manifest: reuse, seconds: seconds(), cached: true }
  rmSync(entryDir, { recursive: true, force: true })
  checkFreeDisk(cacheRoot, opts.neededBytes, opts.field)

  const partial = `${entryDir}.partial-${process.pid}`
  const registered = registerDir(partial) // removed on failure, exit and Ctrl-C
  try {
    rmSync(partial, { recursive: true, force: true })
    mkdirSync(join(partial, TREE), { recursive: true })
    const manifest = await opts.build(join(partial, TREE))
    writeManifest(partial, manifest)
    try {
      renameSync(partial, entryDir)
    } catch (e) {
      // another process finished the same tree first: use its copy
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e
      rmSync(partial, { recursive: true, force: true })
      const theirs = verified(entryDir)
      if (!theirs) throw e
      return { dir: join(entryDir, TREE), manifest: theirs, seconds: seconds(), cached: true }
    }
    return { dir: join(entryDir, TREE), manifest, seconds: seconds(), cached: false }
  } finally {
    await registered.release()
  }
}

/** Disk a file of `size` bytes takes (4 KiB blocks). */
export function blockBytes(size: number): number {
  return Math.ceil(size / 4096) * 4096
}
