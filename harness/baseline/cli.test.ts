// `npm run bench:baseline` = `node harness/baseline/cli.ts [--out FILE] [vitest bench options]`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { DEFAULT_BASELINE_PATH, parseBaselineArgs } from './cli.ts'
import { loadBaseline } from './load.ts'

const REPO = resolve(import.meta.dirname, '../..')
let temp: string

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'bg-baseline-cli-'))
  writeFileSync(join(temp, 'benchgate.yaml'), `output:\n  results_dir: ${JSON.stringify(join(temp, 'results'))}\n`)
})

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true })
})

function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCHGATE_CONFIG: join(temp, 'benchgate.yaml'), NO_COLOR: '1' }
  for (const k of ['BENCHGATE_RUN_STAMP', 'BENCHGATE_BASELINE', 'BENCHGATE_BASELINE_OUT', 'VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'TEST']) delete env[k]
  const r = spawnSync(process.execPath, ['harness/baseline/cli.ts', ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 180_000 })
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` }
}

describe('benchgate baseline', () => {
  test('--out and the rest go to vitest bench', () => {
    expect(parseBaselineArgs([])).toEqual({ out: DEFAULT_BASELINE_PATH, vitestArgs: [] })
    expect(parseBaselineArgs(['--project', 'harness', '--out', 'b.json', '-t', 'x'])).toEqual({ out: 'b.json', vitestArgs: ['--project', 'harness', '-t', 'x'] })
    expect(parseBaselineArgs(['--out=c.json'])).toEqual({ out: 'c.json', vitestArgs: [] })
    expect(parseBaselineArgs(['--help'])).toBe('help')
    let err: unknown
    try {
      parseBaselineArgs(['--out'])
    } catch (e) {
      err = e
    }
    expect(isUserError(err) && err.message).toBe('benchgate baseline: --out: missing value; expected a file path (hint: e.g. --out baselines/baseline.json)')
  })

  test('runs the bench project and writes the baseline', { timeout: 200_000 }, () => {
    const out = join(temp, 'written', 'baseline.json')
    const r = cli(['--out', out, '-c', 'fixtures/shard-selftest/vitest.config.ts', '--reporter=default', '--reporter=./reporters/baseline.ts'])
    expect(r.status, r.out).toBe(0)
    expect(r.out).toContain(`benchgate: baseline written to ${out}`)
    expect(loadBaseline(out).data.tests).toHaveLength(2)
  })

  test('says so when no baseline reporter ran', { timeout: 200_000 }, () => {
    const out = join(temp, 'never', 'baseline.json')
    const r = cli(['--out', out, '-c', 'fixtures/shard-selftest/vitest.config.ts', '--reporter=dot'])
    expect(r.status).not.toBe(0)
    expect(existsSync(out)).toBe(false)
    expect(r.out).toContain(`benchgate baseline: no baseline written to ${out}; expected './reporters/baseline.ts' among the reporters of vitest.config.ts`)
  })

  test('a bad option is one line, exit 2', () => {
    const r = cli(['--out'])
    expect(r.status).toBe(2)
    expect(r.out.trim()).toBe('benchgate baseline: --out: missing value; expected a file path (hint: e.g. --out baselines/baseline.json)')
  })
})
