// The nemeses of one chaos scenario, built from its spec (the config's `chaos.scenarios[]`):
//
//   latency_ms / jitter_ms / bandwidth_kib_s  → the TCP proxy's delay (both directions, ± jitter)
//                                               and bandwidth (both directions) for the whole run
//   cpu { threads, utilisation }             → CPU hog processes for the whole run (./cpu-hog.ts)
//   restart_at                               → server.restart() at that fraction of the run
//   pause_at, pause_for_s                    → server.pause() at that fraction, resume() after
//                                               pause_for_s seconds
//   network { fault, at, for_s }             → the proxy's fault from fraction `at` for for_s s:
//                                               blackhole (data held), refuse (new connections
//                                               reset at once), reset (every connection reset
//                                               when it begins and again every RESET_EVERY_MS
//                                               while it lasts: reconnecting clients lose theirs too)
//
// Every nemesis reports what it measurably did, never what it was asked (the ScenarioRow
// fields): measured_delay_ms is the median delay the proxy really added per chunk during the run
// (0 when no chunk passed — a latency fault that did not act shows 0, and the caller gates on it),
// measured_hog_cpu the cores the hogs really used (/proc), restarts and pauses the calls that
// completed. Faults due later run on unref'd timers (./fault-timers.ts) cleared by stop(), which
// also undoes the fault: delay and bandwidth back to none, hogs killed, a paused store resumed, a
// network fault switched off; an in-flight restart is awaited. stop() is safe to call twice, and
// effect() after stop() gives the figures of the run.
//
// Beyond the Nemesis contract (../types.ts) each nemesis has `report()`: how many times its fault
// was applied and a sentence for the log (the network fault's only figures: chunks held,
// connections refused or reset), and the errors of a restart or pause that failed.
import type { Nemesis, ScenarioSpec, StoreServer } from '../types.ts'
import { startCpuHogs, type CpuHogs } from './cpu-hog.ts'
import { FaultTimers } from './fault-timers.ts'
import type { ProxyMeasurement, TcpProxy } from './tcp-proxy.ts'

/** While a `reset` network fault lasts, every connection is reset this often. */
export const RESET_EVERY_MS = 1000

export interface NemesisContext {
  /** The proxy in front of the store; null when there is none (a process client connects its own way). */
  proxy: TcpProxy | null
  /** The store's server; null when the fixture started none (a process client), so it cannot be restarted or paused. */
  server: StoreServer | null
  /** Seconds of the run: fractions (`*_at`) are of this. */
  durationS: number
}

export interface NemesisReport {
  /** Times the fault was applied: 1 for a fault set for the whole run, restarts done, pauses, network faults begun. */
  applied: number
  /** What it measurably did, for the log. */
  detail: string
  /** Errors of the actions that failed (a restart that did not come back, a pause of a gone process). */
  errors: string[]
}

/** A Nemesis that also says how often it acted and what it saw. */
export interface ReportingNemesis extends Nemesis {
  report(): NemesisReport
}

type Effect = ReturnType<Nemesis['effect']>

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))
const pct = (f: number) => `${Math.round(f * 100)} %`

function shaping(spec: ScenarioSpec, proxy: TcpProxy): ReportingNemesis {
  const latency = spec.latency_ms ?? 0
  const jitter = spec.jitter_ms ?? 0
  const bandwidth = spec.bandwidth_kib_s ?? null
  const parts = [latency || jitter ? `latency ${latency} ± ${jitter} ms` : '', bandwidth ? `bandwidth ${bandwidth} KiB/s` : ''].filter(Boolean)
  let window: ProxyMeasurement | undefined
  let applied = 0
  return {
    name: parts.join(', '),
    async start() {
      window = proxy.measure()
      proxy.setDelay({ upMs: latency, downMs: latency, jitterMs: jitter })
      proxy.setBandwidth({ upKiBs: bandwidth, downKiBs: bandwidth })
      applied = 1
    },
    async stop() {
      if (!window) return
      proxy.setDelay({ upMs: 0, downMs: 0, jitterMs: 0 })
      proxy.setBandwidth({ upKiBs: null, downKiBs: null })
      window.close()
    },
    effect(): Effect {
      return { measured_delay_ms: window ? window.effect().addedDelayP50Ms : 0 }
    },
    report() {
      const e = window?.effect()
      const detail = e ? `${e.chunks} chunks, added delay p50 ${e.addedDelayP50Ms.toFixed(1)} ms, p99 ${e.addedDelayP99Ms.toFixed(1)} ms, ${e.bytesUp} B up, ${e.bytesDown} B down` : 'not started'
      return { applied, detail, errors: [] }
    },
  }
}

function cpu(spec: NonNullable<ScenarioSpec['cpu']>): ReportingNemesis {
  let hogs: CpuHogs | undefined
  const errors: string[] = []
  return {
    name: `cpu ${spec.threads} × ${pct(spec.utilisation)}`,
    async start() {
      hogs = await startCpuHogs(spec)
    },
    async stop() {
      await hogs?.stop()
    },
    effect(): Effect {
      return { measured_hog_cpu: hogs ? hogs.effect().totalCores : 0 }
    },
    report() {
      if (!hogs) return { applied: 0, detail: 'not started', errors }
      const e = hogs.effect()
      return { applied: 1, detail: `${e.hogs} hogs used ${e.totalCores.toFixed(2)} cores (${e.perHog.map((u) => pct(u)).join(', ')}) over ${e.wallS.toFixed(1)} s`, errors }
    },
  }
}

/** kill -9, unless the store loses acknowledged writes on kill -9 by design (Azurite): then its own shutdown. */
export function restartModeFor(server: StoreServer): 'kill' | 'graceful' {
  return server.killLosesWrites ? 'graceful' : 'kill'
}

function restart(at: number, mode: 'kill' | 'graceful', server: StoreServer, durationS: number): ReportingNemesis {
  const timers = new FaultTimers()
  const errors: string[] = []
  let restarts = 0
  let pending: Promise<void> | undefined
  return {
    name: `restart (${mode === 'kill' ? 'kill -9' : 'graceful'}) at ${pct(at)}`,
    async start(runStart) {
      timers.after(FaultTimers.dueIn(runStart, at, durationS), () => {
        pending = server.restart(mode).then(
          () => {
            restarts++
          },
          (e: unknown) => {
            errors.push(`restart: ${message(e)}`)
          },
        )
      })
    },
    async stop() {
      timers.clear()
      await pending
    },
    effect(): Effect {
      return { restarts }
    },
    report() {
      return { applied: restarts, detail: `${restarts} ${mode === 'kill' ? 'kill -9' : 'graceful'} restart${restarts === 1 ? '' : 's'} of ${server.description}`, errors }
    },
  }
}

function pause(at: number, forS: number, server: StoreServer, durationS: number): ReportingNemesis {
  const timers = new FaultTimers()
  const errors: string[] = []
  let pauses = 0
  let paused = false
  const resume = () => {
    if (!paused) return
    paused = false
    try {
      server.resume()
    } catch (e) {
      errors.push(`resume: ${message(e)}`)
    }
  }
  return {
    name: `pause at ${pct(at)} for ${forS} s`,
    async start(runStart) {
      timers.after(FaultTimers.dueIn(runStart, at, durationS), () => {
        try {
          server.pause()
        } catch (e) {
          errors.push(`pause: ${message(e)}`)
          return
        }
        paused = true
        pauses++
        timers.after(forS * 1000, resume)
      })
    },
    async stop() {
      timers.clear()
      resume()
    },
    effect(): Effect {
      return { pauses }
    },
    report() {
      return { applied: pauses, detail: `${pauses} pause${pauses === 1 ? '' : 's'} of ${server.description}${paused ? ' (still paused)' : ''}`, errors }
    },
  }
}

function network(spec: NonNullable<ScenarioSpec['network']>, proxy: TcpProxy, durationS: number): ReportingNemesis {
  const timers = new FaultTimers()
  let window: ProxyMeasurement | undefined
  let on = false
  let begun = 0
  let stopResetting = () => {}
  const off = () => {
    if (!on) return
    on = false
    stopResetting()
    if (spec.fault === 'blackhole') proxy.blackhole(false)
    if (spec.fault === 'refuse') proxy.refuse(false)
    window?.close()
  }
  return {
    name: `network ${spec.fault} at ${pct(spec.at)} for ${spec.for_s} s`,
    async start(runStart) {
      timers.after(FaultTimers.dueIn(runStart, spec.at, durationS), () => {
        on = true
        begun++
        window = proxy.measure()
        if (spec.fault === 'blackhole') proxy.blackhole(true)
        if (spec.fault === 'refuse') proxy.refuse(true)
        if (spec.fault === 'reset') {
          proxy.resetAll()
          stopResetting = timers.every(RESET_EVERY_MS, () => proxy.resetAll())
        }
        timers.after(spec.for_s * 1000, off)
      })
    },
    async stop() {
      timers.clear()
      off()
    },
    effect(): Effect {
      return {}
    },
    report() {
      const e = window?.effect()
      if (!e) return { applied: 0, detail: `${spec.fault} never began`, errors: [] }
      const detail =
        spec.fault === 'blackhole'
          ? `held ${e.chunks} chunks released after it, added delay p99 ${e.addedDelayP99Ms.toFixed(0)} ms`
          : spec.fault === 'refuse'
            ? `refused ${e.refused} connections`
            : `reset ${e.resets} connections`
      return { applied: begun, detail, errors: [] }
    },
  }
}

/** The nemeses a scenario asks for, in the order they should start (none for the baseline). */
export function buildNemeses(scenario: ScenarioSpec, ctx: NemesisContext): ReportingNemesis[] {
  const nemeses: ReportingNemesis[] = []
  if (!(ctx.durationS > 0)) throw new Error(`a scenario's duration must be > 0 s, got ${ctx.durationS}`)
  if (scenario.cpu) nemeses.push(cpu(scenario.cpu))
  const proxy = (what: string) => {
    if (!ctx.proxy) throw new Error(`scenario ${scenario.name}: ${what} needs the TCP proxy in front of a store server, and this store has none (a process client, or a container of the azure section); remove it from the scenario`)
    return ctx.proxy
  }
  if (scenario.latency_ms !== undefined || scenario.jitter_ms !== undefined || scenario.bandwidth_kib_s !== undefined) nemeses.push(shaping(scenario, proxy('latency_ms, jitter_ms or bandwidth_kib_s')))
  const server = (what: string) => {
    if (!ctx.server) throw new Error(`scenario ${scenario.name}: ${what} needs a store server started by the fixture, and this store has none (a process client, or a container of the azure section); remove it from the scenario`)
    return ctx.server
  }
  if (scenario.restart_at !== undefined) {
    const s = server('restart_at')
    nemeses.push(restart(scenario.restart_at, scenario.restart_mode ?? restartModeFor(s), s, ctx.durationS))
  }
  if (scenario.pause_at !== undefined) nemeses.push(pause(scenario.pause_at, scenario.pause_for_s, server('pause_at'), ctx.durationS))
  if (scenario.network) nemeses.push(network(scenario.network, proxy('network'), ctx.durationS))
  return nemeses
}

