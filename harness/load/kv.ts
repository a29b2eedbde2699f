// Key-value connections for the load engine: Redis through @redis/client, memcached through memjs
// (its binary protocol, which memcached 1.6 speaks).
//
// Method: one client per connection, one command at a time on it (as the HTTP driver: the
// engine's queue, not the client's, holds waiting requests). Keys are `${keyPrefix}${i}` with i
// uniform in [0, keySpace) from the seeded generator; SET values are `valueBytes` bytes, built
// once per kind. A GET of a missing key is a success (the server answered); an error reply,
// a timeout or a socket failure is an error of its kind. Timeouts from the actual send at the
// spec's timeoutMs: @redis/client's per-command `timeout` with `rejectInFlight` (the reply is
// discarded when it comes), memjs's `timeout` (seconds) with one attempt (no retries, no failover).
import { createClient } from '@redis/client'
import memjs from 'memjs'
import { errorKind, type Connection, type Done, type Driver } from './connection.ts'
import { seededUniform, type Uniform } from './random.ts'
import type { KvOperationKind } from './types.ts'

interface Op {
  readonly get: boolean
  readonly prefix: string
  readonly keySpace: number
  readonly value: string
}

function ops(operations: readonly KvOperationKind[]): Op[] {
  if (operations.length === 0) throw new Error('target.operations: expected at least one operation kind')
  return operations.map((o, i) => {
    if (!(Number.isInteger(o.keySpace) && o.keySpace > 0)) throw new Error(`target.operations[${i}].keySpace: expected a whole number > 0, got ${o.keySpace}`)
    if (o.op !== 'get' && o.op !== 'set') throw new Error(`target.operations[${i}].op: expected get or set, got ${String(o.op)}`)
    return { get: o.op === 'get', prefix: o.keyPrefix, keySpace: o.keySpace, value: o.op === 'set' ? 'x'.repeat(Math.max(0, o.valueBytes)) : '' }
  })
}

const keyOf = (op: Op, uniform: Uniform) => op.prefix + Math.floor(uniform() * op.keySpace)

class RedisConnection implements Connection {
  readonly #client: ReturnType<typeof createClient>
  readonly #ops: readonly Op[]
  readonly #uniform: Uniform
  readonly #ok: () => void
  readonly #fail: (e: unknown) => void

  constructor(id: number, client: ReturnType<typeof createClient>, operations: readonly Op[], uniform: Uniform, done: Done) {
    this.#client = client
    this.#ops = operations
    this.#uniform = uniform
    this.#ok = () => done(id, null)
    this.#fail = (e) => done(id, errorKind(e))
  }

  send(kind: number): void {
    const op = this.#ops[kind]!
    const key = keyOf(op, this.#uniform)
    ;(op.get ? this.#client.get(key) : this.#client.set(key, op.value)).then(this.#ok, this.#fail)
  }

  async close(): Promise<void> {
    this.#client.destroy()
  }
}

class MemcachedConnection implements Connection {
  readonly #client: memjs.Client
  readonly #ops: readonly Op[]
  readonly #uniform: Uniform
  readonly #callback: (err: Error | null) => void

  constructor(id: number, client: memjs.Client, operations: readonly Op[], uniform: Uniform, done: Done) {
    this.#client = client
    this.#ops = operations
    this.#uniform = uniform
    this.#callback = (err) => done(id, err ? errorKind(err) : null)
  }

  send(kind: number): void {
    const op = this.#ops[kind]!
    const key = keyOf(op, this.#uniform)
    if (op.get) this.#client.get(key, this.#callback)
    else this.#client.set(key, op.value, {}, this.#callback)
  }

  async close(): Promise<void> {
    this.#client.close()
  }
}

const silent = { log() {} }

export function kvDriver(protocol: 'redis' | 'memcached', host: string, port: number, operations: readonly KvOperationKind[], options: { timeoutMs: number; seed: number }): Driver {
  const list = ops(operations)
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`target.port: expected a TCP port, got ${port}`)
  return {
    weights: operations.map((o) => o.weight),
    async connect(id, done) {
      const uniform = seededUniform(options.seed * 7919 + id)
      if (protocol === 'redis') {
        const client = createClient({ socket: { host, port, connectTimeout: options.timeoutMs, reconnectStrategy: false }, commandOptions: { timeout: options.timeoutMs, rejectInFlight: true } })
        client.on('error', () => {}) // each failed command reports its own error
        await client.connect()
        return new RedisConnection(id, client as ReturnType<typeof createClient>, list, uniform, done)
      }
      const client = memjs.Client.create(`${host}:${port}`, { retries: 1, failover: false, timeout: options.timeoutMs / 1000, conntimeout: options.timeoutMs / 1000, logger: silent })
      // memjs connects on the first command: one GET opens the socket before the run
      await new Promise<void>((resolve, reject) => client.get(`${list[0]!.prefix}0`, (err) => (err ? reject(new Error(`memcached at ${host}:${port}: ${err.message}`)) : resolve())))
      return new MemcachedConnection(id, client, list, uniform, done)
    },
  }
}
