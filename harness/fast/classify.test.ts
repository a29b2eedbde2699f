import { expect, test } from 'vitest'
import { classifySource, rootKind } from './classify.ts'

const roots = { nas: ['/mnt/nas/seismic', '/data/share/'], fast: ['/var/fast/mount', '/mnt/nas/seismic/fast-cache'] }

test('a file under a NAS root is NAS_ZGY, under a FAST root FAST_VZGY_AzureVDS', () => {
  expect(classifySource(['/mnt/nas/seismic/north/vol.zgy'], roots, false)).toBe('NAS_ZGY')
  expect(classifySource(['/data/share/vol.zgy'], roots, false)).toBe('NAS_ZGY')
  expect(classifySource(['/var/fast/mount/vol.vzgy'], roots, false)).toBe('FAST_VZGY_AzureVDS')
})

test('the longest root wins: a FAST cache inside a NAS share counts as FAST', () => {
  expect(rootKind('/mnt/nas/seismic/fast-cache/x/vol.vzgy', roots, false)).toBe('fast')
  expect(rootKind('/mnt/nas/seismic/vol.zgy', roots, false)).toBe('nas')
})

test('a sibling directory sharing a name prefix is not under the root', () => {
  expect(rootKind('/mnt/nas/seismic2/vol.zgy', roots, false)).toBeNull()
  expect(classifySource(['/mnt/nas/seismic2/vol.zgy'], roots, false)).toBe('unknown')
})

test('both kinds seen is mixed; nothing seen is unknown', () => {
  expect(classifySource(['/data/share/a.zgy', '/var/fast/mount/a.vzgy'], roots, false)).toBe('mixed')
  expect(classifySource([], roots, false)).toBe('unknown')
})

test('Windows paths compare case-insensitively with either slash', () => {
  const win = { nas: ['\\\\nas01\\Seismic'], fast: ['C:/FAST/Mount'] }
  expect(classifySource(['\\\\NAS01\\seismic\\north\\Vol.ZGY'], win, true)).toBe('NAS_ZGY')
  expect(classifySource(['c:\\fast\\mount\\vol.vzgy'], win, true)).toBe('FAST_VZGY_AzureVDS')
  expect(classifySource(['C:\\FASTER\\vol.vzgy'], win, true)).toBe('unknown')
})
