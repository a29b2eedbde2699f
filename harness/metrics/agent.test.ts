import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { MetricsAgent, startAgent } from './agent.ts'
import { CSV_HEADER, parseMetricsCsv } from './csv.ts'
import { resolveOptions } from './options.ts'
import { sleep, start, startNode, tempDir } from './test-support.ts'

const rowsOf = (file: string) => parseMetricsCsv(readFileSync(file, 'utf8'), file)

describe('metrics agent (in process)', () => {
  test('10 Hz for 2 s gives 20 rows, the first one interval after start; .partial until the end', async () => {
    const dir = tempDir()
    const out = join(dir, 'm.csv')
    const before = Date.now()
    const agent = startAgent({ out, intervalMs: 100, durationMs: 2000 })
    expect(existsSync(`${out}.partial`)).toBe(true)
    expect(existsSync(out)).toBe(false)
    await sleep(500)
    expect(readFileSync(`${out}.partial`, 'utf8').startsWith(CSV_HEADER + '\n')).toBe(true)
    const result = await agent.done
    expect(result).toEqual({ rows: 20, file: out, partial: false })
    expect(existsSync(`${out}.partial`)).toBe(false)
    const rows = rowsOf(out)
    expect(rows.length).toBeGreaterThanOrEqual(18)
    expect(rows.length).toBeLessThanOrEqual(22)
    // no watched pid: one row per tick, pid and process columns empty, system columns filled
    expect(rows.every((r) => r.pid === null && r.cpu_pct === null && r.rss_mb === null)).toBe(true)
    expect(rows.every((r) => r.sys_disk_read_mb_s !== null && r.sys_net_recv_mb_s !== null)).toBe(true)
    expect(rows[0]!.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(rows[0]!.ts) - before).toBeGreaterThanOrEqual(90)
  })

  test('stop() renames the file; abandon() leaves it partial', async () => {
    const dir = tempDir()
    const a = startAgent({ out: join(dir, 'a.csv'), intervalMs: 50 })
    const b = startAgent({ out: join(dir, 'b.csv'), intervalMs: 50 })
    await sleep(300)
    expect(a.stop()).toMatchObject({ partial: false, file: join(dir, 'a.csv') })
    expect(b.abandon()).toMatchObject({ partial: true, file: join(dir, 'b.csv.partial') })
    expect(existsSync(join(dir, 'a.csv'))).toBe(true)
    expect(existsSync(join(dir, 'b.csv'))).toBe(false)
    expect(rowsOf(join(dir, 'b.csv.partial')).length).toBeGreaterThan(2)
  })

  test('a tree: the grandchild started later shows in rss and cpu of the root row', async () => {
    const dir = tempDir()
    const out = join(dir, 'tree.csv')
    // the child waits, then forks a grandchild that holds 100 MB and spins for 1 s
    const grandchild = `const b = Buffer.alloc(100e6, 1); const t = Date.now(); while (Date.now() - t < 1000); setTimeout(() => b.length, 1500)`
    const child = startNode(`setTimeout(() => require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' }), 700); setTimeout(() => {}, 4000)`)
    const agent = startAgent({ out, intervalMs: 200, pids: [child.pid!], durationMs: 3000 })
    await agent.done
    const rows = rowsOf(out)
    expect(rows.length).toBeGreaterThanOrEqual(13)
    expect(rows.every((r) => r.pid === child.pid)).toBe(true)
    const rssFirst = rows[0]!.rss_mb!
    const rssPeak = Math.max(...rows.map((r) => r.rss_mb!))
    expect(rssPeak - rssFirst).toBeGreaterThan(80)
    expect(Math.max(...rows.map((r) => r.cpu_pct!))).toBeGreaterThan(20)
    // threads summed over the tree: a Node process alone has several, the grandchild adds its own
    const threadsFirst = rows[0]!.threads!
    expect(threadsFirst).toBeGreaterThan(1)
    expect(Math.max(...rows.map((r) => r.threads!))).toBeGreaterThan(threadsFirst)
  })

  test('CPU of children that live and die between two samples is still counted', async () => {
    const dir = tempDir()
    const out = join(dir, 'short.csv')
    // five children burning ~0.2 s CPU each, every one gone long before the next 2 s sample
    const burn = `node -e 'const t=Date.now(); while (Date.now() - t < 200);'`
    const shell = start('sh', ['-c', `sleep 0.2; for i in 1 2 3 4 5; do ${burn}; done; sleep 30`], {
      env: { ...process.env, PATH: `${join(process.execPath, '..')}:${process.env.PATH}` },
    })
    const agent = startAgent({ out, intervalMs: 2000, pids: [shell.pid!], durationMs: 6000 })
    await agent.done
    const cpuSeconds = rowsOf(out).reduce((s, r) => s + (r.cpu_pct ?? 0) / 100 * 2, 0)
    expect(cpuSeconds).toBeGreaterThan(0.8)
  })

  test('open_zgy_paths lists matching files a child holds open, deduplicated, quoted in the CSV', async () => {
    const dir = tempDir()
    const zgy = join(dir, 'vol,1.zgy')
    const other = join(dir, 'notes.txt')
    writeFileSync(zgy, 'x')
    writeFileSync(other, 'x')
    const shell = start('sh', ['-c', 'exec 3<"$1" 4<"$2" 5<"$1"; sleep 0.2; sleep 3', 'sh', zgy, other])
    const out = join(dir, 'zgy.csv')
    const agent = startAgent({ out, intervalMs: 100, pids: [shell.pid!], durationMs: 1000 })
    await agent.done
    const rows = rowsOf(out)
    expect(rows.at(-1)!.open_zgy_paths).toEqual([zgy])
    expect(readFileSync(out, 'utf8')).toContain(`"${zgy}"`)
    const custom = startAgent({ out: join(dir, 'txt.csv'), intervalMs: 100, pids: [shell.pid!], durationMs: 300, zgyPattern: '*.txt' })
    await custom.done
    expect(rowsOf(join(dir, 'txt.csv')).at(-1)!.open_zgy_paths).toEqual([other])
  })

  test('fast_req_* columns come from the log lines of each interval', async () => {
    const dir = tempDir()
    const log = join(dir, 'fast.log')
    writeFileSync(log, '')
    const out = join(dir, 'fast.csv')
    const agent = startAgent({ out, intervalMs: 300, fastLog: { path: log } })
    await sleep(450) // inside the second interval
    appendFileSync(log, '2026-11-24T10:00:00.000Z chunk=c/0_0_0 bytes=1000 latency_ms=10 cache=hit status=200\n')
    appendFileSync(log, '2026-11-24T10:00:00.001Z chunk=c/0_0_1 bytes=3000 latency_ms=30 cache=miss status=200\n')
    await sleep(600)
    agent.stop()
    const rows = rowsOf(out)
    const withRequests = rows.filter((r) => r.fast_req_bytes !== null)
    expect(withRequests).toHaveLength(1)
    expect(withRequests[0]).toMatchObject({ fast_req_latency_ms: 20, fast_req_bytes: 4000, fast_req_cache_hit: 0.5 })
    expect(rows[0]!.fast_req_latency_ms).toBeNull()
  })

  test('watch() adds a tree mid-run; a root that exits drops out; unwatch() removes one', async () => {
    const dir = tempDir()
    const out = join(dir, 'w.csv')
    const a = start('sleep', ['0.6'])
    const b = start('sleep', ['5'])
    const agent = new MetricsAgent(resolveOptions({ out, intervalMs: 100, pids: [a.pid!] }))
    agent.start()
    await sleep(250)
    agent.watch(b.pid!)
    await sleep(1000)
    expect(agent.watching).toEqual([b.pid])
    agent.unwatch(b.pid!)
    await sleep(250)
    agent.stop()
    const rows = rowsOf(out)
    const pids = rows.map((r) => r.pid)
    expect(pids).toContain(a.pid)
    expect(pids).toContain(b.pid)
    expect(pids.at(-1)).toBeNull() // nothing watched any more: system rows
    expect(rows.find((r) => r.pid === b.pid)!.cpu_pct).not.toBeNull() // baseline taken at watch()
  })

  test('stopWhenAllExited ends the run when the last watched tree is gone', async () => {
    const dir = tempDir()
    const child = start('sleep', ['0.4'])
    const agent = startAgent({ out: join(dir, 'x.csv'), intervalMs: 100, pids: [child.pid!] }, { stopWhenAllExited: true })
    const result = await agent.done
    expect(result.partial).toBe(false)
    expect(result.rows).toBeGreaterThanOrEqual(2)
    expect(rowsOf(result.file).every((r) => r.pid === child.pid)).toBe(true)
  })

  test('options are checked: a pid that does not run, a bad interval', () => {
    const dir = tempDir()
    expect(() => startAgent({ out: join(dir, 'x.csv'), pids: [2 ** 22 + 12345] })).toThrow(/^pids: no running process/)
    expect(() => startAgent({ out: join(dir, 'x.csv'), intervalMs: 1 })).toThrow(/^intervalMs: 1 is out of range/)
    expect(() => startAgent({ out: '' })).toThrow(/^out: missing output file/)
    expect(existsSync(join(dir, 'x.csv.partial'))).toBe(false)
  })
})
