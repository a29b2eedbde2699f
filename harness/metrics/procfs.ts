// Reading Linux /proc cheaply: small files are read synchronously into one reused buffer and
// parsed from bytes, so a tick allocates little. Processes that vanish between listing and
// reading, or that deny access (EACCES on /proc/<pid>/io of another user), are skipped quietly.
import { closeSync, existsSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs'
import { UserError } from '../errors.ts'

/** Throws a UserError unless this is Linux with /proc mounted. */
export function assertProcfs(what = 'the metrics sampler'): void {
  if (process.platform !== 'linux' || !existsSync('/proc/self/stat')) {
    throw new UserError({
      file: '/proc',
      message: `${what} needs Linux /proc, which this system (${process.platform}) does not have`,
      expected: 'Linux with /proc mounted',
      hint: 'run benchgate metrics on the Linux host that runs the processes to sample',
    })
  }
}

/** Reads a whole small file into `buf` (growing it when needed); the length, or -1 if unreadable. */
export function readInto(path: string, holder: { buf: Buffer }): number {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return -1
  }
  try {
    let len = 0
    for (;;) {
      if (len === holder.buf.length) {
        const bigger = Buffer.allocUnsafe(holder.buf.length * 2)
        holder.buf.copy(bigger, 0, 0, len)
        holder.buf = bigger
      }
      const n = readSync(fd, holder.buf, len, holder.buf.length - len, null)
      if (n === 0) return len
      len += n
    }
  } catch {
    return -1
  } finally {
    closeSync(fd)
  }
}

/** Page size and clock ticks per second from the auxiliary vector (AT_PAGESZ, AT_CLKTCK). */
function readAuxv(): { pageSize: number; clockTicks: number } {
  const holder = { buf: Buffer.allocUnsafe(1024) }
  const len = readInto('/proc/self/auxv', holder)
  let pageSize = 4096
  let clockTicks = 100
  const word = process.arch === 'x64' || process.arch === 'arm64' || process.arch === 'ppc64' || process.arch === 's390x' || process.arch === 'riscv64' || process.arch === 'loong64' ? 8 : 4
  for (let i = 0; i + 2 * word <= len; i += 2 * word) {
    const type = word === 8 ? Number(holder.buf.readBigUInt64LE(i)) : holder.buf.readUInt32LE(i)
    const value = word === 8 ? Number(holder.buf.readBigUInt64LE(i + word)) : holder.buf.readUInt32LE(i + word)
    if (type === 6 && value > 0) pageSize = value
    if (type === 17 && value > 0) clockTicks = value
    if (type === 0) break
  }
  return { pageSize, clockTicks }
}

let auxv: { pageSize: number; clockTicks: number } | undefined
/** Bytes per memory page and CPU clock ticks per second (USER_HZ) of this machine. */
export function machine(): { pageSize: number; clockTicks: number } {
  auxv ??= readAuxv()
  return auxv
}

// Field numbers of /proc/<pid>/stat as proc(5) counts them (1-based).
const F_PPID = 4
const F_UTIME = 14
const F_STIME = 15
const F_CUTIME = 16
const F_CSTIME = 17
const F_THREADS = 20
const F_START = 22
const F_VSIZE = 23
const F_RSS = 24
const Z = 0x5a // 'Z', zombie

/** Every this many refreshes the process table re-reads every process's stat. */
const FULL_SCAN_EVERY = 16

/** One process as /proc/<pid>/stat shows it; `cpuTicks` includes reaped children (cutime+cstime). */
export interface ProcStat {
  pid: number
  ppid: number
  zombie: boolean
  start: number
  cpuTicks: number
  vmsBytes: number
  rssBytes: number
  threads: number
}

/** Parses the fields after `comm` (which may hold spaces and parentheses); state char or -1. */
function parseStat(buf: Buffer, len: number, out: Float64Array): number {
  const close = buf.lastIndexOf(0x29, len - 1)
  if (close < 0 || close + 4 > len) return -1
  const state = buf[close + 2]!
  let i = close + 4
  let field = F_PPID
  while (i < len && field < out.length) {
    let negative = false
    if (buf[i] === 0x2d) {
      negative = true
      i++
    }
    let v = 0
    while (i < len) {
      const c = buf[i]!
      if (c < 0x30 || c > 0x39) break
      v = v * 10 + (c - 0x30)
      i++
    }
    out[field++] = negative ? -v : v
    i++
  }
  return field > F_RSS ? state : -1
}

/** The io counters the sampler uses, in this order. */
export const IO_FIELDS = ['read_bytes', 'write_bytes', 'syscr', 'syscw'] as const

/**
 * A reusable reader of per-process files. Not thread-safe, not reentrant: one per sampling loop.
 */
export class ProcReader {
  #holder = { buf: Buffer.allocUnsafe(4096) }
  #fields = new Float64Array(F_RSS + 1)
  #io = new Map<string, number>(IO_FIELDS.map((k, i) => [k, i]))
  readonly pageSize: number
  readonly clockTicks: number

  constructor() {
    const m = machine()
    this.pageSize = m.pageSize
    this.clockTicks = m.clockTicks
  }

  /** Parent pid, start time and zombie state only: what the tree scan needs. Null if gone. */
  readLink(pid: number, into: { ppid: number; start: number; zombie: boolean }): boolean {
    const len = readInto(`/proc/${pid}/stat`, this.#holder)
    if (len <= 0) return false
    const state = parseStat(this.#holder.buf, len, this.#fields)
    if (state < 0) return false
    into.ppid = this.#fields[F_PPID]!
    into.start = this.#fields[F_START]!
    into.zombie = state === Z
    return true
  }

  /** The full stat of one process, or null when it is gone. */
  readStat(pid: number): ProcStat | null {
    const len = readInto(`/proc/${pid}/stat`, this.#holder)
    if (len <= 0) return null
    const f = this.#fields
    const state = parseStat(this.#holder.buf, len, f)
    if (state < 0) return null
    return {
      pid,
      ppid: f[F_PPID]!,
      zombie: state === Z,
      start: f[F_START]!,
      cpuTicks: f[F_UTIME]! + f[F_STIME]! + f[F_CUTIME]! + f[F_CSTIME]!,
      vmsBytes: f[F_VSIZE]!,
      rssBytes: f[F_RSS]! * this.pageSize,
      threads: f[F_THREADS]!,
    }
  }

  /**
   * read_bytes, write_bytes, syscr, syscw of /proc/<pid>/io into `out` (length 4). False when
   * the file cannot be read (process gone, or another user's process: EACCES).
   */
  readIo(pid: number, out: Float64Array): boolean {
    const len = readInto(`/proc/${pid}/io`, this.#holder)
    if (len <= 0) return false
    const buf = this.#holder.buf
    let found = 0
    let lineStart = 0
    for (let i = 0; i < len; i++) {
      if (buf[i] !== 0x3a) continue // ':'
      const index = this.#io.get(buf.toString('latin1', lineStart, i))
      let j = i + 1
      while (j < len && buf[j] === 0x20) j++
      let v = 0
      while (j < len && buf[j]! >= 0x30 && buf[j]! <= 0x39) v = v * 10 + (buf[j++]! - 0x30)
      if (index !== undefined) {
        out[index] = v
        found++
      }
      while (j < len && buf[j] !== 0x0a) j++
      lineStart = j + 1
      i = j
    }
    return found === IO_FIELDS.length
  }

  /** Adds to `into` the paths of the files `pid` holds open that `match` accepts. */
  openFiles(pid: number, match: (path: string) => boolean, into: Set<string>): void {
    const dir = `/proc/${pid}/fd`
    let fds: string[]
    try {
      fds = readdirSync(dir)
    } catch {
      return
    }
    for (const fd of fds) {
      let target: string
      try {
        target = readlinkSync(`${dir}/${fd}`)
      } catch {
        continue
      }
      if (target.charCodeAt(0) !== 0x2f) continue // pipe:[…], socket:[…], anon_inode:…
      if (target.endsWith(' (deleted)')) target = target.slice(0, -10)
      if (match(target)) into.add(target)
    }
  }
}

/**
 * Every process's parent, re-read each refresh by listing /proc. A process's parent changes only
 * when that parent exits (the orphan is re-parented), so between full scans stat is re-read only
 * for pids that are new or whose parent is gone; every FULL_SCAN_EVERY-th refresh re-reads all,
 * which bounds how long a reused pid could keep a stale parent. `verify` fixes an entry at once
 * when a full read of a tree member shows otherwise.
 */
export class ProcessTable {
  #reader: ProcReader
  #parent = new Map<number, number>()
  #start = new Map<number, number>()
  #zombie = new Set<number>()
  #seen = new Set<number>()
  #children: Map<number, number[]> | null = null
  #link = { ppid: 0, start: 0, zombie: false }
  #refreshes = 0

  constructor(reader = new ProcReader()) {
    this.#reader = reader
  }

  refresh(): void {
    const seen = this.#seen
    seen.clear()
    let names: string[]
    try {
      names = readdirSync('/proc')
    } catch {
      names = []
    }
    for (const name of names) {
      const c = name.charCodeAt(0)
      if (c < 0x30 || c > 0x39) continue
      seen.add(Number(name))
    }
    for (const pid of this.#parent.keys()) {
      if (!seen.has(pid)) this.#forget(pid)
    }
    const full = this.#refreshes++ % FULL_SCAN_EVERY === 0
    for (const pid of seen) {
      const known = this.#parent.get(pid)
      if (!full && known !== undefined && (known === 0 || seen.has(known))) continue
      if (!this.#reader.readLink(pid, this.#link)) {
        this.#forget(pid)
        continue
      }
      this.#parent.set(pid, this.#link.ppid)
      this.#start.set(pid, this.#link.start)
      if (this.#link.zombie) this.#zombie.add(pid)
      else this.#zombie.delete(pid)
    }
    this.#children = null
  }

  #forget(pid: number): void {
    this.#parent.delete(pid)
    this.#start.delete(pid)
    this.#zombie.delete(pid)
  }

  /**
   * Corrects the table from a full read of one process (pid reuse, a zombie, re-parenting);
   * true if its parent changed, so trees computed before are stale.
   */
  verify(stat: ProcStat): boolean {
    const before = this.#parent.get(stat.pid)
    this.#parent.set(stat.pid, stat.ppid)
    this.#start.set(stat.pid, stat.start)
    if (stat.zombie) this.#zombie.add(stat.pid)
    else this.#zombie.delete(stat.pid)
    if (before === stat.ppid) return false
    this.#children = null
    return true
  }

  /** Drops a process a full read found gone. */
  gone(pid: number): void {
    if (!this.#parent.has(pid)) return
    this.#forget(pid)
    this.#children = null
  }

  has(pid: number): boolean {
    return this.#parent.has(pid)
  }

  /** True if the process exists and has not exited (a zombie has exited). */
  alive(pid: number): boolean {
    return this.#parent.has(pid) && !this.#zombie.has(pid)
  }

  startOf(pid: number): number | undefined {
    return this.#start.get(pid)
  }

  /**
   * `root` and all its descendants, root first (breadth first); empty if root is gone. The
   * subtree of `exclude` (the sampling process itself, by default) is left out.
   */
  tree(root: number, exclude: number = process.pid): number[] {
    if (!this.#parent.has(root)) return []
    if (this.#children === null) {
      const children = new Map<number, number[]>()
      for (const [pid, ppid] of this.#parent) {
        const list = children.get(ppid)
        if (list) list.push(pid)
        else children.set(ppid, [pid])
      }
      this.#children = children
    }
    const out = [root]
    for (let i = 0; i < out.length; i++) {
      const kids = this.#children.get(out[i]!)
      if (kids) for (const k of kids) if (k !== root && k !== exclude) out.push(k)
    }
    return out
  }
}

/**
 * `root` and every descendant alive now, root first; empty when root does not exist. The calling
 * process and its descendants are left out (a sampler does not measure itself).
 */
export function treePids(root: number): number[] {
  assertProcfs()
  const table = new ProcessTable()
  table.refresh()
  return table.tree(root)
}

/** True while the process exists and is not a zombie (one implementation, shared with the fixtures). */
export { isAlive as processAlive } from '../run/cleanup.ts'
