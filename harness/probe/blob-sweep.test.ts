// The sweep's arithmetic without a store: byte ranges that cover a blob exactly, the best point
// (fastest without errors), which failures end a sweep, and one sweep point from its passes.
import { describe, expect, test } from 'vitest'
import { BlobRequestError } from '../azure/blob-error.ts'
import type { RequestRecord } from '../azure/ranged-get.ts'
import { bestPoint, chunkRanges, isFatal, pointLabel, sweepPoint, type PassResult } from './blob-sweep.ts'
import { SweepPointSchema, type SweepPoint } from './schema.ts'
import { MIB } from './stats.ts'
import { syntheticBaseline } from './test-support.ts'

describe('chunkRanges', () => {
  test.each([
    [10, 4, [[0, 4], [4, 4], [8, 2]]],
    [8, 4, [[0, 4], [4, 4]]],
    [3, 4, [[0, 3]]],
    [1, 1, [[0, 1]]],
    [0, 4, []],
  ])('%i bytes in chunks of %i', (size, chunk, ranges) => {
    expect(chunkRanges(size, chunk).map((r) => [r.offset, r.length])).toEqual(ranges)
  })

  test('covers every size exactly: contiguous, no overlap, no chunk larger than asked', () => {
    const problems: string[] = []
    for (const size of [1, 2, 1023, 1024, 1025, 3 * MIB, 3 * MIB + 17, 64 * MIB - 1]) {
      for (const chunk of [1, 1000, 1024, MIB, 4 * MIB]) {
        if (size / chunk > 100_000) continue
        const ranges = chunkRanges(size, chunk)
        let next = 0
        for (const r of ranges) {
          if (r.offset !== next || r.length < 1 || r.length > chunk) problems.push(`${size}/${chunk}: ${r.offset}+${r.length} after ${next}`)
          next += r.length
        }
        if (next !== size) problems.push(`${size}/${chunk}: covers ${next}`)
        if (ranges.length !== Math.ceil(size / chunk)) problems.push(`${size}/${chunk}: ${ranges.length} ranges`)
      }
    }
    expect(problems).toEqual([])
  })
})

describe('bestPoint', () => {
  const sweep = syntheticBaseline().blob[0]!.sweep
  const at = (chunk: number, streams: number) => sweep.find((p) => p.chunk_mib === chunk && p.streams === streams)!

  test('the fastest point without errors, skipping a faster one that lost chunks', () => {
    expect(at(4, 8).errors).toBeGreaterThan(0)
    expect(at(4, 8).MB_s).toBeGreaterThan(at(4, 4).MB_s!)
    expect(bestPoint(sweep)).toBe(at(4, 4))
  })

  test('no point without errors, or no figures at all: no best', () => {
    expect(bestPoint(sweep.map((p) => ({ ...p, errors: 1 })))).toBeNull()
    expect(bestPoint(sweep.map((p) => ({ ...p, MB_s: null })))).toBeNull()
    expect(bestPoint([])).toBeNull()
  })

  test('a tie goes to the first', () => {
    const a: SweepPoint = { ...at(1, 4), MB_s: 500 }
    const b: SweepPoint = { ...at(4, 1), MB_s: 500 }
    expect(bestPoint([a, b])).toBe(a)
  })
})

describe('isFatal: the failures every other chunk would meet too end the sweep', () => {
  const target = { containerUrl: 'https://acct.blob.core.windows.net/vols', sas: 'sv=1&sig=abc' }
  const error = (status: number, code?: string) => new BlobRequestError({ target, blob: 'b', method: 'GET', status, code, cause: 'x' })

  test.each([
    [403, 'AuthorizationFailure', true],
    [404, 'BlobNotFound', true],
    [400, undefined, true],
    [408, undefined, false],
    [429, 'TooManyRequests', false],
    [500, 'InternalError', false],
    [503, 'ServerBusy', false],
    [0, 'ECONNREFUSED', true],
    [0, 'ENOTFOUND', true],
    [0, 'ECONNRESET', false],
    [0, 'TIMEOUT', false],
  ])('HTTP %i %s → %s', (status, code, fatal) => {
    expect(isFatal(error(status, code))).toBe(fatal)
  })

  test('anything that is not a request failure (an abort, a bug) is fatal', () => {
    expect(isFatal(new Error('aborted'))).toBe(true)
  })
})

describe('sweepPoint', () => {
  const target = { containerUrl: 'https://acct.blob.core.windows.net/vols', sas: 'sv=1&sig=abc' }
  const record = (offset: number, totalMs: number, retriedOn: string[] = []): RequestRecord => ({
    blob: 'b', offset, length: MIB, status: 206, bytes: MIB, latencyMs: totalMs, ttfbMs: 1, totalMs, attempts: 1 + retriedOn.length, retriedOn, backoffMs: 0,
  })
  // the client's own count of 429/500/503 answers: those retried for chunks that succeeded, and
  // the last answer of chunks that failed
  const pass = (ms: number, records: RequestRecord[], failures: BlobRequestError[] = [], retries = 0): PassResult => {
    const throttledByStatus: Record<string, number> = {}
    for (const s of [...records.flatMap((r) => r.retriedOn), ...failures.map((f) => String(f.status))]) throttledByStatus[s] = (throttledByStatus[s] ?? 0) + 1
    return {
      bytes: records.reduce((n, r) => n + r.bytes, 0), ms, cpuSeconds: ms / 2000, records, failures,
      stats: { requests: records.length + failures.length + retries, retries, throttled: 0, throttledByStatus, timeouts: 0, errors: failures.length },
    }
  }

  test('median MB/s of the passes, bytes and requests summed, throttling counted by status', () => {
    const busy = new BlobRequestError({ target, blob: 'b', method: 'GET', status: 503, code: 'ServerBusy', cause: 'store busy (throttled)' })
    const p = sweepPoint(1, MIB, 2, 4 * MIB, [
      pass(10, [record(0, 2), record(MIB, 3, ['503', '429']), record(2 * MIB, 4), record(3 * MIB, 5)], [], 2),
      pass(20, [record(0, 2), record(MIB, 3), record(2 * MIB, 4)], [busy], 1),
      pass(40, [record(0, 2), record(MIB, 3), record(2 * MIB, 4), record(3 * MIB, 5, ['500'])], [], 1),
    ])
    expect(SweepPointSchema.parse(p)).toEqual(p)
    expect(p.MB_s_passes).toEqual([419.43, 157.286, 104.858])
    expect(p.MB_s).toBe(157.286)
    expect(p).toMatchObject({ chunk_mib: 1, chunk_bytes: MIB, streams: 2, passes: 3, bytes: 11 * MIB, retries: 4, errors: 1 })
    expect(p.throttled).toEqual({ '429': 1, '500': 1, '503': 2 })
    expect(p.chunk_ms.n).toBe(11)
    expect(p.error).toBe(busy.message)
    expect(p.note).toBeUndefined()
  })

  test('too few chunks for the stream count: a note says a larger blob would measure it better', () => {
    const p = sweepPoint(4, 4 * MIB, 8, 8 * MIB, [pass(10, [record(0, 2), record(4 * MIB, 2)])])
    expect(p.note).toMatch(/^the test blob has 2 chunks of this size, fewer than 2 per stream/)
  })

  test('a pass in which every chunk failed gives no figure', () => {
    const busy = new BlobRequestError({ target, blob: 'b', method: 'GET', status: 503, code: 'ServerBusy', cause: 'store busy (throttled)' })
    const p = sweepPoint(1, MIB, 1, MIB, [pass(10, [], [busy])])
    expect(p.MB_s).toBeNull()
    expect(p.MB_s_passes).toEqual([])
    expect(p.errors).toBe(1)
  })

  test('no passes: no figure rather than a made-up one', () => {
    const p = sweepPoint(1, MIB, 1, MIB, [])
    expect(p.MB_s).toBeNull()
    expect(p.ttfb_ms_p50).toBeNull()
    expect(p.chunk_ms.p99).toBeNull()
  })

  test('labels read like the summary', () => {
    expect(pointLabel({ chunk_mib: 0.5, streams: 16 })).toBe('0.5 MiB × 16')
  })
})
