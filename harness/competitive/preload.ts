// Data a system gets before it is measured, the same for every system of a scenario:
//   redis      keys 0 … n−1 through @redis/client (RESP3), MSET of BATCH keys at a time, then
//              DBSIZE must be at least n
//   memcached  SET of keys 0 … n−1 through memjs (binary protocol, no expiry), batches of BATCH,
//              then keys 0 and n−1 must read back
//   http       GET each of preload.requests once (to fill caches); a status ≥ 400 is an error
// Keys are `${scenario.key_prefix}${i}` (scenario-schema.ts; default `${name}:`), the keys the
// generator draws. Values
// are value_bytes long and deterministic (preloadValue), so every system holds the same bytes.
// A failure throws PreloadFailed naming the system and what went wrong.
import { createClient } from '@redis/client'
import memjs from 'memjs'
import type { Scenario } from './scenario-schema.ts'
import type { RunningSystem } from './systems.ts'

const BATCH = 1000

export class PreloadFailed extends Error {
  constructor(system: string, what: string) {
    super(`preloading ${system}: ${what}`)
    this.name = 'PreloadFailed'
  }
}

/** The key of number i. */
export function preloadKey(scenario: Pick<Scenario, 'key_prefix'>, i: number): string {
  return `${scenario.key_prefix}${i}`
}

/** The preloaded value of key i: `v<i>:` padded with '.' to `bytes` (cut to `bytes` if longer). */
export function preloadValue(i: number, bytes: number): string {
  return `v${i}:`.padEnd(bytes, '.').slice(0, bytes)
}

async function batches(n: number, each: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < n; start += BATCH) {
    const jobs: Promise<unknown>[] = []
    for (let i = start; i < Math.min(n, start + BATCH); i++) jobs.push(each(i))
    await Promise.all(jobs)
  }
}

async function preloadRedis(system: RunningSystem, scenario: Scenario): Promise<void> {
  const { keys, value_bytes } = scenario.preload
  const client = createClient({ socket: { host: system.host, port: system.port, reconnectStrategy: false }, maintNotifications: 'disabled' })
  client.on('error', () => {}) // failures surface through the commands
  await client.connect()
  try {
    for (let start = 0; start < keys; start += BATCH) {
      const pairs: [string, string][] = []
      for (let i = start; i < Math.min(keys, start + BATCH); i++) pairs.push([preloadKey(scenario, i), preloadValue(i, value_bytes)])
      await client.mSet(pairs)
    }
    const size = await client.dbSize()
    if (size < keys) throw new PreloadFailed(system.name, `DBSIZE is ${size} after writing ${keys} keys`)
  } finally {
    client.destroy()
  }
}

async function preloadMemcached(system: RunningSystem, scenario: Scenario): Promise<void> {
  const { keys, value_bytes } = scenario.preload
  const client = memjs.Client.create(`${system.host}:${system.port}`, { retries: 0, timeout: 5, logger: { log() {} } })
  try {
    await batches(keys, async (i) => {
      if (!(await client.set(preloadKey(scenario, i), preloadValue(i, value_bytes), { expires: 0 }))) {
        throw new PreloadFailed(system.name, `SET ${preloadKey(scenario, i)} was not stored`)
      }
    })
    for (const i of new Set([0, keys - 1])) {
      const { value } = await client.get(preloadKey(scenario, i))
      if (value?.toString() !== preloadValue(i, value_bytes)) throw new PreloadFailed(system.name, `${preloadKey(scenario, i)} did not read back`)
    }
  } finally {
    client.close()
  }
}

async function preloadHttp(system: RunningSystem, scenario: Scenario): Promise<void> {
  for (const path of scenario.preload.requests) {
    const res = await fetch(`${system.url}${path}`, { signal: AbortSignal.timeout(scenario.timeout_ms * 5) })
    await res.arrayBuffer()
    if (res.status >= 400) throw new PreloadFailed(system.name, `GET ${path} answered ${res.status}`)
  }
}

/** Writes the scenario's preload data into the running system. */
export async function preload(system: RunningSystem, scenario: Scenario): Promise<void> {
  try {
    if (scenario.protocol === 'http') await preloadHttp(system, scenario)
    else if (scenario.preload.keys > 0) await (scenario.protocol === 'redis' ? preloadRedis : preloadMemcached)(system, scenario)
  } catch (e) {
    if (e instanceof PreloadFailed) throw e
    throw new PreloadFailed(system.name, (e as Error).message)
  }
}
