import { expect, test } from 'vitest'
import { pathMatcher } from './glob.ts'

test('a pattern without / matches the basename', () => {
  const m = pathMatcher('*.zgy')
  expect(m('/data/vol/a.zgy')).toBe(true)
  expect(m('/data/vol/a.zgy.bak')).toBe(false)
  expect(m('/data/a.ZGY')).toBe(false)
  expect(pathMatcher('vol_??.{zgy,vds}')('/x/vol_01.vds')).toBe(true)
  expect(pathMatcher('[!a]*.zgy')('/x/a1.zgy')).toBe(false)
  expect(pathMatcher('a+b(1).zgy')('/x/a+b(1).zgy')).toBe(true)
})

test('a pattern with / matches the whole path', () => {
  expect(pathMatcher('/data/**/*.zgy')('/data/a/b/c.zgy')).toBe(true)
  expect(pathMatcher('/data/**/*.zgy')('/data/c.zgy')).toBe(true)
  expect(pathMatcher('/data/*.zgy')('/data/a/c.zgy')).toBe(false)
})
