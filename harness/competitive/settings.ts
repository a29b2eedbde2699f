// The competitive section of the configuration, resolved once for the CLI and the bench project:
// paths made absolute, and the quick-run override that applies without a configuration file (the
// embedded default runs every shipped scenario in a few minutes; a team's quarterly run with a
// file uses its scenarios' own warm-up, duration and trials unless it sets `shorten`).
import { resolve } from 'node:path'
import type { LoadedConfig } from '../config/load.ts'
import type { Shorten } from './load-spec.ts'

/** Without a configuration file: 1 s warm-up, 5 s measured, 3 trials per system. */
export const EMBEDDED_SHORTEN: Shorten = { warmup_s: 1, duration_s: 5, trials: 3 }

export interface CompetitiveSettings {
  scenariosDir: string
  expectedScenarios?: number
  resultsDir: string
  cooldownS: number
  sampleIntervalS: number
  runTimeoutS?: number
  shorten: Shorten | null
  preflight: LoadedConfig['config']['competitive']['preflight']
}

export function competitiveSettings(loaded: LoadedConfig, cwd = process.cwd()): CompetitiveSettings {
  const c = loaded.config.competitive
  return {
    scenariosDir: resolve(cwd, c.scenarios_dir),
    ...(c.expected_scenarios === undefined ? {} : { expectedScenarios: c.expected_scenarios }),
    resultsDir: resolve(cwd, c.results_dir ?? resolve(loaded.config.output.results_dir, 'competitive')),
    cooldownS: c.cooldown_s,
    sampleIntervalS: c.sample_interval_s,
    ...(c.run_timeout_s === undefined ? {} : { runTimeoutS: c.run_timeout_s }),
    shorten: c.shorten !== undefined ? c.shorten : loaded.source === null ? EMBEDDED_SHORTEN : null,
    preflight: c.preflight,
  }
}
