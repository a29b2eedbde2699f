// The postgres store: a StoreAdapter on PostgreSQL (the `pg` client), each run in a table of its
// own, every transaction at the configured isolation level (SERIALIZABLE, REPEATABLE READ or READ
// COMMITTED: the BEGIN of each write says it, and the session default covers reads).
//
// Table `kv_<prefix, sanitised>_<hash of the prefix>`: key text primary key, value text (null = a
// delete's tombstone), version bigint, txn text (the attempt that wrote the row). An absent key
// reads as { value: null, version: 0 }; nothing is pre-populated.
//
// A write is one transaction:
//   BEGIN ISOLATION LEVEL <level>
//   SELECT value, version FROM t WHERE key = $1                 → prev
//   computed:  upsert value, version = prev.version + 1           (the version computed by the client)
//   otherwise: upsert value, version = t.version + 1 RETURNING    (computed by the server, on the row)
//   COMMIT                                                        → { kind: 'ok', version, prev, txn }
// The value is the token padded to valueSize (./value-padding.ts), stripped again on read; a delete
// writes a NULL value with its version. Under READ COMMITTED two concurrent computed writes of one
// key both read version n and both commit version n + 1: a lost update, on purpose — it is what
// the checker must find. SERIALIZABLE and REPEATABLE READ make the second one fail with 40001.
//
// Outcomes: SQLSTATE 40001 (serialization failure) or 40P01 (deadlock), before or at COMMIT, is a
// `conflict` (the server rolled the transaction back); any other error before COMMIT was sent is a
// `fail` (the transaction never committed; a dropped connection rolls it back); any other error at
// COMMIT (a reset, the server killed) throws: the outcome is unknown. An abort destroys that
// operation's connection at once and throws (unknown), whatever the stage.
import { createHash } from 'node:crypto'
import pg from 'pg'
import type { CommitOutcome, StoreAdapter, StoreSession, Versioned, WriteRequest } from '../types.ts'
import { PgPool } from './pg-pool.ts'
import { POSTGRES_USER } from './postgres-server.ts'
import { padValue, stripValue } from './value-padding.ts'

export type PostgresIsolation = 'serializable' | 'repeatable read' | 'read committed'

export interface PostgresStoreOptions {
  host: string
  port: number
  isolation: PostgresIsolation
  /** Bytes per stored value (the token padded). */
  valueSize: number
  /** Connections open at most. Default 16. */
  poolSize?: number
  /** Default `postgres` (the fixture's trust-authenticated superuser). */
  user?: string
  /** Default `postgres`. */
  database?: string
}

/** Serialization failure and deadlock: the transaction lost a race and was rolled back. */
const CONFLICT_CODES = new Set(['40001', '40P01'])
const OPEN_TIMEOUT_MS = 30_000

/** The table of a run's prefix: `kv_` + the prefix in [a-z0-9_] (at most 40 of them) + `_` + 8 hex of its SHA-1. */
export function tableName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40)
  const hash = createHash('sha1').update(prefix).digest('hex').slice(0, 8)
  return `kv_${clean}_${hash}`
}

function versioned(row: { value: string | null; version: string | number } | undefined): Versioned {
  return row ? { value: stripValue(row.value), version: Number(row.version) } : { value: null, version: 0 }
}

function describe(e: unknown): string {
  if (e instanceof pg.DatabaseError) return `${e.code ?? '?'} ${e.message}`
  return e instanceof Error ? e.message : String(e)
}

function aborted(what: string, signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason)
  return new Error(`postgres store: ${what} aborted (${reason}); its outcome is unknown`)
}

export function postgresStore(options: PostgresStoreOptions): StoreAdapter {
  return new PostgresStore(options)
}

class PostgresStore implements StoreAdapter {
  readonly name: string
  readonly #pool: PgPool
  readonly #isolation: PostgresIsolation
  readonly #valueSize: number
  #closing: Promise<void> | null = null

  constructor(options: PostgresStoreOptions) {
    this.name = `postgres (${options.isolation})`
    this.#isolation = options.isolation
    this.#valueSize = options.valueSize
    this.#pool = new PgPool({
      host: options.host,
      port: options.port,
      user: options.user ?? POSTGRES_USER,
      database: options.database ?? 'postgres',
      size: options.poolSize ?? 16,
      options: `-c default_transaction_isolation=${options.isolation.replace(' ', '\\ ')}`,
    })
  }

  async open(prefix: string): Promise<StoreSession> {
    const table = tableName(prefix)
    const signal = AbortSignal.timeout(OPEN_TIMEOUT_MS)
    let client: pg.Client
    try {
      client = await this.#pool.acquire(signal)
    } catch (e) {
      throw new Error(`postgres store: cannot create table ${table} for prefix '${prefix}': no connection: ${signal.aborted ? `none within ${OPEN_TIMEOUT_MS / 1000} s` : describe(e)}`)
    }
    const onAbort = () => this.#pool.destroy(client)
    signal.addEventListener('abort', onAbort, { once: true })
    let ok = false
    try {
      await client.query(`CREATE TABLE "${table}" (key text PRIMARY KEY, value text, version bigint NOT NULL, txn text)`)
      ok = true
    } catch (e) {
      if (signal.aborted) throw aborted(`creating table ${table}`, signal)
      if (e instanceof pg.DatabaseError && e.code === '42P07') throw new Error(`postgres store: table ${table} exists already: the run prefix '${prefix}' was used before`)
      throw new Error(`postgres store: cannot create table ${table} for prefix '${prefix}': ${describe(e)}`)
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.#pool.release(client, ok)
    }
    return new PostgresSession(this.#pool, table, this.#isolation.toUpperCase(), this.#valueSize)
  }

  close(): Promise<void> {
    this.#closing ??= this.#pool.end()
    return this.#closing
  }
}

class PostgresSession implements StoreSession {
  readonly #pool: PgPool
  readonly #begin: string
  readonly #valueSize: number
  readonly #select: string
  readonly #upsertComputed: string
  readonly #upsertIncrement: string

  constructor(pool: PgPool, table: string, level: string, valueSize: number) {
    this.#pool = pool
    this.#valueSize = valueSize
    this.#begin = `BEGIN ISOLATION LEVEL ${level}`
    this.#select = `SELECT value, version FROM "${table}" WHERE key = $1`
    this.#upsertComputed = `INSERT INTO "${table}" (key, value, version, txn) VALUES ($1, $2, $3, $4)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, txn = excluded.txn`
    this.#upsertIncrement = `INSERT INTO "${table}" AS t (key, value, version, txn) VALUES ($1, $2, 1, $3)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = t.version + 1, txn = excluded.txn RETURNING version`
  }

  /** A connection for one operation, destroyed if `signal` aborts while it is in use. */
  async #with<T>(signal: AbortSignal, what: string, work: (client: pg.Client) => Promise<T>, keep: (e: unknown) => boolean): Promise<T> {
    let client: pg.Client
    try {
      client = await this.#pool.acquire(signal)
    } catch (e) {
      throw signal.aborted ? aborted(what, signal) : e
    }
    const onAbort = () => this.#pool.destroy(client)
    signal.addEventListener('abort', onAbort, { once: true })
    let ok = true
    try {
      return await work(client)
    } catch (e) {
      ok = keep(e)
      throw signal.aborted ? aborted(what, signal) : e
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.#pool.release(client, ok && !signal.aborted)
    }
  }

  async read(key: string, signal: AbortSignal): Promise<Versioned> {
    return this.#with(signal, `read of ${key}`, async (client) => {
      const result = await client.query<{ value: string | null; version: string }>(this.#select, [key])
      return versioned(result.rows[0])
    }, (e) => e instanceof pg.DatabaseError)
  }

  async write(request: WriteRequest, signal: AbortSignal): Promise<CommitOutcome> {
    let client: pg.Client
    try {
      client = await this.#pool.acquire(signal)
    } catch (e) {
      if (signal.aborted) throw aborted(`write ${request.txn}`, signal)
      return { kind: 'fail', error: `postgres store: no connection: ${describe(e)}` }
    }
    const onAbort = () => this.#pool.destroy(client)
    signal.addEventListener('abort', onAbort, { once: true })
    let reusable = false
    let prev: Versioned | undefined
    let committing = false
    try {
      await client.query(this.#begin)
      prev = versioned((await client.query<{ value: string | null; version: string }>(this.#select, [request.key])).rows[0])
      const value = padValue(request.value, this.#valueSize)
      let version: number
      if (request.computed) {
        version = prev.version + 1
        await client.query(this.#upsertComputed, [request.key, value, version, request.txn])
      } else {
        const result = await client.query<{ version: string }>(this.#upsertIncrement, [request.key, value, request.txn])
        version = Number(result.rows[0]!.version)
      }
      committing = true
      await client.query('COMMIT')
      reusable = true
      return { kind: 'ok', version, prev, txn: request.txn }
    } catch (e) {
      if (signal.aborted) throw aborted(`write ${request.txn}${committing ? ' during COMMIT' : ''}`, signal)
      const conflict = e instanceof pg.DatabaseError && CONFLICT_CODES.has(e.code ?? '')
      if (committing && !conflict) throw new Error(`postgres store: COMMIT of ${request.txn} failed, its outcome is unknown: ${describe(e)}`)
      reusable = await rollback(client)
      if (conflict) return { kind: 'conflict', error: describe(e), ...(prev ? { prev } : {}) }
      return { kind: 'fail', error: describe(e) }
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.#pool.release(client, reusable && !signal.aborted)
    }
  }
}

/** Ends a failed transaction; false when the connection is no longer usable. */
async function rollback(client: pg.Client): Promise<boolean> {
  try {
    await client.query('ROLLBACK')
    return true
  } catch {
    return false
  }
}
