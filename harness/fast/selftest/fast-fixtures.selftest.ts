// Uses the fast-ab fixtures (volume, Azurite, one reader session), reports what they started to
// BG_FAST_REPORT, then ends normally or, with BG_FAST_HOLD=1, waits to be interrupted.
// Run by harness/fast/fixtures.test.ts in a child Vitest with a small volume configured.
import { writeFileSync } from 'node:fs'
import { expect, test } from '../fixtures.ts'

test('fast-ab fixtures', async ({ fastVolume, sessions }) => {
  const report = process.env.BG_FAST_REPORT
  if (!report) throw new Error('BG_FAST_REPORT is not set: this file is run by harness/fast/fixtures.test.ts')
  const s = await sessions.run('B', 'open', 'Warm')
  expect(s.summary.spans.open_time_s).toBeGreaterThan(0)
  writeFileSync(report, JSON.stringify({ azurite: fastVolume.azurite, workDir: sessions.setup.workDir, reader: s.summary.pid }))
  if (process.env.BG_FAST_HOLD === '1') await new Promise(() => {})
})
