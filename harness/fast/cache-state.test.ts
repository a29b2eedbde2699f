import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { makeTempDir } from '../run/cleanup.ts'
import { filesUnder, makeCold, residentBytes } from './cache-state.ts'

const dir = makeTempDir()
afterAll(() => dir.release())
if (process.platform !== 'win32') console.warn('cache-state.test.ts: the Windows Cold test (ps1/ cache scripts) runs only on Windows, in the Windows CI job')
if (process.platform !== 'linux') console.warn('cache-state.test.ts: the page-cache Cold test runs only on Linux (it reads residency with util-linux fincore)')

test('Cold empties the FAST cache directory but keeps it', () => {
  const cache = join(dir.path, 'cache')
  mkdirSync(join(cache, 'vol-1', 'sub'), { recursive: true })
  writeFileSync(join(cache, 'vol-1', 'sub', '17'), 'chunk')
  writeFileSync(join(cache, 'loose'), 'x')
  const r = makeCold({ fastCacheDir: cache, files: [], dropOsCache: false })
  expect(r.fast_cache).toBe('purged')
  expect(r.os_cache).toBe('not-requested')
  expect(existsSync(cache)).toBe(true)
  expect(readdirSync(cache)).toEqual([])
})

test.runIf(process.platform === 'linux')('Cold leaves the volume file out of the page cache, and says how', () => {
  const file = join(dir.path, 'vol.zgy')
  writeFileSync(file, Buffer.alloc(8 << 20, 7))
  readFileSync(file) // now resident
  const before = residentBytes([file])
  const r = makeCold({ files: [file], dropOsCache: true })
  expect(r.file_bytes).toBe(8 << 20)
  // as root drop_caches works; without it each file is evicted on its own; either way it is said
  expect(['dropped', 'evicted-files']).toContain(r.os_cache)
  if (r.os_cache !== 'dropped') expect(r.os_cache_detail).toMatch(/drop_caches/)
  if (before !== null) {
    expect(before).toBeGreaterThan(0)
    // what is resident afterwards is measured, not assumed: a fraction at most of what was
    expect(r.resident_bytes).toBeLessThan(before)
  } else {
    console.warn('fincore is not available: resident bytes not measured')
    expect(r.resident_bytes).toBeNull()
  }
})

test.runIf(process.platform === 'win32')('on Windows Cold runs the ps1/ cache scripts and records what they achieved', () => {
  const file = join(dir.path, 'win.zgy')
  writeFileSync(file, Buffer.alloc(1 << 20, 7))
  const r = makeCold({ files: [file], dropOsCache: true })
  // GitHub's Windows runner is an administrator: there both scripts must succeed
  if (process.env.GITHUB_ACTIONS === 'true') expect(r).toMatchObject({ os_cache: 'dropped' })
  else if (r.os_cache !== 'dropped') expect(r.os_cache_detail).toMatch(/^Clear-(WindowsCache|StandbyList)\.ps1: .*administrator/)
  expect(r.file_bytes).toBe(1 << 20)
})

test('filesUnder walks directories and skips what does not exist', () => {
  mkdirSync(join(dir.path, 'store', 'a'), { recursive: true })
  writeFileSync(join(dir.path, 'store', 'a', 'extent'), 'e')
  expect(filesUnder([join(dir.path, 'store'), join(dir.path, 'missing')])).toEqual([join(dir.path, 'store', 'a', 'extent')])
})
