import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../stats/random.ts'
import { failureRate, figuresFromHistory, figuresFromHistoryFile } from './figures.ts'
import { openHistory } from './history.ts'
import type { HistoryEvent, WorkloadParams } from './types.ts'
import { memorySession } from './workload-test-support.ts'
import { runWorkload } from './workload.ts'

let op = 0
/** One operation: its invoke at `t0` and (unless `type` is null) its completion at `t1`. */
function operation(process: string, f: HistoryEvent['f'], t0: number, t1: number, type: 'ok' | 'fail' | 'info' | null, extra: Partial<HistoryEvent> = {}): HistoryEvent[] {
  const id = op++
  const invoke: HistoryEvent = { op: id, process, type: 'invoke', f, key: 'k0', time: t0, ...(extra.txn ? { txn: extra.txn } : {}) }
  return type === null ? [invoke] : [invoke, { op: id, process, type, f, key: 'k0', time: t1, ...extra }]
}

describe('figuresFromHistory', () => {
  it('counts attempts, commits, conflicts, retries, abandoned writes and unknowns; final read-back excluded', () => {
    const events = [
      // w0 write 0: conflict, retry commits
      ...operation('w0', 'write', 0, 10, 'fail', { conflict: true, error: 'precondition failed', txn: 't:w0-0-a0' }),
      ...operation('w0', 'write', 10, 30, 'ok', { version: 1, txn: 't:w0-0-a1' }),
      // w1 write 0: conflict, conflict → given up (retries 1)
      ...operation('w1', 'write', 0, 20, 'fail', { conflict: true, error: 'precondition failed', txn: 't:w1-0-a0' }),
      ...operation('w1', 'write', 20, 40, 'fail', { conflict: true, error: 'precondition failed', txn: 't:w1-0-a1' }),
      // w1 delete 1 commits, w2 write fails for another reason, w2 times out
      ...operation('w1', 'delete', 50, 90, 'ok', { version: 2, txn: 't:w1-1-a0' }),
      ...operation('w2', 'write', 0, 5, 'fail', { error: 'quota', txn: 't:w2-0-a0' }),
      ...operation('w2', 'write', 100, 200, 'info', { error: 'timeout', txn: 't:w2-1-a0' }),
      // reads: two return, one times out, one never completes
      ...operation('r0', 'read', 0, 4, 'ok', { value: null, version: 0 }),
      ...operation('r0', 'read', 100, 108, 'ok', { value: null, version: 0 }),
      ...operation('r1', 'read', 0, 50, 'info', { error: 'timeout' }),
      ...operation('r1', 'read', 300, 0, null),
      // the read-back does not count
      ...operation('final', 'read', 2000, 2001, 'ok', { value: null, version: 2 }),
      ...operation('final', 'read', 2001, 2100, 'info', { error: 'timeout' }),
    ]
    const f = figuresFromHistory(events, 2)
    expect(f).toMatchObject({
      commit_attempts: 7,
      commits: 2,
      precondition_failures: 3,
      precondition_failure_rate: 3 / 7,
      retries: 2,
      writes_abandoned: 1,
      attempts_per_commit: 3.5,
      unknown: 3, // w2's timeout, r1's timeout, r1's unanswered read
      other_failures: 1,
      reads: 2,
      read_failures: 2,
      write_tps: 1,
      read_tps: 1,
    })
    expect(f.write_p50_ms).toBe(30) // 20 and 40
    expect(f.precondition_failure_p50_ms).toBe(20) // 10, 20, 20
    expect(f.read_p50_ms).toBe(6) // 4 and 8
    expect(f.read_p99_ms).toBeCloseTo(7.96, 10)
  })

  it('gives 0 failure rate and NaN latencies for an empty history', () => {
    const f = figuresFromHistory([], 1)
    expect(f.commit_attempts).toBe(0)
    expect(f.precondition_failure_rate).toBe(0)
    expect(f.write_p99_ms).toBeNaN()
    expect(f.precondition_failure_p50_ms).toBeNaN()
    expect(f.attempts_per_commit).toBeNaN()
  })

  it('keeps the failure rate within [0, 1] for any history', () => {
    expect(failureRate(0, 0)).toBe(0)
    expect(failureRate(5, 3)).toBe(1)
    const rng = seededRandom(42)
    for (let h = 0; h < 200; h++) {
      const events: HistoryEvent[] = []
      const n = rng.int(40)
      for (let i = 0; i < n; i++) {
        const kind = rng.int(5)
        const type = kind === 0 ? 'ok' : kind === 1 ? 'fail' : kind === 2 ? 'info' : kind === 3 ? null : 'fail'
        events.push(...operation(`w${rng.int(3)}`, rng.int(4) === 0 ? 'delete' : 'write', i, i + rng.next() * 10, type, type === 'fail' && kind === 4 ? { conflict: true, txn: `t:w0-${i}-a${rng.int(3)}` } : { txn: `t:w0-${i}-a0` }))
        // a stray completion without its invoke is ignored, not counted
        if (rng.int(10) === 0) events.push({ op: 10_000 + i, process: 'w9', type: 'fail', f: 'write', key: 'k0', time: i, conflict: true })
      }
      const f = figuresFromHistory(events, 1)
      expect(f.precondition_failure_rate).toBeGreaterThanOrEqual(0)
      expect(f.precondition_failure_rate).toBeLessThanOrEqual(1)
      expect(f.precondition_failures).toBeLessThanOrEqual(f.commit_attempts)
    }
  })
})

describe('figuresFromHistoryFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-figures-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('from a real run: every attempt ends as a commit, a conflict, another failure or unknown', async () => {
    const params: WorkloadParams = { writers: 3, writer_rate: 20, readers: 1, reader_rate: 20, key_pool: 4, overlap: 0.8, value_size: 8, delete_ratio: 0.1, retries: 2, computed: false, duration_s: 0.6, timeout_ms: 1000, seed: 3 }
    const history = openHistory(join(dir, 'history.jsonl'), { type: 'header', store: 'memory', prefix: 'p', started: new Date().toISOString(), workload: params })
    await runWorkload({ session: memorySession({ thinkMs: 30 }), params, history })
    const f = await figuresFromHistoryFile(await history.finish(), params.duration_s)
    expect(f.commit_attempts).toBe(f.commits + f.precondition_failures + f.other_failures + f.unknown)
    expect(f.precondition_failures).toBeGreaterThan(0)
    expect(f.retries).toBeGreaterThan(0)
    expect(f.retries).toBeLessThanOrEqual(f.precondition_failures)
    expect(f.precondition_failure_rate).toBe(f.precondition_failures / f.commit_attempts)
    expect(f.reads).toBe(12) // 20/s × 0.6 s, the read-back not counted
    expect(f.write_tps).toBeCloseTo(f.commits / 0.6, 10)
    expect(f.write_p50_ms).toBeGreaterThan(0)
  })
})
