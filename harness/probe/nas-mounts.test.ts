// Linux only (listed in vitest.config.ts): the share host read from the mount table (a list in the
// shape of /proc/mounts, and the real one), and a Cold read with the OS cache dropped or the file
// evicted, recorded as achieved.
import { mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { makeTempDir } from '../run/cleanup.ts'
import { probeShare, shareHost } from './nas.ts'
import { Progress } from './progress.ts'
import { MIB } from './stats.ts'
import { lineSink } from './test-support.ts'

describe('shareHost from the mount table', () => {
  // as /proc/mounts lists them: source, mount point (spaces as \040 are decoded by readMounts)
  const MOUNTS = [
    { source: '/dev/nvme0n1p2', point: '/' },
    { source: '//filer01/seismic', point: '/mnt/seismic' },
    { source: 'nfs02.example.com:/export/vols', point: '/mnt/vols' },
    { source: '//filer03/deep', point: '/mnt/vols/deep share' },
    { source: 'tmpfs', point: '/mnt/vols/scratch' },
  ]

  test.each([
    ['a directory inside a cifs mount', '/mnt/seismic/2024/a', 'filer01'],
    ['the cifs mount point itself', '/mnt/seismic', 'filer01'],
    ['a directory inside an nfs mount', '/mnt/vols/x', 'nfs02.example.com'],
    ['the longest mount point wins (cifs inside nfs)', '/mnt/vols/deep share/y', 'filer03'],
    ['a local file system inside an nfs mount', '/mnt/vols/scratch/z', null],
    ['a local disk', '/home/probe/data', null],
    ['a name that only starts like a mount point', '/mnt/seismic-old/a', null],
  ])('%s', (_, path, host) => {
    expect(shareHost(path, MOUNTS)).toBe(host)
  })

  test('the real /proc/mounts: the temp directory is not on a network share', () => {
    const table = readFileSync('/proc/mounts', 'utf8')
    expect(table.length).toBeGreaterThan(0)
    expect(shareHost(tmpdir())).toBeNull()
  })
})

describe('Cold with probe cache dropping on', () => {
  const work = makeTempDir('benchgate-probe-cold-')
  afterAll(() => work.release())

  test('each Cold read records that the cache was dropped or the file evicted, and what stayed resident', async () => {
    const path = join(work.path, 'share')
    mkdirSync(path)
    const { lines, sink } = lineSink()
    const { result } = await probeShare({ name: 'cold', path, host: null, embedded: true }, {
      fileSizeMib: 4, fileName: 'cold.bin', chunkMib: 1, streams: 2, create: false, dropOsCache: true,
      rttCount: 1, smbPort: 445, requestTimeoutMs: 1000, timeoutMs: 30_000,
    }, new Progress(5, sink))
    expect(result.ok).toBe(true)
    const cold = result.reads.filter((r) => r.cache_state === 'Cold')
    expect(cold).toHaveLength(2)
    for (const r of cold) {
      // root drops the whole page cache; anyone else evicts the file alone; either way it is said
      expect(['dropped', 'evicted-files']).toContain(r.cold!.os_cache)
      if (r.cold!.os_cache !== 'dropped') expect(r.cold!.os_cache_detail).toMatch(/drop_caches/)
      expect(r.cold!.file_bytes).toBe(4 * MIB)
      if (r.cold!.resident_bytes === null) console.warn('fincore is not available: resident bytes not measured')
      else expect(r.cold!.resident_bytes).toBeLessThanOrEqual(4 * MIB)
    }
    expect(lines.filter((l) => / Cold, /.test(l)).every((l) => /\(OS cache (dropped|evicted-files)\)/.test(l))).toBe(true)
  })
})
