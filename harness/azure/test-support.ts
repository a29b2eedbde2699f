// Helpers for tests: which processes are left in a process group, a loopback port nothing
// listens on, and an Azurite with one container for a whole test file.
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { afterAll, beforeAll, expect } from 'vitest'
import { isAlive } from '../run/cleanup.ts'
import { startAzurite, type Azurite } from './azurite.ts'
import { containerSas, createContainer, type BlobTarget } from './store.ts'

export { groupMembers } from '../run/cleanup.ts'

/** A loopback port that was free a moment ago and has no listener now. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * Starts Azurite before the file's tests with `container` created and hands it over with a
 * read-write-list SAS; afterwards stops it and checks that no process or workspace is left.
 */
export function useAzurite(container: string, started: (s: { azurite: Azurite; write: BlobTarget }) => void): void {
  let azurite: Azurite | undefined
  beforeAll(async () => {
    azurite = await startAzurite()
    await createContainer(azurite, container)
    started({ azurite, write: containerSas(azurite, container, { permissions: 'racwl' }) })
  })
  afterAll(async () => {
    if (!azurite) return
    await azurite.stop()
    expect(isAlive(azurite.pid)).toBe(false)
    expect(existsSync(azurite.location)).toBe(false)
  })
}
