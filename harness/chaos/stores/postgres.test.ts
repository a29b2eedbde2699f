// The postgres store against a real PostgreSQL 15 started by startPostgres: the round trip, the
// race of two computed writes on one key (one loses at SERIALIZABLE, both "win" at READ COMMITTED:
// the lost update the checker must find), crash recovery after kill -9, pause, and a stop that
// leaves no process and no data directory. The races are made deterministic with a table lock:
// both writes have read the key and wait on the lock before either may write.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { isAlive } from '../../run/cleanup.ts'
import type { CommitOutcome, StoreAdapter, StoreSession } from '../types.ts'
import { postgresStore, tableName, type PostgresIsolation } from './postgres.ts'
import { POSTGRES_USER, startPostgres, type PostgresServer } from './postgres-server.ts'

const VALUE_SIZE = 64
let server: PostgresServer
const adapters: StoreAdapter[] = []

beforeAll(async () => {
  server = await startPostgres()
}, 60_000)

afterAll(async () => {
  for (const a of adapters) await a.close()
  await server?.stop()
})

function adapter(isolation: PostgresIsolation): StoreAdapter {
  const a = postgresStore({ host: server.host, port: server.port, isolation, valueSize: VALUE_SIZE, poolSize: 4 })
  adapters.push(a)
  return a
}

const signal = () => AbortSignal.timeout(10_000)

/** The state letter of /proc/<pid>/stat: R, S, T (stopped), Z, … */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
}

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ host: server.host, port: server.port, user: POSTGRES_USER, database: 'postgres' })
  await client.connect()
  try {
    return (await client.query<T>(text, params)).rows
  } finally {
    await client.end()
  }
}

/**
 * Two computed writes of key `k`, forced to overlap: a third connection holds an EXCLUSIVE lock on
 * the table (reads pass, writes wait) until both have read the key and wait to write it.
 */
async function race(session: StoreSession, prefix: string, computed: boolean): Promise<CommitOutcome[]> {
  const table = tableName(prefix)
  const locker = new pg.Client({ host: server.host, port: server.port, user: POSTGRES_USER, database: 'postgres' })
  await locker.connect()
  try {
    await locker.query('BEGIN')
    await locker.query(`LOCK TABLE "${table}" IN EXCLUSIVE MODE`)
    const writes = ['a', 'b'].map((w) => session.write({ key: 'k', value: `${w}-1-a0`, txn: `t:${w}-1-a0`, computed }, signal()))
    for (;;) {
      const [row] = await sql<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "${table}"%'`)
      if (Number(row!.n) === 2) break
      await new Promise((ok) => setTimeout(ok, 20))
    }
    await locker.query('COMMIT')
    return await Promise.all(writes)
  } finally {
    await locker.end()
  }
}

test('startPostgres without the binaries fails and says how to install them', async () => {
  await expect(startPostgres({ binDir: '/nonexistent/postgresql/15/bin' })).rejects.toThrow(/bash scripts\/install-debian-packages\.sh/)
})

test('the server describes itself and listens on loopback', () => {
  expect(server.description).toMatch(/^postgres 15\.\d+/)
  expect(server.host).toBe('127.0.0.1')
  expect(isAlive(server.pid)).toBe(true)
  expect(existsSync(`${server.dir}/data/PG_VERSION`)).toBe(true)
})

test('writes, reads and deletes round trip, values padded to the value size', async () => {
  const store = adapter('serializable')
  const s = await store.open('run-roundtrip')
  expect(await s.read('k1', signal())).toEqual({ value: null, version: 0 })
  expect(await s.write({ key: 'k1', value: 'w0-1-a0', txn: 't:w0-1-a0', computed: true }, signal()))
    .toEqual({ kind: 'ok', version: 1, prev: { value: null, version: 0 }, txn: 't:w0-1-a0' })
  expect(await s.read('k1', signal())).toEqual({ value: 'w0-1-a0', version: 1 })
  expect(await s.write({ key: 'k1', value: 'w0-2-a0', txn: 't:w0-2-a0', computed: false }, signal()))
    .toEqual({ kind: 'ok', version: 2, prev: { value: 'w0-1-a0', version: 1 }, txn: 't:w0-2-a0' })
  const [stored] = await sql<{ value: string; txn: string }>(`SELECT value, txn FROM "${tableName('run-roundtrip')}" WHERE key = 'k1'`)
  expect(Buffer.byteLength(stored!.value)).toBe(VALUE_SIZE)
  expect(stored!.txn).toBe('t:w0-2-a0')
  expect(await s.write({ key: 'k1', value: null, txn: 't:w0-3-a0', computed: true }, signal()))
    .toEqual({ kind: 'ok', version: 3, prev: { value: 'w0-2-a0', version: 2 }, txn: 't:w0-3-a0' })
  expect(await s.read('k1', signal())).toEqual({ value: null, version: 3 })
  await expect(store.open('run-roundtrip')).rejects.toThrow(/exists already.*run-roundtrip/)
})

test('SERIALIZABLE: of two overlapping computed writes of one key one commits, the other conflicts (40001)', async () => {
  const s = await adapter('serializable').open('run-serializable')
  const outcomes = await race(s, 'run-serializable', true)
  const kinds = outcomes.map((o) => o.kind).sort()
  expect(kinds).toEqual(['conflict', 'ok'])
  const conflict = outcomes.find((o) => o.kind === 'conflict')
  expect(conflict).toMatchObject({ kind: 'conflict', error: expect.stringMatching(/^40001 /), prev: { value: null, version: 0 } })
  expect(outcomes.find((o) => o.kind === 'ok')).toMatchObject({ version: 1 })
  // and the connection that lost is usable again
  expect((await s.read('k', signal())).version).toBe(1)
})

test('READ COMMITTED: both overlapping computed writes commit the same version (the lost update is real)', async () => {
  const s = await adapter('read committed').open('run-read-committed')
  const outcomes = await race(s, 'run-read-committed', true)
  expect(outcomes).toEqual([
    { kind: 'ok', version: 1, prev: { value: null, version: 0 }, txn: 't:a-1-a0' },
    { kind: 'ok', version: 1, prev: { value: null, version: 0 }, txn: 't:b-1-a0' },
  ])
  const after = await s.read('k', signal())
  expect(after.version).toBe(1)
  expect(['a-1-a0', 'b-1-a0']).toContain(after.value) // one of the two acknowledged writes is gone
})

test('READ COMMITTED, server-computed versions: overlapping writes get versions 1 and 2', async () => {
  const s = await adapter('read committed').open('run-rc-server-version')
  const outcomes = await race(s, 'run-rc-server-version', false)
  expect(outcomes.map((o) => (o.kind === 'ok' ? o.version : o.kind)).sort()).toEqual([1, 2])
})

test('restart (kill -9) keeps committed data, on the same port, with a new pid', async () => {
  const s = await adapter('serializable').open('run-restart')
  await s.write({ key: 'kept', value: 'w0-1-a0', txn: 't:w0-1-a0', computed: true }, signal())
  const [oldPid, port, before] = [server.pid, server.port, server.processes()]
  expect(before.length).toBeGreaterThan(3) // postmaster, checkpointer, WAL writer, backends, …
  await server.restart()
  expect(before.filter(isAlive)).toEqual([])
  expect(server.pid).not.toBe(oldPid)
  expect(server.port).toBe(port)
  expect(await s.read('kept', signal())).toEqual({ value: 'w0-1-a0', version: 1 })
  expect(await s.write({ key: 'kept', value: 'w0-2-a0', txn: 't:w0-2-a0', computed: true }, signal())).toMatchObject({ kind: 'ok', version: 2 })
})

test('pause stops every answer until resume; an aborted operation throws (outcome unknown)', async () => {
  const s = await adapter('serializable').open('run-pause')
  await s.write({ key: 'p', value: 'w0-1-a0', txn: 't:w0-1-a0', computed: true }, signal())
  server.pause()
  try {
    for (const pid of server.processes()) await expect.poll(() => processState(pid)).toBe('T') // SIGSTOP lands asynchronously
    await expect(s.read('p', AbortSignal.timeout(300))).rejects.toThrow(/aborted.*unknown/)
    await expect(s.write({ key: 'p', value: 'w0-2-a0', txn: 't:w0-2-a0', computed: true }, AbortSignal.timeout(300))).rejects.toThrow(/aborted.*unknown/)
  } finally {
    server.resume()
  }
  const after = await s.read('p', signal())
  expect(after.version === 1 || after.version === 2).toBe(true) // the aborted write may or may not have committed
  expect(await s.write({ key: 'p', value: 'w0-3-a0', txn: 't:w0-3-a0', computed: true }, signal())).toMatchObject({ kind: 'ok', version: after.version + 1 })
})

test('an error the server reports before COMMIT is a fail; a store that cannot connect says so', async () => {
  const s = await adapter('serializable').open('run-fail')
  const huge = randomBytes(10_000).toString('hex') // too big for a btree index row: 54000 at the INSERT
  const outcome = await s.write({ key: huge, value: 'w0-1-a0', txn: 't:w0-1-a0', computed: true }, signal())
  expect(outcome).toMatchObject({ kind: 'fail', error: expect.stringMatching(/^54000 /) })
  expect(await s.write({ key: 'after', value: 'w0-2-a0', txn: 't:w0-2-a0', computed: true }, signal())).toMatchObject({ kind: 'ok', version: 1 })
  const nowhere = postgresStore({ host: '127.0.0.1', port: 1, isolation: 'serializable', valueSize: VALUE_SIZE })
  adapters.push(nowhere)
  await expect(nowhere.open('run-nowhere')).rejects.toThrow(/cannot create table .*ECONNREFUSED/)
})

test('stop leaves no process and no data directory, and is safe twice', async () => {
  for (const a of adapters.splice(0)) await a.close()
  const { dir } = server
  const before = server.processes()
  expect(before.length).toBeGreaterThan(3)
  await server.stop()
  await server.stop()
  expect(before.filter(isAlive)).toEqual([])
  expect(existsSync(dir)).toBe(false)
})
