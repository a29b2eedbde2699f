import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { loadConfig } from '../config/load.ts'
import { chaosSettings, EMBEDDED_SHORTEN } from './settings.ts'

const dir = mkdtempSync(join(tmpdir(), 'bg-chaos-settings-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('without a configuration file the durations are shortened; a file gets the original 60 s and 5 minutes', () => {
  const embedded = chaosSettings(loadConfig({ env: {}, cwd: dir }))
  expect(embedded).toMatchObject({ shortened: true, sweepDurationS: EMBEDDED_SHORTEN.sweep_duration_s, scenarioDurationS: EMBEDDED_SHORTEN.scenario_duration_s, minCommits: EMBEDDED_SHORTEN.min_commits })
  expect(embedded.chaos.scenarios.map((s) => s.name)).toEqual(['baseline', 'latency-50ms', 'latency-100ms', 'latency-200ms', 'cpu-2x50', 'cpu-4x80', 'combined-100ms-cpu-2x50', 'restart', 'pause'])

  const file = join(dir, 'benchgate.config.yaml')
  writeFileSync(file, 'chaos:\n  store: postgres\n')
  const fromFile = chaosSettings(loadConfig({ path: file }))
  expect(fromFile).toMatchObject({ shortened: false, sweepDurationS: 60, scenarioDurationS: 300, minCommits: 50 })
  expect(fromFile.chaos.sweep).toMatchObject({ writers: [2, 3, 4], writer_rate: [2, 5], overlap: [0.1, 0.2, 0.3, 0.4], readers: [1, 2], reader_rate: [5, 10], parallel: 8 })
})
