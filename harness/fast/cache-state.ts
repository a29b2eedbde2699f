// Cache states of a session. Warm needs nothing here (the scenario runs one unmeasured warm-up
// session first). Cold, before every measured session:
//
//   1. the FAST cache directory is emptied (the directory itself stays); on Windows by
//      ps1/Rotate-FastCache.ps1, which refuses a drive root (a refusal throws, as a failed removal does);
//   2. the OS page cache is dropped where this process may: on Linux `sync`, then
//      /proc/sys/vm/drop_caches ← 3 (root); without that right, each volume file named is evicted
//      on its own with posix_fadvise(DONTNEED) (GNU dd iflag=nocache count=0, no privilege needed);
//      on Windows ps1/Clear-WindowsCache.ps1 flushes the file-system cache's working set, then
//      ps1/Clear-StandbyList.ps1 purges the standby list it went to (both administrator; dropped
//      only when both succeed); elsewhere, or when nothing is permitted, the result says so;
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

const PS1_DIR = resolve(import.meta.dirname, '../../ps1')

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

/** Runs ps1/<name> with Windows PowerShell: null on exit code 0, otherwise its one line of why. */
function runPs1(name: string, args: readonly string[] = []): string | null {
  const script = join(PS1_DIR, name)
  if (!existsSync(script)) return `${script} is missing`
  const r = spawnSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', script, ...args], { encoding: 'utf8' })
  if (r.status === 0) return null
  // skip the CLIXML progress records Windows PowerShell can write to a redirected stderr
  const line = (r.stderr || r.stdout || String(r.error)).split(/\r?\n/).map((l) => l.trim()).find((l) => l && !l.startsWith('#< CLIXML') && !l.startsWith('<Objs'))
  return `${name}: ${line ?? `exit code ${r.status}`}`
}

function dropWindows(): { action: OsCacheAction; detail?: string } {
  const why = [runPs1('Clear-WindowsCache.ps1'), runPs1('Clear-StandbyList.ps1')].filter((w) => w !== null)
  return why.length === 0 ? { action: 'dropped' } : { action: 'not-permitted', detail: why.join('; ') }
}

function emptyFastCache(dir: string): void {
  if (process.platform !== 'win32') return emptyDir(dir)
  mkdirSync(dir, { recursive: true })
  const why = runPs1('Rotate-FastCache.ps1', ['-CacheDir', dir, '-AllowedRoot', dir])
  if (why !== null) throw new Error(`the FAST cache ${dir} was not emptied: ${why}`)
}

/** Makes the next session Cold and reports what that achieved. */
export function makeCold(o: ColdOptions): ColdReport {
  if (o.fastCacheDir) emptyFastCache(o.fastCacheDir)
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
