// What the load engine needs of a protocol: connections that send one request at a time and say
// when it is answered. One concern here: the interface and the error-kind naming the drivers share.

/**
 * Called once per request with the connection's id and null (success) or the error's kind
 * (`status 503`, `timeout`, `ECONNRESET`, …). May be called synchronously from `send` (a request
 * that fails at once).
 */
export type Done = (id: number, error: string | null) => void

export interface Connection {
  /** Sends one request of the mix's kind `kind`. Never called while a request is in flight. */
  send(kind: number): void
  close(): Promise<void>
}

export interface Driver {
  /** The mix's weights, in kind order. */
  readonly weights: readonly number[]
  /** Opens connection `id` (ready to send when the promise resolves). */
  connect(id: number, done: Done): Promise<Connection>
}

/** A short, stable name of what went wrong: `timeout`, the error code, or its name. */
export function errorKind(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null
  const code = typeof e?.code === 'string' ? e.code : ''
  const name = typeof e?.name === 'string' ? e.name : ''
  if (/TIMEOUT/i.test(code) || /Timeout/.test(name)) return 'timeout'
  if (code) return code
  if (name && name !== 'Error') return name
  return typeof e?.message === 'string' && e.message ? e.message.slice(0, 60) : 'error'
}
