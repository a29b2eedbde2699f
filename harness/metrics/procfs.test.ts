import { describe, expect, test } from 'vitest'
import { processAlive, ProcessTable, ProcReader, treePids } from './procfs.ts'
import { sleep, start, waitFor, waitGone } from './test-support.ts'

describe('procfs', () => {
  test('stat and io of this process', () => {
    const reader = new ProcReader()
    const stat = reader.readStat(process.pid)!
    expect(stat.ppid).toBe(process.ppid)
    expect(stat.zombie).toBe(false)
    expect(stat.rssBytes).toBeGreaterThan(10e6)
    expect(stat.vmsBytes).toBeGreaterThan(stat.rssBytes)
    expect(stat.cpuTicks).toBeGreaterThan(0)
    const io = new Float64Array(4)
    expect(reader.readIo(process.pid, io)).toBe(true)
    expect(io[2]).toBeGreaterThan(0) // syscr
    expect(reader.readStat(2 ** 22 + 12345)).toBeNull()
    expect(reader.pageSize).toBeGreaterThanOrEqual(4096)
    expect(reader.clockTicks).toBeGreaterThan(0)
  })

  test('treePids finds a child started after sampling began', async () => {
    // sh runs `sleep 0.5`, then starts `sleep 3` in the background
    const shell = start('sh', ['-c', 'sleep 0.5; sleep 3 & wait'])
    const root = shell.pid!
    expect(await waitFor(() => treePids(root).length === 2, 3000)).toBe(true)
    const [first, firstChild] = treePids(root)
    expect(first).toBe(root)
    expect(await waitFor(() => {
      const pids = treePids(root)
      return pids.length === 2 && pids[1] !== firstChild
    }, 3000)).toBe(true)
    expect(treePids(2 ** 22 + 12345)).toEqual([])
  })

  test('a process table leaves out the sampling process itself', async () => {
    const table = new ProcessTable()
    table.refresh()
    expect(table.tree(process.ppid)).not.toContain(process.pid)
    expect(table.tree(process.ppid, -1)).toContain(process.pid)
  })

  test('processAlive: false once the process has exited', async () => {
    const child = start('sleep', ['0.2'])
    expect(processAlive(child.pid!)).toBe(true)
    expect(await waitGone(child.pid!)).toBe(true)
    await sleep(10)
  })
})
