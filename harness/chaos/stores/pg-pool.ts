// A small pool of PostgreSQL connections for the postgres store, built for faults: every wait and
// every connection can be abandoned through an AbortSignal, and abandoning a connection destroys
// its socket at once (pg's own end() sends Terminate and waits for the server, which a paused or
// blackholed server never answers; pg-pool's end() waits for connects in flight the same way).
//   acquire(signal)    an idle connection, a new one while fewer than `size` are open, else the
//                      first to be released; an abort while waiting or connecting throws
//   release(c, ok)     back to the idle list, or (ok = false: an error left it in an unknown state)
//                      destroyed
//   destroy(c)         the socket destroyed now; a query in flight on it rejects
//   end()              every connection closed (idle ones politely, 1 s at most), waiters rejected
// A connection's asynchronous errors (the server killed by the restart nemesis) are swallowed here:
// the query in flight, if any, rejects with them, and the connection is dropped on release.
import pg from 'pg'

export interface PgPoolOptions {
  host: string
  port: number
  user: string
  database: string
  /** Connections open at most. */
  size: number
  /** Startup options sent to the server, e.g. `-c default_transaction_isolation=serializable`. */
  options?: string
}

export class PgPool {
  readonly #config: pg.ClientConfig
  readonly #size: number
  readonly #idle: pg.Client[] = []
  readonly #open = new Set<pg.Client>()
  readonly #broken = new WeakSet<pg.Client>()
  #waiters: ((client: pg.Client | null) => void)[] = []
  #ended = false

  constructor(options: PgPoolOptions) {
    const { size, ...config } = options
    this.#config = { ...config, keepAlive: true }
    this.#size = size
  }

  async acquire(signal: AbortSignal): Promise<pg.Client> {
    signal.throwIfAborted()
    if (this.#ended) throw new Error('postgres store: the connection pool is closed')
    for (let idle = this.#idle.pop(); idle; idle = this.#idle.pop()) {
      if (!this.#broken.has(idle)) return idle
      this.destroy(idle) // its server went away while it was idle
    }
    if (this.#open.size < this.#size) return this.#connect(signal)
    const handed = await new Promise<pg.Client | null>((resolve, reject) => {
      const waiter = (client: pg.Client | null) => {
        signal.removeEventListener('abort', onAbort)
        resolve(client)
      }
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(waiter)
    })
    if (handed) return handed
    if (this.#ended) throw new Error('postgres store: the connection pool is closed')
    return this.#connect(signal) // a connection was dropped: its slot is free
  }

  async #connect(signal: AbortSignal): Promise<pg.Client> {
    const client = new pg.Client(this.#config)
    client.on('error', () => this.#broken.add(client))
    client.on('end', () => this.#broken.add(client))
    this.#open.add(client)
    const onAbort = () => this.destroy(client)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      await client.connect()
    } catch (e) {
      this.destroy(client)
      throw signal.aborted ? signal.reason : e
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
    return client
  }

  release(client: pg.Client, ok: boolean): void {
    if (!ok || this.#broken.has(client) || this.#ended || !this.#open.has(client)) {
      this.destroy(client)
      return
    }
    const waiter = this.#waiters.shift()
    if (waiter) waiter(client)
    else this.#idle.push(client)
  }

  destroy(client: pg.Client): void {
    client.connection.stream.destroy()
    const i = this.#idle.indexOf(client)
    if (i >= 0) this.#idle.splice(i, 1)
    if (this.#open.delete(client)) this.#waiters.shift()?.(null)
  }

  async end(): Promise<void> {
    this.#ended = true
    for (const waiter of this.#waiters.splice(0)) waiter(null)
    const idle = this.#idle.splice(0)
    const busy = [...this.#open].filter((c) => !idle.includes(c))
    for (const client of busy) this.destroy(client)
    await Promise.all(idle.map(async (client) => {
      const timer = setTimeout(() => this.destroy(client), 1000)
      try {
        await client.end()
      } catch {
        // the server went away first
      } finally {
        clearTimeout(timer)
        this.destroy(client)
      }
    }))
  }
}
