import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { chaosSection } from '../config/chaos-schema.ts'
import { readHistory } from './history.ts'
import { chooseBest, runSweep, sweepGrid, type SweepProgress } from './sweep.ts'
import type { SweepRow, WorkloadParams } from './types.ts'
import { memorySession } from './workload-test-support.ts'

const dir = mkdtempSync(join(tmpdir(), 'chaos-sweep-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('sweepGrid', () => {
  it('has the 96 configurations of the default grid, with unique labels', () => {
    const grid = sweepGrid(chaosSection.parse({}).sweep)
    expect(grid).toHaveLength(96)
    expect(new Set(grid.map((c) => c.label)).size).toBe(96)
    expect(grid.map((c) => c.label)).toContain('w3_wr5_o0.2_r2_rr10')
    expect(grid[0]).toEqual({ label: 'w2_wr2_o0.1_r1_rr5', writers: 2, writer_rate: 2, overlap: 0.1, readers: 1, reader_rate: 5 })
    expect(sweepGrid({ writers: [2, 2], writer_rate: [1], overlap: [0], readers: [1], reader_rate: [1] })).toHaveLength(1)
  })
})

function row(config: string, commits: number, rate: number, writeTps: number): SweepRow {
  const attempts = Math.round(commits / (1 - rate))
  return {
    config, writers: 2, writer_rate: 2, overlap: 0.1, readers: 1, reader_rate: 5, duration_s: 10,
    commit_attempts: attempts, commits, precondition_failures: attempts - commits, precondition_failure_rate: rate,
    writes_abandoned: 0, retries: 0, attempts_per_commit: attempts / commits, unknown: 0, other_failures: 0, reads: 0, read_failures: 0,
    write_tps: writeTps, read_tps: 0, write_p50_ms: 1, write_p95_ms: 1, write_p99_ms: 1, precondition_failure_p50_ms: 1, precondition_failure_p99_ms: 1,
    read_p50_ms: 1, read_p95_ms: 1, read_p99_ms: 1,
  }
}

describe('chooseBest', () => {
  it('takes the lowest failure rate among configurations with enough commits, and explains', () => {
    const rows = [row('few', 10, 0, 1), row('a', 100, 0.1, 10), row('b', 100, 0.05, 8), row('c', 60, 0.2, 12), row('also-few', 49, 0.01, 5)]
    const best = chooseBest(rows, 50)
    expect(best.row.config).toBe('b')
    expect(best.runnerUp?.config).toBe('a')
    expect(best.excluded).toBe(2)
    expect(best.explanation).toMatch(/^b: lowest precondition-failure rate, 5\.00 %/)
    expect(best.explanation).toContain('among 3 configurations with at least 50 commits (2 excluded for fewer)')
    expect(best.explanation).toContain('runner-up a at 10.00 %')
  })

  it('breaks a tie on the failure rate by the higher write TPS, and says so', () => {
    const best = chooseBest([row('slow', 100, 0, 5), row('fast', 100, 0, 9)], 50)
    expect(best.row.config).toBe('fast')
    expect(best.explanation).toContain('runner-up slow')
    expect(best.explanation).toContain('the higher write TPS decided')
  })

  it('falls back to the most commits when none has enough, and says so', () => {
    const best = chooseBest([row('x', 10, 0, 1), row('y', 30, 0.5, 3)], 50)
    expect(best.row.config).toBe('y')
    expect(best.excluded).toBe(2)
    expect(best.explanation).toMatch(/^no configuration reached 50 commits \(all 2 excluded\)/)
    expect(best.explanation).toContain('fell back to the most commits: y')
    expect(() => chooseBest([], 1)).toThrow(/no configurations/)
  })
})

describe('runSweep', () => {
  const base: WorkloadParams = { writers: 1, writer_rate: 1, readers: 1, reader_rate: 1, key_pool: 8, overlap: 0, value_size: 8, delete_ratio: 0, retries: 2, computed: false, duration_s: 99, timeout_ms: 1000, seed: 1 }
  const configs = sweepGrid({ writers: [2, 3], writer_rate: [20], overlap: [0.5, 1], readers: [1], reader_rate: [10] })

  it('runs every configuration in batches, each on its own prefix with its own history, and reports progress', async () => {
    const prefixes: string[] = []
    const progress: SweepProgress[] = []
    const checked: string[] = []
    const result = await runSweep({
      configs,
      parallel: 2,
      base,
      durationS: 0.4,
      outDir: join(dir, 'ok'),
      store: 'memory',
      makeSession: async (prefix) => {
        prefixes.push(prefix)
        return memorySession({ thinkMs: 10 })
      },
      check: async (path) => {
        checked.push(path)
        return { valid: true, summary: 'valid' }
      },
      onProgress: (p) => progress.push(p),
    })
    expect(result.rows.map((r) => r.config)).toEqual(configs.map((c) => c.label))
    expect(new Set(prefixes).size).toBe(4)
    for (const r of result.rows) {
      const c = configs.find((x) => x.label === r.config)!
      expect(r).toMatchObject({ writers: c.writers, writer_rate: 20, overlap: c.overlap, readers: 1, reader_rate: 10, duration_s: 0.4 })
      expect(r.precondition_failure_rate).toBeGreaterThanOrEqual(0)
      expect(r.precondition_failure_rate).toBeLessThanOrEqual(1)
      expect(r.commits).toBeGreaterThan(0)
      const path = join(dir, 'ok', r.config, 'history.jsonl')
      expect(result.histories[r.config]).toBe(path)
      const { header } = await readHistory(path)
      expect(header).toMatchObject({ store: 'memory', workload: { writers: c.writers, overlap: c.overlap, duration_s: 0.4, key_pool: 8 } })
    }
    expect(checked).toHaveLength(4)
    expect(result.checks.map((c) => c.config)).toEqual(configs.map((c) => c.label))
    expect(progress[0]).toMatchObject({ done: 0, total: 4 })
    expect(progress.at(-1)).toMatchObject({ done: 4, total: 4 })
    expect(progress.at(-1)!.etaS).toBe(0)
  })

  it('judges each history with the checker by default: a store with a real conditional commit gives valid histories', async () => {
    const result = await runSweep({ configs: configs.slice(2), parallel: 2, base, durationS: 0.4, outDir: join(dir, 'checked'), makeSession: async () => memorySession({ thinkMs: 10 }) })
    expect(result.checks.map((c) => [c.config, c.valid])).toEqual(configs.slice(2).map((c) => [c.label, true]))
    expect(result.checks[0]!.summary).toMatch(/^valid/)
  })

  it('stops when the signal aborts, leaving the running configurations partial', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('Ctrl-C')), 200)
    const out = join(dir, 'stopped')
    await expect(runSweep({ configs, parallel: 2, base, durationS: 1, outDir: out, makeSession: async () => memorySession(), signal: controller.signal })).rejects.toThrow('Ctrl-C')
    const first = configs[0]!.label
    expect(existsSync(join(out, first, 'history.jsonl'))).toBe(false)
    expect((await readHistory(join(out, first, 'history.partial.jsonl'))).header.partial).toBe(true)
    expect(existsSync(join(out, configs[2]!.label))).toBe(false) // the second batch never began
  })

  it('fails with the configuration named when its session cannot be made', async () => {
    await expect(runSweep({ configs: configs.slice(0, 1), parallel: 1, base, durationS: 0.2, outDir: join(dir, 'bad'), makeSession: async () => Promise.reject(new Error('store refused')) })).rejects.toThrow(
      `sweep ${configs[0]!.label}: store refused`,
    )
  })
})
