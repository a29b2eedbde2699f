// One thread's share of a load run: its connections, its part of the schedule, its queue, its
// recorder. `openModelLoad` runs one in this thread or one per worker thread.
//
// Method (open model). Intended times come from the schedule (schedule.ts), measured from a start
// time `t0` every thread shares, never from previous sends. Due requests enter our own FIFO (a
// growable ring of intended times; past `maxQueue` waiting, a request is dropped and counted); a
// free connection takes the oldest at once — that moment is the "actual send". Whenever a
// connection frees up, the requests that fell due meanwhile are queued first, in order, then the
// oldest is sent: queueing lazily at that moment is exact (the queue only grew while no connection
// was free), so while every connection is busy no timer runs at all. While a connection is free
// a tick is armed for the next intended time: setTimeout for waits of ≥ 1 ms (Node's timers have
// millisecond granularity: a tick can come up to ~1 ms late, which the corrected latency then
// honestly includes and `late` counts past lateMs), setImmediate below 1 ms; each tick sends
// everything that is due, so a late tick catches up instead of drifting. At the end every request
// still queued is dropped; those in flight are awaited (their drivers time out at timeoutMs).
// Closed model: each connection sends its next request when the previous one is answered
// (intended = send); a failed one is retried from the next tick, never synchronously.
// CPU: this thread's process.threadCpuUsage() from the warm-up's end to the schedule's end.
import { performance } from 'node:perf_hooks'
import { setImmediate as setImmediateCb } from 'node:timers'
import type { Connection, Driver } from './connection.ts'
import { weightedPicker, seededUniform } from './random.ts'
import { LoadRecorder, type SecondCounters, type SecondSink } from './recorder.ts'
import { arrivalSchedule, type Schedule } from './schedule.ts'
import type { Arrival } from './types.ts'

export interface EngineSpec {
  arrival: Arrival
  /** This thread's connections. */
  connections: number
  warmupS: number
  durationS: number
  lateMs: number
  /** This thread's share of the queue limit. */
  maxQueue: number
  seed: number
  threadIndex: number
  threads: number
}

export interface ThreadResult {
  counters: SecondCounters
  errorKinds: Record<string, number>
  cpu: { userS: number; systemS: number }
  interrupted: boolean
}

const WAIT_DRAIN_GRACE_MS = 1000

export class LoadEngine {
  readonly #spec: EngineSpec
  readonly #driver: Driver
  readonly #recorder: LoadRecorder
  readonly #open: boolean
  readonly #warmupMs: number
  readonly #endMs: number
  readonly #drainMs: number
  readonly #pick: () => number
  #schedule: Schedule | null = null
  #conns: Connection[] = []
  #intendedAt = new Float64Array(0)
  #sentAt = new Float64Array(0)
  #busy = new Uint8Array(0)
  #free = new Int32Array(0)
  #freeCount = 0
  #inFlight = 0
  // FIFO of intended times
  #queue = new Float64Array(1024)
  #head = 0
  #length = 0
  #next = Infinity
  #t0 = 0
  #sending = false
  #ended = false
  #interrupted = false
  #armedAt = Infinity
  #timeout: NodeJS.Timeout | null = null
  #immediate: NodeJS.Immediate | null = null
  #cpuStart: NodeJS.CpuUsage | null = null
  /** This thread's CPU from the warm-up's end to the schedule's end, taken in #end. */
  #cpu = { userS: 0, systemS: 0 }
  #finish: (() => void) | null = null

  constructor(spec: EngineSpec, driver: Driver, onSecond: SecondSink, timeoutMs: number) {
    this.#spec = spec
    this.#driver = driver
    this.#open = spec.arrival.model !== 'closed'
    this.#warmupMs = spec.warmupS * 1000
    this.#endMs = (spec.warmupS + spec.durationS) * 1000
    this.#drainMs = timeoutMs + WAIT_DRAIN_GRACE_MS
    this.#recorder = new LoadRecorder({ warmupS: spec.warmupS, durationS: spec.durationS, lateMs: spec.lateMs, onSecond })
    this.#pick = weightedPicker(driver.weights, seededUniform(spec.seed * 31 + spec.threadIndex))
  }

  /** Opens this thread's connections. */
  async connect(): Promise<void> {
    const n = this.#spec.connections
    this.#conns = await Promise.all(Array.from({ length: n }, (_, i) => this.#driver.connect(i, this.#done)))
    this.#intendedAt = new Float64Array(n)
    this.#sentAt = new Float64Array(n)
    this.#busy = new Uint8Array(n)
    this.#free = new Int32Array(n)
    for (let i = 0; i < n; i++) this.#free[i] = n - 1 - i
    this.#freeCount = n
  }

  /** Runs from `t0` (a performance.now() value of this thread) to the end and the drain. */
  run(t0: number, signal?: AbortSignal): Promise<ThreadResult> {
    this.#t0 = t0
    const arrival = this.#spec.arrival
    if (arrival.model !== 'closed') {
      this.#schedule = arrivalSchedule(arrival, this.#spec.threadIndex, this.#spec.threads)
      this.#next = this.#schedule.next()
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#interrupted = true
        this.#end()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#finish = () => {
        this.#finish = null
        signal?.removeEventListener('abort', onAbort)
        this.#disarm()
        // requests still unanswered after the drain (a driver that never times out) are errors
        const now = performance.now() - this.#t0
        for (let id = 0; id < this.#busy.length; id++) if (this.#busy[id]) this.#recorder.failed(this.#intendedAt[id]!, now, 'unanswered')
        this.#recorder.finish()
        resolve({
          counters: this.#recorder.counters(),
          errorKinds: { ...this.#recorder.errorKinds },
          cpu: this.#cpu,
          interrupted: this.#interrupted,
        })
      }
      if (signal?.aborted) onAbort()
      else this.#arm(0)
    })
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#conns.map((c) => c.close()))
  }

  // ---- the loop

  #tick = (): void => {
    this.#armedAt = Infinity
    this.#timeout = null
    this.#immediate = null
    if (this.#ended) return
    const now = performance.now() - this.#t0
    if (this.#cpuStart === null && now >= this.#warmupMs) this.#cpuStart = process.threadCpuUsage()
    if (now >= this.#endMs) return this.#end()
    if (this.#open) this.#pump(now)
    else while (this.#freeCount > 0) this.#send(this.#free[--this.#freeCount]!, now, now)
    this.#recorder.advance(now)
    this.#rearm(now)
  }

  /** Arms the next tick: the next intended time while a connection is free, else the next boundary. */
  #rearm(now: number): void {
    let at = this.#endMs
    if (this.#cpuStart === null) at = Math.min(at, this.#warmupMs)
    if (this.#freeCount > 0 && this.#open) at = Math.min(at, this.#next)
    at = Math.min(at, now + 250) // progress and second boundaries while idle
    this.#arm(at)
  }

  #arm(at: number): void {
    if (at >= this.#armedAt) return
    this.#disarm()
    this.#armedAt = at
    const delay = at - (performance.now() - this.#t0)
    if (delay < 1) this.#immediate = setImmediateCb(this.#tick)
    else this.#timeout = setTimeout(this.#tick, Math.floor(delay))
  }

  #disarm(): void {
    if (this.#timeout) clearTimeout(this.#timeout)
    if (this.#immediate) clearImmediate(this.#immediate)
    this.#timeout = null
    this.#immediate = null
    this.#armedAt = Infinity
  }

  /** Open model: queue what is due (dropping past maxQueue), then feed free connections. */
  #pump(now: number): void {
    const end = this.#endMs
    const max = this.#spec.maxQueue
    const rec = this.#recorder
    while (this.#next <= now && this.#next < end) {
      const t = this.#next
      rec.scheduled(t)
      if (this.#length >= max) rec.dropped(t)
      else this.#push(t)
      this.#next = this.#schedule!.next()
    }
    while (this.#freeCount > 0 && this.#length > 0) this.#send(this.#free[--this.#freeCount]!, this.#shift(), now)
  }

  #send(id: number, intended: number, now: number): void {
    this.#intendedAt[id] = intended
    this.#sentAt[id] = now
    this.#inFlight++
    this.#busy[id] = 1
    if (!this.#open) this.#recorder.scheduled(intended)
    this.#recorder.sent(intended, now)
    this.#sending = true
    try {
      this.#conns[id]!.send(this.#pick())
    } finally {
      this.#sending = false
    }
  }

  #done = (id: number, error: string | null): void => {
    const now = performance.now() - this.#t0
    if (!this.#busy[id]) return // answered after the drain gave up on it
    this.#busy[id] = 0
    this.#inFlight--
    if (error === null) this.#recorder.completed(this.#intendedAt[id]!, this.#sentAt[id]!, now)
    else this.#recorder.failed(this.#intendedAt[id]!, now, error)
    if (this.#ended) {
      if (this.#inFlight === 0) this.#finish?.()
      return
    }
    if (error !== null || this.#sending || now >= this.#endMs) {
      // never re-send from inside a send (a synchronous failure) or straight after a failure
      this.#free[this.#freeCount++] = id
      this.#arm(now)
      return
    }
    if (this.#open) {
      this.#free[this.#freeCount++] = id
      this.#pump(now)
      if (this.#freeCount > 0) this.#arm(this.#next)
    } else {
      this.#send(id, now, now)
    }
  }

  #end(): void {
    if (this.#ended) return
    this.#ended = true
    // a run that ended within the warm-up measured nothing
    if (this.#cpuStart !== null) {
      const used = process.threadCpuUsage(this.#cpuStart)
      this.#cpu = { userS: used.user / 1e6, systemS: used.system / 1e6 }
    }
    this.#disarm()
    if (this.#open) {
      // what fell due before the end but was never sent, and what waits in the queue, is dropped
      const now = Math.min(performance.now() - this.#t0, this.#endMs)
      while (this.#next <= now && this.#next < this.#endMs) {
        this.#recorder.scheduled(this.#next)
        this.#recorder.dropped(this.#next)
        this.#next = this.#schedule!.next()
      }
      while (this.#length > 0) this.#recorder.dropped(this.#shift())
    }
    if (this.#inFlight === 0) return this.#finish?.()
    // in-flight requests are awaited; their drivers answer or time out within timeoutMs
    const guard = setTimeout(() => this.#finish?.(), this.#drainMs)
    const finish = this.#finish
    this.#finish = () => {
      clearTimeout(guard)
      finish?.()
    }
  }

  // ---- the FIFO (a ring of intended times that doubles when full)

  #push(t: number): void {
    if (this.#length === this.#queue.length) {
      const bigger = new Float64Array(this.#queue.length * 2)
      for (let i = 0; i < this.#length; i++) bigger[i] = this.#queue[(this.#head + i) % this.#queue.length]!
      this.#queue = bigger
      this.#head = 0
    }
    this.#queue[(this.#head + this.#length++) % this.#queue.length] = t
  }

  #shift(): number {
    const t = this.#queue[this.#head]!
    this.#head = (this.#head + 1) % this.#queue.length
    this.#length--
    return t
  }
}
