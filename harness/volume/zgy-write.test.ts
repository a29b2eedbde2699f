import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { allocateSamples, codingOf } from './coding.ts'
import { openZgy, type Vec3, type ZgyDataType, type ZgyFile, type ZgySamples } from './zgy.ts'
import { writeZgy, ZGY_BRICK, type ZgyWriteBrick, type ZgyWriteSpec } from './zgy-write.ts'

const FANCY = resolve(import.meta.dirname, '../../../shared/testdata/Fancy-int8.zgy')
const haveFancy = existsSync(FANCY)
if (!haveFancy) console.warn(`zgy writer test on Fancy-int8.zgy skipped: the public test file ${FANCY} is not on this machine (shared/ sits beside the repository)`)
const dir = mkdtempSync(join(tmpdir(), 'zgy-write-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const B = ZGY_BRICK
const CODING: Record<string, [number, number]> = { int8: [-3.5, 12.25], int16: [-1, 1], float32: [0, 0] }

/** A deterministic test brick: kinds by position, samples from a cheap integer hash. */
function testBrick(type: ZgyDataType, bi: number, bj: number, bk: number): ZgyWriteBrick {
  const kind = (bi + 2 * bj + bk) % 4
  if (kind === 1) return { kind: 'missing' }
  if (kind === 2) return { kind: 'constant', value: type === 'float32' ? 0.75 : type === 'int16' ? -1234 : 17 }
  const data = allocateSamples(type, B ** 3)
  for (let n = 0; n < data.length; n++) {
    const h = Math.imul(n + 7919 * (bi + 31 * bj + 961 * bk), 2654435761) >>> 0
    data[n] = type === 'int8' ? (h >>> 24) - 128 : type === 'int16' ? (h >>> 16) - 32768 : ((h >>> 8) / 2 ** 24) * 4 - 2
  }
  return { kind: 'normal', data }
}

/** Byte-wise equality of two sample arrays (expect's deep equality is far too slow for 64³ samples). */
function sameSamples(a: ZgySamples, b: ZgySamples): boolean {
  return a.constructor === b.constructor && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

function expectedBrick(z: ZgyFile, b: ZgyWriteBrick): ZgySamples {
  if (b.kind === 'normal') return b.data
  const out = allocateSamples(z.dataType, B ** 3)
  out.fill(b.kind === 'constant' ? b.value : z.missingValue)
  return out
}

/** The check zgy.test.ts makes on Fancy-int8.zgy: stored statistics and histogram agree with every sample read. */
function expectStatisticsOfSamples(z: ZgyFile): void {
  const [ni, nj, nk] = z.size
  let count = 0, sum = 0, ssq = 0, min = Infinity, max = -Infinity
  const bins = new Array<number>(256).fill(0)
  const binWidth = (z.histogram.max - z.histogram.min) / 255
  for (let i = 0; i < ni; i++) {
    for (const v of z.readInline(i)) {
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
  // summed in another order than the writer's: equal up to rounding
  expect(Math.abs(z.statistics.sum - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, ssq))
  expect(Math.abs(z.statistics.sumOfSquares - ssq)).toBeLessThanOrEqual(1e-9 * Math.max(1, ssq))
  // min and max are stored as float32
  expect(z.statistics.min).toBe(Math.fround(min))
  expect(z.statistics.max).toBe(Math.fround(max))
  expect(z.histogram.count).toBe(count)
  expect(z.histogram.bins).toEqual(bins)
}

describe('writeZgy round trips', () => {
  const size: Vec3 = [130, 70, 100] // 3 × 2 × 2 bricks, none of the directions a multiple of 64
  const cases: [ZgyDataType, 2 | 3 | 4][] = [['int8', 2], ['int8', 3], ['int8', 4], ['int16', 2], ['int16', 3], ['int16', 4], ['float32', 2], ['float32', 3], ['float32', 4]]
  for (const [type, version] of cases) {
    test(`${type}, version ${version}: every brick and inline reads back; statistics and histogram agree with the samples`, () => {
      const path = join(dir, `rt-${type}-v${version}.zgy`)
      const spec: ZgyWriteSpec = {
        size, dataType: type, version, origin: [100, 200, 8], increment: [1, 2, 4],
        brick: (bi, bj, bk) => testBrick(type, bi, bj, bk),
        ...(type === 'float32' ? { valueRange: [-2, 2] } : { codingRange: CODING[type] }),
      }
      const result = writeZgy(path, spec)
      expect(result.bricks).toEqual({ normal: 6, constant: 3, missing: 3 })
      expect(result.bytes).toBe(statSync(path).size)
      expect(readdirSync(dir).filter(f => f.endsWith('.partial'))).toEqual([])
      const z = openZgy(path)
      try {
        expect(z.version).toBe(version)
        expect(z.size).toEqual(size)
        expect(z.brickSize).toEqual([64, 64, 64])
        expect(z.dataType).toBe(type)
        expect(z.origin).toEqual([100, 200, 8])
        expect(z.increment).toEqual([1, 2, 4])
        if (type !== 'float32') expect(z.codingRange).toEqual(CODING[type]!.map(Math.fround))
        expect(z.missingValue === codingOf(type, z.codingRange).missingValue).toBe(true) // (the reader may say -0)
        expect(z.lodBricks[0]).toEqual([3, 2, 2])
        const bytesPerBrick = B ** 3 * (type === 'int8' ? 1 : type === 'int16' ? 2 : 4)
        const offsets = z.bricks.flatMap(b => (b.kind === 'normal' ? [b.offset] : []))
        expect(offsets[0]).toBe(bytesPerBrick) // header block padded to one brick
        expect(offsets.every(o => o % bytesPerBrick === 0)).toBe(true)
        const expected: ZgySamples[] = []
        for (let bk = 0; bk < 2; bk++) for (let bj = 0; bj < 2; bj++) for (let bi = 0; bi < 3; bi++) {
          const want = testBrick(type, bi, bj, bk)
          const index = z.brickIndex(bi, bj, bk)
          expected[index] = expectedBrick(z, want)
          expect(z.bricks[index]!.kind).toBe(want.kind)
          if (want.kind === 'constant') expect(z.bricks[index]).toEqual({ kind: 'constant', value: want.value })
          expect(sameSamples(z.readBrick(index), expected[index]), `brick ${bi},${bj},${bk}`).toBe(true)
        }
        for (let i = 0; i < size[0]; i++) {
          const want = allocateSamples(type, size[1] * size[2])
          const bi = Math.floor(i / B)
          for (let j = 0; j < size[1]; j++) {
            for (let k = 0; k < size[2]; k++) {
              const brick = expected[z.brickIndex(bi, Math.floor(j / B), Math.floor(k / B))]!
              want[j * size[2] + k] = brick[((i % B) * B + (j % B)) * B + (k % B)]!
            }
          }
          expect(sameSamples(z.readInline(i), want), `inline ${i}`).toBe(true)
        }
        expectStatisticsOfSamples(z)
      } finally {
        z.close()
      }
    })
  }

  test('uint8, uint16, int32 and uint32 round-trip too, with consistent statistics', () => {
    const spread: Record<string, (h: number) => number> = { uint8: h => h >>> 24, uint16: h => h >>> 16, int32: h => h | 0, uint32: h => h }
    for (const type of ['uint8', 'uint16', 'int32', 'uint32'] as const) {
      const path = join(dir, `other-${type}.zgy`)
      const data = allocateSamples(type, B ** 3)
      for (let n = 0; n < data.length; n++) data[n] = spread[type]!(Math.imul(n + 1, 2654435761) >>> 0)
      writeZgy(path, { size: [70, 64, 30], dataType: type, codingRange: [-1000, 1000], brick: bi => (bi === 0 ? { kind: 'normal', data } : { kind: 'constant', value: 7 }) })
      const z = openZgy(path)
      try {
        expect(z.dataType).toBe(type)
        expect(sameSamples(z.readBrick(0), data), type).toBe(true)
        expect(z.bricks[1]).toEqual({ kind: 'constant', value: 7 })
        expectStatisticsOfSamples(z)
      } finally {
        z.close()
      }
    }
  })

  test('float32 without a value range: two passes, the histogram spans the samples read', () => {
    const path = join(dir, 'float-two-pass.zgy')
    const calls = new Map<string, number>()
    const progress: number[] = []
    writeZgy(path, {
      size: [70, 64, 65], dataType: 'float32',
      brick: (bi, bj, bk) => {
        calls.set(`${bi},${bj},${bk}`, (calls.get(`${bi},${bj},${bk}`) ?? 0) + 1)
        return testBrick('float32', bi, bj, bk)
      },
      onProgress: (done, total) => progress.push(done / total),
    })
    expect([...calls.values()].every(n => n === 2)).toBe(true)
    expect(progress.at(-1)).toBe(1)
    expect(progress).toHaveLength(2 * calls.size)
    const z = openZgy(path)
    try {
      expectStatisticsOfSamples(z)
      expect(z.histogram.min).toBe(z.statistics.min)
      expect(z.histogram.max).toBe(z.statistics.max)
    } finally {
      z.close()
    }
  })
})

describe.runIf(haveFancy)('writeZgy on the public file', () => {
  test("re-writing Fancy-int8.zgy's bricks gives equal bricks, statistics and histogram", () => {
    const original = openZgy(FANCY)
    const path = join(dir, 'fancy-copy.zgy')
    try {
      writeZgy(path, {
        size: original.size, dataType: original.dataType, codingRange: original.codingRange,
        origin: original.origin, increment: original.increment, version: 3,
        brick: (bi, bj, bk) => {
          const b = original.bricks[original.brickIndex(bi, bj, bk)]!
          return b.kind === 'normal' ? { kind: 'normal', data: original.readBrick(original.brickIndex(bi, bj, bk)) } : b
        },
      })
      const copy = openZgy(path)
      try {
        expect(copy.version).toBe(3)
        expect(copy.size).toEqual(original.size)
        expect(copy.codingRange).toEqual(original.codingRange)
        expect(copy.origin).toEqual(original.origin)
        expect(copy.increment).toEqual(original.increment)
        // same kinds, and even the same offsets: 262144 and 524288 for the two stored bricks
        expect(copy.bricks).toEqual(original.bricks)
        for (let n = 0; n < original.bricks.length; n++) expect(sameSamples(copy.readBrick(n), original.readBrick(n)), `brick ${n}`).toBe(true)
        expect(copy.statistics).toEqual(original.statistics)
        expect(copy.histogram).toEqual(original.histogram)
        expectStatisticsOfSamples(copy)
      } finally {
        copy.close()
      }
    } finally {
      original.close()
    }
  })
})

describe('writeZgy refuses bad input and never leaves a file that looks complete', () => {
  const leftovers = (name: string) => readdirSync(dir).filter(f => f.startsWith(name))

  test('a brick callback that throws half-way leaves neither the file nor a partial one', () => {
    expect(() => writeZgy(join(dir, 'crash.zgy'), {
      size: [128, 64, 64], dataType: 'int8', codingRange: [-1, 1],
      brick: (bi) => {
        if (bi === 1) throw new Error('generator crashed')
        return testBrick('int8', 0, 0, 0)
      },
    })).toThrow(/generator crashed/)
    expect(leftovers('crash.zgy')).toEqual([])
  })

  test('a wrong-sized or wrong-typed brick names the file and the brick', () => {
    const path = join(dir, 'short.zgy')
    expect(() => writeZgy(path, { size: [64, 64, 64], dataType: 'int8', codingRange: [-1, 1], brick: () => ({ kind: 'normal', data: new Int8Array(10) }) }))
      .toThrow(`${path}: brick (0, 0, 0): data is Int8Array of length 10; expected the int8 typed array of 262144 samples`)
    expect(() => writeZgy(path, { size: [64, 64, 64], dataType: 'int16', codingRange: [-1, 1], brick: () => ({ kind: 'normal', data: new Int8Array(B ** 3) }) }))
      .toThrow(/brick \(0, 0, 0\): data is Int8Array .* expected the int16 typed array/)
    expect(() => writeZgy(path, { size: [64, 64, 64], dataType: 'int8', codingRange: [-1, 1], brick: () => ({ kind: 'constant', value: 300 }) }))
      .toThrow(/brick \(0, 0, 0\): constant value 300 is not a int8 storage value; expected an integer in -128\.\.127/)
    expect(leftovers('short.zgy')).toEqual([])
  })

  test('a float sample outside the declared value range is an error, not a clamped histogram', () => {
    const path = join(dir, 'range.zgy')
    const data = new Float32Array(B ** 3).fill(5)
    expect(() => writeZgy(path, { size: [64, 64, 64], dataType: 'float32', valueRange: [-1, 1], brick: () => ({ kind: 'normal', data }) }))
      .toThrow(/brick \(0, 0, 0\): value 5 lies outside the histogram range \[-1, 1\]/)
    expect(leftovers('range.zgy')).toEqual([])
  })

  test('spec mistakes are user errors naming the file and the field', () => {
    const path = join(dir, 'bad-spec.zgy')
    const cases: [Partial<ZgyWriteSpec>, RegExp][] = [
      [{ dataType: 'int8' }, /codingRange: is missing for int8 data/],
      [{ dataType: 'int16', codingRange: [1, 1] }, /codingRange: \[1, 1\] is empty/],
      [{ dataType: 'int8', codingRange: [-1, 1], size: [0, 5, 5] }, /size: \[0,5,5\] is not usable; expected three whole numbers/],
      [{ dataType: 'int8', codingRange: [-1, 1], version: 5 as 3 }, /version: 5 is not a writable format version; expected 2, 3 or 4/],
    ]
    for (const [patch, message] of cases) {
      let error: unknown
      try {
        writeZgy(path, { size: [10, 10, 10], dataType: 'int8', brick: () => ({ kind: 'missing' }), ...patch })
      } catch (e) {
        error = e
      }
      expect(isUserError(error)).toBe(true)
      expect((error as Error).message).toContain(path)
      expect((error as Error).message).toMatch(message)
    }
    expect(leftovers('bad-spec.zgy')).toEqual([])
  })
})
