// CPU load in separate processes, never on the caller's event loop: `threads` hog processes
// (./hog-child.ts under this Node, process.execPath), each using `utilisation` of a core's CPU
// time in every 100 ms and asleep for the rest. Each is its own process group, started by
// ../../run/processes.ts (registered with ../../run/cleanup.ts, so teardown, Ctrl-C and exit kill
// it) with the orphan guard (../../run/orphan-guard.ts: a hog whose parent is gone exits by
// itself). Stopped by pid (process group), never by name.
//
// Measured, not assumed: `effect()` reads each hog's utime + stime from /proc/<pid>/stat
// (../../metrics/process-cost.ts) since it said `ready` (Node's start-up is left out of both the
// CPU and the wall time), so a hog the kernel starves (two cores, four hogs at 80 %) shows the
// share it really got. The last sample is kept:
// after stop(), or once a hog is gone, the figures are those of its last reading. Linux only
// (/proc); elsewhere the measured use is NaN.
import { processCost } from '../../metrics/process-cost.ts'
import { GUARD_IMPORT, guardEnv } from '../../run/orphan-guard.ts'
import { startProcess, type Started } from '../../run/processes.ts'
import { ownFile } from '../../run/own-file.ts'

const HOG_CHILD = ownFile(import.meta.dirname, './hog-child.ts')
const PERIOD_MS = 100
const READY_TIMEOUT_MS = 15_000

export interface CpuHogOptions {
  /** Hog processes (≥ 1). */
  threads: number
  /** Fraction of each period every hog is busy, 0 < u ≤ 1. */
  utilisation: number
}

export interface CpuHogEffect {
  hogs: number
  /** Cores the hogs used together on average since they started (Σ CPU seconds ÷ wall seconds). */
  totalCores: number
  /** Each hog's CPU seconds ÷ wall seconds, since it was ready. */
  perHog: number[]
  /** Wall seconds from the first hog's spawn until now (or stop()). */
  wallS: number
}

export interface CpuHogs {
  readonly pids: readonly number[]
  effect(): CpuHogEffect
  /** Kills every hog's process group and waits until they are gone. Safe to call twice. */
  stop(): Promise<void>
}

class Hog {
  readonly started: Started
  /** performance.now() and CPU seconds when it said ready. */
  readyAt = 0
  readyCpuS = 0
  cpuS = 0
  wallS = 0
  #done = false

  constructor(utilisation: number) {
    this.started = startProcess(process.execPath, ['--import', GUARD_IMPORT, HOG_CHILD, String(utilisation), String(PERIOD_MS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...guardEnv() },
    })
  }

  ready(): Promise<void> {
    const { child, exited } = this.started
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`CPU hog ${this.started.pid} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS)
      let seen = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString()
        if (seen.includes('ready\n') && this.readyAt === 0) {
          clearTimeout(timer)
          this.readyAt = performance.now()
          try {
            this.readyCpuS = processCost(this.started.pid).cpuSeconds
          } catch {
            // gone already: sample() finds out
          }
          resolve()
        }
      })
      void exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`CPU hog ${this.started.pid} (${HOG_CHILD}) exited (${code}) before it started`))
      })
    })
  }

  /** Reads /proc/<pid>/stat unless stopped; keeps the last reading when the hog is gone. */
  sample(): void {
    if (this.#done || this.readyAt === 0) return
    try {
      const cost = processCost(this.started.pid)
      this.cpuS = cost.cpuSeconds - this.readyCpuS
      this.wallS = (performance.now() - this.readyAt) / 1000
    } catch {
      if (process.platform !== 'linux') this.cpuS = Number.NaN
      this.#done = true
    }
  }

  async stop(): Promise<void> {
    this.sample()
    this.#done = true
    await this.started.stop()
    await this.started.exited // reaped: no zombie left in /proc
  }
}

/** Starts the hogs; resolves when every one of them is hogging. */
export async function startCpuHogs(options: CpuHogOptions): Promise<CpuHogs> {
  const { threads, utilisation } = options
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`cpu.threads must be a whole number ≥ 1, got ${threads}`)
  if (!(utilisation > 0 && utilisation <= 1)) throw new Error(`cpu.utilisation must be in (0, 1], got ${utilisation}`)
  const hogs: Hog[] = []
  const firstSpawn = performance.now()
  let stopping: Promise<void> | undefined
  let stoppedAt: number | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stoppedAt = performance.now()
      await Promise.all(hogs.map((h) => h.stop()))
    })()
    return stopping
  }
  try {
    for (let i = 0; i < threads; i++) hogs.push(new Hog(utilisation))
    await Promise.all(hogs.map((h) => h.ready()))
  } catch (e) {
    await stop()
    throw e
  }
  return {
    pids: hogs.map((h) => h.started.pid),
    effect(): CpuHogEffect {
      for (const h of hogs) h.sample()
      const perHog = hogs.map((h) => (h.wallS > 0 ? h.cpuS / h.wallS : 0))
      return {
        hogs: hogs.length,
        totalCores: perHog.reduce((a, b) => a + b, 0),
        perHog,
        wallS: ((stoppedAt ?? performance.now()) - firstSpawn) / 1000,
      }
    },
    stop,
  }
}
