// A key's operations, indexed for the checks: the rows of all keys grouped by key with one counting
// sort (offsets into one Int32Array, rows in invoke order within a key), and per key the
// acknowledged writes sorted by version (to find the write of a version, and the chain) and by
// end time with a running maximum of the version (a read begun at time t must see at least the
// highest version acknowledged before t: one binary search per read).
import { OK, READ, DELETE, type OpTable } from './op-table.ts'

/** Rows grouped by key: the rows of key k are rows[offsets[k] .. offsets[k + 1]). */
export interface KeyGroups {
  offsets: Int32Array
  rows: Int32Array
}

export function groupByKey(t: OpTable): KeyGroups {
  const n = t.size
  const keys = t.keys.length
  const offsets = new Int32Array(keys + 1)
  const key = t.key
  for (let i = 0; i < n; i++) offsets[key[i]! + 1]!++
  for (let k = 0; k < keys; k++) offsets[k + 1]! += offsets[k]!
  const fill = offsets.slice(0, keys)
  const rows = new Int32Array(n)
  for (let i = 0; i < n; i++) rows[fill[key[i]!]!++] = i
  return { offsets, rows }
}

export interface KeyView {
  k: number
  /** Acknowledged writes and deletes, by version, and their versions. */
  byVersion: Int32Array
  versions: Float64Array
  /** The same by end time; maxVersion[j] / maxRow[j]: the highest version among byEnd[0..j]. */
  byEnd: Int32Array
  ends: Float64Array
  maxVersion: Float64Array
  maxRow: Int32Array
  /** Acknowledged reads, in invoke order. */
  reads: Int32Array
  /** Writes and deletes of unknown outcome (info or never completed), in invoke order. */
  unknown: Int32Array
  unknownDeletes: number
  /** When the last write of any outcome ended (Infinity when one never completed). */
  lastWriteEnd: number
}

export function keyView(t: OpTable, g: KeyGroups, k: number): KeyView {
  const from = g.offsets[k]!
  const to = g.offsets[k + 1]!
  let okW = 0
  let reads = 0
  let unknown = 0
  for (let j = from; j < to; j++) {
    const r = g.rows[j]!
    const s = t.status[r]!
    if (t.f[r] === READ) reads += s === OK ? 1 : 0
    else if (s === OK) okW++
    else if (t.unknown(r)) unknown++
  }
  const byVersion = new Int32Array(okW)
  const readRows = new Int32Array(reads)
  const unknownRows = new Int32Array(unknown)
  let unknownDeletes = 0
  let lastWriteEnd = -Infinity
  okW = reads = unknown = 0
  for (let j = from; j < to; j++) {
    const r = g.rows[j]!
    const s = t.status[r]!
    if (t.f[r] === READ) {
      if (s === OK) readRows[reads++] = r
      continue
    }
    if (t.end[r]! > lastWriteEnd) lastWriteEnd = t.end[r]!
    if (s === OK) byVersion[okW++] = r
    else if (t.unknown(r)) {
      unknownRows[unknown++] = r
      if (t.f[r] === DELETE) unknownDeletes++
    }
  }
  const version = t.version
  const end = t.end
  byVersion.sort((a, b) => version[a]! - version[b]! || a - b)
  const versions = new Float64Array(okW)
  for (let j = 0; j < okW; j++) versions[j] = version[byVersion[j]!]!
  const byEnd = byVersion.slice().sort((a, b) => end[a]! - end[b]! || a - b)
  const ends = new Float64Array(okW)
  const maxVersion = new Float64Array(okW)
  const maxRow = new Int32Array(okW)
  let best = -Infinity
  let bestRow = -1
  for (let j = 0; j < okW; j++) {
    const r = byEnd[j]!
    ends[j] = end[r]!
    if (version[r]! > best) {
      best = version[r]!
      bestRow = r
    }
    maxVersion[j] = best
    maxRow[j] = bestRow
  }
  return { k, byVersion, versions, byEnd, ends, maxVersion, maxRow, reads: readRows, unknown: unknownRows, unknownDeletes, lastWriteEnd }
}

/** The first index of sorted `a` whose value is not below `x` (a.length when none). */
function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the acknowledged write with version `v` in view.byVersion (the first when several), or -1. */
export function findVersion(view: KeyView, v: number): number {
  const i = lowerBound(view.versions, v)
  return i < view.versions.length && view.versions[i] === v ? i : -1
}

/** Index of the last acknowledged write that ended strictly before `t` in view.byEnd, or -1. */
export function lastEndedBefore(view: KeyView, t: number): number {
  return lowerBound(view.ends, t) - 1
}
