// CPU hogs as real processes: separate from this one, each its own process group, measured from
// /proc, gone after stop(). Bounds are loose (the machine has 2 cores and other jobs): CPU used is
// > 0 and per hog not above its share plus a little slack (contention only lowers it).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { killGroup } from '../../run/cleanup.ts'
import { startCpuHogs, type CpuHogs } from './cpu-hog.ts'

const started: CpuHogs[] = []
afterEach(async () => {
  for (const h of started.splice(0)) await h.stop()
})

async function hogs(threads: number, utilisation: number): Promise<CpuHogs> {
  const h = await startCpuHogs({ threads, utilisation })
  started.push(h)
  return h
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Process group of a pid (stat field 5). */
function pgid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
}

describe.skipIf(process.platform !== 'linux')('cpu hogs', () => {
  it('runs threads separate processes, each its own group, measured from /proc, and none is left after stop()', async () => {
    const h = await hogs(2, 0.5)
    expect(h.pids).toHaveLength(2)
    for (const pid of h.pids) {
      expect(pid).not.toBe(process.pid)
      expect(pgid(pid)).toBe(pid)
    }
    await sleep(1500)
    const during = h.effect()
    expect(during.hogs).toBe(2)
    expect(during.totalCores).toBeGreaterThan(0.05)
    for (const u of during.perHog) {
      expect(u).toBeGreaterThan(0)
      expect(u).toBeLessThan(0.5 + 0.1) // its share (since ready), plus GC and timer slack
    }
    expect(during.totalCores).toBeLessThan(2 * (0.5 + 0.1))
    await h.stop()
    await h.stop()
    for (const pid of h.pids) expect(existsSync(`/proc/${pid}`)).toBe(false)
    const after = h.effect()
    expect(after.totalCores).toBeGreaterThan(0.05)
    expect(h.effect()).toEqual(after) // frozen at stop
  })

  it('a hog never uses more than its share (contention only lowers it)', async () => {
    const low = await hogs(1, 0.2)
    await sleep(1500)
    const [u] = low.effect().perHog
    expect(u).toBeGreaterThan(0)
    expect(u).toBeLessThan(0.2 + 0.1)
  })

  it('a hog whose starter is killed (kill -9, no teardown) exits by itself', async () => {
    const url = new URL('./cpu-hog.ts', import.meta.url).href
    const code = `const { startCpuHogs } = await import(${JSON.stringify(url)}); const h = await startCpuHogs({ threads: 1, utilisation: 0.2 }); console.log(h.pids.join(',')); setInterval(() => {}, 1000)`
    const starter = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
    const [line] = (await once(starter.stdout!, 'data')) as [Buffer]
    const pid = Number(line.toString().trim())
    try {
      expect(existsSync(`/proc/${pid}`)).toBe(true)
      starter.kill('SIGKILL')
      const deadline = performance.now() + 5000
      while (existsSync(`/proc/${pid}`) && performance.now() < deadline) await sleep(50)
      // gone, or a zombie of the dead starter awaiting init's reaping
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : ''
      expect(stat === '' || / Z /.test(stat)).toBe(true)
    } finally {
      killGroup(pid, 'SIGKILL')
    }
  })

  it('refuses nonsense before starting anything', async () => {
    await expect(startCpuHogs({ threads: 0, utilisation: 0.5 })).rejects.toThrow(/threads/)
    await expect(startCpuHogs({ threads: 1, utilisation: 1.5 })).rejects.toThrow(/utilisation/)
  })
})
