// Cache states of a session. Warm needs nothing here (the scenario runs one unmeasured warm-up
// session first). Cold, before every measured session:
//
//   1. the FAST cache directory is emptied (the directory itself stays);
//   2. the OS page cache is dropped where this process may: on Linux `sync`, then
//      /proc/sys/vm/drop_caches ← 3 (root); without that right, each volume file named is evicted
//      on its own with posix_fadvise(DONTNEED) (GNU dd iflag=nocache count=0, no privilege needed);
//      on Windows ps1/Clear-StandbyList.ps1 purges the standby list (administrator); elsewhere, or
//      when nothing is permitted, the result says so;
//   3. what is still resident of the volume files is measured (Linux fincore) and reported, so
//      run.json records the real cache state, not the requested one.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export type OsCacheAction = 'dropped' | 'evicted-files' | 'not-permitted' | 'not-requested'

export interface ColdReport {
  fast_cache: 'purged' | 'none'
  os_cache: OsCacheAction
  /** Why the OS cache could not be dropped, when it could not. */
  os_cache_detail?: string
  /** Bytes of the named files still in the page cache afterwards (null: not measurable here). */
  resident_bytes: number | null
  /** Total size of the named files. */
  file_bytes: number
}

export interface ColdOptions {
  /** The FAST cache directory to empty. */
  fastCacheDir?: string
  /** Files whose page-cache residency matters (the .zgy, the blob store's files). */
  files: readonly string[]
  /** false: leave the OS cache alone (config cache.drop_os_cache). */
  dropOsCache: boolean
}

const PS1 = resolve(import.meta.dirname, '../../ps1/Clear-StandbyList.ps1')

/** Every regular file under the given paths (directories walked). */
export function filesUnder(paths: readonly string[]): string[] {
  const out: string[] = []
  const walk = (p: string): void => {
    let st
    try {
      st = statSync(p)
    } catch {
      return
    }
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e))
    else if (st.isFile()) out.push(p)
  }
  for (const p of paths) walk(p)
  return out
}

function emptyDir(dir: string): void {
  mkdirSync(dir, { recursive: true })
  for (const e of readdirSync(dir)) rmSync(join(dir, e), { recursive: true, force: true })
}

/** Bytes of `files` resident in the page cache (Linux fincore), or null. */
export function residentBytes(files: readonly string[]): number | null {
  if (process.platform !== 'linux' || files.length === 0) return files.length === 0 ? 0 : null
  const r = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', ...files], { encoding: 'utf8' })
  if (r.status !== 0 || r.error) return null
  return r.stdout.split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.trim()), 0)
}

function dropLinux(files: readonly string[]): { action: OsCacheAction; detail?: string } {
  spawnSync('sync')
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3')
    return { action: 'dropped' }
  } catch (e) {
    const why = `/proc/sys/vm/drop_caches: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`
    let evicted = 0
    for (const f of files) {
      const r = spawnSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none'])
      if (r.status === 0) evicted++
    }
    return evicted === files.length && files.length > 0
      ? { action: 'evicted-files', detail: `${why}; evicted the ${files.length} volume files instead` }
      : { action: 'not-permitted', detail: `${why}; per-file eviction worked for ${evicted} of ${files.length} files` }
  }
}

function dropWindows(): { action: OsCacheAction; detail?: string } {
  if (!existsSync(PS1)) return { action: 'not-permitted', detail: `${PS1} is missing` }
  const r = spawnSync('powershell.exe', ['-NoProfile', '-ExecutionPolicy', 'Bypass', '-File', PS1], { encoding: 'utf8' })
  return r.status === 0 ? { action: 'dropped' } : { action: 'not-permitted', detail: (r.stderr || r.stdout || String(r.error)).trim().split('\n')[0] }
}

/** Makes the next session Cold and reports what that achieved. */
export function makeCold(o: ColdOptions): ColdReport {
  if (o.fastCacheDir) emptyDir(o.fastCacheDir)
  const files = filesUnder(o.files)
  let os: { action: OsCacheAction; detail?: string } = { action: 'not-requested' }
  if (o.dropOsCache) {
    os = process.platform === 'linux' ? dropLinux(files)
      : process.platform === 'win32' ? dropWindows()
        : { action: 'not-permitted', detail: `no cache-dropping method on ${process.platform}` }
  }
  const file_bytes = files.reduce((n, f) => n + statSync(f).size, 0)
  return {
    fast_cache: o.fastCacheDir ? 'purged' : 'none',
    os_cache: os.action,
    ...(os.detail ? { os_cache_detail: os.detail } : {}),
    resident_bytes: residentBytes(files),
    file_bytes,
  }
}
