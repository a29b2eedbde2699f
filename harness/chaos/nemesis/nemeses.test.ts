// The nemeses' timing and undo logic against a fake store server and a fake proxy (calls
// counted, times relative to the run's start), and the shaping and CPU nemeses against the real
// proxy and real hogs: their figures are what was measured, and 0 when the fault did not act.
import { once } from 'node:events'
import { createConnection, createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { ScenarioSpec, StoreServer } from '../types.ts'
import { buildNemeses, RESET_EVERY_MS, type ReportingNemesis } from './nemeses.ts'
import type { ProxyEffect, TcpProxy } from './tcp-proxy.ts'
import { startTcpProxy } from './tcp-proxy.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const spec = (s: Partial<ScenarioSpec>): ScenarioSpec => ({ name: 'test', pause_for_s: 2, ...s })

/** A store server that only records when its controls were called. */
function fakeServer(options: { restartMs?: number; restartFails?: boolean } = {}) {
  const calls: { call: string; at: number }[] = []
  let t0 = performance.now()
  const note = (call: string) => calls.push({ call, at: performance.now() - t0 })
  const server: StoreServer = {
    description: 'fake store',
    host: '127.0.0.1',
    port: 1,
    pid: 1,
    async restart() {
      note('restart')
      await sleep(options.restartMs ?? 10)
      if (options.restartFails) throw new Error('did not come back')
      note('restarted')
    },
    pause: () => note('pause'),
    resume: () => note('resume'),
    async stop() {},
  }
  return { server, calls, runStarts: (runStart: number) => (t0 = runStart), names: () => calls.map((c) => c.call) }
}

const NO_EFFECT: ProxyEffect = { chunks: 0, addedDelayP50Ms: 0, addedDelayP99Ms: 0, bytesUp: 0, bytesDown: 0, connections: 0, refused: 0, resets: 0 }

/** A proxy that only records the faults switched on and off. */
function fakeProxy() {
  const calls: { call: string; at: number }[] = []
  let t0 = performance.now()
  const note = (call: string) => calls.push({ call, at: performance.now() - t0 })
  const proxy: TcpProxy = {
    host: '127.0.0.1',
    port: 2,
    open: 0,
    setDelay: (d) => note(`delay ${JSON.stringify(d)}`),
    setBandwidth: (b) => note(`bandwidth ${JSON.stringify(b)}`),
    blackhole: (on) => note(`blackhole ${on}`),
    resetAll: () => (note('reset'), 0),
    refuse: (on) => note(`refuse ${on}`),
    effect: () => NO_EFFECT,
    measure: () => ({ effect: () => NO_EFFECT, close: () => {} }),
    stop: async () => {},
  }
  return { proxy, calls, runStarts: (runStart: number) => (t0 = runStart), names: () => calls.map((c) => c.call) }
}

async function run(nemeses: ReportingNemesis[], forMs: number, ...fakes: { runStarts(t: number): unknown }[]): Promise<void> {
  const runStart = performance.now()
  for (const f of fakes) f.runStarts(runStart)
  cleanups.push(async () => {
    for (const n of nemeses) await n.stop()
  })
  for (const n of nemeses) await n.start(runStart)
  await sleep(forMs)
  for (const n of nemeses) await n.stop()
}

describe('buildNemeses', () => {
  it('builds one nemesis per kind of fault asked, none for the baseline', () => {
    const { server } = fakeServer()
    const { proxy } = fakeProxy()
    const ctx = { server, proxy, durationS: 10 }
    expect(buildNemeses(spec({}), ctx)).toEqual([])
    expect(buildNemeses(spec({ latency_ms: 100, jitter_ms: 10, cpu: { threads: 2, utilisation: 0.5 } }), ctx).map((n) => n.name)).toEqual(['cpu 2 × 50 %', 'latency 100 ± 10 ms'])
    expect(buildNemeses(spec({ bandwidth_kib_s: 64, restart_at: 0.3, pause_at: 0.5, pause_for_s: 1, network: { fault: 'refuse', at: 0.2, for_s: 1 } }), ctx).map((n) => n.name)).toEqual([
      'bandwidth 64 KiB/s',
      expect.stringMatching(/^restart\b.* at 30 %$/),
      'pause at 50 % for 1 s',
      'network refuse at 20 % for 1 s',
    ])
  })

  it('restarts the store at its fraction of the run and counts it; one not yet due never happens', async () => {
    const fake = fakeServer()
    const ctx = { server: fake.server, proxy: fakeProxy().proxy, durationS: 1 }
    const [restart] = buildNemeses(spec({ restart_at: 0.3 }), ctx)
    await run([restart!], 500, fake)
    expect(fake.names()).toEqual(['restart', 'restarted'])
    expect(fake.calls[0]!.at).toBeGreaterThanOrEqual(295)
    expect(restart!.effect()).toEqual({ restarts: 1 })

    const late = fakeServer()
    const [never] = buildNemeses(spec({ restart_at: 0.9 }), { ...ctx, server: late.server })
    await run([never!], 300, late)
    await sleep(700) // past its due time: the timer was cleared by stop()
    expect(late.names()).toEqual([])
    expect(never!.effect()).toEqual({ restarts: 0 })
    expect(never!.report().applied).toBe(0)
  })

  it('stop() waits for a restart in flight; a restart that fails is not counted and its error is reported', async () => {
    const slow = fakeServer({ restartMs: 300 })
    const [restart] = buildNemeses(spec({ restart_at: 0 }), { server: slow.server, proxy: fakeProxy().proxy, durationS: 1 })
    await run([restart!], 50, slow)
    expect(slow.names()).toEqual(['restart', 'restarted'])
    expect(restart!.effect()).toEqual({ restarts: 1 })

    const failing = fakeServer({ restartFails: true })
    const [bad] = buildNemeses(spec({ restart_at: 0 }), { server: failing.server, proxy: fakeProxy().proxy, durationS: 1 })
    await run([bad!], 100, failing)
    expect(bad!.effect()).toEqual({ restarts: 0 })
    expect(bad!.report().errors).toEqual(['restart: did not come back'])
  })

  it('pauses at its fraction, resumes pause_for_s later, and stop() resumes a store still paused', async () => {
    const fake = fakeServer()
    const ctx = { server: fake.server, proxy: fakeProxy().proxy, durationS: 1 }
    const [pause] = buildNemeses(spec({ pause_at: 0.2, pause_for_s: 0.3 }), ctx)
    await run([pause!], 700, fake)
    expect(fake.names()).toEqual(['pause', 'resume'])
    expect(fake.calls[0]!.at).toBeGreaterThanOrEqual(195)
    expect(fake.calls[1]!.at - fake.calls[0]!.at).toBeGreaterThanOrEqual(295)
    expect(pause!.effect()).toEqual({ pauses: 1 })

    const held = fakeServer()
    const [long] = buildNemeses(spec({ pause_at: 0, pause_for_s: 30 }), { ...ctx, server: held.server })
    await run([long!], 100, held)
    expect(held.names()).toEqual(['pause', 'resume']) // resumed by stop(), not 30 s later
    await long!.stop()
    expect(held.names()).toEqual(['pause', 'resume'])
    expect(long!.effect()).toEqual({ pauses: 1 })
  })

  it('switches a network fault on at its fraction and off for_s later; reset repeats while it lasts', async () => {
    const server = fakeServer().server
    for (const fault of ['blackhole', 'refuse'] as const) {
      const fake = fakeProxy()
      const [n] = buildNemeses(spec({ network: { fault, at: 0.1, for_s: 0.2 } }), { server, proxy: fake.proxy, durationS: 1 })
      await run([n!], 500, fake)
      expect(fake.names()).toEqual([`${fault} true`, `${fault} false`])
      expect(fake.calls[0]!.at).toBeGreaterThanOrEqual(95)
      expect(fake.calls[1]!.at - fake.calls[0]!.at).toBeGreaterThanOrEqual(195)
      expect(n!.report().applied).toBe(1)
    }
    const held = fakeProxy()
    const [blackhole] = buildNemeses(spec({ network: { fault: 'blackhole', at: 0, for_s: 30 } }), { server, proxy: held.proxy, durationS: 1 })
    await run([blackhole!], 100, held)
    expect(held.names()).toEqual(['blackhole true', 'blackhole false']) // undone by stop()

    const resets = fakeProxy()
    const [reset] = buildNemeses(spec({ network: { fault: 'reset', at: 0, for_s: (RESET_EVERY_MS * 1.5) / 1000 } }), { server, proxy: resets.proxy, durationS: 1 })
    await run([reset!], RESET_EVERY_MS * 2, resets)
    expect(resets.names()).toEqual(['reset', 'reset'])
  })

  it('sets the proxy for the whole run and reports its measured median added delay; 0 when nothing passed', async () => {
    const echo = createServer((s) => s.pipe(s))
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => echo.close(resolve)))
    const proxy = await startTcpProxy({ upstreamHost: '127.0.0.1', upstreamPort: (echo.address() as { port: number }).port })
    cleanups.push(() => proxy.stop())
    const ctx = { server: fakeServer().server, proxy, durationS: 1 }

    const [idle] = buildNemeses(spec({ latency_ms: 100 }), ctx)
    await run([idle!], 10)
    expect(idle!.effect()).toEqual({ measured_delay_ms: 0 }) // asked, did not act: visible

    const [latency] = buildNemeses(spec({ latency_ms: 100, jitter_ms: 5 }), ctx)
    const client: Socket = createConnection({ host: proxy.host, port: proxy.port })
    cleanups.push(() => client.destroy())
    await once(client, 'connect')
    await latency!.start(performance.now())
    for (let i = 0; i < 5; i++) {
      const back = once(client, 'data')
      client.write('x')
      await back
    }
    await latency!.stop()
    expect(latency!.effect().measured_delay_ms).toBeGreaterThanOrEqual(90)
    expect(latency!.report().detail).toMatch(/10 chunks/)
    // undone: the proxy adds no delay after stop()
    const after = proxy.measure()
    const back = once(client, 'data')
    client.write('y')
    await back
    expect(after.effect().addedDelayP50Ms).toBeLessThan(50)
  })

  it.skipIf(process.platform !== 'linux')('runs CPU hogs for the run and reports the cores they used', async () => {
    const [cpu] = buildNemeses(spec({ cpu: { threads: 1, utilisation: 0.5 } }), { server: fakeServer().server, proxy: fakeProxy().proxy, durationS: 1 })
    await run([cpu!], 800)
    const used = cpu!.effect().measured_hog_cpu!
    expect(used).toBeGreaterThan(0)
    expect(used).toBeLessThan(1)
    expect(cpu!.report().detail).toMatch(/^1 hogs used/)
  })
})
