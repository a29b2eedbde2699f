// fast-ab through the desktop application: the same A/B cases and gates as fast-ab.bench.ts, each
// session run through the application's window — launched and attached, the workflow's keys
// pressed, open_time_s from the first pixel seen on the screen — under the same sampler. On the
// embedded default the application is our seismic viewer in a Chromium window on Xvfb; with
// petrel.executable configured it is Petrel on the workstation.
import { loadConfig } from '../../harness/config/load.ts'
import { test } from '../../harness/fast/fixtures.ts'
import type { AbOutcome } from '../../harness/fast/scenario.ts'
import { abAnalysis, abCases } from './ab-cases.ts'

const { config } = loadConfig()
const outcomes: AbOutcome[] = []

test.override({ fastDriver: 'desktop' })

abCases(test, config.cache.policy, config.workflows.enabled, outcomes)
abAnalysis(test, outcomes)
