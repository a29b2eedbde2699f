import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, expect, test as vitestTest } from 'vitest'
import { isUserError } from '../errors.ts'
import { openZgy } from './zgy.ts'

// The real public file, in the shared folder beside the repository (see its README there).
const FANCY = resolve(import.meta.dirname, '../../../shared/testdata/Fancy-int8.zgy')
const haveFancy = existsSync(FANCY)
if (!haveFancy) console.warn(`zgy reader tests skipped: the public test file ${FANCY} is not on this machine (shared/ sits beside the repository)`)
const test = vitestTest.runIf(haveFancy)
const dir = mkdtempSync(join(tmpdir(), 'zgy-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function openError(path: string): Error {
  try {
    openZgy(path).close()
  } catch (e) {
    return e as Error
  }
  throw new Error(`${path} opened without error`)
}

test('the header of Fancy-int8.zgy: version, size, bricks, type, coding range, axes', () => {
  const z = openZgy(FANCY)
  try {
    expect(z.version).toBe(3)
    expect(z.size).toEqual([112, 64, 176])
    expect(z.brickSize).toEqual([64, 64, 64])
    expect(z.dataType).toBe('int8')
    expect(z.codingRange).toEqual([-28, 227])
    expect(z.origin).toEqual([1234, 5678, 2500])
    expect(z.increment).toEqual([5, 2, 4.125])
    // 2 × 1 × 3 bricks at full resolution, then 1 × 1 × 2, then one brick
    expect(z.lodBricks).toEqual([[2, 1, 3], [1, 1, 2], [1, 1, 1]])
  } finally {
    z.close()
  }
})

test('the brick lookup table of Fancy-int8.zgy: stored, constant and missing bricks', () => {
  const z = openZgy(FANCY)
  try {
    expect(z.bricks.map(b => b.kind)).toEqual(['normal', 'normal', 'constant', 'constant', 'missing', 'missing'])
    // data bricks start after the header block, padded to one brick (64³ int8 = 256 KiB)
    expect(z.bricks[0]).toEqual({ kind: 'normal', offset: 262144 })
    expect(z.bricks[1]).toEqual({ kind: 'normal', offset: 524288 })
    // the constant bricks and the missing ones both read as float 0 (storage -100 with this coding range)
    expect(z.toFloat(-100)).toBe(0)
    expect(z.bricks[2]).toEqual({ kind: 'constant', value: -100 })
    expect(z.missingValue).toBe(-100)
    expect(z.brickIndex(1, 0, 2)).toBe(5)
    const b = z.readBrick(z.brickIndex(0, 0, 2))
    expect(b).toBeInstanceOf(Int8Array)
    expect(b.length).toBe(64 ** 3)
    expect(b.every(v => v === -100)).toBe(true)
    expect(() => z.readBrick(6)).toThrow(/brick 6 is outside 0\.\.5/)
    expect(() => z.readInline(112)).toThrow(/inline 112 is outside 0\.\.111/)
  } finally {
    z.close()
  }
})

test('the statistics and histogram stored in Fancy-int8.zgy agree with every sample read', () => {
  const z = openZgy(FANCY)
  try {
    const [ni, nj, nk] = z.size
    let count = 0, sum = 0, ssq = 0, min = Infinity, max = -Infinity
    const bins = new Array<number>(256).fill(0)
    const binWidth = (z.histogram.max - z.histogram.min) / 255
    for (let i = 0; i < ni; i++) {
      const inline = z.readInline(i)
      expect(inline).toBeInstanceOf(Int8Array)
      expect(inline.length).toBe(nj * nk)
      for (const v of inline) {
        const f = z.toFloat(v)
        count++
        sum += f
        ssq += f * f
        if (f < min) min = f
        if (f > max) max = f
        bins[Math.round((f - z.histogram.min) / binWidth)]!++
      }
    }
    expect(count).toBe(ni * nj * nk)
    expect(z.statistics.count).toBe(count)
    expect(z.statistics.sum).toBeCloseTo(sum, 3)
    expect(z.statistics.sumOfSquares).toBeCloseTo(ssq, 3)
    expect(z.statistics.min).toBe(min)
    expect(z.statistics.max).toBe(max)
    expect(z.histogram.count).toBe(count)
    expect(z.histogram.bins).toEqual(bins)
  } finally {
    z.close()
  }
})

test('readInline places brick samples where readBrick has them (sample index fastest)', () => {
  const z = openZgy(FANCY)
  try {
    const brick = z.readBrick(z.brickIndex(1, 0, 1)) // inlines 64..127, samples 64..127
    const inline = z.readInline(64 + 10)
    for (const [j, k] of [[0, 0], [5, 7], [63, 47]] as const) {
      expect(inline[j * z.size[2] + 64 + k]).toBe(brick[(10 * 64 + j) * 64 + k])
    }
  } finally {
    z.close()
  }
})

test('a truncated copy is refused with an error naming the file', () => {
  const path = join(dir, 'truncated.zgy')
  writeFileSync(path, readFileSync(FANCY).subarray(0, 600_000))
  const e = openError(path)
  expect(isUserError(e)).toBe(true)
  expect(e.message).toContain(path)
  expect(e.message).toMatch(/brick 1 at byte 524288 lies beyond the end of the file \(600000 bytes\)/)
  expect(e.message).toMatch(/truncated/)

  const tiny = join(dir, 'tiny.zgy')
  writeFileSync(tiny, readFileSync(FANCY).subarray(0, 200))
  const t = openError(tiny)
  expect(isUserError(t)).toBe(true)
  expect(t.message).toContain(tiny)
  expect(t.message).toMatch(/info header: file ends at byte 200/)
})

test('a corrupt magic, an unsupported version and an old compressed file are refused naming the file', () => {
  const bytes = readFileSync(FANCY)
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ['bad-magic.zgy', b => b.write('XYZ\0', 0, 'latin1'), /magic: "XYZ\\u0000" is not a ZGY magic; expected "VBS\\0"/],
    ['old-compressed.zgy', b => b.write('VCS\0', 0, 'latin1'), /compressed files are not supported/],
    ['version-9.zgy', b => b.writeUInt32LE(9, 4), /version: format version 9 is not supported/],
  ]
  for (const [name, corrupt, message] of cases) {
    const path = join(dir, name)
    const copy = Buffer.from(bytes)
    corrupt(copy)
    writeFileSync(path, copy)
    const e = openError(path)
    expect(isUserError(e), name).toBe(true)
    expect(e.message).toContain(path)
    expect(e.message).toMatch(message)
  }
})

test('a compressed brick in the lookup table is refused naming the file', () => {
  const path = join(dir, 'compressed-brick.zgy')
  copyFileSync(FANCY, path)
  const copy = readFileSync(path)
  // find lod 0 brick 0's entry (262144) in the header block and flag it compressed (top byte 0xC0)
  const at = copy.indexOf(Buffer.from([0, 0, 4, 0, 0, 0, 0, 0]), 0)
  expect(at).toBeGreaterThan(0)
  copy.writeBigUInt64LE(0xc0n << 56n | 262144n, at)
  writeFileSync(path, copy)
  const e = openError(path)
  expect(isUserError(e)).toBe(true)
  expect(e.message).toContain(path)
  expect(e.message).toMatch(/brick 0 is compressed; compressed files are not supported/)
})
