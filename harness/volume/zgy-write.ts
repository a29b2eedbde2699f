// A writer for uncompressed OpenZGY files (format version 2, 3 or 4; 64³ bricks) that zgy.ts reads
// back exactly. Bricks are streamed one at a time from a callback, so a volume of any size is
// written with one brick in memory.
//
// File layout (all little-endian; byte offsets as zgy.ts parses them):
//
//   0    FileHeader    "VBS\0", uint32 version
//   8    OffsetHeader  1 byte (0)
//   9    InfoHeader    337 bytes, offsets relative to its start:
//          0 bricksize int32[3] · 12 datatype uint8 · 13 coding range float32[2]
//          21 data id [16] · 37 version id [16] · 53 previous id [16] (zero) · 69 source type uint8
//          70 origin float32[3] · 82 increment float32[3] · 94 size int32[3]
//          106 current origin int32[3] (0) · 118 current size int32[3] (= size)
//          130 count int64 · 138 sum float64 · 146 sum of squares float64 · 154 min · 158 max float32
//          162 survey origin float32[3] (= origin) · 174 survey size float32[3] (= size × increment)
//          186 geometry flag uint8 (3) · 187 two float64[2] pairs (zero, as in the public file)
//          219 corner inline annotation float32[4] · 235 corner crossline annotation float32[4]
//          251 corner world x float64[4] · 283 corner world y float64[4]  (25 m per inline/crossline)
//          315 horizontal dimension uint8 (1 length) · 316 its unit factor float64 (1, "m")
//          324 vertical dimension uint8 (2 time) · 325 its unit factor float64 (0.001, "ms")
//          333 string list size uint32
//   346  StringList    source name, description, projection, h-unit, v-unit, each NUL-terminated
//   …    HistHeader    int64 count · float32 min · float32 max (centres of bins 0 and 255) · int64[256]
//   …    alpha lookup table, 8 bytes per tile of every level of detail (all zero)
//   …    brick lookup table, 8 bytes per brick, coarsest level of detail first, lod 0 last;
//        within a level the inline index varies fastest. 0 = missing, 0x80 in the top byte =
//        constant (storage value in the low bytes), else the file offset of the brick.
//   …    zero padding, so the first brick starts on a multiple of the brick's byte size (as in
//        the public Fancy-int8.zgy), then the lod 0 bricks, 64³ samples each, sample fastest,
//        then crossline, then inline; edge padding of partial bricks included.
//
// Choices: the coarser levels of detail are all written as missing bricks (the reader and the
// benchmarks use lod 0 only). Bricks are visited inline-slowest, sample-fastest (one brick column
// after the other) and stored in that order. The data and version ids are a hash of the header
// and lookup table, so the same input gives a byte-identical file. Statistics and histogram follow
// zgy-stats.ts; for float32 the histogram range is `spec.valueRange` when given (a sample outside
// it is an error), else the brick callback is called twice: a first pass finds min and max — the
// callback must then return the same bricks both times.
//
// The file is written to `<path>.partial` and renamed to `path` when complete; an error removes
// the partial file, so a file under its final name is always whole.
import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { UserError } from '../errors.ts'
import { PARTIAL_SUFFIX } from '../run/atomic.ts'
import { BYTES_PER_SAMPLE, codingOf, DATA_TYPE_CODES, isSamplesOf, samplesAsBytes, STORAGE_RANGE, type Coding } from './coding.ts'
import type { Vec3, ZgyDataType, ZgyHistogram, ZgySamples, ZgyStatistics } from './zgy.ts'
import { ZgyStatsAccumulator } from './zgy-stats.ts'

export const ZGY_BRICK = 64

export type ZgyWriteBrick =
  | { kind: 'missing' }
  /** `value` is a storage value (an integer in the type's range, or a float32 for float data). */
  | { kind: 'constant'; value: number }
  /** The full 64³ brick, edge padding included, sample index fastest, then crossline, then inline. */
  | { kind: 'normal'; data: ZgySamples }

export interface ZgyWriteSpec {
  /** Samples in inline, crossline and sample direction. */
  size: Vec3
  dataType: ZgyDataType
  /** Float range the integer storage range maps onto; required for integer types, unused for float32. */
  codingRange?: readonly [number, number]
  /** float32 only: histogram range (centres of the first and last bin); omitted → two passes. */
  valueRange?: readonly [number, number]
  /** Annotation of the first sample (inline, crossline, time/depth); default [0, 0, 0]. */
  origin?: Vec3
  /** Annotation step per sample; default [1, 1, 1]. */
  increment?: Vec3
  /** File format version; default 3 (like the public test file). */
  version?: 2 | 3 | 4
  /** The brick at brick position (bi, bj, bk); called once per brick (twice for float32 without valueRange). */
  brick: (bi: number, bj: number, bk: number) => ZgyWriteBrick
  /** Called after every brick with the bricks done and the total (of all passes). */
  onProgress?: (done: number, total: number) => void
}

export interface ZgyWriteResult {
  path: string
  /** File size. */
  bytes: number
  bricks: { normal: number; constant: number; missing: number }
  statistics: ZgyStatistics
  histogram: ZgyHistogram
}

const INFO_OFFSET = 9
const INFO_SIZE = 337
const HIST_SIZE = 16 + 256 * 8
const STRINGS = 'benchgate\0written by benchgate writeZgy\0Unspecified\0m\0ms\0'

function lodSizes(size: Vec3, brick: number): Vec3[] {
  let b: Vec3 = [Math.ceil(size[0] / brick), Math.ceil(size[1] / brick), Math.ceil(size[2] / brick)]
  const out = [b]
  while (Math.max(...b) > 1) {
    b = [Math.ceil(b[0] / 2), Math.ceil(b[1] / 2), Math.ceil(b[2] / 2)]
    out.push(b)
  }
  return out
}

interface Checked {
  size: Vec3
  dataType: ZgyDataType
  coding: Coding
  origin: Vec3
  increment: Vec3
  version: 2 | 3 | 4
}

function checkSpec(path: string, spec: ZgyWriteSpec): Checked {
  const fail = (field: string, message: string, expected: string, hint?: string): never => {
    throw new UserError({ file: path, field, message, expected, hint })
  }
  const vec = (field: string, v: unknown, ok: (x: number) => boolean, expected: string): Vec3 => {
    if (!Array.isArray(v) || v.length !== 3 || !v.every(x => typeof x === 'number' && ok(x))) fail(field, `${JSON.stringify(v)} is not usable`, expected)
    return v as unknown as Vec3
  }
  const size = vec('size', spec.size, x => Number.isInteger(x) && x >= 1 && x <= 0x7fffffff, 'three whole numbers ≥ 1 (inline, crossline, sample)')
  const dataType = spec.dataType
  if (!(dataType in DATA_TYPE_CODES)) fail('dataType', `${JSON.stringify(dataType)} is not a ZGY sample type`, Object.keys(DATA_TYPE_CODES).join(', '))
  const range = (field: string, r: readonly [number, number] | undefined): readonly [number, number] | undefined => {
    if (r === undefined) return undefined
    if (!Array.isArray(r) || r.length !== 2 || !r.every(Number.isFinite) || !(Math.fround(r[0]) <= Math.fround(r[1]))) fail(field, `${JSON.stringify(r)} is not a range`, '[low, high] with finite low ≤ high')
    return r
  }
  const integer = STORAGE_RANGE[dataType] !== undefined
  const codingRange = range('codingRange', spec.codingRange)
  if (integer && codingRange === undefined) fail('codingRange', `is missing for ${dataType} data`, 'the float range [low, high] the storage range maps onto', 'e.g. [-1, 1] for amplitudes scaled to ±1')
  if (integer && !(Math.fround(codingRange![0]) < Math.fround(codingRange![1]))) fail('codingRange', `[${codingRange!.join(', ')}] is empty`, 'low < high')
  const valueRange = range('valueRange', spec.valueRange)
  const version = spec.version ?? 3
  if (version !== 2 && version !== 3 && version !== 4) fail('version', `${String(version)} is not a writable format version`, '2, 3 or 4')
  const coding = codingOf(dataType, integer ? codingRange! : valueRange ?? [0, 0])
  return {
    size, dataType, coding, version,
    origin: vec('origin', spec.origin ?? [0, 0, 0], Number.isFinite, 'three finite numbers'),
    increment: vec('increment', spec.increment ?? [1, 1, 1], Number.isFinite, 'three finite numbers'),
  }
}

/** The lookup-table entry of a constant brick: 0x80 in the top byte, the storage value in the low bytes. */
function constantEntry(type: ZgyDataType, value: number): bigint {
  const b = Buffer.alloc(8)
  switch (type) {
    case 'int8': b.writeInt8(value, 0); break
    case 'uint8': b.writeUInt8(value, 0); break
    case 'int16': b.writeInt16LE(value, 0); break
    case 'uint16': b.writeUInt16LE(value, 0); break
    case 'int32': b.writeInt32LE(value, 0); break
    case 'uint32': b.writeUInt32LE(value, 0); break
    case 'float32': b.writeFloatLE(value, 0); break
  }
  b[7] = 0x80
  return b.readBigUInt64LE(0)
}

function checkConstant(type: ZgyDataType, value: number): string | null {
  const storage = STORAGE_RANGE[type]
  if (storage) return Number.isInteger(value) && value >= storage[0] && value <= storage[1] ? null : `an integer in ${storage[0]}..${storage[1]}`
  return Number.isFinite(value) ? null : 'a finite number'
}

interface HeaderFields extends Checked {
  storedRange: readonly [number, number]
  statistics: ZgyStatistics
  histogram: ZgyHistogram
  alphaCount: number
  lut: readonly bigint[]
}

function encodeHeaderBlock(h: HeaderFields, length: number): Buffer {
  const buf = Buffer.alloc(length)
  buf.write('VBS\0', 0, 'latin1')
  buf.writeUInt32LE(h.version, 4)
  const I = INFO_OFFSET
  const i32x3 = (at: number, v: Vec3): void => v.forEach((x, n) => buf.writeInt32LE(x, I + at + 4 * n))
  const f32 = (at: number, v: readonly number[]): void => v.forEach((x, n) => buf.writeFloatLE(x, I + at + 4 * n))
  const f64 = (at: number, v: readonly number[]): void => v.forEach((x, n) => buf.writeDoubleLE(x, I + at + 8 * n))
  const { size, origin: o, increment: d, statistics: s } = h
  i32x3(0, [ZGY_BRICK, ZGY_BRICK, ZGY_BRICK])
  buf.writeUInt8(DATA_TYPE_CODES[h.dataType], I + 12)
  f32(13, h.storedRange)
  buf.writeUInt8(DATA_TYPE_CODES[h.dataType], I + 69)
  f32(70, o)
  f32(82, d)
  i32x3(94, size)
  i32x3(118, size)
  buf.writeBigInt64LE(BigInt(s.count), I + 130)
  f64(138, [s.sum, s.sumOfSquares])
  f32(154, [s.min, s.max])
  f32(162, o)
  f32(174, [size[0] * d[0], size[1] * d[1], size[2] * d[2]])
  buf.writeUInt8(3, I + 186)
  const [lastI, lastJ] = [o[0] + (size[0] - 1) * d[0], o[1] + (size[1] - 1) * d[1]]
  f32(219, [o[0], lastI, o[0], lastI])
  f32(235, [o[1], o[1], lastJ, lastJ])
  const [x1, y1] = [(size[0] - 1) * 25, (size[1] - 1) * 25]
  f64(251, [0, x1, 0, x1, 0, 0, y1, y1])
  buf.writeUInt8(1, I + 315)
  buf.writeDoubleLE(1, I + 316)
  buf.writeUInt8(2, I + 324)
  buf.writeDoubleLE(0.001, I + 325)
  buf.writeUInt32LE(STRINGS.length, I + 333)
  let at = I + INFO_SIZE
  at += buf.write(STRINGS, at, 'latin1')
  buf.writeBigInt64LE(BigInt(h.histogram.count), at)
  buf.writeFloatLE(h.histogram.min, at + 8)
  buf.writeFloatLE(h.histogram.max, at + 12)
  h.histogram.bins.forEach((c, n) => buf.writeBigInt64LE(BigInt(c), at + 16 + 8 * n))
  at += HIST_SIZE + 8 * h.alphaCount
  h.lut.forEach((e, n) => buf.writeBigUInt64LE(e, at + 8 * n))
  // data and version id: a hash of everything else, so equal input gives an equal file
  const id = createHash('sha256').update(buf).digest()
  id.copy(buf, I + 21, 0, 32)
  return buf
}

/** Writes an uncompressed OpenZGY file, streaming the bricks `spec.brick` returns. */
export function writeZgy(path: string, spec: ZgyWriteSpec): ZgyWriteResult {
  const c = checkSpec(path, spec)
  const { size, dataType, coding } = c
  const lods = lodSizes(size, ZGY_BRICK)
  const [nbi, nbj, nbk] = lods[0]!
  const lod0Count = nbi * nbj * nbk
  const alphaCount = lods.reduce((n, b) => n + b[0] * b[1], 0)
  const brickCount = lods.reduce((n, b) => n + b[0] * b[1] * b[2], 0)
  const brickSamples = ZGY_BRICK ** 3
  const brickBytes = brickSamples * BYTES_PER_SAMPLE[dataType]
  const headerLength = INFO_OFFSET + INFO_SIZE + STRINGS.length + HIST_SIZE + 8 * alphaCount + 8 * brickCount
  const dataStart = Math.ceil(headerLength / brickBytes) * brickBytes
  const float = STORAGE_RANGE[dataType] === undefined
  const passes = float && spec.valueRange === undefined ? 2 : 1
  const total = passes * lod0Count
  let done = 0

  const visit = (fn: (b: ZgyWriteBrick, bi: number, bj: number, bk: number, n: number) => void): void => {
    for (let bi = 0; bi < nbi; bi++) {
      for (let bj = 0; bj < nbj; bj++) {
        for (let bk = 0; bk < nbk; bk++) {
          const n = Math.min(ZGY_BRICK, size[0] - bi * ZGY_BRICK) * Math.min(ZGY_BRICK, size[1] - bj * ZGY_BRICK) * Math.min(ZGY_BRICK, size[2] - bk * ZGY_BRICK)
          const b = spec.brick(bi, bj, bk)
          try {
            if (b.kind === 'normal') {
              if (!isSamplesOf(dataType, b.data) || b.data.length !== brickSamples) throw new TypeError(`data is ${b.data?.constructor?.name ?? typeof b.data} of length ${b.data?.length}; expected the ${dataType} typed array of ${brickSamples} samples`)
            } else if (b.kind === 'constant') {
              const want = checkConstant(dataType, b.value)
              if (want) throw new RangeError(`constant value ${b.value} is not a ${dataType} storage value; expected ${want}`)
            } else if (b.kind !== 'missing') {
              throw new TypeError(`kind ${JSON.stringify((b as { kind: unknown }).kind)} is not missing, constant or normal`)
            }
            fn(b, bi, bj, bk, n)
          } catch (e) {
            if (e instanceof Error) e.message = `${path}: brick (${bi}, ${bj}, ${bk}): ${e.message}`
            throw e
          }
          spec.onProgress?.(++done, total)
        }
      }
    }
  }
  const survey = (bi: number, bj: number, bk: number): Vec3 => [
    Math.min(ZGY_BRICK, size[0] - bi * ZGY_BRICK), Math.min(ZGY_BRICK, size[1] - bj * ZGY_BRICK), Math.min(ZGY_BRICK, size[2] - bk * ZGY_BRICK),
  ]

  // float32 without a value range: a first pass finds the range of the samples
  let histRange: readonly [number, number] = float ? spec.valueRange ?? [0, 0] : coding.range
  if (passes === 2) {
    let min = Infinity, max = -Infinity
    visit((b, bi, bj, bk) => {
      if (b.kind !== 'normal') {
        const v = b.kind === 'constant' ? Math.fround(b.value) : coding.missingValue
        min = Math.min(min, v)
        max = Math.max(max, v)
        return
      }
      const [ni, nj, nk] = survey(bi, bj, bk)
      for (let i = 0; i < ni; i++) {
        for (let j = 0; j < nj; j++) {
          const base = (i * ZGY_BRICK + j) * ZGY_BRICK
          for (let k = 0; k < nk; k++) {
            const v = b.data[base + k]!
            if (v < min) min = v
            if (v > max) max = v
          }
        }
      }
    })
    if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`${path}: the samples are not all finite numbers`)
    histRange = [min, max]
  }
  const stats = new ZgyStatsAccumulator(dataType, coding, histRange)

  mkdirSync(dirname(path), { recursive: true })
  const partial = path + PARTIAL_SUFFIX
  const fd = openSync(partial, 'w')
  let open = true
  try {
    const lut = new Array<bigint>(brickCount).fill(0n)
    const lod0Start = brickCount - lod0Count
    const counts = { normal: 0, constant: 0, missing: 0 }
    visit((b, bi, bj, bk, n) => {
      const entry = lod0Start + bi + nbi * (bj + nbj * bk)
      counts[b.kind]++
      if (b.kind === 'missing') {
        stats.addConstant(coding.missingValue, n)
      } else if (b.kind === 'constant') {
        const value = float ? Math.fround(b.value) : b.value
        stats.addConstant(value, n)
        lut[entry] = constantEntry(dataType, value)
      } else {
        const [ni, nj, nk] = survey(bi, bj, bk)
        stats.addBrick(b.data, ZGY_BRICK, ni, nj, nk)
        const offset = dataStart + (counts.normal - 1) * brickBytes
        const bytes = samplesAsBytes(b.data)
        let written = 0
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, offset + written)
        lut[entry] = BigInt(offset)
      }
    })
    const { statistics, histogram } = stats.result()
    const storedRange = float ? stats.histogramRange : coding.range
    const header = encodeHeaderBlock({ ...c, storedRange, statistics, histogram, alphaCount, lut }, headerLength)
    writeSync(fd, header, 0, header.length, 0)
    const bytes = dataStart + counts.normal * brickBytes
    ftruncateSync(fd, bytes)
    fsyncSync(fd)
    closeSync(fd)
    open = false
    renameSync(partial, path)
    return { path, bytes, bricks: counts, statistics, histogram }
  } catch (e) {
    if (open) closeSync(fd)
    rmSync(partial, { force: true })
    throw e
  }
}
