// One error for every failed blob request, with a human cause instead of a bare status:
// `GET 'vol/a.bin' in http://…/container?sv=…&sig=REDACTED: SAS signature invalid or expired
// (HTTP 403 AuthenticationFailed; hint: …)`. The signature is scrubbed from everything the error
// carries (message, cause text), so printing or logging it is always safe.
//
// Azurite answers every authentication failure (no SAS, wrong signature, expired SAS) with
// 403 AuthorizationFailure, where Azure says AuthenticationFailed; Azure uses AuthorizationFailure
// for permission and network-rule refusals. The SAS itself (no sig, `se` in the past, `st` in the
// future) tells the cases apart, so both stores give the same message.
import { describeTarget, sasParam, scrubSecrets, type BlobTarget } from './target.ts'

export interface BlobRequestErrorInit {
  target: BlobTarget
  blob: string
  method: string
  /** HTTP status, 0 when no answer came (unreachable, timed out, connection reset). */
  status: number
  code?: string
  cause: string
  hint?: string
}

export class BlobRequestError extends Error {
  /** HTTP status; 0 when the store never answered. */
  readonly status: number
  /** The x-ms-error-code header (or the network error code), when there was one. */
  readonly code: string | undefined
  readonly blob: string
  /** The human cause alone: 'SAS signature invalid or expired', 'not found', 'timed out', … */
  readonly reason: string
  readonly hint: string | undefined

  constructor(init: BlobRequestErrorInit) {
    const where = `${init.method} '${init.blob}' in ${describeTarget(init.target)}`
    const what = init.status ? `HTTP ${init.status}${init.code ? ` ${init.code}` : ''}` : init.code
    const tailParts = [what, init.hint ? `hint: ${init.hint}` : undefined].filter((p) => p)
    const message = `${where}: ${init.cause}${tailParts.length ? ` (${tailParts.join('; ')})` : ''}`
    super(scrubSecrets(message, init.target))
    this.name = 'BlobRequestError'
    this.status = init.status
    this.code = init.code
    this.blob = init.blob
    this.reason = scrubSecrets(init.cause, init.target)
    this.hint = init.hint
    this.stack = `${this.name}: ${this.message}`
  }
}

function permissionFor(method: string): string {
  return method === 'PUT' ? "'c' or 'w' (create/write)" : "'r' (read)"
}

/** The human cause and hint of an HTTP error answer. */
export function describeStatus(target: BlobTarget, method: string, status: number, code: string | undefined): { cause: string; hint?: string } {
  if (status === 403) {
    const expiry = sasParam(target, 'se')
    const start = sasParam(target, 'st')
    const now = Date.now()
    if (!target.sas) return { cause: 'no SAS given: the store refused the unsigned request', hint: 'give azure.sas_url or azure.sas_token' }
    if (code === 'AuthorizationPermissionMismatch') {
      return { cause: 'SAS lacks the needed permission', hint: `the SAS grants sp=${sasParam(target, 'sp') ?? '?'}; this request needs ${permissionFor(method)}` }
    }
    if (code === 'AuthenticationFailed' || code === 'AuthorizationFailure') {
      if (expiry !== undefined && Date.parse(expiry) <= now) {
        return { cause: `SAS signature invalid or expired (it expired at ${expiry})`, hint: 'make a new SAS with a later expiry (se)' }
      }
      if (start !== undefined && Date.parse(start) > now) {
        return { cause: `SAS signature invalid or expired (it is valid only from ${start})`, hint: 'check the clock, or make a SAS without a start time' }
      }
      if (code === 'AuthenticationFailed') {
        return { cause: 'SAS signature invalid or expired', hint: 'copy the whole SAS again, or make a new one for this container' }
      }
      return { cause: 'SAS lacks the needed permission, or the store refused it (signature, IP or network rules)',
        hint: `this request needs ${permissionFor(method)}; check the SAS was made for this container and account` }
    }
    return { cause: `request refused by the store${code ? ` (${code})` : ''}`, hint: 'check the SAS permissions and the account network rules' }
  }
  if (status === 404) {
    if (code === 'ContainerNotFound') return { cause: 'not found (no such container)', hint: 'check azure.container' }
    if (code === 'BlobNotFound') return { cause: 'not found (no such blob)' }
    return { cause: 'not found', hint: 'check the container and blob names, and that the SAS is for this container' }
  }
  if (status === 409 && code === 'PublicAccessNotPermitted') return { cause: 'anonymous access not permitted', hint: 'give a SAS' }
  if (status === 416) return { cause: 'range outside the blob' }
  if (status === 429 || status === 503) return { cause: 'store busy (throttled)', hint: 'lower the concurrency or retry later' }
  if (status >= 500) return { cause: 'store error' }
  return { cause: 'unexpected answer' }
}

export interface NetworkFailure {
  cause: string
  code: string | undefined
  kind: 'unreachable' | 'timeout' | 'reset' | 'other'
  retryable: boolean
  hint?: string
}

/** Network error codes for which no answer came: cause text, kind, and whether a retry may help. */
export function describeNetworkError(e: unknown): NetworkFailure {
  const err = e as { code?: string; name?: string; cause?: { code?: string } }
  const code = err?.code ?? err?.cause?.code
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { cause: 'host unreachable', code, kind: 'unreachable', retryable: false, hint: 'check the endpoint and that the store is running' }
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'CONNECT_TIMEOUT': // ./drain-pool.ts
      return { cause: 'host unreachable (connect timed out)', code, kind: 'timeout', retryable: true }
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return { cause: 'timed out', code, kind: 'timeout', retryable: true }
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return { cause: 'connection reset (body shorter than its Content-Length)', code, kind: 'reset', retryable: true }
    case 'BODY_SHORT': // ./drain-pool.ts: closed inside a Content-Length or chunked body
      return { cause: 'connection reset (body shorter than its framing)', code, kind: 'reset', retryable: true }
    case 'BAD_ANSWER': // ./drain-pool.ts
      return { cause: `malformed HTTP answer: ${(e as Error).message}`, code, kind: 'other', retryable: false }
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { cause: 'connection reset', code, kind: 'reset', retryable: true }
    default:
      return { cause: `request failed: ${(e as Error)?.message ?? String(e)}`, code, kind: 'other', retryable: false }
  }
}
