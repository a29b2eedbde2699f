// A chunked layout of a volume for blob storage, modeled on OpenVDS: under a prefix, one JSON object
// `VolumeDataLayout` describing the volume and one object per stored chunk,
// `Dimensions_012LOD0/<chunkIndex>` (prefix '' → no leading slash).
//
//   - Dimension 0 is the sample axis (fastest), 1 the crossline, 2 the inline axis, as in OpenVDS.
//   - A chunk is one 64³ brick of the .zgy; its index is c0 + n0 × (c1 + n1 × c2) with c0 the sample
//     brick index (bk), c1 the crossline brick index (bj), c2 the inline brick index (bi) and n0, n1
//     the chunk counts of dimensions 0 and 1 (the .zgy's own brick order is the other way round).
//   - A chunk object holds exactly the .zgy brick body: little-endian storage values, sample fastest,
//     then crossline, then inline (edge padding included), so data read either way is byte-identical.
//   - Only normal chunks have objects. Constant chunks are listed in the layout with their storage
//     value; missing chunks are listed too and read as `noValue` (the .zgy's missing value).
//
// The layout object (format 'benchgate-vds/1'), field order fixed so equal volumes give equal text:
//   { format, dimensions: [{ name: 'Sample'|'Crossline'|'Inline', count, min, max } ×3],
//     brickSize: [n, n, n], chunkCounts: [n0, n1, n2], valueType, valueRange: [lo, hi], noValue,
//     chunkBytes (bytes of one chunk object), constantChunks: { "<index>": storage value },
//     missingChunks: [index…], totalChunkBytes (all chunk objects), source: { free record } }
import { closeSync, openSync, readSync } from 'node:fs'
import * as z from 'zod'
import { UserError } from '../errors.ts'
import { parseJson, validateJson } from '../json-file.ts'
import { BYTES_PER_SAMPLE, samplesFromLittleEndian } from './coding.ts'
import type { ZgyDataType, ZgyFile, ZgySamples } from './zgy.ts'

export const LAYOUT_OBJECT = 'VolumeDataLayout'
export const LAYOUT_FORMAT = 'benchgate-vds/1'
const CHUNK_FOLDER = 'Dimensions_012LOD0'

// the .zgy sample types, spelled out so the schema's type is the same union
const VALUE_TYPES = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32'] as const satisfies readonly ZgyDataType[]

const finite = () => z.number().refine(Number.isFinite, { message: 'not a finite number' })
const count = () => z.number().int().min(1)
const dimension = <N extends string>(name: N) => z.strictObject({
  name: z.literal(name),
  count: count().describe('Samples along the axis.'),
  min: finite().describe('Coordinate of the first sample.'),
  max: finite().describe('Coordinate of the last sample.'),
})

export const VolumeDataLayoutSchema = z.strictObject({
  format: z.literal(LAYOUT_FORMAT),
  dimensions: z.tuple([dimension('Sample'), dimension('Crossline'), dimension('Inline')]).describe('Dimension 0 (fastest) to 2.'),
  brickSize: z.tuple([count(), count(), count()]).describe('Samples per chunk along dimensions 0, 1, 2.'),
  chunkCounts: z.tuple([count(), count(), count()]).describe('Chunks along dimensions 0, 1, 2.'),
  valueType: z.enum(VALUE_TYPES).describe('Storage type of the samples.'),
  valueRange: z.tuple([finite(), finite()]).describe('Float range the integer storage range maps onto (the coding range).'),
  noValue: finite().describe('The storage value a missing chunk reads as.'),
  chunkBytes: count().describe('Bytes of one chunk object.'),
  constantChunks: z.record(z.string().regex(/^(0|[1-9][0-9]*)$/, 'not a chunk index'), finite()).describe('Chunk index → storage value of constant chunks.'),
  missingChunks: z.array(z.number().int().nonnegative()).describe('Indices of missing chunks.'),
  totalChunkBytes: z.number().int().nonnegative().describe('Bytes of all chunk objects.'),
  source: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('Where the volume came from (e.g. the synthetic key).'),
}).superRefine((l, ctx) => {
  const issue = (path: PropertyKey[], message: string): void => void ctx.addIssue({ code: 'custom', path, message })
  l.chunkCounts.forEach((n, d) => {
    const want = Math.ceil(l.dimensions[d]!.count / l.brickSize[d]!)
    if (n !== want) issue(['chunkCounts', d], `${n} does not cover ${l.dimensions[d]!.count} samples in chunks of ${l.brickSize[d]} (expected ${want})`)
  })
  const per = l.brickSize[0] * l.brickSize[1] * l.brickSize[2] * BYTES_PER_SAMPLE[l.valueType]
  if (l.chunkBytes !== per) issue(['chunkBytes'], `${l.chunkBytes} is not the size of a chunk (expected ${per})`)
  const total = l.chunkCounts[0] * l.chunkCounts[1] * l.chunkCounts[2]
  const missing = new Set(l.missingChunks)
  l.missingChunks.forEach((i, n) => {
    if (i >= total) issue(['missingChunks', n], `chunk ${i} is beyond the last chunk (${total - 1})`)
  })
  for (const key of Object.keys(l.constantChunks)) {
    const i = Number(key)
    if (i >= total) issue(['constantChunks', key], `chunk ${i} is beyond the last chunk (${total - 1})`)
    else if (missing.has(i)) issue(['constantChunks', key], `chunk ${i} is also listed as missing`)
  }
  const stored = total - missing.size - Object.keys(l.constantChunks).length
  if (l.totalChunkBytes !== stored * per) issue(['totalChunkBytes'], `${l.totalChunkBytes} does not match ${stored} stored chunks of ${per} bytes (expected ${stored * per})`)
})

export type VolumeDataLayout = z.infer<typeof VolumeDataLayoutSchema>
export type ChunkKind = { kind: 'missing' } | { kind: 'constant'; value: number } | { kind: 'normal' }

/** The object name of chunk `index` under `prefix`. */
export function chunkObject(prefix: string, index: number): string {
  return prefix ? `${prefix}/${CHUNK_FOLDER}/${index}` : `${CHUNK_FOLDER}/${index}`
}

/** The chunk holding .zgy brick position (bi inline, bj crossline, bk sample). */
export function chunkIndex(layout: VolumeDataLayout, bi: number, bj: number, bk: number): number {
  const [n0, n1, n2] = layout.chunkCounts
  if (![bk < n0, bj < n1, bi < n2].every(Boolean) || ![bi, bj, bk].every(v => Number.isInteger(v) && v >= 0)) {
    throw new RangeError(`brick (${bi}, ${bj}, ${bk}) is outside the ${n2} × ${n1} × ${n0} chunks (inline × crossline × sample)`)
  }
  return bk + n0 * (bj + n1 * bi)
}

/** The brick position (bi, bj, bk) of chunk `index` given chunk counts [n0, n1, n2]. */
function brickOf(counts: readonly [number, number, number], index: number): [number, number, number] {
  const [n0, n1, n2] = counts
  if (!Number.isInteger(index) || index < 0 || index >= n0 * n1 * n2) throw new RangeError(`chunk ${index} is outside 0..${n0 * n1 * n2 - 1}`)
  return [Math.floor(index / (n0 * n1)), Math.floor(index / n0) % n1, index % n0]
}

const missingSets = new WeakMap<VolumeDataLayout, Set<number>>()

export function chunkKind(layout: VolumeDataLayout, index: number): ChunkKind {
  brickOf(layout.chunkCounts, index)
  let missing = missingSets.get(layout)
  if (!missing) missingSets.set(layout, (missing = new Set(layout.missingChunks)))
  if (missing.has(index)) return { kind: 'missing' }
  const value = Object.hasOwn(layout.constantChunks, index) ? layout.constantChunks[index] : undefined
  return value === undefined ? { kind: 'normal' } : { kind: 'constant', value }
}

/** The layout of a .zgy volume (its lod 0 bricks). */
export function layoutFromZgy(zgy: ZgyFile, source: Record<string, string | number | boolean> = {}): VolumeDataLayout {
  const [si, sj, sk] = zgy.size
  const [oi, oj, ok] = zgy.origin
  const [di, dj, dk] = zgy.increment
  const [bi, bj, bk] = zgy.lodBricks[0]!
  const chunkCounts: [number, number, number] = [bk, bj, bi]
  const chunkBytes = zgy.brickSize[0] * zgy.brickSize[1] * zgy.brickSize[2] * BYTES_PER_SAMPLE[zgy.dataType]
  const constantChunks: Record<string, number> = {}
  const missingChunks: number[] = []
  const total = bi * bj * bk
  for (let index = 0; index < total; index++) {
    const [i, j, k] = brickOf(chunkCounts, index)
    const b = zgy.bricks[zgy.brickIndex(i, j, k)]!
    if (b.kind === 'missing') missingChunks.push(index)
    else if (b.kind === 'constant') constantChunks[index] = b.value
  }
  const stored = total - missingChunks.length - Object.keys(constantChunks).length
  return {
    format: LAYOUT_FORMAT,
    dimensions: [
      { name: 'Sample', count: sk, min: ok, max: ok + (sk - 1) * dk },
      { name: 'Crossline', count: sj, min: oj, max: oj + (sj - 1) * dj },
      { name: 'Inline', count: si, min: oi, max: oi + (si - 1) * di },
    ],
    brickSize: [zgy.brickSize[2], zgy.brickSize[1], zgy.brickSize[0]],
    chunkCounts,
    valueType: zgy.dataType,
    valueRange: [zgy.codingRange[0], zgy.codingRange[1]],
    noValue: zgy.missingValue + 0, // never -0 (the reader gives -0 for a coding symmetric around 0)
    chunkBytes,
    constantChunks,
    missingChunks,
    totalChunkBytes: stored * chunkBytes,
    source: { ...source },
  }
}

/** The bytes of normal chunk `index` of the .zgy: its brick body, read straight from the file. */
export function encodeChunk(zgy: ZgyFile, index: number): Buffer {
  const [bi, bj, bk] = zgy.lodBricks[0]!
  const [i, j, k] = brickOf([bk, bj, bi], index)
  const b = zgy.bricks[zgy.brickIndex(i, j, k)]!
  if (b.kind !== 'normal') throw new Error(`${zgy.path}: chunk ${index} (brick ${i}, ${j}, ${k}) is ${b.kind}; only normal chunks have objects`)
  const length = zgy.brickSize[0] * zgy.brickSize[1] * zgy.brickSize[2] * BYTES_PER_SAMPLE[zgy.dataType]
  const buf = Buffer.alloc(length)
  const fd = openSync(zgy.path, 'r')
  try {
    let got = 0
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, b.offset + got)
      if (n === 0) throw new Error(`${zgy.path}: chunk ${index} ends at byte ${b.offset + got}, before its ${length} bytes`)
      got += n
    }
  } finally {
    closeSync(fd)
  }
  return buf
}

/** `encodeChunk`, checked against the layout the chunk is stored under. */
export function chunkBytes(zgy: ZgyFile, layout: VolumeDataLayout, index: number): Buffer {
  const [bi, bj, bk] = zgy.lodBricks[0]!
  const [n0, n1, n2] = layout.chunkCounts
  if (n0 !== bk || n1 !== bj || n2 !== bi || layout.valueType !== zgy.dataType) {
    throw new Error(`${zgy.path}: the layout (${n2} × ${n1} × ${n0} ${layout.valueType} chunks) is not this file's (${bi} × ${bj} × ${bk} ${zgy.dataType} bricks)`)
  }
  const kind = chunkKind(layout, index).kind
  if (kind !== 'normal') throw new Error(`${zgy.path}: chunk ${index} is ${kind} in the layout; only normal chunks have objects`)
  return encodeChunk(zgy, index)
}

/** The samples of one chunk object; `chunk` (index or object name) names it in the error if the size is wrong. */
export function decodeChunk(layout: VolumeDataLayout, bytes: Uint8Array, chunk: number | string = 'chunk'): ZgySamples {
  if (bytes.length !== layout.chunkBytes) {
    throw new UserError({
      file: typeof chunk === 'number' ? chunkObject('', chunk) : chunk,
      message: `has ${bytes.length} bytes`,
      expected: `${layout.chunkBytes} bytes (${layout.brickSize.join(' × ')} ${layout.valueType} samples)`,
      hint: 'the object is truncated or belongs to another volume; upload the volume again',
    })
  }
  return samplesFromLittleEndian(layout.valueType, bytes)
}

/** A VolumeDataLayout object's text, validated; a mistake is a UserError naming `where` and the field. */
export function parseLayout(text: string, where: string): VolumeDataLayout {
  const hint = `the ${LAYOUT_OBJECT} object is damaged or from another tool; upload the volume again`
  return validateJson(parseJson(text, where, `a ${LAYOUT_FORMAT} ${LAYOUT_OBJECT} JSON object`, hint), VolumeDataLayoutSchema, where, hint)
}
