// A tiny Vitest project used by harness/azure/azurite.test.ts: a test that starts Azurite and
// waits to be interrupted, to prove Ctrl-C leaves no Azurite process or workspace behind.
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../../..'),
    include: ['harness/azure/selftest/*.selftest.ts'],
    reporters: ['default'],
  },
})
