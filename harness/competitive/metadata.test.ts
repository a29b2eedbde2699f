import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { diskOf, parseMountinfo, writeMetadata, type Metadata } from './metadata.ts'

const root = mkdtempSync(join(tmpdir(), 'benchgate-competitive-metadata-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A fake sysfs: sda (rotational) with partition sda1 at 8:1, nvme0n1 (SSD) at 259:0. */
function fakeSys(): string {
  const sys = join(root, 'sys')
  const disk = (path: string, rotational: string) => {
    mkdirSync(join(sys, path, 'queue'), { recursive: true })
    writeFileSync(join(sys, path, 'queue/rotational'), `${rotational}\n`)
  }
  disk('devices/pci0/block/sda', '1')
  mkdirSync(join(sys, 'devices/pci0/block/sda/sda1'), { recursive: true })
  disk('devices/pci1/block/nvme0n1', '0')
  mkdirSync(join(sys, 'dev/block'), { recursive: true })
  mkdirSync(join(sys, 'class/block'), { recursive: true })
  symlinkSync('../../devices/pci0/block/sda/sda1', join(sys, 'dev/block/8:1'))
  symlinkSync('../../devices/pci1/block/nvme0n1', join(sys, 'dev/block/259:0'))
  symlinkSync('../../devices/pci1/block/nvme0n1', join(sys, 'class/block/nvme0n1'))
  return sys
}

const MOUNTINFO = [
  '26 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw',
  '40 26 0:45 / /data/ram rw - tmpfs tmpfs rw',
  '41 26 0:46 / /data/fast\\040disk rw - btrfs /dev/nvme0n1 rw',
].join('\n')

describe('disk type of the results folder', () => {
  test('mountinfo: the fields, escapes undone', () => {
    expect(parseMountinfo(MOUNTINFO)[2]).toEqual({ majMin: '0:46', mountPoint: '/data/fast disk', filesystem: 'btrfs', source: '/dev/nvme0n1' })
  })
  test('a partition of a rotational disk, an SSD found by the mount source, tmpfs unknown', () => {
    const sysRoot = fakeSys()
    expect(diskOf(root, { sysRoot, mountinfo: MOUNTINFO, majMin: '8:1' })).toEqual({ type: 'rotational', device: 'sda1', filesystem: 'ext4', mountPoint: '/' })
    // btrfs: st_dev is an anonymous 0:N, the mount's source names the disk
    const fast = join(root, 'data/fast disk')
    const info = MOUNTINFO.replace('/data/fast\\040disk', fast.replaceAll(' ', '\\040')).replace('/data/ram', join(root, 'data/ram'))
    mkdirSync(join(fast, 'results'), { recursive: true })
    expect(diskOf(join(fast, 'results/not-yet'), { sysRoot, mountinfo: info, majMin: '0:46' })).toMatchObject({ type: 'ssd', device: 'nvme0n1', filesystem: 'btrfs' })
    mkdirSync(join(root, 'data/ram'), { recursive: true })
    expect(diskOf(join(root, 'data/ram'), { sysRoot, mountinfo: info, majMin: '0:45' })).toEqual({ type: 'unknown', device: null, filesystem: 'tmpfs', mountPoint: join(root, 'data/ram') })
  })
})

test('metadata.json of this checkout and machine', () => {
  const dir = join(root, 'run')
  expect(writeMetadata(dir, { repo: process.cwd(), versions: { ours: 'ours 0.1.0', nginx: 'nginx/1.22.1', memcached: null }, settings: { cooldownS: 0 } })).toEqual(['metadata.json'])
  const m = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Metadata
  expect(m.git.commit).toMatch(/^[0-9a-f]{40}$/)
  expect(m.git.lastMessage).toBeTruthy()
  expect(typeof m.git.dirty).toBe('boolean')
  expect(m.benchgate).toEqual({ version: '0.1.0', commit: m.git.commit })
  expect(m.machine.cpu.cores).toBeGreaterThan(0)
  expect(m.machine.ram_gb).toBeGreaterThan(0)
  expect(m.machine.node).toBe(process.version)
  expect(['ssd', 'rotational', 'unknown']).toContain(m.disk.type)
  if (process.platform === 'linux') expect(m.disk.filesystem).toBeTruthy()
  expect(m.versions).toEqual({ ours: 'ours 0.1.0', nginx: 'nginx/1.22.1', memcached: null })
  expect(m.settings).toEqual({ cooldownS: 0 })
})
