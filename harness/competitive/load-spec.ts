// From a scenario and one running system to the generator's LoadSpec: every system of a scenario
// gets the same spec but for its address, so the comparison differs only in the server. The
// quick-run overrides (`competitive.shorten`) replace warm-up, duration and trials here and nowhere
// else, so the plan, the ETA and the run agree.
import type { HttpRequestKind, KvOperationKind, LoadSpec } from '../load/types.ts'
import type { Scenario } from './scenario-schema.ts'

export interface Shorten {
  warmup_s: number
  duration_s: number
  trials: number
}

/** Warm-up, duration and trials of a scenario after the quick-run override, if any. */
export function timing(scenario: Scenario, shorten: Shorten | null | undefined): Shorten {
  return shorten ?? { warmup_s: scenario.warmup_s, duration_s: scenario.duration_s, trials: scenario.trials }
}

/** Keys are `${key_prefix}${i}`, as preload writes them; GETs and SETs draw i in [0, key_space) so they hit preloaded keys. */
export function kvKeyPrefix(scenario: Scenario): string {
  return scenario.key_prefix
}

export function httpRequests(scenario: Scenario): HttpRequestKind[] {
  return scenario.requests.map((r) => ({
    name: r.name ?? `${r.method} ${r.path}`,
    weight: r.weight,
    method: r.method,
    path: r.path,
    headers: r.headers,
    ...(r.body === undefined ? {} : { body: r.body }),
    expectStatus: r.expect_status,
  }))
}

export function kvOperations(scenario: Scenario): KvOperationKind[] {
  return scenario.operations.map((o) => ({
    name: o.name ?? o.op,
    weight: o.weight,
    op: o.op,
    keySpace: o.key_space,
    keyPrefix: kvKeyPrefix(scenario),
    valueBytes: o.value_bytes,
  }))
}

export function loadSpecFor(scenario: Scenario, address: { host: string; port: number }, shorten: Shorten | null | undefined, extra: Pick<LoadSpec, 'onProgress' | 'signal'> = {}): LoadSpec {
  const t = timing(scenario, shorten)
  const target: LoadSpec['target'] =
    scenario.protocol === 'http'
      ? { protocol: 'http', url: `http://${address.host}:${address.port}`, requests: httpRequests(scenario) }
      : { protocol: scenario.protocol, host: address.host, port: address.port, operations: kvOperations(scenario) }
  return {
    target,
    arrival: scenario.arrival,
    connections: scenario.connections,
    warmupS: t.warmup_s,
    durationS: t.duration_s,
    timeoutMs: scenario.timeout_ms,
    lateMs: scenario.late_ms,
    maxQueue: scenario.max_queue,
    seed: scenario.seed,
    threads: scenario.threads,
    ...extra,
  }
}
