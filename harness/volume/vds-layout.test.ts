import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { syntheticSpec, type SyntheticVolumeParams } from './synth.ts'
import { chunkBytes, chunkIndex, chunkKind, chunkObject, decodeChunk, encodeChunk, LAYOUT_OBJECT, layoutFromZgy, parseLayout, type VolumeDataLayout } from './vds-layout.ts'
import { openZgy, type ZgyFile, type ZgySamples } from './zgy.ts'
import { writeZgy } from './zgy-write.ts'

const dir = mkdtempSync(join(tmpdir(), 'vds-layout-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const same = (a: ZgySamples, b: ZgySamples): boolean =>
  a.constructor === b.constructor && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

function generated(params: SyntheticVolumeParams): ZgyFile {
  const path = join(dir, `${params.dataType}.zgy`)
  writeZgy(path, syntheticSpec(params))
  return openZgy(path)
}

describe('the chunked layout of a generated volume', () => {
  let zgy: ZgyFile
  let layout: VolumeDataLayout
  beforeAll(() => {
    // 3 × 3 × 6 bricks of all three kinds
    zgy = generated({ inlines: 150, crosslines: 140, samples: 384, dataType: 'int8', seed: 11 })
    layout = layoutFromZgy(zgy, { key: 'abc123', generator: 1 })
  })
  afterAll(() => zgy.close())

  test('describes dimensions sample-fastest, chunk counts, type, coding and source', () => {
    expect(layout.format).toBe('benchgate-vds/1')
    expect(layout.dimensions).toEqual([
      { name: 'Sample', count: 384, min: 0, max: 383 * 4 },
      { name: 'Crossline', count: 140, min: 2000, max: 2139 },
      { name: 'Inline', count: 150, min: 1000, max: 1149 },
    ])
    expect(layout.brickSize).toEqual([64, 64, 64])
    expect(layout.chunkCounts).toEqual([6, 3, 3])
    expect(layout.valueType).toBe('int8')
    expect(layout.valueRange).toEqual([-1, 127 / 128])
    expect(layout.noValue).toBe(0)
    expect(layout.chunkBytes).toBe(64 ** 3)
    expect(layout.source).toEqual({ key: 'abc123', generator: 1 })
    expect(LAYOUT_OBJECT).toBe('VolumeDataLayout')
    expect(chunkObject('benchgate/abc123', 17)).toBe('benchgate/abc123/Dimensions_012LOD0/17')
    expect(chunkObject('', 17)).toBe('Dimensions_012LOD0/17')
    // c0 = bk (sample), c1 = bj (crossline), c2 = bi (inline)
    expect(chunkIndex(layout, 0, 0, 5)).toBe(5)
    expect(chunkIndex(layout, 0, 1, 0)).toBe(6)
    expect(chunkIndex(layout, 2, 1, 3)).toBe(3 + 6 * (1 + 3 * 2))
    expect(() => chunkIndex(layout, 3, 0, 0)).toThrow(/brick \(3, 0, 0\) is outside the 3 × 3 × 6 chunks/)
    expect(() => chunkKind(layout, 54)).toThrow(/chunk 54 is outside 0\.\.53/)
  })

  test('every chunk, encoded then decoded, equals the brick the .zgy reader reads', () => {
    const seen = { normal: 0, constant: 0, missing: 0 }
    for (let bi = 0; bi < 3; bi++) {
      for (let bj = 0; bj < 3; bj++) {
        for (let bk = 0; bk < 6; bk++) {
          const index = chunkIndex(layout, bi, bj, bk)
          const brick = zgy.readBrick(zgy.brickIndex(bi, bj, bk))
          const kind = chunkKind(layout, index)
          expect(kind.kind).toBe(zgy.bricks[zgy.brickIndex(bi, bj, bk)]!.kind)
          seen[kind.kind]++
          if (kind.kind === 'normal') {
            const bytes = encodeChunk(zgy, index)
            expect(chunkBytes(zgy, layout, index).equals(bytes)).toBe(true)
            expect(same(decodeChunk(layout, bytes, index), brick), `chunk ${index}`).toBe(true)
          } else {
            const value = kind.kind === 'constant' ? kind.value : layout.noValue
            expect(brick.every(v => v === value)).toBe(true)
            expect(() => encodeChunk(zgy, index)).toThrow(new RegExp(`chunk ${index} \\(brick ${bi}, ${bj}, ${bk}\\) is ${kind.kind}; only normal chunks have objects`))
          }
        }
      }
    }
    expect(seen).toEqual({ normal: 40, constant: 8, missing: 6 })
    expect(layout.missingChunks).toHaveLength(6)
    expect(Object.keys(layout.constantChunks)).toHaveLength(8)
    expect(layout.totalChunkBytes).toBe(40 * 64 ** 3)
  })

  test('the layout survives its JSON text, and the text is the same for the same volume', () => {
    const text = JSON.stringify(layout, null, 1)
    expect(parseLayout(text, 'store/VolumeDataLayout')).toEqual(layout)
    expect(JSON.stringify(layoutFromZgy(zgy, { key: 'abc123', generator: 1 }), null, 1)).toBe(text)
  })

  test('a chunk of the wrong size is refused naming the chunk', () => {
    let error: unknown
    try {
      decodeChunk(layout, new Uint8Array(10), 5)
    } catch (e) {
      error = e
    }
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toMatch(/^Dimensions_012LOD0\/5: has 10 bytes; expected 262144 bytes \(64 × 64 × 64 int8 samples\)/)
    expect(() => decodeChunk(layout, new Uint8Array(10), 'benchgate/x/Dimensions_012LOD0/5')).toThrow(/^benchgate\/x\/Dimensions_012LOD0\/5: has 10 bytes/)
  })

  test('parseLayout names the object and the field of a mistake', () => {
    const where = 'http://127.0.0.1:10000/devstoreaccount1/benchgate/abc/VolumeDataLayout'
    const broken = (text: string): string => {
      try {
        parseLayout(text, where)
      } catch (e) {
        expect(isUserError(e), text.slice(0, 40)).toBe(true)
        expect((e as Error).message.startsWith(`${where}: `)).toBe(true)
        return (e as Error).message
      }
      throw new Error('parsed without error')
    }
    expect(broken('{"format": "benchgate-vds/1", ')).toMatch(/not valid JSON .*; expected a benchgate-vds\/1 VolumeDataLayout JSON object/)
    const edit = (fn: (l: Record<string, any>) => void): string => {
      const l = JSON.parse(JSON.stringify(layout)) as Record<string, any>
      fn(l)
      return JSON.stringify(l)
    }
    expect(broken(edit(l => { l.dimensions[0].count = -1 }))).toMatch(/dimensions\[0\]\.count: /)
    expect(broken(edit(l => { l.dimensions[1].name = 'Inline' }))).toMatch(/dimensions\[1\]\.name: /)
    expect(broken(edit(l => { l.valueType = 'int7' }))).toMatch(/valueType: /)
    expect(broken(edit(l => { delete l.noValue }))).toMatch(/noValue: /)
    expect(broken(edit(l => { l.format = 'openvds' }))).toMatch(/format: /)
    expect(broken(edit(l => { l.chunkCounts[1] = 4 }))).toMatch(/chunkCounts\[1\]: 4 does not cover 140 samples in chunks of 64 \(expected 3\)/)
    expect(broken(edit(l => { l.missingChunks.push(99) }))).toMatch(/missingChunks\[6\]: chunk 99 is beyond the last chunk \(53\)/)
    expect(broken(edit(l => { l.constantChunks.x = 1 }))).toMatch(/constantChunks/)
    expect(broken(edit(l => { l.totalChunkBytes = 5 }))).toMatch(/totalChunkBytes: 5 does not match 40 stored chunks/)
    expect(broken(edit(l => { l.extra = 1 }))).toMatch(/extra|unrecognized/i)
  })
})

test('int16 and float32 volumes chunk the same way', () => {
  for (const dataType of ['int16', 'float32'] as const) {
    const zgy = generated({ inlines: 70, crosslines: 65, samples: 130, dataType, seed: 2 })
    try {
      const layout = parseLayout(JSON.stringify(layoutFromZgy(zgy)), 'test')
      expect(layout.valueType).toBe(dataType)
      expect(layout.chunkBytes).toBe(64 ** 3 * (dataType === 'int16' ? 2 : 4))
      const total = layout.chunkCounts[0] * layout.chunkCounts[1] * layout.chunkCounts[2]
      for (let index = 0; index < total; index++) {
        if (chunkKind(layout, index).kind !== 'normal') continue
        const c0 = index % layout.chunkCounts[0], c1 = Math.floor(index / layout.chunkCounts[0]) % layout.chunkCounts[1], c2 = Math.floor(index / (layout.chunkCounts[0] * layout.chunkCounts[1]))
        expect(same(decodeChunk(layout, chunkBytes(zgy, layout, index), index), zgy.readBrick(zgy.brickIndex(c2, c1, c0)))).toBe(true)
      }
    } finally {
      zgy.close()
    }
  }
})
