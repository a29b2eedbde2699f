// A reader for uncompressed OpenZGY files (format versions 2-4), written from the published
// header layout of the OpenZGY library (Apache-2.0): everything is packed little-endian, and in
// V2+ the headers follow each other with implicit offsets:
//
//   FileHeader (8: magic "VBS\0", uint32 version) · OffsetHeader (1 byte, unused)
//   InfoHeader (337) · StringList (slbufsize) · HistHeader (16 + 256 × 8)
//   alpha lookup table (8 per tile) · brick lookup table (8 per brick) · padding · bricks
//
// Lookup tables hold one uint64 file offset per brick, coarsest level of detail first; within
// a level, the inline index varies fastest and the sample index slowest. An entry of 0 is a
// missing brick, 1 or a top byte of 0x80 a constant brick (value in the low bits), 0xC0 a
// compressed brick. A missing brick reads as float 0 (checked against the stored histogram and
// statistics of the test file). Samples inside a brick are the other way round: the sample index varies
// fastest. V1 files (a different, part big-endian layout) and compressed files are refused.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { UserError } from '../errors.ts'
import { allocateSamples, BYTES_PER_SAMPLE, codingOf, samplesFromLittleEndian } from './coding.ts'

export type ZgyDataType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32'
export type ZgySamples = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array
export type Vec3 = readonly [number, number, number]

/** One brick as the lookup table describes it. */
export type ZgyBrick =
  | { kind: 'missing' }
  | { kind: 'constant'; value: number }
  | { kind: 'normal'; offset: number }

/** What the InfoHeader stores about the samples, in float units (after coding-range scaling). */
export interface ZgyStatistics {
  count: number
  sum: number
  sumOfSquares: number
  min: number
  max: number
}

export interface ZgyHistogram {
  count: number
  /** Centre of the first and the last of the 256 bins. */
  min: number
  max: number
  bins: readonly number[]
}

export interface ZgyFile {
  readonly path: string
  readonly version: number
  /** Samples in inline, crossline and vertical direction. */
  readonly size: Vec3
  readonly brickSize: Vec3
  readonly dataType: ZgyDataType
  /** For integer data: the float range storage values map onto (storage min → lo, max → hi). */
  readonly codingRange: readonly [number, number]
  readonly origin: Vec3
  readonly increment: Vec3
  readonly statistics: ZgyStatistics
  readonly histogram: ZgyHistogram
  /** Bricks per dimension for each level of detail, full resolution first. */
  readonly lodBricks: readonly Vec3[]
  /** The full-resolution (lod 0) bricks, inline index fastest, sample index slowest. */
  readonly bricks: readonly ZgyBrick[]
  /** Index into `bricks` of the lod 0 brick holding brick position (bi, bj, bk). */
  brickIndex(bi: number, bj: number, bk: number): number
  /** The stored samples of one lod 0 brick (full brick size, edge padding included), sample fastest. */
  readBrick(index: number): ZgySamples
  /** One inline as storage values, crossline-major: `[xl * size[2] + sample]`. */
  readInline(i: number): ZgySamples
  /** The storage value a missing brick reads as: the one closest to float 0 (what the stored statistics of a real file count them as). */
  readonly missingValue: number
  /** Storage value → float value, as the coding range says (identity for float32). */
  toFloat(storage: number): number
  close(): void
}

const MAGIC_UNCOMPRESSED = 'VBS\0'
const MAGIC_OLD_COMPRESSED = 'VCS\0'
const INFO_OFFSET = 9
const INFO_SIZE = 337
const HIST_SIZE = 16 + 256 * 8
const DATA_TYPES: readonly (ZgyDataType | undefined)[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', undefined]
/** The value of a constant brick: the low 8/16/32 bits of the entry, read as `type`. */
function constantValue(type: ZgyDataType, entry: bigint): number {
  const view = new DataView(new ArrayBuffer(8))
  view.setBigUint64(0, entry, true)
  return samplesFromLittleEndian(type, new Uint8Array(view.buffer, 0, BYTES_PER_SAMPLE[type]))[0]!
}

function lodSizes(size: Vec3, brick: Vec3): Vec3[] {
  let b: Vec3 = [Math.ceil(size[0] / brick[0]), Math.ceil(size[1] / brick[1]), Math.ceil(size[2] / brick[2])]
  const out = [b]
  while (Math.max(...b) > 1) {
    b = [Math.ceil(b[0] / 2), Math.ceil(b[1] / 2), Math.ceil(b[2] / 2)]
    out.push(b)
  }
  return out
}

export function openZgy(path: string): ZgyFile {
  const fd = openSync(path, 'r')
  try {
    return readHeaders(path, fd)
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

function readHeaders(path: string, fd: number): ZgyFile {
  const fileSize = fstatSync(fd).size
  const fail = (field: string, message: string, expected?: string, hint?: string): never => {
    throw new UserError({ file: path, field, message, expected, hint })
  }
  const read = (offset: number, length: number, field: string): Buffer => {
    const buf = Buffer.alloc(length)
    const got = offset + length <= fileSize ? readSync(fd, buf, 0, length, offset) : 0
    if (got !== length) fail(field, `file ends at byte ${fileSize}, before the ${length} bytes at ${offset}`, `at least ${offset + length} bytes`, 'the file is truncated; copy it again')
    return buf
  }

  // File header
  if (fileSize < 8) fail('magic', `file is ${fileSize} bytes, too short for a ZGY header`, 'a ZGY file starting with "VBS\\0"', 'the file is truncated or not a ZGY file')
  const fh = read(0, 8, 'magic')
  const magic = fh.toString('latin1', 0, 4)
  if (magic === MAGIC_OLD_COMPRESSED) fail('magic', 'is an old-style compressed ZGY file ("VCS\\0"); compressed files are not supported', 'an uncompressed ZGY file ("VBS\\0")', 'export the volume uncompressed')
  if (magic !== MAGIC_UNCOMPRESSED) fail('magic', `${JSON.stringify(magic)} is not a ZGY magic`, '"VBS\\0"', 'the file is not an OpenZGY file, or its start is corrupt')
  const version = fh.readUInt32LE(4)
  if (version < 2 || version > 4) fail('version', `format version ${version} is not supported`, 'version 2, 3 or 4', version === 1 ? 'convert the file with a current OpenZGY writer' : undefined)

  // Info header
  const ih = read(INFO_OFFSET, INFO_SIZE, 'info header')
  const i32x3 = (at: number): Vec3 => [ih.readInt32LE(at), ih.readInt32LE(at + 4), ih.readInt32LE(at + 8)]
  const f32x3 = (at: number): Vec3 => [ih.readFloatLE(at), ih.readFloatLE(at + 4), ih.readFloatLE(at + 8)]
  const brickSize = i32x3(0)
  const typeCode = ih.readUInt8(12)
  const dataType = DATA_TYPES[typeCode] ?? fail('datatype', `sample type code ${typeCode} is not supported`, 'one of 0-6 (int8, uint8, int16, uint16, int32, uint32, float32)')
  const codingRange: [number, number] = [ih.readFloatLE(13), ih.readFloatLE(17)]
  const origin = f32x3(70)
  const increment = f32x3(82)
  const size = i32x3(94)
  const statistics: ZgyStatistics = {
    count: Number(ih.readBigInt64LE(130)),
    sum: ih.readDoubleLE(138),
    sumOfSquares: ih.readDoubleLE(146),
    min: ih.readFloatLE(154),
    max: ih.readFloatLE(158),
  }
  const slbufsize = ih.readUInt32LE(333)
  if (brickSize.some(b => b < 1 || b > 4096 || (b & (b - 1)) !== 0)) fail('bricksize', `brick size ${brickSize.join(' × ')} is not usable`, 'powers of two, e.g. 64 × 64 × 64', 'the header is corrupt')
  if (size.some(s => s < 1)) fail('size', `survey size ${size.join(' × ')} is not usable`, 'at least 1 sample in each direction', 'the header is corrupt')

  // Histogram, then the lookup tables
  const histOffset = INFO_OFFSET + INFO_SIZE + slbufsize
  const hh = read(histOffset, HIST_SIZE, 'histogram')
  const histogram: ZgyHistogram = {
    count: Number(hh.readBigInt64LE(0)),
    min: hh.readFloatLE(8),
    max: hh.readFloatLE(12),
    bins: Array.from({ length: 256 }, (_, k) => Number(hh.readBigInt64LE(16 + 8 * k))),
  }
  const lodBricks = lodSizes(size, brickSize)
  const alphaCount = lodBricks.reduce((n, b) => n + b[0] * b[1], 0)
  const brickCount = lodBricks.reduce((n, b) => n + b[0] * b[1] * b[2], 0)
  const lod0 = lodBricks[0]!
  const lod0Count = lod0[0] * lod0[1] * lod0[2]
  const lutOffset = histOffset + HIST_SIZE + 8 * alphaCount
  const lut = read(lutOffset, 8 * brickCount, 'brick lookup table')

  const brickBytes = brickSize[0] * brickSize[1] * brickSize[2] * BYTES_PER_SAMPLE[dataType]
  const bricks: ZgyBrick[] = []
  // lod 0 is the last level in the table (coarsest first)
  const lod0Start = brickCount - lod0Count
  for (let n = 0; n < lod0Count; n++) {
    const entry = lut.readBigUInt64LE(8 * (lod0Start + n))
    const code = Number(entry >> 56n)
    if (entry === 0n) bricks.push({ kind: 'missing' })
    else if (entry === 1n) bricks.push({ kind: 'constant', value: 0 })
    else if (code === 0x80) bricks.push({ kind: 'constant', value: constantValue(dataType, entry) })
    else if (code === 0xc0) fail('brick lookup table', `brick ${n} is compressed; compressed files are not supported`, 'an uncompressed ZGY file', 'export the volume uncompressed')
    else if (code !== 0) fail('brick lookup table', `brick ${n} has an unknown entry 0x${entry.toString(16)}`, 'a file offset, 0 (missing), or a constant (0x80…) entry', 'the file is corrupt')
    else {
      const offset = Number(entry)
      if (offset + brickBytes > fileSize) fail('brick lookup table', `brick ${n} at byte ${offset} lies beyond the end of the file (${fileSize} bytes)`, `a file of at least ${offset + brickBytes} bytes`, 'the file is truncated; copy it again')
      bricks.push({ kind: 'normal', offset })
    }
  }

  const coding = codingOf(dataType, codingRange)
  const brickSamples = brickSize[0] * brickSize[1] * brickSize[2]
  // A missing brick reads as float 0: for integer data, the storage value nearest to it.
  const missingValue = coding.missingValue

  const brickIndex = (bi: number, bj: number, bk: number): number => bi + lod0[0] * (bj + lod0[1] * bk)
  const readBrick = (index: number): ZgySamples => {
    const brick = bricks[index]
    if (!Number.isInteger(index) || brick === undefined) throw new RangeError(`${path}: brick ${index} is outside 0..${lod0Count - 1}`)
    if (brick.kind === 'normal') return samplesFromLittleEndian(dataType, read(brick.offset, brickBytes, `brick ${index}`))
    const out = allocateSamples(dataType, brickSamples)
    out.fill(brick.kind === 'constant' ? brick.value : missingValue)
    return out
  }
  const readInline = (i: number): ZgySamples => {
    if (!Number.isInteger(i) || i < 0 || i >= size[0]) throw new RangeError(`${path}: inline ${i} is outside 0..${size[0] - 1}`)
    const out = allocateSamples(dataType, size[1] * size[2])
    const bi = Math.floor(i / brickSize[0])
    const li = i - bi * brickSize[0]
    for (let bj = 0; bj < lod0[1]; bj++) {
      for (let bk = 0; bk < lod0[2]; bk++) {
        const data = readBrick(brickIndex(bi, bj, bk))
        const nj = Math.min(brickSize[1], size[1] - bj * brickSize[1])
        const nk = Math.min(brickSize[2], size[2] - bk * brickSize[2])
        for (let lj = 0; lj < nj; lj++) {
          const from = (li * brickSize[1] + lj) * brickSize[2]
          const to = (bj * brickSize[1] + lj) * size[2] + bk * brickSize[2]
          out.set(data.subarray(from, from + nk), to)
        }
      }
    }
    return out
  }

  return {
    path, version, size, brickSize, dataType, codingRange, origin, increment, statistics, histogram, lodBricks, bricks,
    brickIndex, readBrick, readInline, missingValue,
    toFloat: coding.toFloat,
    close: () => closeSync(fd),
  }
}
