// The chaos section of the configuration, resolved once for the bench project, with the quick run
// that applies without a configuration file. A file's run uses the original durations (60 s per
// sweep configuration, 5 minutes per scenario) unless it sets its own; the embedded default
// shortens both, and the commits a configuration needs to count as the best, so the whole project
// (a 96-configuration sweep and nine scenarios on Azurite) fits in minutes.
import type { LoadedConfig } from '../config/load.ts'
import type { Config } from '../config/schema.ts'

/** Without a configuration file: 4 s per configuration, 20 s per scenario, 10 commits to count. */
export const EMBEDDED_SHORTEN = { sweep_duration_s: 4, scenario_duration_s: 20, min_commits: 10 } as const

export type ChaosConfig = Config['chaos']

export interface ChaosSettings {
  chaos: ChaosConfig
  /** Seconds of load per sweep configuration. */
  sweepDurationS: number
  /** Seconds of load per scenario. */
  scenarioDurationS: number
  minCommits: number
  /** True when the durations were shortened (no configuration file). */
  shortened: boolean
}

export function chaosSettings(loaded: LoadedConfig): ChaosSettings {
  const c = loaded.config.chaos
  const shortened = loaded.source === null
  return {
    chaos: c,
    sweepDurationS: shortened ? EMBEDDED_SHORTEN.sweep_duration_s : c.sweep.duration_s,
    scenarioDurationS: shortened ? EMBEDDED_SHORTEN.scenario_duration_s : c.scenario_duration_s,
    minCommits: shortened ? EMBEDDED_SHORTEN.min_commits : c.sweep.min_commits,
    shortened,
  }
}
