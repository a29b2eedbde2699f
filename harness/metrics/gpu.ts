// GPU utilization and memory from NVIDIA's nvidia-smi, when it is on PATH. One long-lived child
// prints a line per GPU every interval (`-lms`); the sampler uses the latest line of each GPU,
// so no process is started per tick. The query adds `index` in front of the three figures so
// lines of several GPUs can be told apart. If the sampler dies, nvidia-smi ends by itself on its
// next write to the closed pipe (SIGPIPE).
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { MB } from './columns.ts'

export interface GpuReading {
  /** Mean utilization over the GPUs, %. */
  utilPct: number
  /** Memory used, summed over the GPUs, MB (1e6 bytes). */
  memUsedMb: number
  memTotalMb: number
}

export interface GpuOptions {
  /** Executable to run; default: `nvidia-smi` looked up on PATH. */
  command?: string
  /** Environment whose PATH is searched; default process.env. */
  env?: NodeJS.ProcessEnv
}

const MIB = 1024 * 1024

/** The full path of an executable on PATH, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}

interface GpuLine {
  util: number
  usedMib: number
  totalMib: number
  at: number
}

export class GpuMonitor {
  #child: ChildProcess | null = null
  #gpus = new Map<string, GpuLine>()
  #staleMs: number
  #rest = ''

  /** Starts nvidia-smi if it is available; otherwise the monitor stays empty. */
  constructor(intervalMs: number, options: GpuOptions = {}) {
    this.#staleMs = Math.max(3 * intervalMs, 5000)
    const command = options.command ?? findOnPath('nvidia-smi', options.env)
    if (command === null) return
    const args = [
      '--query-gpu=index,utilization.gpu,memory.used,memory.total',
      '--format=csv,noheader,nounits',
      '-lms',
      String(Math.max(1, Math.round(intervalMs))),
    ]
    let child: ChildProcess
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], env: options.env ?? process.env })
    } catch {
      return
    }
    this.#child = child
    child.on('error', () => {
      this.#child = null
    })
    child.on('exit', () => {
      this.#child = null
    })
    const decoder = new StringDecoder('utf8')
    child.stdout!.on('data', (chunk: Buffer) => this.#take(decoder.write(chunk)))
    child.unref()
    ;(child.stdout as { unref?: () => void } | null)?.unref?.()
  }

  /** True while nvidia-smi is running. */
  get running(): boolean {
    return this.#child !== null
  }

  #take(text: string): void {
    const lines = (this.#rest + text).split('\n')
    this.#rest = lines.pop() ?? ''
    if (this.#rest.length > 4096) this.#rest = ''
    const at = performance.now()
    for (const line of lines) {
      const f = line.split(',').map((s) => Number(s.trim()))
      if (f.length < 4) continue
      const [index, util, used, total] = f as [number, number, number, number]
      if (Number.isNaN(index)) continue
      this.#gpus.set(String(index), { util, usedMib: used, totalMib: total, at })
    }
  }

  /** Aggregate of the GPUs' latest lines not older than 3 intervals (≥ 5 s); null if none. */
  latest(nowMs = performance.now()): GpuReading | null {
    let n = 0
    let utilSum = 0
    let utilN = 0
    let used = 0
    let total = 0
    for (const g of this.#gpus.values()) {
      if (nowMs - g.at > this.#staleMs) continue
      n++
      if (Number.isFinite(g.util)) {
        utilSum += g.util
        utilN++
      }
      if (Number.isFinite(g.usedMib)) used += g.usedMib
      if (Number.isFinite(g.totalMib)) total += g.totalMib
    }
    if (n === 0) return null
    return {
      utilPct: utilN ? utilSum / utilN : Number.NaN,
      memUsedMb: (used * MIB) / MB,
      memTotalMb: (total * MIB) / MB,
    }
  }

  stop(): void {
    const child = this.#child
    this.#child = null
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  }
}
