// The text of `vscsiStats -p all -c` (ESXi): parse it, write it, and turn successive cumulative
// captures into per-interval samples.
//
// Layout (one section per histogram, 16 per virtual disk, disks one after another):
//
//   Histogram: IO lengths of commands,virtual machine worldGroupID,2099979,virtual disk handleID,8194 (scsi0:0)
//   min,512
//   max,65536
//   mean,5332
//   count,793
//   Frequency,Histogram Bucket Limit
//   0,512
//   ...
//   3,524288        <- the last limit
//   0,524288        <- the same limit again: the overflow bucket (values above it)
//   Histogram: IO lengths of Read commands,...   <- the next section follows at once
//
// Section order per disk: IO lengths (all, Read, Write), distance between successive commands
// (all, Read, Write), distance from the closest of previous 16, latency (all, Read, Write),
// outstanding IOs (all, Read, Write), interarrival (all, Reads, Writes) — as in a real capture.
// Bucket semantics: a row `f,L` counts values in (previous limit, L]; the repeated last limit
// counts values above it. The printed limits are fixed per metric (BUCKET_LIMITS).
//
// parseCapture is tolerant of CRLF, blank lines, trailing white space and of any text before the
// first `Histogram:` line (banners, warnings); anything else that is wrong (text with no
// `Histogram:` line at all, such as `vscsiStats: command not found`; a truncated section; a
// number that is not one or is too large to be exact; a `count` that differs from the sum of its
// bucket frequencies; an unknown title; missing or extra bucket rows; limits that differ from
// the known set; a disk with fewer than 16 histograms) is a VscsiFormatError naming the file and
// line. Only empty or all-white-space text is an empty capture.

import { UserError } from '../../errors.ts'
import { diskKey } from '../types.ts'
import type { Capture, DiskHistograms, DiskId, Histogram, HistogramMetric, HistogramOp, IntervalSample } from '../types.ts'

/** Malformed vscsiStats / esxcli text: names the file and the 1-based line. */
export class VscsiFormatError extends UserError {
  constructor(p: { file: string; line: number; field?: string; message: string; expected?: string; hint?: string }) {
    super({ hint: 'check that the file is unmodified output of `vscsiStats -p all -c`', ...p })
    // `name` stays 'UserError' so isUserError() and the CLI treat it as a user mistake.
  }
}

/**
 * The printed limit column per metric, in order, INCLUDING the repeated last limit (the overflow
 * bucket): `buckets[i].limit === BUCKET_LIMITS[metric][i]`, and the length is the bucket count
 * (ioLength 18, seek distances 34, latency and interarrival 11, outstanding IOs 13).
 */
export const BUCKET_LIMITS: Record<HistogramMetric, readonly number[]> = (() => {
  const ioLength = [512, 1024, 2048, 4095, 4096, 8191, 8192, 16383, 16384, 32768, 49152, 65535, 65536, 81920, 131072, 262144, 524288]
  const pos = [1, 2, 4, 6, 8, 16, 32, 64, 128, 500, 1000, 5000, 10000, 50000, 100000, 500000]
  const distance = [...pos.map((x) => -x).reverse(), 0, ...pos]
  const time = [1, 10, 100, 500, 1000, 5000, 15000, 30000, 50000, 100000]
  const outstanding = [1, 2, 4, 6, 8, 12, 16, 20, 24, 28, 32, 64]
  const withOverflow = (l: number[]): readonly number[] => Object.freeze([...l, l[l.length - 1]!])
  return Object.freeze({
    ioLength: withOverflow(ioLength),
    seekDistance: withOverflow(distance),
    seekDistanceClosest: withOverflow(distance),
    outstandingIOs: withOverflow(outstanding),
    latency: withOverflow(time),
    interarrival: withOverflow(time),
  })
})()

/** Title text after `Histogram: ` and before the first comma, per metric and op. */
export const TITLES: Record<HistogramMetric, Partial<Record<HistogramOp, string>>> = {
  ioLength: {
    all: 'IO lengths of commands',
    read: 'IO lengths of Read commands',
    write: 'IO lengths of Write commands',
  },
  seekDistance: {
    all: 'distance (in LBNs) between successive commands',
    read: 'distance (in LBNs) between successive Read commands',
    write: 'distance (in LBNs) between successive Write commands',
  },
  seekDistanceClosest: {
    all: 'distance (in LBNs) between each command from the closest of previous 16',
  },
  latency: {
    all: 'latency of IOs in Microseconds (us)',
    read: 'latency of Read IOs in Microseconds (us)',
    write: 'latency of Write IOs in Microseconds (us)',
  },
  outstandingIOs: {
    all: 'number of outstanding IOs when a new IO is issued',
    read: 'number of outstanding Read IOs when a new Read IO is issued',
    write: 'number of outstanding Write IOs when a new Write IO is issued',
  },
  interarrival: {
    all: 'latency of IO interarrival time in Microseconds (us)',
    read: 'latency of IO interarrival time for Reads in Microseconds (us)',
    write: 'latency of IO interarrival time for Writes in Microseconds (us)',
  },
}

/** The 16 histograms of one disk in the order `vscsiStats -p all` prints them. */
export const HISTOGRAM_KINDS: readonly { metric: HistogramMetric; op: HistogramOp }[] = Object.freeze(
  (Object.keys(TITLES) as HistogramMetric[]).flatMap((metric) =>
    (['all', 'read', 'write'] as const).filter((op) => TITLES[metric][op] !== undefined).map((op) => ({ metric, op })),
  ),
)

export function titleOf(metric: HistogramMetric, op: HistogramOp): string {
  const t = TITLES[metric][op]
  if (t === undefined) throw new Error(`no vscsiStats histogram ${metric}/${op}`)
  return t
}

const BY_TITLE = new Map<string, { metric: HistogramMetric; op: HistogramOp }>(
  HISTOGRAM_KINDS.map((k) => [titleOf(k.metric, k.op).toLowerCase(), k]),
)

const HEADER = 'Frequency,Histogram Bucket Limit'
const INT = /^-?\d+$/
const NUM = /^-?\d+(\.\d+)?$/
/** An integer beyond this loses precision as a JS number: rejected rather than silently rounded. */
const TOO_LARGE = `is too large to be exact (beyond ±${Number.MAX_SAFE_INTEGER})`
/**
 * Bound once: reading an imported binding inside a loop goes through the module's export getter
 * on every call under Vitest's module runner (the bench warns "accessed module export getters too
 * many times: types.ts > diskKey" and the figure includes that overhead).
 */
const keyOf: (d: DiskId) => string = diskKey

function titleLine(disk: DiskId, metric: HistogramMetric, op: HistogramOp): string {
  const dev = disk.device ? ` (${disk.device})` : ''
  return `Histogram: ${titleOf(metric, op)},virtual machine worldGroupID,${disk.worldGroupId},virtual disk handleID,${disk.handleId}${dev}`
}

/** Writes disks exactly as `vscsiStats -p all -c` prints them (histograms in the given order, no blank lines). */
export function renderCapture(disks: DiskHistograms[]): string {
  const out: string[] = []
  for (const d of disks) {
    for (const h of d.histograms) {
      out.push(titleLine(d.disk, h.metric, h.op))
      out.push(`min,${h.min}`, `max,${h.max}`, `mean,${h.mean}`, `count,${h.count}`, HEADER)
      for (const b of h.buckets) out.push(`${b.frequency},${b.limit}`)
    }
  }
  return out.join('\n') + (out.length ? '\n' : '')
}

interface Line {
  n: number
  text: string
}

/**
 * Parses `vscsiStats -p all -c` output into its disks (in printed order). `file` is used only in
 * error messages. With `requireAll` (the default) each disk must carry all 16 histograms, which
 * also catches output cut off at a section boundary; pass false for `-p <one type>` output.
 */
export function parseCapture(text: string, file: string, opts: { requireAll?: boolean } = {}): DiskHistograms[] {
  const requireAll = opts.requireAll ?? true
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)
  const lines: Line[] = raw.map((t, i) => ({ n: i + 1, text: t.trim() }))
  // An error at the end of the text names its last line with content, not the line after it.
  let eofLine = lines.length
  while (eofLine > 1 && lines[eofLine - 1]!.text === '') eofLine--
  const EOF = ' (the file ends here)'
  const fail = (line: number, message: string, expected?: string, field?: string): never => {
    throw new VscsiFormatError({ file, line, message, expected, field })
  }

  const disks: DiskHistograms[] = []
  const seenDisks = new Map<string, number>()
  let current: { d: DiskHistograms; kinds: Set<string> } | undefined
  const closeDisk = (atLine: number, atEnd = false) => {
    if (!current) return
    if (requireAll && current.d.histograms.length !== HISTOGRAM_KINDS.length) {
      const missing = HISTOGRAM_KINDS.filter((k) => !current!.kinds.has(`${k.metric}/${k.op}`)).map((k) => `'${titleOf(k.metric, k.op)}'`)
      fail(
        atLine,
        `disk worldGroupID ${current.d.disk.worldGroupId} handleID ${current.d.disk.handleId} has ${current.d.histograms.length} of ${HISTOGRAM_KINDS.length} histograms (output truncated?)${atEnd ? EOF : ''}; missing ${missing.join(', ')}`,
        `all ${HISTOGRAM_KINDS.length} histograms of \`vscsiStats -p all\``,
      )
    }
    current = undefined
  }

  let i = 0
  let first: Line | undefined // the first line with content
  let started = false
  while (i < lines.length) {
    const l = lines[i]!
    if (l.text === '') {
      i++
      continue
    }
    first ??= l
    if (!/^histogram\s*:/i.test(l.text)) {
      if (!started) {
        i++ // banner or warning before the first histogram
        continue
      }
      fail(l.n, `unexpected line '${clip(l.text)}'`, 'a `Histogram: ...` title line starting the next section')
    }
    started = true
    const { metric, op, disk } = parseTitle(l, fail)
    const key = keyOf(disk)
    if (!current || keyOf(current.d.disk) !== key) {
      closeDisk(l.n)
      if (seenDisks.has(key)) fail(l.n, `disk worldGroupID ${disk.worldGroupId} handleID ${disk.handleId} appears again (first at line ${seenDisks.get(key)})`, 'each disk once per capture')
      seenDisks.set(key, l.n)
      current = { d: { disk, histograms: [] }, kinds: new Set() }
      disks.push(current.d)
    } else if (disk.device && !current.d.disk.device) {
      current.d.disk.device = disk.device
    }
    const kind = `${metric}/${op}`
    if (current.kinds.has(kind)) fail(l.n, `histogram '${titleOf(metric, op)}' appears twice for disk worldGroupID ${disk.worldGroupId} handleID ${disk.handleId}`)
    current.kinds.add(kind)
    i++

    // min, max, mean, count (any order, each once), then the header line.
    const stats: Partial<Record<'min' | 'max' | 'mean' | 'count', number>> = {}
    const statLine: Partial<Record<'min' | 'max' | 'mean' | 'count', number>> = {}
    const sectionName = `'${titleOf(metric, op)}' (line ${l.n})`
    for (;;) {
      const s = nextNonBlank(lines, i)
      if (s === undefined) fail(eofLine, `truncated section ${sectionName}: no bucket rows${EOF}`, `min, max, mean, count and '${HEADER}'`)
      const sl = lines[s!]!
      i = s! + 1
      if (sl.text.toLowerCase().replace(/\s+/g, '') === HEADER.toLowerCase().replace(/\s+/g, '')) break
      const m = /^(min|max|mean|count)\s*,\s*(.*)$/i.exec(sl.text)
      if (!m) {
        if (/^histogram\s*:/i.test(sl.text)) fail(sl.n, `truncated section ${sectionName}: a new section starts before its bucket rows`, `min, max, mean, count and '${HEADER}'`)
        fail(sl.n, `unexpected line '${clip(sl.text)}' in section ${sectionName}`, `min,N / max,N / mean,N / count,N, then '${HEADER}'`)
      }
      const name = m![1]!.toLowerCase() as 'min' | 'max' | 'mean' | 'count'
      const value = m![2]!.trim()
      if (name in stats) fail(sl.n, `'${name}' given twice in section ${sectionName}`, undefined, name)
      if (!(name === 'mean' ? NUM : INT).test(value)) fail(sl.n, `'${clip(value)}' is not a number`, name === 'mean' ? 'a number' : 'an integer', name)
      stats[name] = Number(value)
      statLine[name] = sl.n
    }
    for (const name of ['min', 'max', 'mean', 'count'] as const) {
      if (stats[name] === undefined) fail(lines[i - 1]!.n, `section ${sectionName} has no '${name}' line before '${HEADER}'`, `${name},N`, name)
    }
    if (!Number.isSafeInteger(stats.count!)) fail(statLine.count!, `'${clip(valueOf(lines[statLine.count! - 1]!))}' ${TOO_LARGE}`, 'an exact integer', 'count')
    if (stats.count! < 0) fail(statLine.count!, `negative count in section ${sectionName}`, 'a count ≥ 0', 'count')
    // min, max and mean of an empty histogram carry no data (whatever vscsiStats prints there).
    if (stats.count! > 0) {
      for (const name of ['min', 'max', 'mean'] as const) {
        if (Math.abs(stats[name]!) > Number.MAX_SAFE_INTEGER) fail(statLine[name]!, `'${clip(valueOf(lines[statLine[name]! - 1]!))}' ${TOO_LARGE}`, name === 'mean' ? 'a number' : 'an exact integer', name)
      }
    }

    // Bucket rows (blank lines between them are tolerated) until all limits are read.
    const limits = BUCKET_LIMITS[metric]
    const buckets: { limit: number; frequency: number }[] = []
    let sum = 0
    while (buckets.length < limits.length) {
      const s = nextNonBlank(lines, i)
      if (s === undefined || /^histogram\s*:/i.test(lines[s]!.text)) {
        fail(
          s === undefined ? eofLine : lines[s]!.n,
          `truncated section ${sectionName}: ${buckets.length} of ${limits.length} bucket rows${s === undefined ? EOF : ' before the next section'}`,
          `row ${buckets.length + 1}: 'frequency,${limits[buckets.length]}'`,
        )
      }
      const r = lines[s!]!
      i = s! + 1
      const m = /^([^,]*),([^,]*)$/.exec(r.text)
      if (!m) fail(r.n, `'${clip(r.text)}' is not a bucket row of section ${sectionName}`, `frequency,limit (row ${buckets.length + 1} of ${limits.length})`)
      const f = m![1]!.trim()
      const lim = m![2]!.trim()
      if (!INT.test(f) || Number(f) < 0) fail(r.n, `'${clip(f)}' is not a ${INT.test(f) ? 'frequency' : 'number'}`, 'an integer ≥ 0', 'frequency')
      if (!Number.isSafeInteger(Number(f))) fail(r.n, `'${clip(f)}' ${TOO_LARGE}`, 'an exact integer ≥ 0', 'frequency')
      if (!INT.test(lim)) fail(r.n, `'${clip(lim)}' is not a number`, 'an integer', 'limit')
      if (!Number.isSafeInteger(Number(lim))) fail(r.n, `'${clip(lim)}' ${TOO_LARGE}`, 'an exact integer', 'limit')
      const k = buckets.length
      if (Number(lim) !== limits[k]) fail(r.n, `bucket limit ${lim} in section ${sectionName} is not the known vscsiStats limit`, `${limits[k]} (row ${k + 1} of ${limits.length}: ${limits.join(',')})`, 'limit')
      buckets.push({ limit: Number(lim), frequency: Number(f) })
      sum += Number(f)
    }
    const after = nextNonBlank(lines, i)
    if (after !== undefined && /^-?\d+\s*,\s*-?\d+$/.test(lines[after]!.text)) {
      fail(lines[after]!.n, `extra bucket row in section ${sectionName}: ${metric} has ${limits.length} buckets (the last limit twice)`, `a blank line or the next section after ${limits.length} rows`)
    }
    // Every command is counted once and lands in exactly one bucket (the overflow included).
    if (sum !== stats.count) {
      fail(statLine.count!, `count ${stats.count} of section ${sectionName} differs from the sum of its ${limits.length} bucket frequencies, ${sum}`, `count equal to the sum of the frequencies (${sum})`, 'count')
    }
    current.d.histograms.push({ metric, op, count: stats.count!, min: stats.min!, max: stats.max!, mean: stats.mean!, buckets })
  }
  if (!started && first) {
    fail(first.n, `no 'Histogram:' line: this is not \`vscsiStats -p all -c\` output; it begins '${clip(first.text)}'`, "'Histogram: <title>,virtual machine worldGroupID,N,virtual disk handleID,N (scsiX:Y)' sections (only empty text is an empty capture)")
  }
  closeDisk(eofLine, true)
  return disks
}

/** The value part of a `name,value` line. */
function valueOf(l: Line): string {
  return l.text.replace(/^[^,]*,\s*/, '')
}

function nextNonBlank(lines: Line[], i: number): number | undefined {
  while (i < lines.length && lines[i]!.text === '') i++
  return i < lines.length ? i : undefined
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

function parseTitle(l: Line, fail: (line: number, message: string, expected?: string, field?: string) => never): { metric: HistogramMetric; op: HistogramOp; disk: DiskId } {
  const body = l.text.replace(/^histogram\s*:\s*/i, '')
  const parts = body.split(',').map((p) => p.trim())
  const title = parts[0]!
  const kind = BY_TITLE.get(title.toLowerCase().replace(/\s+/g, ' '))
  if (!kind) fail(l.n, `unknown histogram title '${clip(title)}'`, `one of the 16 vscsiStats titles, e.g. '${titleOf('ioLength', 'all')}'`)
  let worldGroupId: number | undefined
  let handleId: number | undefined
  let device = ''
  for (let k = 1; k < parts.length; k++) {
    const name = parts[k]!.toLowerCase()
    if (name === 'virtual machine worldgroupid') {
      const v = parts[++k] ?? ''
      if (!INT.test(v)) fail(l.n, `'${clip(v)}' is not a number`, 'an integer', 'worldGroupID')
      if (!Number.isSafeInteger(Number(v))) fail(l.n, `'${clip(v)}' ${TOO_LARGE}`, 'an exact integer', 'worldGroupID')
      worldGroupId = Number(v)
    } else if (name === 'virtual disk handleid') {
      const v = parts[++k] ?? ''
      const m = /^(-?\d+)\s*(?:\(([^)]*)\))?$/.exec(v)
      if (!m) fail(l.n, `'${clip(v)}' is not a number`, 'an integer, optionally followed by the device such as (scsi0:0)', 'handleID')
      if (!Number.isSafeInteger(Number(m![1]))) fail(l.n, `'${clip(m![1]!)}' ${TOO_LARGE}`, 'an exact integer', 'handleID')
      handleId = Number(m![1])
      device = m![2]?.trim() ?? ''
    }
  }
  if (worldGroupId === undefined || handleId === undefined) {
    fail(l.n, `title line names no ${worldGroupId === undefined ? 'worldGroupID' : 'handleID'}`, `'Histogram: ${title},virtual machine worldGroupID,N,virtual disk handleID,N (scsiX:Y)'`)
  }
  return { ...kind!, disk: { worldGroupId: worldGroupId!, handleId: handleId!, device } }
}

/**
 * Per-interval samples from cumulative captures given in time order: for each disk, the
 * difference of each capture from the previous capture that contained that disk.
 *
 * - counts and bucket frequencies are differences; min/max are the end capture's (cumulative, as
 *   vscsiStats keeps no per-interval extremes); mean is the interval's own mean,
 *   (mean₁·count₁ − mean₀·count₀) / Δcount, 0 when nothing happened.
 * - Restart: when any count or bucket of a disk is lower than before, or any cumulative min is
 *   higher or max lower than before (collection restarted with `-s` after stopping, or reset with
 *   `-r`, even when every count has grown since), that capture becomes the disk's new baseline and
 *   no sample is produced for that interval (never a negative or mixed sample). The min and max
 *   of an empty histogram carry no data and are not compared.
 * - A disk's first capture (at the start, or a disk that appears later) is only its baseline.
 * - A disk missing from some captures resumes with a longer interval from its last capture.
 * - Samples are ordered by end time, then by disk order within the capture.
 */
export function intervalSamples(captures: Capture[]): IntervalSample[] {
  const prev = new Map<string, { at: string; t: number; h: Map<string, Histogram> }>()
  const out: IntervalSample[] = []
  for (const c of captures) {
    const t = Date.parse(c.at)
    if (Number.isNaN(t)) throw new Error(`capture time '${c.at}' is not an ISO 8601 date`)
    for (const d of c.disks) {
      const key = keyOf(d.disk)
      const now = new Map(d.histograms.map((h) => [`${h.metric}/${h.op}`, h]))
      const before = prev.get(key)
      prev.set(key, { at: c.at, t, h: now })
      if (!before) continue
      if (restarted(before.h, now)) continue
      const histograms: Histogram[] = d.histograms.map((h) => {
        const b = before.h.get(`${h.metric}/${h.op}`)
        if (!b) return { ...h, buckets: h.buckets.map((x) => ({ ...x })) }
        const count = h.count - b.count
        const mean = count > 0 ? (h.mean * h.count - b.mean * b.count) / count : 0
        return {
          metric: h.metric,
          op: h.op,
          count,
          min: h.min,
          max: h.max,
          mean: count > 0 ? Math.min(Math.max(mean, h.min), h.max) : 0,
          buckets: h.buckets.map((x, k) => ({ limit: x.limit, frequency: x.frequency - (b.buckets[k]?.frequency ?? 0) })),
        }
      })
      out.push({ disk: { ...d.disk }, start: before.at, end: c.at, seconds: (t - before.t) / 1000, histograms })
    }
  }
  return out
}

/** True when `now` cannot follow `before` in one collection run (see intervalSamples). */
function restarted(before: Map<string, Histogram>, now: Map<string, Histogram>): boolean {
  for (const [k, h] of now) {
    const b = before.get(k)
    if (!b) continue
    if (h.count < b.count) return true
    for (let i = 0; i < h.buckets.length; i++) if (h.buckets[i]!.frequency < (b.buckets[i]?.frequency ?? 0)) return true
    // cumulative extremes only ever widen within a run
    if (b.count > 0 && h.count > 0 && (h.min > b.min || h.max < b.max)) return true
  }
  return false
}
