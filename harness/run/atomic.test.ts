import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { PartialFile, writeFileAtomic } from './atomic.ts'

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('writeFileAtomic', () => {
  test('writes the whole file under its final name and leaves no temp file', () => {
    dir = mkdtempSync(join(tmpdir(), 'bg-atomic-'))
    const path = join(dir, 'sub', 'out.json')
    writeFileAtomic(path, '{"a":1}\n')
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n')
    expect(readdirSync(join(dir, 'sub'))).toEqual(['out.json'])
  })

  test('replacing a file never shows a truncated version: old content stays until the rename', () => {
    dir = mkdtempSync(join(tmpdir(), 'bg-atomic-'))
    const path = join(dir, 'out.txt')
    writeFileAtomic(path, 'old')
    writeFileAtomic(path, 'new content')
    expect(readFileSync(path, 'utf8')).toBe('new content')
  })
})

describe('PartialFile', () => {
  test('lives at .partial until finished, then is renamed', () => {
    dir = mkdtempSync(join(tmpdir(), 'bg-atomic-'))
    const path = join(dir, 'metrics.csv')
    const f = new PartialFile(path)
    f.append('a,b\n')
    expect(existsSync(`${path}.partial`)).toBe(true)
    expect(existsSync(path)).toBe(false)
    f.append('1,2\n')
    f.finish()
    expect(existsSync(`${path}.partial`)).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe('a,b\n1,2\n')
    expect(() => f.append('x')).toThrow(/already finished/)
  })

  test('an abandoned file stays marked partial with what was written', () => {
    dir = mkdtempSync(join(tmpdir(), 'bg-atomic-'))
    const path = join(dir, 'log.txt')
    const f = new PartialFile(path)
    f.append('line 1\n')
    f.abandon()
    expect(existsSync(path)).toBe(false)
    expect(readFileSync(`${path}.partial`, 'utf8')).toBe('line 1\n')
  })
})
