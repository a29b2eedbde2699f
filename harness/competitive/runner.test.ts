// The runner's pure parts: the interleaved order of trials, the plan's time estimate, and the
// quick-run override that applies only without a configuration file.
import { expect, test } from 'vitest'
import type { LoadedConfig } from '../config/load.ts'
import { ConfigSchema } from '../config/schema.ts'
import { interleavedOrder, plannedSeconds } from './runner.ts'
import { parseScenarioText } from './scenario.ts'
import { competitiveSettings, EMBEDDED_SHORTEN } from './settings.ts'

const scenario = parseScenarioText(
  `name = "s"\nprotocol = "http"\n[arrival]\nmodel = "constant"\nrate = 10\n[[requests]]\npath = "/"\n` +
    ['c1', 'ours', 'c2'].map((n) => `[[systems]]\nname = "${n}"\nrole = "${n === 'ours' ? 'ours' : 'competitor'}"\ncommand = "node"\n`).join(''),
  's.toml',
)

test('trials alternate direction, ours first: ours c1 c2, c2 c1 ours, ours c1 c2', () => {
  expect(interleavedOrder(scenario, 3).map((p) => `${p.system}${p.trial}`)).toEqual(['ours1', 'c11', 'c21', 'c22', 'c12', 'ours2', 'ours3', 'c13', 'c23'])
})

test('the plan counts every trial, the cooldowns between them and a start per system', () => {
  const opts = { cooldownS: 2, shorten: { warmup_s: 1, duration_s: 5, trials: 2 } }
  expect(plannedSeconds(scenario, opts)).toBe(6 * 6 + 5 * 2 + 3 * 2)
})

test('shortened trials without a configuration file only; a file uses the scenarios\' own unless it sets shorten', () => {
  const embedded: LoadedConfig = { config: ConfigSchema.parse({}), source: null, hash: '' }
  const file: LoadedConfig = { ...embedded, source: '/x/benchgate.config.yaml' }
  expect(competitiveSettings(embedded).shorten).toEqual(EMBEDDED_SHORTEN)
  expect(competitiveSettings(file).shorten).toBeNull()
  const quick = { config: ConfigSchema.parse({ competitive: { shorten: { warmup_s: 0, duration_s: 2, trials: 1 } } }), source: '/x', hash: '' }
  expect(competitiveSettings(quick).shorten).toEqual({ warmup_s: 0, duration_s: 2, trials: 1 })
})
