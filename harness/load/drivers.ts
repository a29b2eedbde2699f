// The protocol driver a target names: HTTP through undici, Redis through @redis/client,
// memcached through memjs. One place, so the main thread and the worker threads build the same.
import type { Driver } from './connection.ts'
import { httpDriver } from './http.ts'
import { kvDriver } from './kv.ts'
import type { Target } from './types.ts'

export function driverFor(target: Target, timeoutMs: number, seed: number): Driver {
  switch (target.protocol) {
    case 'http':
      return httpDriver(target.url, target.requests, timeoutMs)
    case 'redis':
    case 'memcached':
      return kvDriver(target.protocol, target.host, target.port, target.operations, { timeoutMs, seed })
    default:
      throw new Error(`target.protocol: expected http, redis or memcached, got ${String((target as { protocol: unknown }).protocol)}`)
  }
}
