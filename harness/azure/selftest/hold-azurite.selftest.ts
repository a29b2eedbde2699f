// Starts Azurite, reports its pid and workspace to BG_AZURITE_REPORT, then waits until the run
// is interrupted (run by harness/azure/azurite.test.ts in a child Vitest).
import { writeFileSync } from 'node:fs'
import { test } from 'vitest'
import { startAzurite } from '../azurite.ts'

test('Azurite held until interrupted', { timeout: 60_000 }, async () => {
  const report = process.env.BG_AZURITE_REPORT
  if (!report) throw new Error('BG_AZURITE_REPORT is not set: this file is run by harness/azure/azurite.test.ts')
  const azurite = await startAzurite()
  writeFileSync(report, JSON.stringify({ pid: azurite.pid, location: azurite.location }))
  await new Promise(() => {})
})
