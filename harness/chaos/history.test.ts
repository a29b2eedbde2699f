import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { FLUSH_MS, openHistory, partialPathOf, readHistory } from './history.ts'
import type { HistoryHeader } from './types.ts'

const header: HistoryHeader = {
  type: 'header',
  store: 'memory',
  prefix: 'p1',
  started: '2026-12-07T20:00:00.000Z',
  workload: { writers: 1, writer_rate: 1, readers: 0, reader_rate: 1, key_pool: 4, overlap: 0, value_size: 8, delete_ratio: 0, retries: 0, computed: false, duration_s: 1, timeout_ms: 100, seed: 1 },
}

const dirs: string[] = []
const scratch = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'chaos-history-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('openHistory', () => {
  it('writes history.partial.jsonl with a partial header while running, and history.jsonl without it when finished', async () => {
    const path = join(scratch(), 'run', 'history.jsonl')
    const h = openHistory(path, header)
    expect(h.partialPath).toBe(partialPathOf(path))
    expect(h.partialPath.endsWith('history.partial.jsonl')).toBe(true)
    const a = h.invoke({ process: 'w0', f: 'write', key: 'k0', value: 'w0-0-a0', txn: 't:w0-0-a0', time: 1 })
    const b = h.invoke({ process: 'r0', f: 'read', key: 'k1', time: 2 })
    h.complete(a, 'w0', 'ok', { f: 'write', key: 'k0', value: 'w0-0-a0', txn: 't:w0-0-a0', version: 1, prev: { value: null, version: 0 }, time: 3 })
    h.complete(b, 'r0', 'ok', { f: 'read', key: 'k1', value: null, version: 0, time: 4 })
    expect([a, b]).toEqual([0, 1])
    expect(h.events).toBe(4)
    h.flush()
    expect(lines(h.partialPath)[0]).toMatchObject({ type: 'header', partial: true })
    expect(existsSync(path)).toBe(false)

    expect(await h.finish()).toBe(path)
    expect(existsSync(h.partialPath)).toBe(false)
    const { header: read, events } = await readHistory(path)
    expect(read).toEqual(header)
    expect('partial' in read).toBe(false)
    expect(events.map((e) => [e.op, e.type])).toEqual([
      [0, 'invoke'],
      [1, 'invoke'],
      [0, 'ok'],
      [1, 'ok'],
    ])
    await expect(h.finish()).rejects.toThrow(/already closed/)
  })

  it('flushes on its own, without being asked', async () => {
    const h = openHistory(join(scratch(), 'history.jsonl'), header)
    h.invoke({ process: 'r0', f: 'read', key: 'k0', time: 0 })
    await new Promise((r) => setTimeout(r, FLUSH_MS * 3))
    expect(lines(h.partialPath)).toHaveLength(2)
    h.abandon()
  })

  it('abandon leaves the partial file, flushed and marked partial', async () => {
    const path = join(scratch(), 'history.jsonl')
    const h = openHistory(path, header)
    for (let i = 0; i < 10; i++) h.invoke({ process: 'r0', f: 'read', key: `k${i}`, time: i })
    expect(h.abandon()).toBe(h.partialPath)
    expect(existsSync(path)).toBe(false)
    const { header: read, events } = await readHistory(h.partialPath)
    expect(read.partial).toBe(true)
    expect(events).toHaveLength(10)
    expect(() => h.invoke({ process: 'r0', f: 'read', key: 'k0', time: 11 })).toThrow(/already closed/)
  })

  it('reads a partial history whose last line was cut off mid-write, and refuses a bad line elsewhere', async () => {
    const dir = scratch()
    const partial = join(dir, 'history.partial.jsonl')
    const event = JSON.stringify({ op: 0, process: 'r0', type: 'invoke', f: 'read', key: 'k0', time: 0 })
    writeFileSync(partial, `${JSON.stringify({ ...header, partial: true })}\n${event}\n{"op":0,"proc`)
    expect((await readHistory(partial)).events).toHaveLength(1)
    const bad = join(dir, 'history.jsonl')
    writeFileSync(bad, `${JSON.stringify(header)}\n{"op":0,"proc\n${event}\n`)
    await expect(readHistory(bad)).rejects.toThrow(/history\.jsonl:2: not a JSON line/)
  })

  for (const how of ['exit', 'SIGINT'] as const) {
    it(`keeps what was written when the process ends by ${how} before finishing`, async () => {
      const dir = scratch()
      const path = join(dir, 'history.jsonl')
      const script = join(dir, 'child.ts')
      writeFileSync(
        script,
        [
          `import { openHistory } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'history.ts')).href)}`,
          `const h = openHistory(${JSON.stringify(path)}, ${JSON.stringify(header)})`,
          `for (let i = 0; i < 500; i++) h.invoke({ process: 'r0', f: 'read', key: 'k' + i, time: i })`,
          how === 'exit' ? 'process.exit(3)' : `process.kill(process.pid, 'SIGINT'); setTimeout(() => {}, 5000)`,
        ].join('\n'),
      )
      const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        const child = execFile(process.execPath, [script], { timeout: 20_000 })
        child.on('exit', (code, signal) => resolve({ code, signal }))
      })
      expect(ended).toEqual(how === 'exit' ? { code: 3, signal: null } : { code: null, signal: 'SIGINT' })
      expect(existsSync(path)).toBe(false)
      const { header: read, events } = await readHistory(partialPathOf(path))
      expect(read.partial).toBe(true)
      expect(events).toHaveLength(500)
    })
  }
})
