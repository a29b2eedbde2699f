// The statistics and the 256-bin histogram an OpenZGY InfoHeader / HistHeader stores, gathered
// brick by brick while a file is written (see zgy-write.ts).
//
// Statistics (count, sum, sum of squares, min, max) are in float units and cover the survey
// samples only — never the edge padding of partial bricks — with a missing brick counted as the
// reader's `missingValue` (the storage value nearest float 0), as real files do.
//
// Histogram: `min` and `max` are the centres of the first and the last bin, the bin width is
// (max − min) / 255 and a float value f falls in bin round((f − min) / width) — the rule the stored
// histogram of the public Fancy-int8.zgy follows (zgy.test.ts). For integer types the range is the
// coding range, so with int8 every storage value has a bin of its own. For other types it is the
// range the writer was given or found; a sample outside it is an error, not a silent clamp.
//
// 8- and 16-bit data are counted per storage value (a 256 / 65536-entry table) and turned into
// floats once at the end, which is fast and exact; 32-bit data is accumulated per sample.
import { STORAGE_RANGE, type Coding } from './coding.ts'
import type { ZgyDataType, ZgyHistogram, ZgySamples, ZgyStatistics } from './zgy.ts'

export class ZgyStatsAccumulator {
  readonly #coding: Coding
  readonly #hmin: number
  readonly #hmax: number
  readonly #width: number
  /** Per storage value counts (8/16-bit types), indexed by value − storage minimum. */
  readonly #counts: Float64Array | null
  readonly #countBase: number
  readonly #bins = new Float64Array(256)
  #count = 0
  #sum = 0
  #ssq = 0
  #min = Infinity
  #max = -Infinity

  /** `histogramRange`: centres of the first and last bin (rounded to float32 as the file stores them). */
  constructor(type: ZgyDataType, coding: Coding, histogramRange: readonly [number, number]) {
    this.#coding = coding
    this.#hmin = Math.fround(histogramRange[0])
    this.#hmax = Math.fround(histogramRange[1])
    if (!(this.#hmax >= this.#hmin)) throw new RangeError(`histogram range [${histogramRange.join(', ')}] is empty`)
    this.#width = (this.#hmax - this.#hmin) / 255
    const storage = STORAGE_RANGE[type]
    const small = storage !== undefined && storage[1] - storage[0] < 65536
    this.#counts = small ? new Float64Array(storage[1] - storage[0] + 1) : null
    this.#countBase = small ? -storage[0] : 0
  }

  get histogramRange(): readonly [number, number] {
    return [this.#hmin, this.#hmax]
  }

  /** The bin of float value `f`; throws if `f` lies outside the histogram range. */
  bin(f: number): number {
    if (this.#width === 0) {
      if (f !== this.#hmin) throw new RangeError(`value ${f} lies outside the histogram range [${this.#hmin}, ${this.#hmax}]`)
      return 0
    }
    const b = Math.round((f - this.#hmin) / this.#width)
    if (!(b >= 0 && b <= 255)) throw new RangeError(`value ${f} lies outside the histogram range [${this.#hmin}, ${this.#hmax}]`)
    return b
  }

  /** The survey part (`ni` × `nj` × `nk` of a `bs`³ brick, sample fastest) of one stored brick. */
  addBrick(data: ZgySamples, bs: number, ni: number, nj: number, nk: number): void {
    const counts = this.#counts
    if (counts !== null) {
      const base0 = this.#countBase
      for (let i = 0; i < ni; i++) {
        for (let j = 0; j < nj; j++) {
          const base = (i * bs + j) * bs
          for (let k = 0; k < nk; k++) counts[data[base + k]! + base0]!++
        }
      }
      return
    }
    const { slope, intercept } = this.#coding
    const bins = this.#bins
    const hmin = this.#hmin, width = this.#width
    let sum = 0, ssq = 0, min = this.#min, max = this.#max
    for (let i = 0; i < ni; i++) {
      for (let j = 0; j < nj; j++) {
        const base = (i * bs + j) * bs
        for (let k = 0; k < nk; k++) {
          const f = slope * data[base + k]! + intercept
          // the bin as bin() computes it; anything unusual (NaN, out of range, zero width) goes through bin() to throw
          const b = Math.round((f - hmin) / width)
          if (b >= 0 && b <= 255) bins[b]!++
          else bins[this.bin(f)]!++
          sum += f
          ssq += f * f
          if (f < min) min = f
          if (f > max) max = f
        }
      }
    }
    this.#count += ni * nj * nk
    this.#sum += sum
    this.#ssq += ssq
    this.#min = min
    this.#max = max
  }

  /** `n` samples of storage value `storage` (a constant or a missing brick). */
  addConstant(storage: number, n: number): void {
    if (n === 0) return
    if (this.#counts !== null) {
      this.#counts[storage + this.#countBase]! += n
      return
    }
    this.#accumulate(this.#coding.toFloat(storage), n)
  }

  #accumulate(f: number, n: number): void {
    if (!Number.isFinite(f)) throw new RangeError(`sample ${f} is not a finite number`)
    this.#count += n
    this.#sum += n * f
    this.#ssq += n * f * f
    if (f < this.#min) this.#min = f
    if (f > this.#max) this.#max = f
    this.#bins[this.bin(f)]! += n
  }

  /** What the file stores: min and max rounded to float32 as the header holds them. */
  result(): { statistics: ZgyStatistics; histogram: ZgyHistogram } {
    if (this.#counts !== null) {
      const counts = this.#counts
      for (let s = 0; s < counts.length; s++) {
        const c = counts[s]!
        if (c > 0) this.#accumulate(this.#coding.toFloat(s - this.#countBase), c)
      }
      counts.fill(0) // folded into the totals: a second result() call gives the same figures
    }
    return {
      statistics: { count: this.#count, sum: this.#sum, sumOfSquares: this.#ssq, min: Math.fround(this.#min), max: Math.fround(this.#max) },
      histogram: { count: this.#count, min: this.#hmin, max: this.#hmax, bins: Array.from(this.#bins) },
    }
  }
}
