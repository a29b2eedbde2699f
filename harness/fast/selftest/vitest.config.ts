// A tiny Vitest project used by harness/fast/fixtures.test.ts: the fast-ab fixtures on a small
// volume, run in a child Vitest, to prove they leave no Azurite process or directory behind.
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../../..'),
    include: ['harness/fast/selftest/*.selftest.ts'],
    reporters: ['default'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
