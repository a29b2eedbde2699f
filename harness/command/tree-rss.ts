// The peak of the summed resident memory of a process tree, polled from /proc: every 50 ms (and
// once at start) the descendants of the root are listed (../metrics/procfs.ts ProcessTable, which
// re-reads only new pids' parents between full scans) and their RSS (/proc/<pid>/stat field 24,
// pages × page size) added up; the highest sum is kept. Zombies count 0. A peak that rises and
// falls between two polls is missed, so a run shorter than one interval may show only what the
// first poll saw.
import { ProcReader, ProcessTable } from '../metrics/procfs.ts'

export const TREE_POLL_MS = 50

// One table and reader for every poller: polls are synchronous, so they never interleave.
let shared: { table: ProcessTable; reader: ProcReader } | undefined

export class TreeRssPoller {
  readonly #root: number
  readonly #wrappers: number
  #peak = 0
  #timer: NodeJS.Timeout | undefined

  /**
   * `wrappers`: how many levels at the top of the tree are wrappers whose own memory is not the
   * tool's: 0 none (the root is the command), 1 the root (the launcher, ./launcher.ts).
   */
  constructor(root: number, wrappers: 0 | 1) {
    this.#root = root
    this.#wrappers = wrappers
  }

  /** Polls now and then every TREE_POLL_MS until stop(). */
  start(): void {
    this.poll()
    this.#timer = setInterval(() => this.poll(), TREE_POLL_MS)
  }

  poll(): void {
    shared ??= { table: new ProcessTable(), reader: new ProcReader() }
    const { table, reader } = shared
    table.refresh()
    let sum = 0
    for (const pid of table.tree(this.#root)) {
      if (pid === this.#root && this.#wrappers >= 1) continue
      const stat = reader.readStat(pid)
      if (stat === null || stat.zombie) continue
      sum += stat.rssBytes
    }
    if (sum > this.#peak) this.#peak = sum
  }

  /** Stops polling; the highest sum seen, in bytes. */
  stop(): number {
    clearInterval(this.#timer)
    this.#timer = undefined
    return this.#peak
  }
}
