// A bound on one target's probe: the work gets a signal that aborts at the deadline, and the
// caller gets a rejection at the deadline even if the work is stuck somewhere the signal cannot
// reach (a read blocked on a dead mount), so a probe never hangs past its configured timeout.

export class DeadlineError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what} timed out after ${Math.round(timeoutMs / 100) / 10} s (probe.timeout_s)`)
    this.name = 'DeadlineError'
  }
}

/** Runs `work` with a signal that aborts after `timeoutMs`; rejects with DeadlineError then. */
export async function withDeadline<T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const error = new DeadlineError(what, timeoutMs)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // rejected before the abort, so the deadline wins even over work that fails at once on it
      reject(error)
      controller.abort(error)
    }, timeoutMs)
  })
  const running = work(controller.signal)
  running.catch(() => {}) // once the deadline has won, a late failure of the work is moot
  try {
    return await Promise.race([running, expired])
  } finally {
    clearTimeout(timer)
  }
}
