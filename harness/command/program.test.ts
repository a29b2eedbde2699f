import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { makeTempDir } from '../run/cleanup.ts'
import { isUserError } from '../errors.ts'
import { resolveProgram } from './program.ts'

function userError(f: () => unknown): Error {
  try {
    f()
  } catch (e) {
    expect(isUserError(e)).toBe(true)
    return e as Error
  }
  throw new Error('expected a UserError')
}

describe.skipIf(process.platform === 'win32')('resolveProgram', () => {
  test('finds a program on PATH and takes a path as given', () => {
    expect(resolveProgram('sh', 'f')).toMatch(/^\/.*\/sh$/)
    expect(resolveProgram('/bin/sh', 'f')).toBe('/bin/sh')
  })

  test('a missing program is a UserError naming the field', () => {
    expect(userError(() => resolveProgram('blit-cli', 'blitParity.candidate', undefined, { PATH: '/nonexistent' })).message).toBe(
      "blitParity.candidate: 'blit-cli' is not on PATH (hint: install it or give its full path)",
    )
  })

  test('a path that is not an executable file is a UserError naming the field', () => {
    expect(userError(() => resolveProgram('./no/such/tool', 'competitive.server')).message).toMatch(/^competitive\.server: '\.\/no\/such\/tool' is not an executable file/)
    const dir = makeTempDir('bg-program-')
    try {
      const data = join(dir.path, 'data.txt')
      writeFileSync(data, 'not a program', { mode: 0o644 })
      expect(userError(() => resolveProgram(data, 'x')).message).toMatch(/^x: '.*data\.txt' is not an executable file/)
      expect(userError(() => resolveProgram(dir.path, 'x')).message).toMatch(/not an executable file/) // a directory
    } finally {
      void dir.release()
    }
  })
})
