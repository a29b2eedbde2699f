// A worker thread of a multi-threaded load run: its share of the connections and of the schedule
// in a LoadEngine, its seconds' histograms posted to the main thread as they close (compressed
// HDR, base64), its counters and CPU at the end. Messages: in `start` {epochMs} and `abort`; out
// `ready`, `failed` {message}, `second` {t, corrected, uncorrected}, `done` {result}.
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { driverFor } from './drivers.ts'
import { LoadEngine, type EngineSpec } from './engine.ts'
import { encodeHistogram } from './histogram.ts'
import type { Target } from './types.ts'

export interface WorkerInput {
  engine: EngineSpec
  target: Target
  timeoutMs: number
}

const port = parentPort!
const input = workerData as WorkerInput
const abort = new AbortController()

try {
  const engine = new LoadEngine(input.engine, driverFor(input.target, input.timeoutMs, input.engine.seed), (t, corrected, uncorrected) => {
    port.postMessage({ type: 'second', t, corrected: encodeHistogram(corrected), uncorrected: encodeHistogram(uncorrected) })
  }, input.timeoutMs)
  await engine.connect()
  const start = new Promise<number>((resolve) => {
    port.on('message', (m: { type: string; epochMs?: number }) => {
      if (m.type === 'start') resolve(m.epochMs! - performance.timeOrigin)
      else if (m.type === 'abort') abort.abort()
    })
  })
  port.postMessage({ type: 'ready' })
  const t0 = await start
  const result = await engine.run(t0, abort.signal)
  port.postMessage({ type: 'done', result })
  await engine.close()
} catch (e) {
  port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) })
}
port.close()
