// Results across machines: the self-test bench project (fixtures/shard-selftest/, two files) runs
// as two shards, each writing a blob report (and its own verdicts), then `vitest --merge-reports`
// hands the merged results to the verdict reporter: ONE verdicts.json and verdicts.md with the rows
// of both shards.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseVerdictsFile, type VerdictsFile } from '../harness/verdicts/file.ts'

const REPO = resolve(import.meta.dirname, '..')
const VITEST = join(REPO, 'node_modules/vitest/vitest.mjs')
const CONFIG = 'fixtures/shard-selftest/vitest.config.ts'
const TABLE_HEAD = '| benchmark | metric | base | head | change | interval | verdict |'

let temp: string

/** Runs vitest with a configuration whose results go to `results`. */
function vitest(args: string[], results: string) {
  const cfg = join(temp, `${results}.yaml`)
  writeFileSync(cfg, `output:\n  results_dir: ${JSON.stringify(join(temp, results))}\n`)
  const env: NodeJS.ProcessEnv = { ...process.env, BENCHGATE_CONFIG: cfg, NO_COLOR: '1' }
  for (const k of ['BENCHGATE_RUN_STAMP', 'BENCHGATE_BASELINE', 'BENCHGATE_BASELINE_OUT', 'VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'TEST']) delete env[k]
  const r = spawnSync(process.execPath, [VITEST, ...args, '-c', CONFIG], { cwd: REPO, env, encoding: 'utf8', timeout: 180_000 })
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` }
}

/** The one verdicts.json (and its verdicts.md) under a results directory. */
function onlyVerdicts(results: string): { json: VerdictsFile; md: string } {
  const dir = join(temp, results)
  const stamps = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'verdicts.json')))
  expect(stamps, `verdicts.json files under ${results}`).toHaveLength(1)
  const file = join(dir, stamps[0]!, 'verdicts.json')
  return { json: parseVerdictsFile(readFileSync(file, 'utf8'), file), md: readFileSync(join(dir, stamps[0]!, 'verdicts.md'), 'utf8') }
}

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'bg-shards-'))
  mkdirSync(join(temp, 'blobs'))
})

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true })
})

describe('shards merged into one verdict table', () => {
  test('two shards and --merge-reports give one verdicts.json and verdicts.md with both shards\' rows', { timeout: 300_000 }, () => {
    const shardTests: string[][] = []
    for (const i of [1, 2]) {
      const r = vitest(
        ['bench', '--run', `--shard=${i}/2`, '--reporter=blob', `--outputFile.blob=${join(temp, 'blobs', `blob-${i}.json`)}`, '--reporter=./reporters/verdict.ts'],
        `results-shard-${i}`,
      )
      expect(r.status, r.out).toBe(0)
      expect(existsSync(join(temp, 'blobs', `blob-${i}.json`))).toBe(true)
      // Each shard alone sees only its own file's comparisons.
      const { json } = onlyVerdicts(`results-shard-${i}`)
      expect(json.rows).toHaveLength(1)
      shardTests.push(json.rows.map((row) => row.test))
    }
    expect(shardTests.flat().sort()).toEqual(['alpha sqrt', 'beta hash'])

    const merged = vitest(['--run', `--merge-reports=${join(temp, 'blobs')}`, '--reporter=default', '--reporter=./reporters/verdict.ts'], 'results-merged')
    expect(merged.status, merged.out).toBe(0)
    const { json, md } = onlyVerdicts('results-merged')
    expect(json.rows.map((r) => `${r.file} :: ${r.test} :: ${r.comparison.name}`).sort()).toEqual([
      'fixtures/shard-selftest/alpha.bench.ts :: alpha sqrt :: sqrt 20k',
      'fixtures/shard-selftest/beta.bench.ts :: beta hash :: hash 50k',
    ])
    expect(json.rows.every((r) => r.comparison.base.n === 30 && r.comparison.head.n === 30)).toBe(true)
    const c = json.counts
    expect(c.regressed + c.improved + c.unchanged + c.inconclusive).toBe(2)
    expect(md.split('\n').filter((l) => l === TABLE_HEAD)).toHaveLength(1)
    expect(md).toContain('| alpha sqrt › sqrt 20k |')
    expect(md).toContain('| beta hash › hash 50k |')
    expect(merged.out).toContain('benchgate verdicts:')
    expect(merged.out).toMatch(/alpha sqrt › sqrt 20k\s+time \(ms\)/)
  })
})
