// The pull-request check's logic, offline, against the fixture results in fixtures/verdicts/.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { runVerdictCheck, verdictFiles, type DangerOutput } from './danger-verdicts.ts'

const FIXTURES = resolve(import.meta.dirname, '../fixtures/verdicts')
const REPO = resolve(import.meta.dirname, '..')

function recorder() {
  const out = { markdown: [] as string[], fail: [] as string[], warn: [] as string[], message: [] as string[] }
  const dsl: DangerOutput = {
    markdown: (t) => out.markdown.push(t),
    fail: (t) => out.fail.push(t),
    warn: (t) => out.warn.push(t),
    message: (t) => out.message.push(t),
  }
  return { out, dsl }
}

function check(verdicts: string) {
  const { out, dsl } = recorder()
  runVerdictCheck(dsl, { BENCHGATE_VERDICTS: verdicts }, REPO)
  return out
}

const TABLE_HEAD = '| benchmark | metric | base | head | change | interval | verdict |'

let temp: string | undefined
afterEach(() => {
  if (temp) rmSync(temp, { recursive: true, force: true })
  temp = undefined
})

describe('danger verdict check', () => {
  test('a clean run posts one table and neither fails nor warns', () => {
    const out = check(join(FIXTURES, 'clean/verdicts.json'))
    expect(out.markdown).toHaveLength(1)
    const md = out.markdown[0]!
    expect(md.split('\n').filter((l) => l === TABLE_HEAD)).toHaveLength(1)
    expect(md).toContain('0 regressed, 1 improved, 2 unchanged, 0 inconclusive')
    expect(md).toContain('| copy few-large | time (ms), lower is better | 2404 ms (rsync, n=20) | 1992 ms (blit, n=20) | -17.1 % |')
    expect(md).toContain('🚀 improved')
    expect(md).toContain('fixtures/verdicts/clean/verdicts.json')
    expect(out.fail).toEqual([])
    expect(out.warn).toEqual([])
  })

  test('a regressed row fails the check, naming the benchmark, change, interval and threshold', () => {
    const out = check(join(FIXTURES, 'regressed/verdicts.json'))
    expect(out.fail).toHaveLength(1)
    expect(out.fail[0]).toMatch(/^`copy many-small` time \(copy many-small\) regressed: \+13\.3 %, interval \+12\.0 % … \+15\.6 % \(95 %\), threshold 5 %$/)
    expect(out.markdown[0]).toContain('❌ regressed')
  })

  test('fingerprint warnings and inconclusive verdicts warn but do not fail', () => {
    const out = check(join(FIXTURES, 'fingerprint/verdicts.json'))
    expect(out.fail).toEqual([])
    expect(out.warn.some((w) => w.startsWith('`requests/s` throughput (serve static) inconclusive'))).toBe(true)
    const env = out.warn.filter((w) => w.startsWith('different environment:'))
    expect(env).toHaveLength(1) // the same warning on two rows is posted once
    expect(env[0]).toContain('cpu_model')
    expect(out.markdown[0]).toContain('⚠️ baseline baselines/main.json was measured in a different environment')
  })

  test('several files (e.g. merged jobs) make ONE table with every row', () => {
    const out = check([join(FIXTURES, 'clean/verdicts.json'), join(FIXTURES, 'regressed')].join(delimiter))
    expect(out.markdown).toHaveLength(1)
    const md = out.markdown[0]!
    expect(md.split('\n').filter((l) => l === TABLE_HEAD)).toHaveLength(1)
    expect(md.split('\n').filter((l) => l.startsWith('| ') && l !== TABLE_HEAD && !l.startsWith('| ---'))).toHaveLength(5)
    expect(md).toContain('1 regressed, 1 improved, 3 unchanged, 0 inconclusive')
    expect(out.fail).toHaveLength(1)
  })

  test('an invalid verdicts file fails the check with one line per problem, naming file and field', () => {
    const out = check(join(FIXTURES, 'invalid/verdicts.json'))
    expect(out.fail).toHaveLength(1)
    const lines = out.fail[0]!.split('\n')
    expect(lines[0]).toMatch(/^benchgate verdicts unreadable: fixtures\/verdicts\/invalid\/verdicts\.json: rows\[0\]\.comparison\.ratio\.lo: /)
    expect(lines.some((l) => l.startsWith('fixtures/verdicts/invalid/verdicts.json: rows[1].comparison.verdict: '))).toBe(true)
  })

  test('a missing named file fails; no file at all only warns', () => {
    const missing = check(join(FIXTURES, 'nope/verdicts.json'))
    expect(missing.fail[0]).toContain('nope/verdicts.json: not found (named in BENCHGATE_VERDICTS)')
    temp = mkdtempSync(join(tmpdir(), 'bg-danger-'))
    const { out, dsl } = recorder()
    runVerdictCheck(dsl, {}, temp)
    expect(out.fail).toEqual([])
    expect(out.markdown).toEqual([])
    expect(out.warn[0]).toMatch(/^no verdicts\.json found/)
  })

  test('by default the newest results/<stamp>/verdicts.json is read', () => {
    temp = mkdtempSync(join(tmpdir(), 'bg-danger-'))
    for (const [stamp, from] of [['20261124T090000Z', 'regressed'], ['20261124T101500Z', 'clean']] as const) {
      mkdirSync(join(temp, 'results', stamp), { recursive: true })
      cpSync(join(FIXTURES, from, 'verdicts.json'), join(temp, 'results', stamp, 'verdicts.json'))
    }
    mkdirSync(join(temp, 'results', '20261124T110000Z')) // a newer run without verdicts
    expect(verdictFiles({}, temp).files).toEqual([join(temp, 'results', '20261124T101500Z', 'verdicts.json')])
    expect(verdictFiles({ BENCHGATE_RESULTS_DIR: 'elsewhere' }, temp).files).toEqual([])
  })
})
