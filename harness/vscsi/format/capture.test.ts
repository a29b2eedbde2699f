import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { isUserError } from '../../errors.ts'
import type { Capture, DiskHistograms, Histogram } from '../types.ts'
import { BUCKET_LIMITS, HISTOGRAM_KINDS, TITLES, VscsiFormatError, intervalSamples, parseCapture, renderCapture } from './capture.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/vscsi/${name}`, import.meta.url))
const read = (name: string) => readFileSync(fixture(name), 'utf8')
const hist = (d: DiskHistograms, metric: Histogram['metric'], op: Histogram['op']) => d.histograms.find((h) => h.metric === metric && h.op === op)!

function thrown(f: () => unknown): VscsiFormatError {
  try {
    f()
  } catch (e) {
    if (e instanceof VscsiFormatError) return e
    throw e
  }
  throw new Error('expected a VscsiFormatError')
}

describe('bucket limits and titles', () => {
  test('bucket counts per metric include the overflow bucket (the last limit twice)', () => {
    expect(BUCKET_LIMITS.ioLength).toHaveLength(18)
    expect(BUCKET_LIMITS.seekDistance).toHaveLength(34)
    expect(BUCKET_LIMITS.seekDistanceClosest).toHaveLength(34)
    expect(BUCKET_LIMITS.latency).toHaveLength(11)
    expect(BUCKET_LIMITS.interarrival).toHaveLength(11)
    expect(BUCKET_LIMITS.outstandingIOs).toHaveLength(13)
    for (const l of Object.values(BUCKET_LIMITS)) expect(l[l.length - 1]).toBe(l[l.length - 2])
    expect(BUCKET_LIMITS.ioLength.slice(0, 8)).toEqual([512, 1024, 2048, 4095, 4096, 8191, 8192, 16383])
    expect(BUCKET_LIMITS.ioLength.at(-1)).toBe(524288)
    expect(BUCKET_LIMITS.seekDistance[0]).toBe(-500000)
    expect(BUCKET_LIMITS.seekDistance.at(-1)).toBe(500000)
    expect(BUCKET_LIMITS.seekDistance).toContain(1)
    expect(BUCKET_LIMITS.latency[0]).toBe(1)
    expect(BUCKET_LIMITS.latency.at(-1)).toBe(100000)
    expect(BUCKET_LIMITS.outstandingIOs[0]).toBe(1)
    expect(BUCKET_LIMITS.outstandingIOs.at(-1)).toBe(64)
  })

  test('16 kinds with distinct titles; the closest-of-16 distance only for all commands', () => {
    expect(HISTOGRAM_KINDS).toHaveLength(16)
    const titles = HISTOGRAM_KINDS.map((k) => TITLES[k.metric][k.op])
    expect(new Set(titles).size).toBe(16)
    expect(TITLES.seekDistanceClosest).toEqual({ all: 'distance (in LBNs) between each command from the closest of previous 16' })
    expect(TITLES.interarrival.write).toBe('latency of IO interarrival time for Writes in Microseconds (us)')
  })
})

describe('parseCapture', () => {
  const t0 = parseCapture(read('two-disks-t0.txt'), 'two-disks-t0.txt')

  test('parses both disks of the fixture with 16 sections each, titles mapped to metric/op', () => {
    expect(t0.map((d) => d.disk)).toEqual([
      { worldGroupId: 2099979, handleId: 8194, device: 'scsi0:0' },
      { worldGroupId: 2099979, handleId: 8195, device: 'scsi0:1' },
    ])
    for (const d of t0) {
      expect(d.histograms.map((h) => `${h.metric}/${h.op}`)).toEqual(HISTOGRAM_KINDS.map((k) => `${k.metric}/${k.op}`))
      for (const h of d.histograms) {
        expect(h.buckets.map((b) => b.limit)).toEqual(BUCKET_LIMITS[h.metric])
        expect(h.buckets.reduce((a, b) => a + b.frequency, 0)).toBe(h.count)
      }
    }
  })

  test('reads min, max, mean, count and the frequencies of the first section as printed', () => {
    const text = read('two-disks-t0.txt').split('\n')
    const h = hist(t0[0]!, 'ioLength', 'all')
    expect(text.slice(1, 5)).toEqual([`min,${h.min}`, `max,${h.max}`, `mean,${h.mean}`, `count,${h.count}`])
    expect(text[5]).toBe('Frequency,Histogram Bucket Limit')
    expect(text[6 + 6]).toBe(`${h.buckets[6]!.frequency},8192`)
    expect(h.count).toBeGreaterThan(0)
    // the second disk (log-like writes of 256 K) has frequencies in the 262144 bucket
    expect(hist(t0[1]!, 'ioLength', 'write').buckets[15]).toEqual({ limit: 262144, frequency: expect.any(Number) })
    expect(hist(t0[1]!, 'ioLength', 'write').buckets[15]!.frequency).toBeGreaterThan(0)
  })

  test('the overflow bucket is the last one and holds values above the last limit', () => {
    const text = renderCapture(t0).replace(/^0,524288\n0,524288$/m, '0,524288\n7,524288')
    const h = hist(parseCapture(text, 'x.txt')[0]!, 'ioLength', 'all')
    expect(h.buckets.at(-1)).toEqual({ limit: 524288, frequency: 7 })
    expect(h.buckets.at(-2)).toEqual({ limit: 524288, frequency: 0 })
  })

  test('round trip: render(parse(fixture)) is the fixture byte for byte, and parse(render(x)) equals x', () => {
    const text = read('two-disks-t1.txt')
    const parsed = parseCapture(text, 'two-disks-t1.txt')
    expect(renderCapture(parsed)).toBe(text)
    expect(parseCapture(renderCapture(t0), 'r.txt')).toEqual(t0)
  })

  test('tolerates CRLF, blank lines, trailing white space and a banner before the first histogram', () => {
    const text = read('two-disks-t0.txt')
    const messy = 'vscsiStats: warning: something the tool printed\r\n\r\n' + text.split('\n').map((l, i) => (i % 7 === 3 ? `${l}  \t` : l) + (i % 11 === 0 ? '\r\n\r\n' : '\r\n')).join('')
    expect(parseCapture(messy, 'crlf.txt')).toEqual(t0)
  })

  test('a title without the device parenthesis gives an empty device', () => {
    const text = renderCapture(t0.slice(0, 1)).replaceAll(' (scsi0:0)', '')
    const [d] = parseCapture(text, 'old.txt')
    expect(d!.disk).toEqual({ worldGroupId: 2099979, handleId: 8194, device: '' })
    expect(renderCapture([d!])).toBe(text)
  })

  test('several disks follow one another; a repeated disk is an error', () => {
    const one = renderCapture(t0.slice(0, 1))
    const two = renderCapture(t0.slice(1, 2))
    expect(parseCapture(two + one, 'swap.txt').map((d) => d.disk.handleId)).toEqual([8195, 8194])
    const e = thrown(() => parseCapture(one + two + one, 'dup.txt'))
    expect(e.message).toContain(`dup.txt:${one.split('\n').length + two.split('\n').length - 1}`)
    expect(e.message).toMatch(/appears again/)
  })

  test('empty text is an empty capture', () => {
    expect(parseCapture('', 'empty.txt')).toEqual([])
    expect(renderCapture([])).toBe('')
  })
})

describe('malformed captures name the file and line', () => {
  test('truncated section (the file ends inside the bucket rows)', () => {
    const e = thrown(() => parseCapture(read('truncated.txt'), 'truncated.txt'))
    expect(isUserError(e)).toBe(true)
    expect(e.problems[0]).toMatchObject({ file: 'truncated.txt', line: 634 })
    expect(e.message).toContain('truncated.txt:634')
    expect(e.message).toMatch(/truncated section 'latency of IOs in Microseconds \(us\)' \(line 624\): 4 of 11 bucket rows/)
  })

  test('bad number', () => {
    const e = thrown(() => parseCapture(read('bad-number.txt'), 'bad-number.txt'))
    expect(e.message).toContain('bad-number.txt:37')
    expect(e.message).toMatch(/bad-number\.txt:37: frequency: '\d+x' is not a number/)
  })

  test('unknown title', () => {
    const e = thrown(() => parseCapture(read('unknown-title.txt'), 'unknown-title.txt'))
    expect(e.message).toContain('unknown-title.txt:284')
    expect(e.message).toContain("unknown histogram title 'queue depth of commands'")
  })

  const good = () => read('two-disks-t0.txt').split('\n')
  const lineOf = (lines: string[], prefix: string, from = 0) => lines.findIndex((l, i) => i >= from && l.startsWith(prefix))

  test('a section cut off before its header, by the next title', () => {
    const lines = good()
    const at = lineOf(lines, 'Histogram: IO lengths of Write')
    lines.splice(at + 4, 2 + 18) // keep title, min, max, mean; drop count, header and rows
    const e = thrown(() => parseCapture(lines.join('\n'), 'cut.txt'))
    expect(e.message).toContain(`cut.txt:${at + 5}`) // the next title
    expect(e.message).toMatch(/truncated section 'IO lengths of Write commands'/)
  })

  test('missing rows in the middle of a capture', () => {
    const lines = good()
    const at = lineOf(lines, 'Histogram: number of outstanding IOs when')
    lines.splice(at + 6 + 10, 3) // 10 of 13 rows left
    const e = thrown(() => parseCapture(lines.join('\n'), 'rows.txt'))
    expect(e.message).toContain(`rows.txt:${at + 6 + 10 + 1}`) // the next title
    expect(e.message).toMatch(/10 of 13 bucket rows before the next section/)
  })

  test('a limit that is not the known one, and an extra row', () => {
    const lines = good()
    const at = lineOf(lines, 'Histogram: latency of Read IOs')
    lines[at + 6 + 2] = lines[at + 6 + 2]!.replace(/,100$/, ',200')
    const e = thrown(() => parseCapture(lines.join('\n'), 'limit.txt'))
    expect(e.message).toContain(`limit.txt:${at + 6 + 3}`)
    expect(e.message).toMatch(/bucket limit 200 .* not the known vscsiStats limit; expected 100/)

    const extra = good()
    const at2 = lineOf(extra, 'Histogram: latency of Read IOs')
    extra.splice(at2 + 6 + 11, 0, '0,100000')
    const e2 = thrown(() => parseCapture(extra.join('\n'), 'extra.txt'))
    expect(e2.message).toContain(`extra.txt:${at2 + 6 + 12}`)
    expect(e2.message).toMatch(/extra bucket row/)
  })

  test('bad min/count values and a bad worldGroupID', () => {
    const lines = good()
    lines[4] = 'count,12.5'
    expect(thrown(() => parseCapture(lines.join('\n'), 'c.txt')).message).toMatch(/^c\.txt:5: count: '12\.5' is not a number/)
    const l2 = good()
    l2[0] = l2[0]!.replace('2099979', '20999x9')
    expect(thrown(() => parseCapture(l2.join('\n'), 'w.txt')).message).toMatch(/^w\.txt:1: worldGroupID: '20999x9' is not a number/)
  })

  test('a disk with fewer than 16 histograms (cut at a section boundary) unless requireAll is false', () => {
    const lines = good()
    const at = lineOf(lines, 'Histogram: IO lengths of commands', 10) // the second disk
    const text = lines.slice(0, at).join('\n') + '\n' + lines.slice(at, at + 24).join('\n') + '\n'
    const e = thrown(() => parseCapture(text, 'partial.txt'))
    expect(e.message).toContain(`partial.txt:${at + 25}`)
    expect(e.message).toMatch(/has 1 of 16 histograms/)
    expect(parseCapture(text, 'partial.txt', { requireAll: false }).map((d) => d.histograms.length)).toEqual([16, 1])
  })

  test('a stray line between sections', () => {
    const lines = good()
    lines.splice(25, 0, 'garbage here')
    expect(thrown(() => parseCapture(lines.join('\n'), 's.txt')).message).toContain("s.txt:26: unexpected line 'garbage here'")
  })
})

describe('intervalSamples', () => {
  const t0 = parseCapture(read('two-disks-t0.txt'), 'two-disks-t0.txt')
  const t1 = parseCapture(read('two-disks-t1.txt'), 'two-disks-t1.txt')
  const cap = (at: string, disks: DiskHistograms[]): Capture => ({ at, disks })

  test('differences of successive captures per disk, with seconds from the timestamps', () => {
    const s = intervalSamples([cap('2026-11-24T10:00:40Z', t0), cap('2026-11-24T10:01:00Z', t1)])
    expect(s).toHaveLength(2)
    expect(s[0]!.disk.handleId).toBe(8194)
    expect(s[0]!.seconds).toBe(20)
    expect(s[0]!.start).toBe('2026-11-24T10:00:40Z')
    expect(s[0]!.end).toBe('2026-11-24T10:01:00Z')
    for (const [i, sample] of s.entries()) {
      for (const h of sample.histograms) {
        const a = hist(t0[i]!, h.metric, h.op)
        const b = hist(t1[i]!, h.metric, h.op)
        expect(h.count).toBe(b.count - a.count)
        expect(h.buckets.map((x) => x.frequency)).toEqual(b.buckets.map((x, k) => x.frequency - a.buckets[k]!.frequency))
        expect(h.min).toBe(b.min)
        expect(h.max).toBe(b.max)
      }
      expect(hist(sample as never, 'ioLength', 'all').count).toBeGreaterThan(0)
    }
    // interval mean from the cumulative means
    const a = hist(t0[0]!, 'ioLength', 'all')
    const b = hist(t1[0]!, 'ioLength', 'all')
    expect(hist(s[0] as never, 'ioLength', 'all').mean).toBeCloseTo((b.mean * b.count - a.mean * a.count) / (b.count - a.count), 6)
  })

  test('counts that go down (restart with -s / -r) start a new baseline: no negative sample', () => {
    const s = intervalSamples([cap('2026-11-24T10:00:00Z', t1), cap('2026-11-24T10:00:20Z', t0), cap('2026-11-24T10:00:40Z', t1)])
    expect(s.map((x) => [x.start, x.end])).toEqual([
      ['2026-11-24T10:00:20Z', '2026-11-24T10:00:40Z'],
      ['2026-11-24T10:00:20Z', '2026-11-24T10:00:40Z'],
    ])
    for (const x of s) for (const h of x.histograms) for (const b of h.buckets) expect(b.frequency).toBeGreaterThanOrEqual(0)
  })

  test('a disk that appears later starts with a baseline; a missing disk resumes over the longer interval', () => {
    const s = intervalSamples([
      cap('2026-11-24T10:00:00Z', [t0[0]!]),
      cap('2026-11-24T10:00:20Z', [t1[0]!, t0[1]!]),
      cap('2026-11-24T10:00:40Z', [t1[1]!]),
    ])
    expect(s.map((x) => [x.disk.handleId, x.seconds])).toEqual([
      [8194, 20],
      [8195, 20],
    ])
    const s2 = intervalSamples([cap('2026-11-24T10:00:00Z', t0), cap('2026-11-24T10:00:20Z', [t0[1]!]), cap('2026-11-24T10:01:00Z', t1)])
    expect(s2.map((x) => [x.disk.handleId, x.seconds])).toEqual([
      [8195, 20],
      [8194, 60],
      [8195, 40],
    ])
  })
})
