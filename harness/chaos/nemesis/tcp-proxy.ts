// The TCP proxy the chaos nemeses put between the clients and the store (netem is not available
// on these machines): listens on 127.0.0.1 (a port the kernel picks), opens one upstream
// connection per client connection and forwards raw bytes both ways (node:net, no protocol
// knowledge). Loopback only: the listener never binds another address.
//
// Faults, all changeable while connections are open:
//   - setDelay({ upMs, downMs, jitterMs }): delay per direction ("up" = client → store), applied
//     per chunk from its arrival time with uniform ± jitter, order kept, no accumulation
//     (./delay-pipe.ts).
//   - setBandwidth({ upKiBs, downKiBs }): a token bucket per direction shared by all connections
//     (./token-bucket.ts); null = unlimited.
//   - blackhole(on): data is held (queued, in order, not forwarded) while on; connections stay
//     open; when off, what was held is released at once (its added delay is measured as such).
//   - resetAll(): every open connection is destroyed with RST on both sides (resetAndDestroy), so
//     the client sees ECONNRESET.
//   - refuse(on): while on, a new connection is accepted and reset at once (the client sees
//     ECONNRESET on its first read or write; a true ECONNREFUSED would need the listener closed,
//     and the port could be lost to another process before it is re-opened); open ones continue.
// The upstream refusing or resetting (a store that is restarting) resets the client's
// connection; an end (FIN) from either side is passed on after the data queued before it.
// Measurement (./proxy-effect.ts): every chunk's actual added delay, bytes per direction,
// connections, refusals, resets — for the proxy's life (`effect()`) and per window (`measure()`).
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { LOOPBACK } from '../../run/ports.ts'
import { DelayPipe, type PipeControl } from './delay-pipe.ts'
import { EffectTally, type ProxyEffect } from './proxy-effect.ts'
import { TokenBucket } from './token-bucket.ts'

export type { ProxyEffect } from './proxy-effect.ts'

export interface TcpProxyOptions {
  upstreamHost: string
  upstreamPort: number
}

export interface ProxyDelay {
  /** Client → upstream, ms. */
  upMs: number
  /** Upstream → client, ms. */
  downMs: number
  /** Uniform jitter on each chunk's delay, ± ms. */
  jitterMs: number
}

export interface ProxyBandwidth {
  /** Client → upstream, KiB/s; null = unlimited. */
  upKiBs: number | null
  downKiBs: number | null
}

/** A measurement window: what the proxy did from `measure()` until `close()` (frozen after). */
export interface ProxyMeasurement {
  effect(): ProxyEffect
  close(): void
}

export interface TcpProxy {
  /** Where clients connect instead of the upstream. */
  readonly host: string
  readonly port: number
  /** Fields left out keep their value. Applies to chunks arriving from now on. */
  setDelay(delay: Partial<ProxyDelay>): void
  setBandwidth(limit: Partial<ProxyBandwidth>): void
  blackhole(on: boolean): void
  /** Resets every open connection; answers how many. */
  resetAll(): number
  refuse(on: boolean): void
  /** Since the proxy started. */
  effect(): ProxyEffect
  /** Opens a measurement window. */
  measure(): ProxyMeasurement
  /** Connections open now. */
  readonly open: number
  /** Closes the listener and every connection. Safe to call twice. */
  stop(): Promise<void>
}

interface Connection {
  client: Socket
  upstream: Socket
  pipes: DelayPipe[]
}

/** Destroys a socket with RST when it has a handle, else plainly; never throws. */
function reset(socket: Socket): void {
  if (socket.destroyed) return
  try {
    socket.resetAndDestroy()
  } catch {
    socket.destroy()
  }
}

function assertNonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && Number.isFinite(value))) throw new Error(`${name} must be a finite number ≥ 0, got ${value}`)
}

class Proxy implements TcpProxy {
  readonly host = LOOPBACK
  readonly #upstreamHost: string
  readonly #upstreamPort: number
  readonly #server: Server
  readonly #connections = new Set<Connection>()
  readonly #life = new EffectTally()
  readonly #windows = new Set<EffectTally>()
  readonly #delay: ProxyDelay = { upMs: 0, downMs: 0, jitterMs: 0 }
  readonly #buckets = { up: new TokenBucket(), down: new TokenBucket() }
  #blackholed = false
  #refusing = false
  #stopped: Promise<void> | undefined
  port = 0

  constructor(options: TcpProxyOptions) {
    this.#upstreamHost = options.upstreamHost
    this.#upstreamPort = options.upstreamPort
    this.#server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.#accept(client))
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen({ port: 0, host: LOOPBACK, exclusive: true }, () => {
        this.#server.off('error', reject)
        this.port = (this.#server.address() as { port: number }).port
        resolve()
      })
    })
  }

  get open(): number {
    return this.#connections.size
  }

  #tally(f: (t: EffectTally) => void): void {
    f(this.#life)
    for (const w of this.#windows) f(w)
  }

  #control(direction: 'up' | 'down'): PipeControl {
    return {
      delayMs: () => (direction === 'up' ? this.#delay.upMs : this.#delay.downMs),
      jitterMs: () => this.#delay.jitterMs,
      held: () => this.#blackholed,
      bucket: this.#buckets[direction],
      released: (bytes, addedMs) => this.#tally((t) => t.chunk(direction, bytes, addedMs)),
    }
  }

  #accept(client: Socket): void {
    client.on('error', () => {})
    if (this.#stopped) return reset(client)
    if (this.#refusing) {
      this.#tally((t) => t.refusal())
      return reset(client)
    }
    this.#tally((t) => t.connection())
    const upstream = createConnection({ host: this.#upstreamHost, port: this.#upstreamPort, allowHalfOpen: true, noDelay: true })
    upstream.on('error', () => {})
    const connection: Connection = { client, upstream, pipes: [] }
    connection.pipes.push(new DelayPipe(client, upstream, this.#control('up')), new DelayPipe(upstream, client, this.#control('down')))
    this.#connections.add(connection)
    let closed = 0
    const onClose = (socket: Socket, other: Socket) => (hadError: boolean) => {
      // an error or an abrupt close (no FIN) resets the other side; after a FIN the other side
      // still gets what was queued for it, then the FIN (Node closes a socket once both of its
      // halves have ended)
      if (hadError || !socket.readableEnded) reset(other)
      for (const pipe of connection.pipes) pipe.pump()
      if (++closed === 2) {
        for (const pipe of connection.pipes) pipe.close()
        this.#connections.delete(connection)
      }
    }
    client.once('close', onClose(client, upstream))
    upstream.once('close', onClose(upstream, client))
  }

  setDelay(delay: Partial<ProxyDelay>): void {
    assertNonNegative('upMs', delay.upMs)
    assertNonNegative('downMs', delay.downMs)
    assertNonNegative('jitterMs', delay.jitterMs)
    if (delay.upMs !== undefined) this.#delay.upMs = delay.upMs
    if (delay.downMs !== undefined) this.#delay.downMs = delay.downMs
    if (delay.jitterMs !== undefined) this.#delay.jitterMs = delay.jitterMs
  }

  setBandwidth(limit: Partial<ProxyBandwidth>): void {
    const now = performance.now()
    if (limit.upKiBs !== undefined) this.#buckets.up.setRate(limit.upKiBs === null ? null : limit.upKiBs * 1024, now)
    if (limit.downKiBs !== undefined) this.#buckets.down.setRate(limit.downKiBs === null ? null : limit.downKiBs * 1024, now)
    this.#pumpAll()
  }

  blackhole(on: boolean): void {
    this.#blackholed = on
    if (!on) this.#pumpAll()
  }

  #pumpAll(): void {
    for (const c of this.#connections) for (const pipe of c.pipes) pipe.pump()
  }

  resetAll(): number {
    const all = [...this.#connections]
    for (const c of all) {
      this.#tally((t) => t.reset())
      for (const pipe of c.pipes) pipe.close()
      reset(c.client)
      reset(c.upstream)
    }
    return all.length
  }

  refuse(on: boolean): void {
    this.#refusing = on
  }

  effect(): ProxyEffect {
    return this.#life.effect()
  }

  measure(): ProxyMeasurement {
    const tally = new EffectTally()
    this.#windows.add(tally)
    return {
      effect: () => tally.effect(),
      close: () => {
        this.#windows.delete(tally)
      },
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      for (const c of this.#connections) {
        for (const pipe of c.pipes) pipe.close()
        c.client.destroy()
        c.upstream.destroy()
      }
      this.#connections.clear()
    })
    return this.#stopped
  }
}

/** Starts a proxy to upstreamHost:upstreamPort on 127.0.0.1 (a kernel-chosen port), with no fault on. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const proxy = new Proxy(options)
  await proxy.listen()
  return proxy
}
