// Test support for the workload, history, figures and sweep tests: an in-memory StoreSession with
// a real commit race. A write reads the key, waits (`thinkMs`: other writers get in meanwhile),
// then commits only if the key's version is still the one it read — a conditional commit, like
// If-Match on an ETag — else answers conflict. Versions are one global commit number. Reads
// answer after `readMs`. `hang` makes every operation never answer and ignore its signal (for
// timeouts); `throwOn` makes writes throw (an unknown outcome).
import type { CommitOutcome, StoreSession, Versioned, WriteRequest } from './types.ts'

export interface MemorySessionOptions {
  thinkMs?: number
  readMs?: number
  hang?: boolean
  throwOn?: (req: WriteRequest) => string | null
}

export interface MemorySession extends StoreSession {
  /** The committed state, by key. */
  readonly state: Map<string, Versioned>
  /** Writes the store received (attempts), in order. */
  readonly received: WriteRequest[]
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(t)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })

export function memorySession(opts: MemorySessionOptions = {}): MemorySession {
  const state = new Map<string, Versioned>()
  const received: WriteRequest[] = []
  let commits = 0
  const get = (key: string): Versioned => ({ ...(state.get(key) ?? { value: null, version: 0 }) })
  return {
    state,
    received,
    async read(key, signal) {
      if (opts.hang) return new Promise<never>(() => {})
      await sleep(opts.readMs ?? 1, signal)
      return get(key)
    },
    async write(req, signal): Promise<CommitOutcome> {
      received.push(req)
      if (opts.hang) return new Promise<never>(() => {})
      const thrown = opts.throwOn?.(req)
      if (thrown) throw new Error(thrown)
      const prev = get(req.key)
      await sleep(opts.thinkMs ?? 3, signal)
      const now = get(req.key)
      if (now.version !== prev.version) return { kind: 'conflict', error: `precondition failed: ${req.key} is at version ${now.version}, not ${prev.version}`, prev: now }
      const version = ++commits
      state.set(req.key, { value: req.value, version })
      return { kind: 'ok', version, prev, txn: req.txn }
    },
  }
}
