import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { serializeBaseline } from './format.ts'
import { findBaselineFiles, loadBaseline } from './load.ts'
import { FINGERPRINT, sampleBaseline, userErrorMessage } from './test-support.ts'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bg-baseline-load-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function put(rel: string, text: string): string {
  const full = join(dir, rel)
  mkdirSync(join(full, '..'), { recursive: true })
  writeFileSync(full, text)
  return full
}


describe('loadBaseline', () => {
  test('from a file in the repository, named relative to the working directory', () => {
    put('baselines/baseline.json', serializeBaseline(sampleBaseline()))
    const loaded = loadBaseline('baselines/baseline.json', { cwd: dir })
    expect(loaded.file).toBe('baselines/baseline.json')
    expect(loaded.data.fingerprint).toEqual(FINGERPRINT)
    expect(loadBaseline(join(dir, 'baselines/baseline.json'), { cwd: dir }).file).toBe('baselines/baseline.json')
  })

  test('from a downloaded artifact directory: the newest baseline below it, other JSON ignored', () => {
    put('artifact/bench-results/20261120T080000Z/benchmarks.json', '{"kind":"something-else"}')
    put('artifact/bench-results/allure-results/abc-result.json', '{"name":"x"}')
    put('artifact/old/baseline.json', serializeBaseline(sampleBaseline(FINGERPRINT, new Date('2026-11-20T08:00:00Z'))))
    put('artifact/new/baseline-main.json', serializeBaseline(sampleBaseline({ ...FINGERPRINT, git_commit: 'ffff' }, new Date('2026-11-24T08:00:00Z'))))
    put('artifact/node_modules/pkg/baseline.json', serializeBaseline(sampleBaseline(FINGERPRINT, new Date('2030-01-01T00:00:00Z'))))
    expect(findBaselineFiles(join(dir, 'artifact')).map((f) => f.slice(dir.length + 1).split('\\').join('/'))).toEqual([
      'artifact/new/baseline-main.json',
      'artifact/old/baseline.json',
    ])
    const loaded = loadBaseline('artifact', { cwd: dir })
    expect(loaded.file).toBe('artifact/new/baseline-main.json')
    expect(loaded.data.fingerprint.git_commit).toBe('ffff')
  })

  test('a broken baseline next to a valid one does not block; alone it is reported', () => {
    put('a/valid.json', serializeBaseline(sampleBaseline()))
    put('a/broken.json', '{"kind": "benchgate-baseline", "version": 1, "created": "nope"}')
    expect(loadBaseline('a', { cwd: dir }).file).toBe('a/valid.json')
    put('b/broken.json', '{"kind": "benchgate-baseline", "version": 1, "created": "nope"}')
    expect(userErrorMessage(() => loadBaseline('b', { cwd: dir }))).toMatch(/^b\/broken\.json: created: /m)
  })

  test('missing path, empty directory, unreadable content: one clear line each', () => {
    expect(userErrorMessage(() => loadBaseline('baselines/none.json', { cwd: dir }))).toBe(
      "baselines/none.json: baseline not found; expected a baseline JSON file or a directory holding one (hint: write one with `npm run bench:baseline`, or download the main branch's bench artifact)",
    )
    mkdirSync(join(dir, 'empty'))
    put('empty/other.json', '{}')
    expect(userErrorMessage(() => loadBaseline('empty', { cwd: dir }))).toBe(
      "empty: no baseline in this directory or below; expected a *.json file with \"kind\": \"benchgate-baseline\" (hint: write one with `npm run bench:baseline`, or download the main branch's bench artifact; a zipped artifact must be unpacked first)",
    )
    put('bad.json', 'not json')
    expect(userErrorMessage(() => loadBaseline('bad.json', { cwd: dir }))).toMatch(/^bad\.json: not valid JSON/)
  })
})
