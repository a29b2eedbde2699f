// The reference reader's view of a volume: bricks from a source (the NAS .zgy file in mode A,
// the chunked blob volume in mode B) through one bounded in-memory brick cache, assembled into
// what an interpretation application draws — inlines, traces, sub-volumes, time slices.
// Samples are storage values (int8/int16/float32) in the source's own type, so two sources of
// the same volume give byte-identical slices.
import { allocateSamples as allocate, codingOf } from '../volume/coding.ts'
import type { ZgyDataType, ZgySamples } from '../volume/zgy.ts'
import { BrickCache } from './brick-cache.ts'

export type Vec3 = readonly [number, number, number]
export type ValueType = ZgyDataType

/** What the reader needs to know of a volume, whichever source serves it. */
export interface VolumeShape {
  /** Samples per inline, crossline and sample (vertical) direction. */
  size: Vec3
  brickSize: Vec3
  /** Bricks per direction. */
  bricks: Vec3
  valueType: ValueType
  /** Float value range the integer storage range maps onto. */
  codingRange: readonly [number, number]
  /** What a brick looks like before it is read: no data, one value, or stored data. */
  kind(bi: number, bj: number, bk: number): { kind: 'missing' } | { kind: 'constant'; value: number } | { kind: 'normal' }
  /** The storage value a missing brick reads as. */
  noValue: number
}

/** Where bricks come from. `fetch` is only asked for normal bricks. */
export interface BrickSource {
  readonly shape: VolumeShape
  fetch(bi: number, bj: number, bk: number): Promise<ZgySamples>
  close(): Promise<void>
}

/** Runs `fn` over `items` with at most `limit` at a time, in order of start. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

export interface VolumeReaderOptions {
  /** Bound of the in-memory brick cache in bytes. */
  cacheBytes: number
  /** Bricks fetched at once when a slice needs several. */
  concurrency: number
}

export class VolumeReader {
  readonly shape: VolumeShape
  readonly cache: BrickCache<ZgySamples>
  readonly #source: BrickSource
  readonly #concurrency: number
  readonly #coding: ReturnType<typeof codingOf>

  constructor(source: BrickSource, options: VolumeReaderOptions) {
    this.#source = source
    this.shape = source.shape
    this.cache = new BrickCache(options.cacheBytes)
    this.#concurrency = Math.max(1, options.concurrency)
    this.#coding = codingOf(this.shape.valueType, this.shape.codingRange)
  }

  /** One brick's samples (full brick size, sample index fastest). */
  brick(bi: number, bj: number, bk: number): Promise<ZgySamples> {
    const { bricks, brickSize, valueType, noValue } = this.shape
    const key = bi + bricks[0] * (bj + bricks[1] * bk)
    return this.cache.get(key, async () => {
      const k = this.shape.kind(bi, bj, bk)
      if (k.kind === 'normal') return this.#source.fetch(bi, bj, bk)
      const out = allocate(valueType, brickSize[0] * brickSize[1] * brickSize[2])
      out.fill(k.kind === 'constant' ? k.value : noValue)
      return out
    })
  }

  /** Loads the bricks of a box (brick coordinates, inclusive ranges) in parallel. */
  async #bricks(b0: Vec3, b1: Vec3): Promise<Map<string, ZgySamples>> {
    const coords: Vec3[] = []
    for (let bi = b0[0]; bi <= b1[0]; bi++) for (let bj = b0[1]; bj <= b1[1]; bj++) for (let bk = b0[2]; bk <= b1[2]; bk++) coords.push([bi, bj, bk])
    const out = new Map<string, ZgySamples>()
    await forEachLimited(coords, this.#concurrency, async (c) => {
      out.set(c.join(','), await this.brick(c[0], c[1], c[2]))
    })
    return out
  }

  /** The samples of box [lo, hi) (sample coordinates), sample fastest, then crossline, then inline. */
  async box(lo: Vec3, hi: Vec3): Promise<ZgySamples> {
    const { size, brickSize: bs, valueType } = this.shape
    for (let d = 0; d < 3; d++) {
      if (!(Number.isInteger(lo[d]) && Number.isInteger(hi[d]) && lo[d]! >= 0 && hi[d]! <= size[d]! && lo[d]! < hi[d]!)) {
        throw new RangeError(`box ${lo.join(',')}..${hi.join(',')} is outside the volume ${size.join(' × ')}`)
      }
    }
    const n: Vec3 = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]]
    const b0: Vec3 = [Math.floor(lo[0] / bs[0]), Math.floor(lo[1] / bs[1]), Math.floor(lo[2] / bs[2])]
    const b1: Vec3 = [Math.floor((hi[0] - 1) / bs[0]), Math.floor((hi[1] - 1) / bs[1]), Math.floor((hi[2] - 1) / bs[2])]
    const loaded = await this.#bricks(b0, b1)
    const out = allocate(valueType, n[0] * n[1] * n[2])
    for (const [key, data] of loaded) {
      const [bi, bj, bk] = key.split(',').map(Number) as [number, number, number]
      const i0 = Math.max(lo[0], bi * bs[0]), i1 = Math.min(hi[0], (bi + 1) * bs[0])
      const j0 = Math.max(lo[1], bj * bs[1]), j1 = Math.min(hi[1], (bj + 1) * bs[1])
      const k0 = Math.max(lo[2], bk * bs[2]), k1 = Math.min(hi[2], (bk + 1) * bs[2])
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          const from = ((i - bi * bs[0]) * bs[1] + (j - bj * bs[1])) * bs[2] + (k0 - bk * bs[2])
          const to = ((i - lo[0]) * n[1] + (j - lo[1])) * n[2] + (k0 - lo[2])
          out.set(data.subarray(from, from + (k1 - k0)), to)
        }
      }
    }
    return out
  }

  /** One inline, crossline-major: `[xl * samples + s]`. */
  inline(i: number): Promise<ZgySamples> {
    const { size } = this.shape
    return this.box([i, 0, 0], [i + 1, size[1], size[2]])
  }

  /** One crossline, inline-major: `[il * samples + s]`. */
  crossline(j: number): Promise<ZgySamples> {
    const { size } = this.shape
    return this.box([0, j, 0], [size[0], j + 1, size[2]])
  }

  /** One time slice, inline-major: `[il * crosslines + xl]`. */
  timeSlice(k: number): Promise<ZgySamples> {
    const { size } = this.shape
    return this.box([0, 0, k], [size[0], size[1], k + 1])
  }

  /** One trace: every sample at (inline, crossline). */
  trace(i: number, j: number): Promise<ZgySamples> {
    return this.box([i, j, 0], [i + 1, j + 1, this.shape.size[2]])
  }

  /** Storage value → float value, as the coding range says (identity for float32). */
  toFloat(v: number): number {
    return this.#coding.toFloat(v)
  }

  close(): Promise<void> {
    return this.#source.close()
  }
}
