// Retry policy shared by the ranged-GET client and the uploads: which answers are worth another
// attempt (429, 500, 503), how long to wait (exponential backoff with equal jitter, at least the
// server's Retry-After, never more than the cap), and an abortable sleep.
// The cap applies to Retry-After too, so a request's total wait stays within
// retries × maxBackoffMs plus its attempts' timeouts.

/** Statuses answered by a busy or failing store: retried, and counted as throttled. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 503])

/** Milliseconds a Retry-After header asks for (delta seconds or an HTTP date); undefined if absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return undefined
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

export interface BackoffPolicy {
  backoffMs: number
  maxBackoffMs: number
}

/**
 * Delay before retry number `retry` (1 for the first retry): base × 2^(retry-1), half fixed and
 * half random, raised to Retry-After when the server gave one, capped at maxBackoffMs.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, retryAfter?: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, retry - 1))
  const jittered = exp / 2 + random() * (exp / 2)
  return Math.round(Math.min(policy.maxBackoffMs, Math.max(jittered, retryAfter ?? 0)))
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
