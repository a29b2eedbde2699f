// The chaos checker's speed on this machine, and its power on the same history: a correct history
// of 1,000,000 operations of a serial store (4 writers, 4 readers, 50 keys, versions from a global
// commit counter, 5 % failed and 1 % unknown-outcome operations, 5 % deletes, then the final
// read-back; benches/chaos/serial-history.ts) is written to a file and checked from the file,
// reading included. Gates: checked in at most 20 s (the seconds are printed and kept as a KPI),
// and valid. The same history with one lost update injected (a commit that read the state before
// the key's previous acknowledged write) is invalid, with exactly that anomaly, naming that commit.
import { join } from 'node:path'
import { checkHistoryFile, summarizeCheck, writeAnomalies, type CheckResult } from '../../harness/chaos/check/index.ts'
import { expect, test } from '../../harness/test.ts'
import { writeSerialHistory, type SerialHistoryOptions } from './serial-history.ts'

const OPS = 1_000_000
const LIMIT_S = 20
const SHAPE: SerialHistoryOptions = { ops: OPS, keys: 50, writers: 4, readers: 4, infoRate: 0.01, failRate: 0.05, deleteRate: 0.05, seed: 14 }

async function timedCheck(path: string): Promise<{ result: CheckResult; seconds: number; cpuSeconds: number }> {
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const result = await checkHistoryFile(path)
  const cpu = process.cpuUsage(cpu0)
  return { result, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 }
}

test(`checker speed: a correct ${OPS.toLocaleString('en')}-operation history is checked valid in at most ${LIMIT_S} s`, { timeout: 300_000 }, async ({ tempDir, kpi }) => {
  const path = join(tempDir, 'history.jsonl')
  const made = writeSerialHistory(path, SHAPE)
  const { result, seconds, cpuSeconds } = await timedCheck(path)
  console.log(
    `checker: ${made.ops} operations (${made.lines} lines) read and checked in ${seconds.toFixed(2)} s ` +
      `(${Math.round(made.ops / seconds)} ops/s; ${cpuSeconds.toFixed(2)} s of CPU): ${summarizeCheck(result)}`,
  )
  kpi('check_1m_ops_s', seconds, 's', { better: 'lower' })
  kpi('check_ops_per_s', made.ops / seconds, 'ops/s', { better: 'higher' })
  expect(result.ops).toBe(made.ops)
  expect(result.valid, summarizeCheck(result)).toBe(true)
  expect(seconds, `seconds to read and check ${OPS} operations`).toBeLessThanOrEqual(LIMIT_S)
})

test('checker power: the same history with one injected lost update is invalid, with exactly that anomaly', { timeout: 300_000 }, async ({ tempDir, run, kpi }) => {
  const path = join(tempDir, 'history.jsonl')
  const made = writeSerialHistory(path, { ...SHAPE, lostUpdateAt: OPS / 4 })
  const { result, seconds, cpuSeconds } = await timedCheck(path)
  writeAnomalies(run.path('anomalies.json'), result)
  run.addArtifact('anomalies.json')
  console.log(`checker: lost update injected at op ${made.lostUpdate?.op} (${made.lostUpdate?.key}), checked in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s of CPU): ${summarizeCheck(result)}`)
  console.log(`  ${result.anomalies[0]?.explanation}`)
  kpi('check_1m_ops_injected_s', seconds, 's', { better: 'lower' })
  expect(made.lostUpdate, 'the generator injected a lost update').toBeDefined()
  expect(result.valid).toBe(false)
  expect(summarizeCheck(result)).toBe(`lost-update ×1 (${made.ops} ops)`)
  expect(result.anomalies[0]!.key).toBe(made.lostUpdate!.key)
  expect(result.anomalies[0]!.ops.map((o) => o.op)).toContain(made.lostUpdate!.op)
  expect(seconds, `seconds to read and check ${OPS} operations`).toBeLessThanOrEqual(LIMIT_S)
})
