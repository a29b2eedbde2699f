// Sample types and the storage → float coding of OpenZGY files, shared by the writer, the
// synthetic generator and the chunked layout. The arithmetic is exactly the reader's (zgy.ts):
// the coding range is stored as float32, so it is rounded to float32 before the slope and
// intercept are taken, and `toFloat(v) = slope * v + intercept` in that order, so statistics and
// histogram bins computed here land on the same doubles the reader computes.
import { endianness } from 'node:os'
import type { ZgyDataType, ZgySamples } from './zgy.ts'

export const DATA_TYPE_CODES: Record<ZgyDataType, number> = { int8: 0, uint8: 1, int16: 2, uint16: 3, int32: 4, uint32: 5, float32: 6 }
export const BYTES_PER_SAMPLE: Record<ZgyDataType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4 }
export const STORAGE_RANGE: Record<ZgyDataType, readonly [number, number] | undefined> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295], float32: undefined,
}

export function allocateSamples(type: ZgyDataType, n: number): ZgySamples {
  switch (type) {
    case 'int8': return new Int8Array(n)
    case 'uint8': return new Uint8Array(n)
    case 'int16': return new Int16Array(n)
    case 'uint16': return new Uint16Array(n)
    case 'int32': return new Int32Array(n)
    case 'uint32': return new Uint32Array(n)
    case 'float32': return new Float32Array(n)
  }
}

/** Whether `data` is the typed array `type` is stored as. */
export function isSamplesOf(type: ZgyDataType, data: unknown): data is ZgySamples {
  switch (type) {
    case 'int8': return data instanceof Int8Array
    case 'uint8': return data instanceof Uint8Array
    case 'int16': return data instanceof Int16Array
    case 'uint16': return data instanceof Uint16Array
    case 'int32': return data instanceof Int32Array
    case 'uint32': return data instanceof Uint32Array
    case 'float32': return data instanceof Float32Array
  }
}

/** Little-endian bytes of `data`, sharing its memory (this module only runs on little-endian hosts). */
export function samplesAsBytes(data: ZgySamples): Buffer {
  assertLittleEndian()
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/** Little-endian bytes → a typed array of `type` (copied, so alignment never matters). */
export function samplesFromLittleEndian(type: ZgyDataType, bytes: Uint8Array): ZgySamples {
  assertLittleEndian()
  const out = allocateSamples(type, bytes.length / BYTES_PER_SAMPLE[type])
  new Uint8Array(out.buffer).set(bytes)
  return out
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('benchgate volume: a big-endian machine is not supported')
}

export interface Coding {
  /** The coding range as the file stores it (float32-rounded). */
  readonly range: readonly [number, number]
  readonly slope: number
  readonly intercept: number
  /** The storage value nearest float 0: what a missing brick reads as. */
  readonly missingValue: number
  toFloat(storage: number): number
}

/** The coding of `type` with `codingRange` (ignored for float32: identity, missing value 0). */
export function codingOf(type: ZgyDataType, codingRange: readonly [number, number]): Coding {
  const range: [number, number] = [Math.fround(codingRange[0]), Math.fround(codingRange[1])]
  const storage = STORAGE_RANGE[type]
  const slope = storage ? (range[1] - range[0]) / (storage[1] - storage[0]) : 1
  const intercept = storage ? range[0] - slope * storage[0] : 0
  // (+ 0 turns the -0 of a coding symmetric around 0 into 0; the reader keeps the -0, equal in arithmetic)
  const missingValue = storage ? Math.min(storage[1], Math.max(storage[0], Math.round(-intercept / slope))) + 0 : 0
  return { range, slope, intercept, missingValue, toFloat: (v: number) => slope * v + intercept }
}
