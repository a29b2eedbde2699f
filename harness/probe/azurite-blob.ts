// The embedded blob store of a probe (and of the probe-versus-aria2c bench): an Azurite started
// for the run, one container, and a test blob of random bytes uploaded through a write SAS. The
// readers get a read-only SAS. stop() ends Azurite and removes its workspace; the account key is
// only reachable through `secrets` (for scrubbing output), never printed.
import { randomBytes } from 'node:crypto'
import { startAzurite, type Azurite } from '../azure/azurite.ts'
import { containerSas, createContainer, putBlob } from '../azure/store.ts'
import type { BlobTarget } from '../azure/target.ts'

export const PROBE_CONTAINER = 'benchgate-probe'

export interface EmbeddedBlob {
  /** Container URL and a read-only SAS. */
  readonly target: BlobTarget
  readonly blob: string
  readonly bytes: number
  readonly azurite: Azurite
  /** What must never appear in output: the SAS made here (their signatures) and the account key. */
  secrets(): { targets: BlobTarget[]; values: string[] }
  stop(): Promise<void>
}

/** Starts Azurite and uploads a `bytes`-long random blob named `blob`. */
export async function startEmbeddedBlob(blob: string, bytes: number): Promise<EmbeddedBlob> {
  const azurite = await startAzurite()
  try {
    await createContainer(azurite, PROBE_CONTAINER)
    const write = containerSas(azurite, PROBE_CONTAINER, { permissions: 'cw' })
    await putBlob(write, blob, randomBytes(bytes))
    const target = containerSas(azurite, PROBE_CONTAINER, { permissions: 'r' })
    return {
      target,
      blob,
      bytes,
      azurite,
      secrets: () => ({ targets: [write, target], values: [azurite.accountKey] }),
      stop: () => azurite.stop(),
    }
  } catch (e) {
    await azurite.stop()
    throw e
  }
}
