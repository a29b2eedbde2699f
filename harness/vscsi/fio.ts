// A fio job that reproduces a workload profile (./analysis.ts) on other storage.
//
//   rw=randrw, rwmixread        the read share of IOs, whole percent
//   bssplit=R,W                 reads and writes apart (fio: `bssplit=2k/50:4k/50,4k/90:8k/10`,
//                               comma between directions, colon between sizes): the profile's
//                               block-size shares in whole percent summing to exactly 100 per
//                               direction (largest-remainder rounding; sizes that round to 0 %
//                               are dropped). Sizes are the profile's sector-aligned bucket sizes
//                               (analysis.ts representativeSizes: they imply the capture's exact
//                               bytes, so fio's mean block size is the VM's), written as `<n>k` when a whole
//                               number of KiB (fio's default kb_base=1024), else in bytes.
//                               A direction without IOs repeats the other's split (it issues none).
//   bs_unaligned=1              without it fio rounds every size down to a multiple of the
//                               direction's smallest size when that is a power of two (26k with
//                               a 4k entry became 24k), which skews the mean block size; offsets
//                               stay aligned to the smallest size (blockalign's default). With
//                               direct=1 fio then prints 'bs_unaligned may not work with raw io':
//                               harmless here, every size is a multiple of 512 (see below).
//   percentage_random=R,W       100 − the sequential share of each direction (vscsiStats seek
//                               distance within sequential_lbns); 100 when distances are unknown
//   numjobs, iodepth            one job per disk that did IOs in the kept intervals (numjobs),
//                               each at the mean over those disks of each disk's mean outstanding
//                               IOs (the exact means of its outstandingIOs histograms), rounded,
//                               at least 1: numjobs × iodepth ≈ the VM's total outstanding IOs.
//                               group_reporting=1, so fio's JSON reports the jobs as one.
//   ioengine=libaio, direct=1, norandommap, time_based, runtime, and bandwidth, latency and IOPS
//   logs (write_bw_log, write_lat_log, write_iops_log averaged over log_avg_msec).
// Every job reproduces the mix of all disks together (the clones share the file when `filename`
// is given; without it each clone makes its own `<name>.<n>.0` of `size`); IOPS are not
// throttled (the jobs find what the new storage sustains with this mix).
// O_DIRECT needs IO sizes that are multiples of the device's logical block size: 512-byte-only
// sizes fail on 4Kn devices.
import { spawnSync } from 'node:child_process'
import type { Profile } from './analysis.ts'

export interface FioJobOptions {
  runtimeS: number
  /** File or device the job works on. Default: fio's own (`<name>.0.0` in the working directory). */
  filename?: string
  /** Size of the file region, fio syntax. Default: 1g. */
  size?: string
  /** Job name. Default: vscsi-profile. */
  name?: string
  /** Prefix of the bw/lat/iops logs. Default: the job name. */
  logPrefix?: string
  /** Averaging window of the logs in ms. Default: 1000. */
  logAvgMsec?: number
}

/**
 * Whole percentages of `shares` (any positive weights) summing to exactly 100, by the largest
 * remainder; entries that get 0 % are dropped. Keys are IO sizes in bytes; ascending order.
 */
export function wholePercentages(shares: Readonly<Record<string, number>>): Array<{ bytes: number; pct: number }> {
  const entries = Object.entries(shares)
    .map(([k, w]) => ({ bytes: Number(k), w }))
    .filter((e) => e.w > 0 && Number.isFinite(e.w))
  const total = entries.reduce((a, e) => a + e.w, 0)
  if (entries.length === 0 || !(total > 0)) return []
  const exact = entries.map((e) => ({ bytes: e.bytes, exact: (e.w / total) * 100 }))
  const out = exact.map((e) => ({ bytes: e.bytes, pct: Math.floor(e.exact), rem: e.exact - Math.floor(e.exact), exact: e.exact }))
  let left = 100 - out.reduce((a, e) => a + e.pct, 0)
  const order = [...out].sort((a, b) => b.rem - a.rem || b.exact - a.exact || a.bytes - b.bytes)
  for (let i = 0; left > 0; i = (i + 1) % order.length, left--) order[i]!.pct++
  return out
    .filter((e) => e.pct > 0)
    .sort((a, b) => a.bytes - b.bytes)
    .map(({ bytes, pct }) => ({ bytes, pct }))
}

/** An IO size as fio reads it: `4k` for whole KiB, else bytes. */
export function fioSize(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024}k` : String(bytes)
}

/** One direction of a bssplit: `4k/60:64k/40`. */
export function splitText(split: ReadonlyArray<{ bytes: number; pct: number }>): string {
  return split.map((e) => `${fioSize(e.bytes)}/${e.pct}`).join(':')
}

/** The bssplit value: reads, comma, writes. */
export function bssplitOf(p: Pick<Profile, 'block_sizes'>): string {
  const read = wholePercentages(p.block_sizes.read)
  const write = wholePercentages(p.block_sizes.write)
  if (read.length === 0 && write.length === 0) throw new Error('the profile has no IOs: no block sizes for bssplit')
  return `${splitText(read.length ? read : write)},${splitText(write.length ? write : read)}`
}

function randomPct(sequential: number): number | undefined {
  return Number.isFinite(sequential) ? 100 - Math.round(sequential * 100) : undefined
}

/** fio splits filename on ':' (several files); a colon that is part of the name is written '\:'. */
function escapeFilename(name: string): string {
  return name.replace(/(?<!\\):/g, '\\:')
}

function jobName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9._-]+/g, '-')
  if (!clean) throw new Error(`fio job name '${name}' has no usable characters (letters, digits, '.', '_', '-')`)
  return clean
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a')

/**
 * numjobs: the disks with IOs in the kept intervals (at least 1); iodepth: the mean over those
 * disks of each disk's mean queue depth, rounded, at least 1 (the profile's when no disk has one).
 */
export function jobsAndDepth(p: Pick<Profile, 'disks' | 'queue_depth'>): { numjobs: number; iodepth: number } {
  const active = p.disks.filter((d) => d.ios.total > 0 && Number.isFinite(d.queue_depth.avg))
  const depth = active.length ? active.reduce((a, d) => a + d.queue_depth.avg, 0) / active.length : p.queue_depth.avg
  return { numjobs: Math.max(1, active.length), iodepth: Number.isFinite(depth) ? Math.max(1, Math.round(depth)) : 1 }
}

/** The fio job file text for profile `p` (see the header). */
export function fioJob(p: Profile, o: FioJobOptions): string {
  if (!(Number.isInteger(o.runtimeS) && o.runtimeS > 0)) throw new Error(`fio runtime must be a whole number of seconds above 0, got ${o.runtimeS}`)
  if (!Number.isFinite(p.read_ratio)) throw new Error('the profile has no IOs (no read or write counts): nothing for fio to reproduce')
  const name = jobName(o.name ?? 'vscsi-profile')
  const logPrefix = o.logPrefix ?? name
  const rr = randomPct(p.sequential.read) ?? randomPct(p.sequential.all) ?? 100
  const rw = randomPct(p.sequential.write) ?? randomPct(p.sequential.all) ?? 100
  const readRandom = p.ios.read > 0 ? rr : rw
  const writeRandom = p.ios.write > 0 ? rw : rr
  const { numjobs, iodepth } = jobsAndDepth(p)
  const lines = [
    '; generated by benchgate vscsi from a vscsiStats workload profile',
    `; ${p.samples_kept} of ${p.samples_total} intervals kept (${p.filter.rule}), ${p.disks_total} disk(s)`,
    `; profile: ${fmt(p.iops.total)} IOPS (${fmt(p.iops.read)} read, ${fmt(p.iops.write)} write), ${fmt(p.MB_s.total, 2)} MB/s, ` +
      `read ${fmt(p.read_ratio * 100)} %, mean block ${fmt(p.mean_block_bytes.all / 1024, 2)} KiB, sequential ${fmt(p.sequential.all * 100)} %, ` +
      `queue depth ${fmt(p.queue_depth.avg, 2)}`,
    `; latency p99: read ${fmt(p.latency_ms.read.p99_ms, 3)} ms, write ${fmt(p.latency_ms.write.p99_ms, 3)} ms`,
    ...p.warnings.map((w) => `; warning: ${w.replace(/[\r\n]+/g, ' ')}`),
    `[${name}]`,
    ...(o.filename ? [`filename=${escapeFilename(o.filename)}`] : []),
    `size=${o.size ?? '1g'}`,
    'ioengine=libaio',
    'direct=1',
    'rw=randrw',
    `rwmixread=${Math.round(p.read_ratio * 100)}`,
    `bssplit=${bssplitOf(p)}`,
    'bs_unaligned=1',
    `percentage_random=${readRandom},${writeRandom}`,
    'norandommap',
    `iodepth=${iodepth}`,
    `numjobs=${numjobs}`,
    'group_reporting=1',
    'time_based',
    `runtime=${o.runtimeS}`,
    `write_bw_log=${logPrefix}`,
    `write_lat_log=${logPrefix}`,
    `write_iops_log=${logPrefix}`,
    `log_avg_msec=${o.logAvgMsec ?? 1000}`,
  ]
  return lines.join('\n') + '\n'
}

export interface FioParseResult {
  ok: boolean
  /** fio's exit status and what it printed (empty when the job is fine). */
  status: number | null
  output: string
}

/**
 * Runs `fio --parse-only FILE`. fio 3.33 exits 0 even after some option errors (a
 * percentage_random above 100 is only printed on stderr), so a job passes only when fio exits 0
 * and prints nothing.
 */
export function fioParseOnly(file: string, fio = 'fio'): FioParseResult {
  const r = spawnSync(fio, ['--parse-only', file], { encoding: 'utf8' })
  if (r.error) return { ok: false, status: null, output: `${fio}: ${r.error.message}` }
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  return { ok: r.status === 0 && output === '', status: r.status, output }
}
