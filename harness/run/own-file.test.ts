import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { ownFile, ownUrl, projectRoot } from './own-file.ts'

const dir = mkdtempSync(join(tmpdir(), 'own-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('the .ts file where it exists (a clone), its .js sibling where only that exists (the package)', () => {
  mkdirSync(join(dir, 'clone')); writeFileSync(join(dir, 'clone', 'a.ts'), ''); writeFileSync(join(dir, 'clone', 'a.js'), '')
  mkdirSync(join(dir, 'pkg')); writeFileSync(join(dir, 'pkg', 'a.js'), '')
  expect(ownFile(join(dir, 'clone'), './a.ts')).toBe(join(dir, 'clone', 'a.ts'))
  expect(ownFile(join(dir, 'pkg', 'sub'), '../a.ts')).toBe(join(dir, 'pkg', 'a.js'))
  expect(ownFile(dir, 'missing.ts')).toBe(join(dir, 'missing.ts')) // neither: the .ts path, for the error to name
  expect(fileURLToPath(ownUrl(`file://${join(dir, 'pkg', 'x.js')}`, './a.ts'))).toBe(join(dir, 'pkg', 'a.js'))
})

test('the project root: the clone itself, or the working directory when benchgate is under node_modules', () => {
  expect(projectRoot('/src/benchgate')).toBe('/src/benchgate')
  expect(projectRoot('/home/u/proj/node_modules/benchgate/dist')).toBe(process.cwd())
})
