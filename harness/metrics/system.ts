// System-wide disk and network throughput from /proc/diskstats and /proc/net/dev.
//
// Disks: whole devices only (those listed in /sys/block), and not loop*, ram*, zram*, dm-* or
// md*: those are views of other devices (or of memory) and would count the same bytes twice.
// /proc/diskstats counts 512-byte sectors whatever the device's real sector size.
// Network: every interface except lo (lo's received bytes are reported apart: traffic a machine
// sends itself, e.g. a load generator and a server on loopback).
// Counters are tracked per device, so a device that appears or disappears between two samples does not make a spike.
import { existsSync } from 'node:fs'
import { MB } from './columns.ts'
import { readInto } from './procfs.ts'

export interface SystemSample {
  diskReadMbS: number | null
  diskWriteMbS: number | null
  netRecvMbS: number | null
  netSentMbS: number | null
  netLoMbS: number | null
}

const SECTOR = 512
const SKIPPED_DISKS = /^(?:loop|ram|zram|dm-|md)/
const HAS_SYS_BLOCK = existsSync('/sys/block')

/** Device names that are partitions by the usual naming (only used without /sys/block). */
const PARTITION = /^(?:(?:[shv]d|xvd)[a-z]+\d+|(?:nvme\d+n\d+|mmcblk\d+|nbd\d+)p\d+)$/

/** Per-device counters of one kind, kept between samples. */
class Counters {
  #prev = new Map<string, number>()
  #cur = new Map<string, number>()

  set(device: string, value: number): void {
    this.#cur.set(device, value)
  }

  /** Sum of the increases of devices seen in both samples; then the current becomes previous. */
  advance(): number {
    let sum = 0
    for (const [device, value] of this.#cur) {
      const before = this.#prev.get(device)
      if (before !== undefined && value >= before) sum += value - before
    }
    const old = this.#prev
    old.clear()
    this.#prev = this.#cur
    this.#cur = old
    return sum
  }
}

export class SystemCounters {
  #holder = { buf: Buffer.allocUnsafe(16 * 1024) }
  #whole = new Map<string, boolean>()
  #diskRead = new Counters()
  #diskWrite = new Counters()
  #netRecv = new Counters()
  #netSent = new Counters()
  #netLo = new Counters()
  #prevAt = -1

  /** Reads the counters now (monotonic `nowMs`); rates are null on the first call. */
  sample(nowMs: number): SystemSample {
    const disks = this.#readDisks()
    const net = this.#readNet()
    const dRead = this.#diskRead.advance()
    const dWrite = this.#diskWrite.advance()
    const nRecv = this.#netRecv.advance()
    const nSent = this.#netSent.advance()
    const nLo = this.#netLo.advance()
    const elapsedS = (nowMs - this.#prevAt) / 1000
    const first = this.#prevAt < 0 || elapsedS <= 0
    this.#prevAt = nowMs
    const rate = (ok: boolean, bytes: number): number | null => (first || !ok ? null : bytes / MB / elapsedS)
    return {
      diskReadMbS: rate(disks, dRead),
      diskWriteMbS: rate(disks, dWrite),
      netRecvMbS: rate(net, nRecv),
      netSentMbS: rate(net, nSent),
      netLoMbS: rate(net, nLo),
    }
  }

  #isWholeDisk(name: string): boolean {
    let whole = this.#whole.get(name)
    if (whole === undefined) {
      if (SKIPPED_DISKS.test(name)) whole = false
      else if (HAS_SYS_BLOCK) whole = existsSync(`/sys/block/${name.replaceAll('/', '!')}`)
      else whole = !PARTITION.test(name)
      this.#whole.set(name, whole)
    }
    return whole
  }

  /** The lines of a small /proc file, read into the reused buffer; null when unreadable. */
  #lines(path: string): string[] | null {
    const len = readInto(path, this.#holder)
    return len < 0 ? null : this.#holder.buf.toString('latin1', 0, len).split('\n')
  }

  #readDisks(): boolean {
    const lines = this.#lines('/proc/diskstats')
    if (lines === null) return false
    for (const line of lines) {
      const f = line.trim().split(/\s+/)
      // major minor name reads merged SECTORS_READ ms writes merged SECTORS_WRITTEN …
      if (f.length < 10 || !this.#isWholeDisk(f[2]!)) continue
      this.#diskRead.set(f[2]!, Number(f[5]) * SECTOR)
      this.#diskWrite.set(f[2]!, Number(f[9]) * SECTOR)
    }
    return true
  }

  #readNet(): boolean {
    const lines = this.#lines('/proc/net/dev')
    if (lines === null) return false
    for (const line of lines) {
      const colon = line.indexOf(':')
      if (colon < 0) continue // the two header lines
      const name = line.slice(0, colon).trim()
      // RX: bytes packets errs drop fifo frame compressed multicast | TX: bytes …
      const f = line.slice(colon + 1).trim().split(/\s+/)
      if (f.length < 9) continue
      if (name === 'lo') {
        this.#netLo.set(name, Number(f[0]))
        continue
      }
      this.#netRecv.set(name, Number(f[0]))
      this.#netSent.set(name, Number(f[8]))
    }
    return true
  }
}
