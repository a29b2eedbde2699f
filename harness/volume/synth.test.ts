import { describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { codingOf } from './coding.ts'
import { checkSyntheticParams, DEFAULT_SYNTHETIC, resetSyntheticCaches, synthBrick, syntheticCoding, syntheticSpec, type SyntheticVolumeParams } from './synth.ts'
import type { ZgySamples } from './zgy.ts'
import type { ZgyWriteBrick } from './zgy-write.ts'

const B = 64
// 3 × 3 × 6 bricks: the water layer fills the first brick of each column, the far corner column is dead
const SMALL: SyntheticVolumeParams = { inlines: 150, crosslines: 140, samples: 384, dataType: 'int8', seed: 7 }

function allBricks(p: SyntheticVolumeParams, order: 'forward' | 'reverse' | 'shuffled'): Map<string, ZgyWriteBrick> {
  const n = [Math.ceil(p.inlines / B), Math.ceil(p.crosslines / B), Math.ceil(p.samples / B)] as const
  const positions: [number, number, number][] = []
  for (let bi = 0; bi < n[0]; bi++) for (let bj = 0; bj < n[1]; bj++) for (let bk = 0; bk < n[2]; bk++) positions.push([bi, bj, bk])
  if (order === 'reverse') positions.reverse()
  if (order === 'shuffled') positions.sort((a, b) => ((a[0] * 7 + a[1] * 13 + a[2] * 5) % 11) - ((b[0] * 7 + b[1] * 13 + b[2] * 5) % 11))
  const out = new Map<string, ZgyWriteBrick>()
  for (const [bi, bj, bk] of positions) out.set(`${bi},${bj},${bk}`, synthBrick(p, bi, bj, bk))
  return out
}

const bytesOf = (b: ZgyWriteBrick): string => (b.kind === 'normal' ? Buffer.from(b.data.buffer).toString('base64') : JSON.stringify(b))

/** One trace (samples 0..samples-1) of brick column (bi, bj), local trace (li, lj), as floats. */
function trace(p: SyntheticVolumeParams, bi: number, bj: number, li: number, lj: number): number[] {
  const out: number[] = []
  const toFloat = codingOf(p.dataType, syntheticCoding(p.dataType).codingRange).toFloat
  for (let bk = 0; bk * B < p.samples; bk++) {
    const b = synthBrick(p, bi, bj, bk)
    for (let k = 0; k < Math.min(B, p.samples - bk * B); k++) out.push(b.kind === 'normal' ? toFloat(b.data[(li * B + lj) * B + k]!) : 0)
  }
  return out
}

function correlation(a: number[], b: number[]): number {
  let ab = 0, aa = 0, bb = 0
  for (let n = 0; n < a.length; n++) {
    ab += a[n]! * b[n]!
    aa += a[n]! ** 2
    bb += b[n]! ** 2
  }
  return ab / Math.sqrt(aa * bb)
}

describe('synthBrick', () => {
  test('is deterministic for a seed and independent of the order bricks are asked for', () => {
    resetSyntheticCaches()
    const forward = allBricks(SMALL, 'forward')
    resetSyntheticCaches()
    const reverse = allBricks(SMALL, 'reverse')
    const shuffled = allBricks({ ...SMALL }, 'shuffled')
    for (const [key, b] of forward) {
      expect(bytesOf(reverse.get(key)!), key).toBe(bytesOf(b))
      expect(bytesOf(shuffled.get(key)!), key).toBe(bytesOf(b))
    }
    const other = synthBrick({ ...SMALL, seed: 8 }, 0, 0, 3)
    expect(bytesOf(other)).not.toBe(bytesOf(forward.get('0,0,3')!))
  })

  test('has all three brick kinds: water (constant 0) on top, a dead corner (missing), reflectors (normal)', () => {
    const bricks = allBricks(SMALL, 'forward')
    const kinds = (bk: number) => [0, 1, 2].flatMap(bi => [0, 1, 2].map(bj => bricks.get(`${bi},${bj},${bk}`)!.kind))
    // column (2, 2) lies wholly in the dead corner; the others have water in their first brick
    expect(kinds(0)).toEqual(['constant', 'constant', 'constant', 'constant', 'constant', 'constant', 'constant', 'constant', 'missing'])
    for (let bk = 1; bk < 6; bk++) expect(kinds(bk)).toEqual(['normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'normal', 'missing'])
    for (const b of bricks.values()) if (b.kind === 'constant') expect(b.value).toBe(0)
    // storage 0 is float 0, which is also what missing bricks read as
    const coding = codingOf('int8', syntheticCoding('int8').codingRange)
    expect(coding.toFloat(0)).toBe(0)
    expect(coding.missingValue).toBe(0)
  })

  test('traces look like seismic: quiet water, then wavelets of both signs using most of the integer range', () => {
    const t = trace(SMALL, 1, 1, 10, 20)
    const first = t.findIndex(v => v !== 0)
    expect(first).toBeGreaterThan(64) // water above the seafloor
    expect(t.slice(0, first).every(v => v === 0)).toBe(true)
    const below = t.slice(first)
    expect(Math.max(...below)).toBeGreaterThan(0.6)
    expect(Math.min(...below)).toBeLessThan(-0.4)
    let crossings = 0
    for (let n = 1; n < below.length; n++) if (Math.sign(below[n]!) !== Math.sign(below[n - 1]!)) crossings++
    expect(crossings).toBeGreaterThan(10)
    // reflectors are laterally continuous, also across brick boundaries, yet not identical
    const neighbour = trace(SMALL, 1, 2, 10, 0) // crossline 128 next to…
    const here = trace(SMALL, 1, 1, 10, 63) // …crossline 127
    expect(correlation(here, neighbour)).toBeGreaterThan(0.8)
    expect(correlation(here, neighbour)).toBeLessThan(1)
    expect(correlation(trace(SMALL, 0, 0, 0, 0), trace(SMALL, 1, 1, 40, 40))).toBeLessThan(0.9)
  })

  test('dead traces in a partly dead brick and the edge padding are 0', () => {
    // column (1, 2): inlines 64..127, crosslines 128..139 (12 of 64 in the survey); the corner cuts through it
    const b = synthBrick(SMALL, 1, 2, 3)
    expect(b.kind).toBe('normal')
    const data = (b as { data: ZgySamples }).data
    const traceAt = (li: number, lj: number) => data.subarray((li * B + lj) * B, (li * B + lj + 1) * B)
    const dead = (li: number, lj: number) => (64 + li + 0.5) / 150 + (128 + lj + 0.5) / 140 > 1.55
    let live = 0, deadTraces = 0
    for (let li = 0; li < B; li++) {
      for (let lj = 0; lj < B; lj++) {
        const zero = traceAt(li, lj).every(v => v === 0)
        if (lj >= 12 || dead(li, lj)) {
          expect(zero, `trace ${li},${lj}`).toBe(true)
          if (lj < 12) deadTraces++
        } else {
          expect(zero, `trace ${li},${lj}`).toBe(false)
          live++
        }
      }
    }
    expect(live).toBeGreaterThan(0)
    expect(deadTraces).toBeGreaterThan(0)
    // samples beyond the survey (384 = 6 × 64 exactly here, so use a shorter volume)
    const short = synthBrick({ ...SMALL, samples: 300 }, 0, 0, 4)
    const s = (short as { data: ZgySamples }).data
    for (let t = 0; t < B * B; t += 97) expect(s.subarray(t * B + 44, t * B + 64).every(v => v === 0)).toBe(true)
  })

  test('int16 and float32 carry the same model as int8, at their own resolution', () => {
    const i8 = synthBrick(SMALL, 1, 1, 2) as { data: Int8Array }
    const i16 = synthBrick({ ...SMALL, dataType: 'int16' }, 1, 1, 2) as { data: Int16Array }
    const f32 = synthBrick({ ...SMALL, dataType: 'float32' }, 1, 1, 2) as { data: Float32Array }
    expect(i16.data).toBeInstanceOf(Int16Array)
    expect(f32.data).toBeInstanceOf(Float32Array)
    for (let n = 0; n < i8.data.length; n += 101) {
      expect(Math.abs(i16.data[n]! / 256 - i8.data[n]!)).toBeLessThanOrEqual(1)
      expect(Math.abs(f32.data[n]! * 128 - i8.data[n]!)).toBeLessThanOrEqual(1)
    }
    expect(syntheticCoding('int16').codingRange).toEqual([-1, 32767 / 32768])
    expect(syntheticSpec({ ...SMALL, dataType: 'float32' }).valueRange).toEqual([-1, 1])
  })

  test('is fast: int8 bricks of the default volume shape', () => {
    resetSyntheticCaches()
    const p = { ...DEFAULT_SYNTHETIC, inlines: 256, crosslines: 256 }
    const t0 = performance.now()
    for (let bi = 0; bi < 4; bi++) for (let bj = 0; bj < 4; bj++) for (let bk = 0; bk < 6; bk++) synthBrick(p, bi, bj, bk)
    const rate = (256 * 256 * 384) / ((performance.now() - t0) / 1000)
    console.info(`synthetic int8: ${(rate / 1e6).toFixed(0)} M samples/s`)
    // the aim is ≥ 50 M samples/s; the gate is loose so a busy CI machine does not fail it
    expect(rate).toBeGreaterThan(10e6)
  })

  test('bad parameters are user errors naming the field', () => {
    const cases: [Partial<SyntheticVolumeParams>, RegExp][] = [
      [{ inlines: 0 }, /inlines: 0 is not a usable size; expected a whole number from 1 to 1000000/],
      [{ samples: 12.5 }, /samples: 12\.5 is not a usable size/],
      [{ dataType: 'int32' as 'int8' }, /dataType: "int32" is not a synthetic sample type; expected int8, int16 or float32/],
      [{ seed: 0.5 }, /seed: 0\.5 is not a usable seed/],
    ]
    for (const [patch, message] of cases) {
      let error: unknown
      try {
        checkSyntheticParams({ ...SMALL, ...patch }, 'config.yaml')
      } catch (e) {
        error = e
      }
      expect(isUserError(error)).toBe(true)
      expect((error as Error).message).toMatch(/^config\.yaml: /)
      expect((error as Error).message).toMatch(message)
    }
  })
})
