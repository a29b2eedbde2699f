// openModelLoad: runs a LoadSpec against its target and returns the LoadResult (types.ts).
//
// Method: the spec is checked first (one message naming the field). With threads = 1 one
// LoadEngine (engine.ts) runs in this thread; with threads = T > 1, T worker threads (worker.ts)
// each run an engine with its share of the connections (split as evenly as whole numbers allow),
// of the queue limit, and of the schedule (every T-th request, so the run's arrivals do not depend
// on T). All engines open their connections first, then start at one shared instant (an absolute
// time 20 ms ahead, so no thread starts while another is still connecting). Each second's
// histograms are merged as they close (timeline.ts); counters, error kinds and CPU are summed at
// the end. Throughput is successful completions per measured second (of the measured part that
// ran, when interrupted). Generator CPU: the threads' own CPU (process.threadCpuUsage) from the
// warm-up's end to the schedule's end, this thread's included; `cores` is that over the measured
// seconds. Defaults: none — every field of LoadSpec is the caller's; this file only checks them.
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { driverFor } from './drivers.ts'
import { LoadEngine, type EngineSpec, type ThreadResult } from './engine.ts'
import { decodeHistogram, encodeHistogram, percentilesOf, spectrumOf } from './histogram.ts'
import { COUNTER_NAMES } from './recorder.ts'
import { arrivalProblem, meanRate } from './schedule.ts'
import { TimelineMerger } from './timeline.ts'
import type { LoadResult, LoadSpec } from './types.ts'
import type { WorkerInput } from './worker.ts'
import { ownUrl } from '../run/own-file.ts'

const START_AHEAD_MS = 20

/** The message naming the spec's bad field, or null. */
export function loadSpecProblem(spec: LoadSpec): string | null {
  const whole = (v: number) => Number.isInteger(v) && v > 0
  const nonNegative = (v: number) => Number.isFinite(v) && v >= 0
  if (!whole(spec.connections)) return `connections: expected a whole number > 0, got ${spec.connections}`
  if (!whole(spec.threads)) return `threads: expected a whole number > 0, got ${spec.threads}`
  if (!(Number.isFinite(spec.durationS) && spec.durationS > 0)) return `durationS: expected seconds > 0, got ${spec.durationS}`
  if (!nonNegative(spec.warmupS)) return `warmupS: expected seconds ≥ 0, got ${spec.warmupS}`
  if (!(Number.isFinite(spec.timeoutMs) && spec.timeoutMs > 0)) return `timeoutMs: expected milliseconds > 0, got ${spec.timeoutMs}`
  if (!nonNegative(spec.lateMs)) return `lateMs: expected milliseconds ≥ 0, got ${spec.lateMs}`
  if (!(spec.maxQueue >= 0)) return `maxQueue: expected a number ≥ 0, got ${spec.maxQueue}`
  if (!Number.isFinite(spec.seed)) return `seed: expected a number, got ${spec.seed}`
  return arrivalProblem(spec.arrival)
}

/** Thread k's share of n when split over t: as even as whole numbers allow. */
function share(n: number, t: number, k: number): number {
  return Math.floor(n / t) + (k < n % t ? 1 : 0)
}

interface Runner {
  /** Resolves when connected. */
  ready: Promise<void>
  start(epochMs: number): void
  abort(): void
  result: Promise<ThreadResult>
  close(): Promise<void>
}

function localRunner(spec: EngineSpec, input: WorkerInput, merger: TimelineMerger, signal: AbortSignal): Runner {
  const engine = new LoadEngine(spec, driverFor(input.target, input.timeoutMs, spec.seed), (t, c, u) => merger.add(t, c, u), input.timeoutMs)
  let begin!: (t0: number) => void
  const started = new Promise<number>((resolve) => (begin = resolve))
  const ready = engine.connect()
  return {
    ready,
    start: (epochMs) => begin(epochMs - performance.timeOrigin),
    abort: () => {},
    result: ready.then(() => started).then((t0) => engine.run(t0, signal)),
    close: () => engine.close(),
  }
}

function workerRunner(input: WorkerInput, merger: TimelineMerger): Runner {
  const worker = new Worker(ownUrl(import.meta.url, './worker.ts'), { workerData: input })
  let onReady!: () => void
  let onFailed!: (e: Error) => void
  const ready = new Promise<void>((resolve, reject) => ((onReady = resolve), (onFailed = reject)))
  const result = new Promise<ThreadResult>((resolve, reject) => {
    worker.on('message', (m: { type: string; message?: string; t?: number; corrected?: string; uncorrected?: string; result?: ThreadResult }) => {
      if (m.type === 'ready') onReady()
      else if (m.type === 'second') merger.add(m.t!, decodeHistogram(m.corrected!), decodeHistogram(m.uncorrected!))
      else if (m.type === 'done') resolve(m.result!)
      else if (m.type === 'failed') {
        const e = new Error(m.message)
        onFailed(e)
        reject(e)
      }
    })
    worker.on('error', (e) => (onFailed(e), reject(e)))
    worker.on('exit', (code) => {
      const e = new Error(`load worker thread ${input.engine.threadIndex} exited (${code}) before its result`)
      onFailed(e)
      reject(e)
    })
  })
  result.catch(() => {}) // observed through `ready` or awaited by the caller
  return {
    ready,
    start: (epochMs) => worker.postMessage({ type: 'start', epochMs }),
    abort: () => worker.postMessage({ type: 'abort' }),
    result,
    close: async () => {
      // the worker exits by itself after its result; terminate is for one that did not
      await Promise.race([new Promise((r) => worker.once('exit', r)), new Promise((r) => setTimeout(r, 2000).unref())])
      await worker.terminate()
    },
  }
}

export async function openModelLoad(spec: LoadSpec): Promise<LoadResult> {
  const problem = loadSpecProblem(spec)
  if (problem) throw new Error(`load spec: ${problem}`)
  const threads = Math.min(spec.threads, spec.connections)
  const merger = new TimelineMerger({ threads, durationS: spec.durationS, ...(spec.onProgress ? { onProgress: spec.onProgress } : {}) })
  const abort = new AbortController()
  const runners: Runner[] = []
  for (let k = 0; k < threads; k++) {
    const engine: EngineSpec = {
      arrival: spec.arrival,
      connections: share(spec.connections, threads, k),
      warmupS: spec.warmupS,
      durationS: spec.durationS,
      lateMs: spec.lateMs,
      maxQueue: Math.ceil(spec.maxQueue / threads),
      seed: spec.seed,
      threadIndex: k,
      threads,
    }
    const input: WorkerInput = { engine, target: spec.target, timeoutMs: spec.timeoutMs }
    runners.push(threads === 1 ? localRunner(engine, input, merger, abort.signal) : workerRunner(input, merger))
  }
  const onAbort = () => {
    abort.abort()
    for (const r of runners) r.abort()
  }
  spec.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    await Promise.all(runners.map((r) => r.ready))
    const epochMs = performance.timeOrigin + performance.now() + START_AHEAD_MS
    const mainCpuStart = process.threadCpuUsage()
    const startedAt = performance.now()
    if (spec.signal?.aborted) onAbort()
    for (const r of runners) r.start(epochMs)
    const results = await Promise.all(runners.map((r) => r.result))
    const ranS = (performance.now() - startedAt - START_AHEAD_MS) / 1000
    const mainCpu = threads > 1 ? process.threadCpuUsage(mainCpuStart) : { user: 0, system: 0 }
    merger.flush()
    return assemble(spec, results, merger, ranS, mainCpu)
  } finally {
    spec.signal?.removeEventListener('abort', onAbort)
    await Promise.allSettled(runners.map((r) => r.close()))
  }
}

function assemble(spec: LoadSpec, results: readonly ThreadResult[], merger: TimelineMerger, ranS: number, mainCpu: NodeJS.CpuUsage): LoadResult {
  const interrupted = results.some((r) => r.interrupted)
  const counters = results.map((r) => r.counters)
  const timeline = merger.timeline(counters)
  const total = Object.fromEntries(COUNTER_NAMES.map((n) => [n, timeline.reduce((a, row) => a + row[n], 0)])) as Record<(typeof COUNTER_NAMES)[number], number>
  const errorKinds: Record<string, number> = {}
  for (const r of results) for (const [k, v] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v
  const measuredS = interrupted ? Math.min(spec.durationS, Math.max(ranS - spec.warmupS, 1e-3)) : spec.durationS
  const userS = results.reduce((a, r) => a + r.cpu.userS, mainCpu.user / 1e6)
  const systemS = results.reduce((a, r) => a + r.cpu.systemS, mainCpu.system / 1e6)
  const open = spec.arrival.model !== 'closed'
  const uncorrected = percentilesOf(merger.uncorrected)
  const uncorrectedSpectrum = spectrumOf(merger.uncorrected)
  return {
    generator: 'benchgate',
    model: open ? 'open' : 'closed',
    arrival: spec.arrival,
    connections: spec.connections,
    durationS: spec.durationS,
    offeredRate: spec.arrival.model === 'closed' ? null : meanRate(spec.arrival),
    throughput: total.completed / measuredS,
    ...total,
    errorKinds,
    corrected: open ? percentilesOf(merger.corrected) : uncorrected,
    uncorrected,
    spectrum: { corrected: open ? spectrumOf(merger.corrected) : uncorrectedSpectrum, uncorrected: uncorrectedSpectrum },
    timeline,
    histograms: { ...(open ? { corrected: encodeHistogram(merger.corrected) } : {}), uncorrected: encodeHistogram(merger.uncorrected) },
    generatorCpu: { userS, systemS, cores: (userS + systemS) / measuredS },
    interrupted,
  }
}
