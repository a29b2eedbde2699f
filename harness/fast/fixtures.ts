// The fixtures the fast-ab scenario stands on, on top of the harness's own (../test.ts); both wrap
// the plain functions of ./session-setup.ts (which `benchgate run` calls directly):
//   fastVolume  (worker) the volume twice: a .zgy in the NAS directory (generated and cached
//               between runs, or config volume.file) and its chunked copy in blob storage —
//               an embedded Azurite started here and stopped afterwards, or the configured Azure
//               container; the same code path, only endpoint and credentials differ. The reader
//               only ever gets a read-only SAS.
//   sessions    (test) runs sessions under a 10 Hz sampler and computes their KPIs: headless reader
//               sessions, or desktop sessions through the application's window when fast.driver
//               (or the `fastDriver` option, set by `test.override({ fastDriver: 'desktop' })`) is desktop.
import { test as harnessTest } from '../test.ts'
import { createSessions, prepareVolume, type FastVolume } from './session-setup.ts'
import type { Sessions } from './sessions.ts'

export { expect } from '../test.ts'
export { CONTAINER, type FastVolume } from './session-setup.ts'

export interface FastFixtures {
  fastVolume: FastVolume
  sessions: Sessions
  /** Overrides fast.driver for a bench file; null: as configured. */
  fastDriver: 'reader' | 'desktop' | null
}

export const test = harnessTest.extend<FastFixtures>({
  fastVolume: [
    async ({ config }, use) => {
      const { release, ...volume } = await prepareVolume(config)
      try {
        await use(volume)
      } finally {
        await release()
      }
    },
    { scope: 'worker' },
  ],

  fastDriver: null,

  sessions: async ({ fastVolume, config, run, fastDriver }, use) => {
    const made = createSessions(config, fastVolume, run, fastDriver)
    try {
      await use(made.sessions)
    } finally {
      await made.release()
    }
  },
})
