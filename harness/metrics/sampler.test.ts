import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import { CSV_HEADER, parseMetricsCsv } from './csv.ts'
import { processAlive } from './procfs.ts'
import { startSampler } from './sampler.ts'
import { sleep, start, startNode, tempDir, waitFor, waitGone } from './test-support.ts'

const SAMPLER_URL = pathToFileURL(join(import.meta.dirname, 'sampler.ts')).href

describe('sampler (agent in its own process)', () => {
  test('samples while this event loop is blocked; stop() returns the summary and the agent exits', async () => {
    const dir = tempDir()
    const out = join(dir, 'metrics.csv')
    const sampler = await startSampler({ out, intervalMs: 100 })
    expect(sampler.out).toBe(out)
    expect(sampler.pid).not.toBe(process.pid)
    expect(processAlive(sampler.pid)).toBe(true)
    const t = performance.now()
    while (performance.now() - t < 2000); // a benchmark loop hogging this thread
    expect(existsSync(`${out}.partial`)).toBe(true)
    const summary = await sampler.stop()
    expect(summary.rows).toBeGreaterThanOrEqual(18)
    expect(summary.rows).toBeLessThanOrEqual(23)
    expect(summary.columns.sys_disk_read_mb_s).not.toBeNull()
    expect(summary.columns.cpu_pct).toBeNull() // nothing watched
    expect(existsSync(out)).toBe(true)
    expect(existsSync(`${out}.partial`)).toBe(false)
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(CSV_HEADER)
    expect(await waitGone(sampler.pid, 2000)).toBe(true)
    expect(await sampler.stop()).toEqual(summary) // idempotent
  })

  test('durationMs: 10 Hz × 2 s gives 20 ± 2 rows', async () => {
    const dir = tempDir()
    const sampler = await startSampler({ out: join(dir, 'm.csv'), intervalMs: 100, durationMs: 2000 })
    await sleep(2500)
    const summary = await sampler.stop()
    expect(summary.rows).toBeGreaterThanOrEqual(18)
    expect(summary.rows).toBeLessThanOrEqual(22)
  })

  test('watch(): the pid set grows when a watched process forks a grandchild later', async () => {
    const dir = tempDir()
    const out = join(dir, 'm.csv')
    const grandchild = `const b = Buffer.alloc(80e6, 1); setTimeout(() => b.length, 3000)`
    const child = startNode(`setTimeout(() => require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' }), 800); setTimeout(() => {}, 5000)`)
    const sampler = await startSampler({ out, intervalMs: 200 })
    sampler.watch(child.pid!)
    await sleep(2500)
    sampler.unwatch(child.pid!)
    await sleep(300)
    const summary = await sampler.stop()
    const rows = parseMetricsCsv(readFileSync(out, 'utf8'), out).filter((r) => r.pid === child.pid)
    expect(rows.length).toBeGreaterThanOrEqual(8)
    expect(Math.max(...rows.map((r) => r.rss_mb!)) - rows[0]!.rss_mb!).toBeGreaterThan(60)
    expect(summary.columns.rss_mb!.peak).toBeGreaterThan(60)
  })

  test('the agent exits, leaving the file partial, when its parent dies', async () => {
    const dir = tempDir()
    const out = join(dir, 'orphan.csv')
    const script = join(dir, 'parent.mjs')
    writeFileSync(script, `const { startSampler } = await import(${JSON.stringify(SAMPLER_URL)})
const s = await startSampler({ out: ${JSON.stringify(out)}, intervalMs: 100 })
console.log(s.pid)
setInterval(() => {}, 1000)
`)
    const parent = start(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    parent.stdout!.on('data', (d: Buffer) => (stdout += d))
    expect(await waitFor(() => /^\d+\n/.test(stdout), 15_000)).toBe(true)
    const agentPid = Number(stdout.trim())
    expect(processAlive(agentPid)).toBe(true)
    await sleep(300)
    process.kill(parent.pid!, 'SIGKILL')
    expect(await waitGone(agentPid, 5000)).toBe(true)
    expect(existsSync(out)).toBe(false)
    expect(readFileSync(`${out}.partial`, 'utf8').startsWith(CSV_HEADER)).toBe(true)
  })

  test('SIGTERM to the agent (an interrupted run) leaves the file partial; stop() still summarizes it', async () => {
    const dir = tempDir()
    const out = join(dir, 'term.csv')
    const sampler = await startSampler({ out, intervalMs: 100 })
    await sleep(400)
    process.kill(sampler.pid, 'SIGTERM')
    expect(await waitFor(() => !processAlive(sampler.pid), 3000)).toBe(true)
    expect(existsSync(out)).toBe(false)
    expect(existsSync(`${out}.partial`)).toBe(true)
    const summary = await sampler.stop()
    expect(summary.rows).toBeGreaterThanOrEqual(2)
  })

  test('bad options are rejected before any process starts', async () => {
    const dir = tempDir()
    await expect(startSampler({ out: join(dir, 'm.csv'), pids: [2 ** 22 + 12345] })).rejects.toThrow(/^pids: no running process/)
    await expect(startSampler({ out: join(dir, 'm.csv'), fastLog: { path: join(dir, 'f.log'), pattern: '(' } })).rejects.toThrow(
      /^fastLog\.pattern: not a valid regular expression/,
    )
    expect(existsSync(join(dir, 'm.csv.partial'))).toBe(false)
    expect(execFileSync('ls', [dir], { encoding: 'utf8' })).toBe('')
  })
})
