// Mode A: bricks read straight from the .zgy file on the NAS share (a directory standing for it
// in the embedded default), with positioned reads, as Petrel reads a ZGY file. The file stays
// open for the whole session, so the sampler sees it among the process's open files.
import { open, type FileHandle } from 'node:fs/promises'
import { openZgy, type ZgyFile, type ZgySamples } from '../volume/zgy.ts'
import { BYTES_PER_SAMPLE, samplesFromLittleEndian } from '../volume/coding.ts'
import type { BrickSource, VolumeShape } from './volume-reader.ts'

export function zgyShape(zgy: ZgyFile): VolumeShape {
  const [ni, nj] = zgy.lodBricks[0]!
  return {
    size: zgy.size,
    brickSize: zgy.brickSize,
    bricks: zgy.lodBricks[0]!,
    valueType: zgy.dataType,
    codingRange: zgy.codingRange,
    noValue: zgy.missingValue,
    kind(bi, bj, bk) {
      const b = zgy.bricks[bi + ni * (bj + nj * bk)]
      if (!b) throw new RangeError(`brick ${bi},${bj},${bk} is outside the volume`)
      return b.kind === 'normal' ? { kind: 'normal' } : b
    },
  }
}

export class NasSource implements BrickSource {
  readonly shape: VolumeShape
  readonly path: string
  readonly #zgy: ZgyFile
  readonly #file: FileHandle
  readonly #brickBytes: number
  /** Called after every brick read with its size and latency. */
  onRead?: (r: { brick: string; bytes: number; latencyMs: number }) => void

  private constructor(path: string, zgy: ZgyFile, file: FileHandle) {
    this.path = path
    this.#zgy = zgy
    this.#file = file
    this.shape = zgyShape(zgy)
    const [a, b, c] = zgy.brickSize
    this.#brickBytes = a * b * c * BYTES_PER_SAMPLE[zgy.dataType]
  }

  static async open(path: string): Promise<NasSource> {
    const zgy = openZgy(path)
    try {
      return new NasSource(path, zgy, await open(path, 'r'))
    } catch (e) {
      zgy.close()
      throw e
    }
  }

  async fetch(bi: number, bj: number, bk: number): Promise<ZgySamples> {
    const brick = this.#zgy.bricks[this.#zgy.brickIndex(bi, bj, bk)]
    if (brick?.kind !== 'normal') throw new RangeError(`brick ${bi},${bj},${bk} has no stored data`)
    const t0 = performance.now()
    const buf = Buffer.alloc(this.#brickBytes)
    const { bytesRead } = await this.#file.read(buf, 0, buf.length, brick.offset)
    if (bytesRead !== buf.length) throw new Error(`${this.path}: brick ${bi},${bj},${bk} at byte ${brick.offset}: read ${bytesRead} of ${buf.length} bytes; the file is truncated`)
    this.onRead?.({ brick: `${bi}_${bj}_${bk}`, bytes: bytesRead, latencyMs: performance.now() - t0 })
    return samplesFromLittleEndian(this.shape.valueType, buf)
  }

  async close(): Promise<void> {
    this.#zgy.close()
    await this.#file.close()
  }
}
