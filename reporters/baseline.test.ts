// End to end: the self-test bench project (fixtures/shard-selftest/) writes a baseline through the
// baseline reporter, a second run is gated against it (BENCHGATE_BASELINE, here a directory as a
// downloaded CI artifact would be), and a run with a synthetic 6× slowdown fails as regressed.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadBaseline } from '../harness/baseline/load.ts'
import { parseVerdictsFile, type VerdictsFile } from '../harness/verdicts/file.ts'
import { terminalTable } from '../harness/verdicts/table.ts'

const REPO = resolve(import.meta.dirname, '..')
const VITEST = join(REPO, 'node_modules/vitest/vitest.mjs')
const CONFIG = 'fixtures/shard-selftest/vitest.config.ts'

let temp: string
let runs = 0

/**
 * Runs the self-test project with the given extra environment. Every run reads the same
 * configuration (its hash is part of the fingerprint) and gets its own stamp folder.
 */
function bench(env: Record<string, string>) {
  const stamp = `20260101T0000${String(++runs).padStart(2, '0')}Z`
  const results = join(temp, 'results')
  const full: NodeJS.ProcessEnv = { ...process.env, BENCHGATE_CONFIG: join(temp, 'benchgate.yaml'), BENCHGATE_RUN_STAMP: stamp, NO_COLOR: '1', ...env }
  for (const k of ['VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'TEST']) delete full[k]
  if (!env.BENCHGATE_BASELINE) delete full.BENCHGATE_BASELINE
  if (!env.BENCHGATE_BASELINE_OUT) delete full.BENCHGATE_BASELINE_OUT
  const r = spawnSync(
    process.execPath,
    [VITEST, 'bench', '--run', '-c', CONFIG, '--reporter=default', '--reporter=./reporters/baseline.ts', '--reporter=./reporters/verdict.ts'],
    { cwd: REPO, env: full, encoding: 'utf8', timeout: 180_000 },
  )
  const file = join(results, stamp, 'verdicts.json')
  const verdicts: VerdictsFile | undefined = existsSync(file) ? parseVerdictsFile(readFileSync(file, 'utf8'), file) : undefined
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, verdicts }
}

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'bg-baseline-e2e-'))
  // A wide threshold: two processes measuring the same code minutes apart on a shared machine must
  // not flag the A/A case; the 6× slowdown is far beyond it.
  writeFileSync(join(temp, 'benchgate.yaml'), `output:\n  results_dir: ${JSON.stringify(join(temp, 'results'))}\ngates:\n  threshold: 0.5\n`)
})

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true })
})

describe('baseline written by the reporter, then gated against', () => {
  test('write, gate (unchanged), gate a 6× slowdown (regressed, run fails), gate from another machine (warns)', { timeout: 300_000 }, () => {
    const baseFile = join(temp, 'artifact', 'bench-main', 'baseline.json')
    const write = bench({ BENCHGATE_BASELINE_OUT: baseFile })
    expect(write.status, write.out).toBe(0)
    expect(write.out).toContain(`benchgate: baseline written to ${baseFile}: 2 tests, 4 benchmark tasks`)
    const base = loadBaseline(baseFile)
    expect(base.data.tests.map((t) => `${t.file} :: ${t.test} :: ${t.benchmarks.map((b) => `${b.task}×${b.samples.length}`).sort().join(', ')}`).sort()).toEqual([
      'fixtures/shard-selftest/alpha.bench.ts :: alpha sqrt :: sqrt 20k again×30, sqrt 20k×30',
      'fixtures/shard-selftest/beta.bench.ts :: beta hash :: hash 50k again×30, hash 50k×30',
    ])

    // Gated against the directory (as downloaded from CI): in-file rows plus one baseline row per task.
    const same = bench({ BENCHGATE_BASELINE: join(temp, 'artifact') })
    const gated = same.verdicts!.rows.filter((r) => r.comparison.order === 'baseline')
    expect(gated.map((r) => r.comparison.name).sort()).toEqual(['hash 50k', 'hash 50k again', 'sqrt 20k', 'sqrt 20k again'])
    expect(gated.every((r) => r.comparison.base.n === 30 && r.comparison.head.n === 30 && r.comparison.threshold === 0.5)).toBe(true)
    expect(gated.every((r) => r.comparison.base.label.startsWith("baseline") && r.comparison.fingerprintWarning === undefined), same.out).toBe(true)
    console.log(`A/A against the baseline (threshold 50 %):\n${terminalTable(gated)}`)
    expect(gated.filter((r) => r.comparison.verdict === 'regressed'), same.out).toEqual([])
    expect(same.status, same.out).toBe(0)
    expect(same.out).not.toContain('DIFFERENT ENVIRONMENT')

    // A synthetic 6× slowdown: every task regressed, the tests fail with a readable message.
    const slow = bench({ BENCHGATE_BASELINE: baseFile, BG_SELFTEST_SLOWDOWN: '6' })
    expect(slow.status).toBe(1)
    const regressed = slow.verdicts!.rows.filter((r) => r.comparison.order === 'baseline' && r.comparison.verdict === 'regressed')
    expect(regressed.map((r) => r.comparison.name).sort()).toEqual(['hash 50k', 'hash 50k again', 'sqrt 20k', 'sqrt 20k again'])
    console.log(`6× slowdown against the baseline:\n${terminalTable(regressed)}`)
    expect(slow.out).toContain('BaselineRegression: regressed against the baseline')
    expect(slow.out).toMatch(/'sqrt 20k' time: median [\d.]+ → [\d.]+ ms, \+\d+\.\d %/)

    // The same baseline as if measured elsewhere: it still gates, but warns loudly and marks every row.
    const other = join(temp, 'other-machine')
    mkdirSync(other)
    const json = JSON.parse(readFileSync(baseFile, 'utf8'))
    json.fingerprint.cpu_model = 'Imaginary CPU 9000'
    json.fingerprint.cores = 999
    writeFileSync(join(other, 'baseline.json'), JSON.stringify(json))
    cpSync(baseFile, join(other, 'older.json')) // an older copy in the same directory is ignored
    const older = JSON.parse(readFileSync(join(other, 'older.json'), 'utf8'))
    older.created = '2000-01-01T00:00:00.000Z'
    writeFileSync(join(other, 'older.json'), JSON.stringify(older))
    const warned = bench({ BENCHGATE_BASELINE: other })
    expect(warned.out).toContain('COMPARING AGAINST A BASELINE FROM A DIFFERENT ENVIRONMENT')
    expect(warned.out).toContain('cpu_model: "Imaginary CPU 9000" (baseline) ≠')
    const rows = warned.verdicts!.rows.filter((r) => r.comparison.order === 'baseline')
    expect(rows).toHaveLength(4)
    expect(rows.every((r) => r.comparison.fingerprintWarning?.includes('cores: 999 (baseline)'))).toBe(true)
  })
})
