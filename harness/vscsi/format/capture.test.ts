import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test, vi } from 'vitest'
import { isUserError } from '../../errors.ts'
import type { Capture, DiskHistograms, Histogram } from '../types.ts'
import { BUCKET_LIMITS, HISTOGRAM_KINDS, TITLES, VscsiFormatError, intervalSamples, parseCapture, renderCapture } from './capture.ts'

// Counts reads of types.ts > diskKey through the module's export (what Vitest's bench warns about
// when they happen per call); the binding itself is unchanged.
const exportReads = vi.hoisted(() => ({ diskKey: 0 }))
vi.mock('../types.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../types.ts')>()
  return {
    ...actual,
    get diskKey() {
      exportReads.diskKey++
      return actual.diskKey
    },
  }
})

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
    const first = hist(t0[0]!, 'ioLength', 'all')
    const text = renderCapture(t0)
      .replace(/^0,524288\n0,524288$/m, '0,524288\n7,524288')
      .replace(`count,${first.count}\n`, `count,${first.count + 7}\n`) // the 7 are counted too
    const h = hist(parseCapture(text, 'x.txt')[0]!, 'ioLength', 'all')
    expect(h.buckets.at(-1)).toEqual({ limit: 524288, frequency: 7 })
    expect(h.buckets.at(-2)).toEqual({ limit: 524288, frequency: 0 })
    expect(h.count).toBe(first.count + 7)
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
    expect(parseCapture(' \r\n\n\t\n', 'blank.txt')).toEqual([])
    expect(parseCapture('\uFEFF', 'bom.txt')).toEqual([])
    expect(renderCapture([])).toBe('')
  })

  test('text with no Histogram: line at all (an error message, a banner) is an error, not 0 disks', () => {
    const e = thrown(() => parseCapture('sh: vscsiStats: command not found\n', 'err.txt'))
    expect(isUserError(e)).toBe(true)
    expect(e.problems[0]).toMatchObject({ file: 'err.txt', line: 1 })
    expect(e.message).toMatch(/^err\.txt:1: no 'Histogram:' line: .* it begins 'sh: vscsiStats: command not found'/)
    const banner = 'The authenticity of host cannot be established; Permission denied (publickey,password). Please try again later.\nline two\n'
    const e2 = thrown(() => parseCapture(banner, 'perm.txt', { requireAll: false }))
    expect(e2.message).toContain("perm.txt:1: no 'Histogram:' line")
    expect(e2.message).toContain("it begins 'The authenticity of host cannot be established; Permissio...'") // the start only
    // leading blank lines: the first line with content is named and quoted
    expect(thrown(() => parseCapture('\r\n  \r\nvscsiStats: Permission denied\r\n', 'p.txt')).message).toMatch(/^p\.txt:3: no 'Histogram:' line: .* it begins 'vscsiStats: Permission denied'/)
  })
})

describe('malformed captures name the file and line', () => {
  test('truncated section (the file ends inside the bucket rows)', () => {
    const e = thrown(() => parseCapture(read('truncated.txt'), 'truncated.txt'))
    expect(isUserError(e)).toBe(true)
    expect(read('truncated.txt').split('\n')).toHaveLength(634) // 633 lines, then the final newline
    expect(e.problems[0]).toMatchObject({ file: 'truncated.txt', line: 633 }) // the last line, not the one after it
    expect(e.message).toContain('truncated.txt:633: ')
    expect(e.message).toMatch(/truncated section 'latency of IOs in Microseconds \(us\)' \(line 624\): 4 of 11 bucket rows \(the file ends here\)/)
    // trailing blank lines or no final newline: still the last line with content
    const lines = read('truncated.txt').split('\n').slice(0, 633)
    expect(thrown(() => parseCapture(lines.join('\n'), 't.txt')).message).toContain('t.txt:633: ')
    expect(thrown(() => parseCapture(lines.join('\r\n') + '\r\n\r\n  \r\n', 't.txt')).message).toContain('t.txt:633: ')
    // cut after the title and stats: the last line (the header) is named
    expect(thrown(() => parseCapture(lines.slice(0, 629).join('\n') + '\n', 'h.txt')).message).toMatch(/^h\.txt:629: truncated section .*: 0 of 11 bucket rows \(the file ends here\)/)
    expect(thrown(() => parseCapture(lines.slice(0, 627).join('\n') + '\n', 'm.txt')).message).toMatch(/^m\.txt:627: truncated section .*: no bucket rows \(the file ends here\)/)
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
    expect(e.message).toContain(`partial.txt:${at + 24}: `) // the last line of the file
    expect(e.message).toMatch(/has 1 of 16 histograms \(output truncated\?\) \(the file ends here\)/)
    expect(parseCapture(text, 'partial.txt', { requireAll: false }).map((d) => d.histograms.length)).toEqual([16, 1])
  })

  test('numbers too large to be exact name the file and line', () => {
    const lines = good()
    const at = lineOf(lines, 'Histogram: IO lengths of commands')
    expect(lines[at + 6 + 4]).toMatch(/,4096$/)
    lines[at + 6 + 4] = '99999999999999999999999,4096'
    const e = thrown(() => parseCapture(lines.join('\n'), 'big.txt'))
    expect(e.problems[0]).toMatchObject({ file: 'big.txt', line: at + 6 + 5, field: 'frequency' })
    expect(e.message).toMatch(/^big\.txt:11: frequency: '99999999999999999999999' is too large to be exact/)
    const just = good()
    just[at + 6 + 4] = `${Number.MAX_SAFE_INTEGER + 1},4096` // 2^53: the first integer with a twin
    expect(thrown(() => parseCapture(just.join('\n'), 'b.txt')).message).toMatch(/^b\.txt:11: frequency: '9007199254740992' is too large/)

    for (const [row, text, field] of [
      [at + 4, 'count,18446744073709551615', 'count'],
      [at + 1, 'min,-9007199254740993', 'min'],
      [at + 2, 'max,123456789012345678901', 'max'],
      [at + 3, 'mean,99999999999999999999.5', 'mean'],
      [at + 6, '0,99999999999999999999999', 'limit'],
    ] as const) {
      const l = good()
      l[row] = text
      const err = thrown(() => parseCapture(l.join('\n'), 'n.txt'))
      expect(err.problems[0]).toMatchObject({ file: 'n.txt', line: row + 1, field })
      expect(err.message).toContain('is too large to be exact')
    }
    const ids = good()
    ids[0] = ids[0]!.replace('worldGroupID,2099979', 'worldGroupID,99999999999999999999')
    expect(thrown(() => parseCapture(ids.join('\n'), 'w.txt')).message).toMatch(/^w\.txt:1: worldGroupID: '99999999999999999999' is too large/)
    const h = good()
    h[0] = h[0]!.replace('handleID,8194', 'handleID,99999999999999999999')
    expect(thrown(() => parseCapture(h.join('\n'), 'h.txt')).message).toMatch(/^h\.txt:1: handleID: '99999999999999999999' is too large/)
  })

  test('min and max of an empty histogram are not range-checked (they carry no data)', () => {
    const lines = good()
    const at = lineOf(lines, 'Histogram: IO lengths of Read commands')
    // (not known to be what vscsiStats prints for an empty histogram; any integer is accepted there)
    const empty = [lines[at]!, 'min,9223372036854775807', 'max,-9223372036854775808', 'mean,0', 'count,0', 'Frequency,Histogram Bucket Limit', ...BUCKET_LIMITS.ioLength.map((l) => `0,${l}`)]
    lines.splice(at, 6 + 18, ...empty) // each section is checked on its own
    const d = parseCapture(lines.join('\n'), 'e.txt')[0]!
    expect(hist(d, 'ioLength', 'read').count).toBe(0)
    lines[at + 4] = 'count,1'
    lines[at + 6] = '1,512'
    expect(thrown(() => parseCapture(lines.join('\n'), 'e.txt')).message).toContain(`e.txt:${at + 2}: min: '9223372036854775807' is too large to be exact`)
  })

  test('count must equal the sum of the bucket frequencies (it does in every real capture)', () => {
    // the fixtures (and the real sample they follow) hold this in every section
    for (const d of parseCapture(read('two-disks-t1.txt'), 't1.txt')) for (const x of d.histograms) expect(x.buckets.reduce((a, b) => a + b.frequency, 0)).toBe(x.count)
    const lines = good()
    const at = lineOf(lines, 'Histogram: latency of Write IOs')
    const row = lines[at + 6 + 3]!.split(',')
    lines[at + 6 + 3] = `${Number(row[0]) + 1},${row[1]}`
    const e = thrown(() => parseCapture(lines.join('\n'), 'sum.txt'))
    expect(e.problems[0]).toMatchObject({ file: 'sum.txt', line: at + 5, field: 'count' }) // the count line
    expect(e.message).toMatch(/count (\d+) of section 'latency of Write IOs in Microseconds \(us\)' \(line \d+\) differs from the sum of its 11 bucket frequencies, (\d+)/)
    const [, count, sum] = /count (\d+) .* frequencies, (\d+)/.exec(e.message)!
    expect(Number(sum)).toBe(Number(count) + 1)
    // the overflow bucket is part of the sum
    const over = good()
    const at2 = lineOf(over, 'Histogram: number of outstanding IOs when')
    over[at2 + 6 + 12] = over[at2 + 6 + 12]!.replace(/^\d+,/, (f) => `${Number(f.slice(0, -1)) + 2},`)
    expect(thrown(() => parseCapture(over.join('\n'), 'o.txt')).message).toContain(`o.txt:${at2 + 5}: count: count `)
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

  test('a cumulative min that rises or a max that falls is a restart too, even when every count grew', () => {
    const rising = structuredClone(t1)
    const lat = hist(rising[0]!, 'latency', 'read')
    expect(lat.count).toBeGreaterThan(hist(t0[0]!, 'latency', 'read').count)
    lat.min = hist(t0[0]!, 'latency', 'read').min + 1 // above the extreme seen before: not the same run
    const s = intervalSamples([cap('2026-11-24T10:00:40Z', t0), cap('2026-11-24T10:01:00Z', rising)])
    expect(s.map((x) => x.disk.handleId)).toEqual([8195])
    // the restart's capture is the new baseline
    const later = structuredClone(t1)
    for (const d of later) for (const x of d.histograms) {
      x.count += 1
      x.buckets[0]!.frequency += 1
    }
    const s2 = intervalSamples([cap('2026-11-24T10:00:40Z', t0), cap('2026-11-24T10:01:00Z', rising), cap('2026-11-24T10:01:20Z', later)])
    expect(s2.map((x) => [x.disk.handleId, x.start])).toEqual([
      [8195, '2026-11-24T10:00:40Z'],
      [8194, '2026-11-24T10:01:00Z'],
      [8195, '2026-11-24T10:01:00Z'],
    ])

    const falling = structuredClone(t1)
    const seek = hist(falling[1]!, 'seekDistance', 'write')
    expect(seek.count).toBeGreaterThan(hist(t0[1]!, 'seekDistance', 'write').count)
    seek.max = hist(t0[1]!, 'seekDistance', 'write').max - 1
    expect(intervalSamples([cap('2026-11-24T10:00:40Z', t0), cap('2026-11-24T10:01:00Z', falling)]).map((x) => x.disk.handleId)).toEqual([8194])

    // equal extremes are the same run; an empty histogram's min/max (0 here) are not compared
    const same = structuredClone(t1)
    hist(same[0]!, 'latency', 'read').min = hist(t0[0]!, 'latency', 'read').min
    expect(intervalSamples([cap('2026-11-24T10:00:40Z', t0), cap('2026-11-24T10:01:00Z', same)])).toHaveLength(2)
    const zero = structuredClone(t0)
    for (const d of zero) for (const x of d.histograms) Object.assign(x, { count: 0, min: 0, max: 0, mean: 0, buckets: x.buckets.map((b) => ({ ...b, frequency: 0 })) })
    expect(intervalSamples([cap('2026-11-24T10:00:00Z', zero), cap('2026-11-24T10:00:40Z', t0)])).toHaveLength(2)
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

describe('types.ts > diskKey is read through the module export once, not per call', () => {
  test('parseCapture and intervalSamples do not read the export getter in their loops', () => {
    const t0 = parseCapture(read('two-disks-t0.txt'), 'two-disks-t0.txt')
    const t1 = parseCapture(read('two-disks-t1.txt'), 'two-disks-t1.txt')
    const before = exportReads.diskKey
    for (let k = 0; k < 5; k++) parseCapture(read('two-disks-t1.txt'), 'two-disks-t1.txt')
    const caps = Array.from({ length: 20 }, (_, k) => ({ at: new Date(Date.UTC(2026, 10, 24, 10, 0, 20 * k)).toISOString(), disks: k % 2 ? t1 : t0 }))
    expect(intervalSamples(caps).length).toBeGreaterThan(0)
    expect(exportReads.diskKey - before).toBe(0)
  })
})
