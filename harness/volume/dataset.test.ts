import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { describeParams, ensureSyntheticZgy, syntheticKey } from './dataset.ts'
import { DEFAULT_SYNTHETIC, type SyntheticVolumeParams } from './synth.ts'
import { openZgy } from './zgy.ts'

const root = mkdtempSync(join(tmpdir(), 'dataset-test-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const SMALL: SyntheticVolumeParams = { inlines: 150, crosslines: 140, samples: 384, dataType: 'int8', seed: 3 }

test('the key is short, stable, and changes with every parameter', () => {
  const key = syntheticKey(SMALL)
  expect(key).toMatch(/^[0-9a-f]{12}$/)
  expect(syntheticKey({ ...SMALL })).toBe(key)
  // the field order of the object does not matter
  expect(syntheticKey({ seed: 3, dataType: 'int8', samples: 384, crosslines: 140, inlines: 150 })).toBe(key)
  const changed: Partial<SyntheticVolumeParams>[] = [{ inlines: 101 }, { crosslines: 91 }, { samples: 385 }, { dataType: 'int16' }, { seed: 4 }]
  const keys = new Set([key, ...changed.map(c => syntheticKey({ ...SMALL, ...c }))])
  expect(keys.size).toBe(6)
  expect(describeParams(DEFAULT_SYNTHETIC)).toBe('synthetic 512 × 512 × 384 int8, seed 1 (96.0 MiB)')
})

test('generates once, then reuses; new parameters build a new file and remove the stale one', () => {
  const dir = join(root, 'cache')
  const made = ensureSyntheticZgy(SMALL, dir)
  expect(made.created).toBe(true)
  expect(made.path).toBe(join(dir, `synthetic-${made.key}.zgy`))
  expect(made.bytes).toBe(statSync(made.path).size)
  expect(readdirSync(dir)).toEqual([`synthetic-${made.key}.zgy`])
  const z = openZgy(made.path)
  try {
    expect(z.size).toEqual([150, 140, 384])
    expect(new Set(z.bricks.map(b => b.kind))).toEqual(new Set(['normal', 'constant', 'missing']))
    expect(z.statistics.count).toBe(150 * 140 * 384)
  } finally {
    z.close()
  }
  const mtime = statSync(made.path).mtimeMs

  const again = ensureSyntheticZgy({ ...SMALL }, dir)
  expect(again).toEqual({ ...made, created: false })
  expect(statSync(made.path).mtimeMs).toBe(mtime)

  const progress: [number, number][] = []
  const other = ensureSyntheticZgy({ ...SMALL, seed: 4 }, dir, (done, total) => progress.push([done, total]))
  expect(other.created).toBe(true)
  expect(progress).toHaveLength(3 * 3 * 6)
  expect(progress.at(-1)).toEqual([54, 54])
  expect(other.key).not.toBe(made.key)
  expect(readdirSync(dir)).toEqual([`synthetic-${other.key}.zgy`])
})

test('a damaged file with the right name is generated again; crash leftovers are removed once stale', () => {
  const dir = join(root, 'damaged')
  const made = ensureSyntheticZgy(SMALL, dir)
  const whole = readFileSync(made.path)
  truncateSync(made.path, made.bytes - 1000)
  // leftovers of crashed runs: one old enough to be stale, one that may still be written
  const old = join(dir, `.synthetic-${made.key}-1-abc.zgy.partial`)
  const fresh = join(dir, `.synthetic-${made.key}-2-def.zgy.partial`)
  const oldPlain = join(dir, 'synthetic-0123456789ab.zgy.partial')
  for (const f of [old, fresh, oldPlain]) writeFileSync(f, 'partial')
  utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000))
  utimesSync(oldPlain, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000))

  const again = ensureSyntheticZgy(SMALL, dir)
  expect(again.created).toBe(true)
  expect(readFileSync(again.path).equals(whole)).toBe(true) // same parameters, byte-identical file
  expect(existsSync(old)).toBe(false)
  expect(existsSync(oldPlain)).toBe(false)
  expect(existsSync(fresh)).toBe(true)
  expect(readdirSync(dir).sort()).toEqual([`.synthetic-${made.key}-2-def.zgy.partial`, `synthetic-${made.key}.zgy`])
})

test('a generator error leaves no file that looks complete', () => {
  const dir = join(root, 'error')
  expect(() => ensureSyntheticZgy({ ...SMALL, samples: 0 }, dir)).toThrow(/samples: 0 is not a usable size/)
  try {
    ensureSyntheticZgy({ ...SMALL, seed: 1.5 }, dir)
  } catch (e) {
    expect(isUserError(e)).toBe(true)
  }
  expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([])
})
