import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { findChromium } from './chromium.ts'

const root = tmpdir()

test('a missing Chromium is one clear message that says how to install it', () => {
  let error: unknown
  try {
    findChromium({ BENCHGATE_CHROMIUM: join(root, 'no-such-chromium') })
  } catch (e) {
    error = e
  }
  expect(isUserError(error)).toBe(true)
  expect((error as Error).message).toContain('no-such-chromium: Chromium is not installed')
  expect((error as Error).message).toContain('run scripts/install-debian-packages.sh')
})
