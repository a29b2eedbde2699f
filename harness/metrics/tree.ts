// One watched process tree: a root pid and all its descendants, re-discovered every sample.
//
// CPU and io are counted so that children which exit between two samples are not lost: a
// process's CPU counter is utime+stime+cutime+cstime, and the kernel adds a reaped child's
// totals (CPU and io) to its parent's. So the tree's delta is the sum of every member's delta
// (a new member counts from zero), minus the last-seen counters of members that died and were
// reaped by a surviving member (those now reappear inside the parent's counters). Best effort:
// a member re-parented out of the tree before it is reaped is not followed; totals never go
// below zero.
import { IO_FIELDS, type ProcReader, type ProcStat, type ProcessTable } from './procfs.ts'
import { MB } from './columns.ts'

interface Member {
  start: number
  ppid: number
  cpuTicks: number
  io: Float64Array | null
}

export interface TreeSample {
  /** Processes in the tree now (root included). */
  processes: number
  cpuPct: number | null
  rssMb: number
  vmsMb: number
  /** Threads summed over the tree (num_threads of /proc/<pid>/stat). */
  threads: number
  readBytesS: number | null
  writeBytesS: number | null
  readCntS: number | null
  writeCntS: number | null
  /** Matching open files, sorted, deduplicated. */
  openPaths: string[]
}

const IO_COUNT = IO_FIELDS.length

export class TreeTracker {
  readonly root: number
  #reader: ProcReader
  #prev = new Map<number, Member>()
  #prevAt = -1
  #rootStart: number | undefined
  #io = new Float64Array(IO_COUNT)
  #paths = new Set<string>()

  constructor(root: number, reader: ProcReader) {
    this.root = root
    this.#reader = reader
  }

  /**
   * Reads the tree now (monotonic `nowMs`). Null once the root has exited (or its pid was
   * reused). The first sample has no rates: they need a previous one.
   */
  sample(table: ProcessTable, nowMs: number, match: ((path: string) => boolean) | null): TreeSample | null {
    const cur = this.#read(table)
    if (cur === null) return null
    const elapsedS = (nowMs - this.#prevAt) / 1000
    const first = this.#prevAt < 0 || elapsedS <= 0
    let rss = 0
    let vms = 0
    let threads = 0
    const paths = this.#paths
    paths.clear()
    for (const [pid, m] of cur.members) {
      rss += m.stat.rssBytes
      vms += m.stat.vmsBytes
      threads += m.stat.threads
      if (match !== null && !m.stat.zombie) this.#reader.openFiles(pid, match, paths)
    }
    const sample: TreeSample = {
      processes: cur.members.size,
      cpuPct: null,
      rssMb: rss / MB,
      vmsMb: vms / MB,
      threads,
      readBytesS: null,
      writeBytesS: null,
      readCntS: null,
      writeCntS: null,
      openPaths: paths.size ? [...paths].sort() : [],
    }
    const next = new Map<number, Member>()
    for (const [pid, m] of cur.members) {
      next.set(pid, { start: m.stat.start, ppid: m.stat.ppid, cpuTicks: m.stat.cpuTicks, io: m.io })
    }
    if (!first) this.#rates(table, next, elapsedS, sample)
    this.#prev = next
    this.#prevAt = nowMs
    return sample
  }

  #read(table: ProcessTable): { members: Map<number, { stat: ProcStat; io: Float64Array | null }> } | null {
    for (let attempt = 0; attempt < 2; attempt++) {
      const pids = table.tree(this.root)
      if (pids.length === 0) return null
      const members = new Map<number, { stat: ProcStat; io: Float64Array | null }>()
      let stale = false
      for (const pid of pids) {
        const stat = this.#reader.readStat(pid)
        if (stat === null) {
          table.gone(pid)
          if (pid === this.root) return null
          continue
        }
        if (table.verify(stat) && pid !== this.root) stale = true
        if (pid === this.root) {
          if (stat.zombie) return null
          if (this.#rootStart === undefined) this.#rootStart = stat.start
          else if (stat.start !== this.#rootStart) return null
        }
        const io = new Float64Array(IO_COUNT)
        members.set(pid, { stat, io: this.#reader.readIo(pid, io) ? io : null })
      }
      if (!stale || attempt === 1) return { members }
    }
    return null
  }

  #rates(table: ProcessTable, cur: Map<number, Member>, elapsedS: number, out: TreeSample): void {
    const prev = this.#prev
    const io = this.#io
    io.fill(0)
    let cpu = 0
    let ioSeen = false
    for (const [pid, c] of cur) {
      const p = prev.get(pid)
      const same = p !== undefined && p.start === c.start
      cpu += c.cpuTicks - (same ? p.cpuTicks : 0)
      if (c.io === null) continue
      if (same && p.io !== null) {
        for (let i = 0; i < IO_COUNT; i++) io[i]! += c.io[i]! - p.io[i]!
        ioSeen = true
      } else if (!same) {
        for (let i = 0; i < IO_COUNT; i++) io[i]! += c.io[i]!
        ioSeen = true
      }
    }
    for (const [pid, p] of prev) {
      const c = cur.get(pid)
      if (c !== undefined && c.start === p.start) continue
      if (table.has(pid) && table.startOf(pid) === p.start) continue // left the tree, still running
      if (!this.#reapedInside(p, prev, cur)) continue
      cpu -= p.cpuTicks
      if (p.io !== null) for (let i = 0; i < IO_COUNT; i++) io[i]! -= p.io[i]!
    }
    out.cpuPct = (Math.max(0, cpu) / this.#reader.clockTicks / elapsedS) * 100
    if (ioSeen) {
      out.readBytesS = Math.max(0, io[0]!) / elapsedS
      out.writeBytesS = Math.max(0, io[1]!) / elapsedS
      out.readCntS = Math.max(0, io[2]!) / elapsedS
      out.writeCntS = Math.max(0, io[3]!) / elapsedS
    }
  }

  /** Whether a member that died was reaped by a member still in the tree (its nearest living ancestor). */
  #reapedInside(dead: Member, prev: Map<number, Member>, cur: Map<number, Member>): boolean {
    let ancestor = dead.ppid
    for (let hops = 0; hops < 64; hops++) {
      if (cur.has(ancestor)) return true
      const up = prev.get(ancestor)
      if (up === undefined) return false
      ancestor = up.ppid
    }
    return false
  }
}
