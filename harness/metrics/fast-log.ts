// Tails the FAST cache's request log and turns the lines appended in each interval into three
// figures: mean latency, bytes, and cache-hit ratio.
//
// Log format (one request per line, fields separated by spaces, extra fields allowed):
//
//   2026-11-24T10:00:00.000Z chunk=Dimensions_012LOD0/0_0_0 bytes=262144 latency_ms=12.5 cache=hit status=200
//
//   <ISO-8601 time> chunk=<chunk id> bytes=<integer> latency_ms=<decimal> cache=<hit|miss> status=<HTTP status>
//
// `bytes`, `latency_ms` and `cache` must appear in that order; anything may stand between them.
// A custom pattern is any JavaScript regular expression with the named groups latency_ms, bytes
// and cache_hit (values 1/0, true/false, hit/miss, yes/no). Every matching line is one request;
// other lines are ignored.
//
// Tailing: a log that exists when tailing starts is read from its end (older lines are not part
// of the run); one created later is read from its start. Truncation (size below the read offset)
// restarts at 0; rotation (the path names a new file) finishes the old file, then reads the new
// one from its start. A line without its newline yet waits for the next tick.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { UserError } from '../errors.ts'

export const DEFAULT_FAST_LOG_PATTERN = String.raw`\bbytes=(?<bytes>\d+)\b.*?\blatency_ms=(?<latency_ms>\d+(?:\.\d+)?)\b.*?\bcache=(?<cache_hit>hit|miss|true|false|1|0)\b`

export const FAST_LOG_GROUPS = ['latency_ms', 'bytes', 'cache_hit'] as const

/** Aggregate of the requests logged in one interval; figures are null when there was none. */
export interface FastRequestStats {
  requests: number
  latencyMs: number | null
  bytes: number | null
  cacheHit: number | null
}

/** Compiles a log-line pattern, or throws a UserError naming `where` (a flag or config field). */
export function compileFastLogPattern(source: string, where = '--fast-log-pattern'): RegExp {
  let re: RegExp
  try {
    re = new RegExp(source)
  } catch (e) {
    throw new UserError({
      file: where,
      message: `not a valid regular expression (${(e as Error).message})`,
      expected: 'a JavaScript regular expression with named groups latency_ms, bytes and cache_hit',
      hint: String.raw`e.g. bytes=(?<bytes>\d+) latency_ms=(?<latency_ms>[\d.]+) cache=(?<cache_hit>hit|miss)`,
    })
  }
  // An alternative matching the empty string makes exec() list every named group of the source.
  const groups = Object.keys(new RegExp(`(?:${source})|`).exec('')?.groups ?? {})
  const missing = FAST_LOG_GROUPS.filter((g) => !groups.includes(g))
  if (missing.length) {
    throw new UserError({
      file: where,
      message: `pattern lacks named group${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      expected: 'a regular expression with (?<latency_ms>…), (?<bytes>…) and (?<cache_hit>…)',
      hint: String.raw`name the capture groups, e.g. (?<bytes>\d+)`,
    })
  }
  return re
}

/** 1 for a hit, 0 for a miss, null for anything else. */
export function parseCacheHit(value: string | undefined): 0 | 1 | null {
  switch (value?.trim().toLowerCase()) {
    case '1':
    case 'true':
    case 'hit':
    case 'yes':
      return 1
    case '0':
    case 'false':
    case 'miss':
    case 'no':
      return 0
    default:
      return null
  }
}

/** Sums of one interval's requests. */
export class FastRequestAccumulator {
  requests = 0
  #latencySum = 0
  #latencyN = 0
  #bytes = 0
  #bytesN = 0
  #hits = 0
  #hitN = 0

  add(groups: Record<string, string | undefined>): void {
    this.requests++
    const latency = Number(groups.latency_ms)
    if (groups.latency_ms !== undefined && Number.isFinite(latency)) {
      this.#latencySum += latency
      this.#latencyN++
    }
    const bytes = Number(groups.bytes)
    if (groups.bytes !== undefined && Number.isFinite(bytes)) {
      this.#bytes += bytes
      this.#bytesN++
    }
    const hit = parseCacheHit(groups.cache_hit)
    if (hit !== null) {
      this.#hits += hit
      this.#hitN++
    }
  }

  /** The interval's figures; then starts a new interval. */
  take(): FastRequestStats {
    const stats: FastRequestStats = {
      requests: this.requests,
      latencyMs: this.#latencyN ? this.#latencySum / this.#latencyN : null,
      bytes: this.#bytesN ? this.#bytes : null,
      cacheHit: this.#hitN ? this.#hits / this.#hitN : null,
    }
    this.requests = this.#latencySum = this.#latencyN = this.#bytes = this.#bytesN = this.#hits = this.#hitN = 0
    return stats
  }
}

const MAX_PARTIAL_LINE = 1 << 20

export class FastLogTail {
  readonly path: string
  #re: RegExp
  #fd: number | null = null
  #dev = 0
  #ino = 0
  #offset = 0
  #rest = ''
  #decoder = new StringDecoder('utf8')
  #buf = Buffer.allocUnsafe(64 * 1024)
  #acc = new FastRequestAccumulator()

  constructor(path: string, pattern: string | RegExp = DEFAULT_FAST_LOG_PATTERN) {
    this.path = path
    this.#re = typeof pattern === 'string' ? compileFastLogPattern(pattern) : pattern
    if (this.#open()) this.#offset = fstatSync(this.#fd!).size // existing lines are not ours
  }

  /** Reads what was appended since the last call; the figures of those requests. */
  drain(): FastRequestStats {
    if (this.#fd !== null) this.#readNew()
    let st: { dev: number; ino: number } | null = null
    try {
      st = statSync(this.path)
    } catch {
      // not created yet, or between rotation's rename and the new file: keep the old one open
    }
    if (st !== null && (this.#fd === null || st.dev !== this.#dev || st.ino !== this.#ino)) {
      this.#closeFd()
      if (this.#open()) this.#readNew()
    }
    return this.#acc.take()
  }

  close(): void {
    this.#closeFd()
  }

  #open(): boolean {
    try {
      this.#fd = openSync(this.path, 'r')
    } catch {
      this.#fd = null
      return false
    }
    const st = fstatSync(this.#fd)
    this.#dev = st.dev
    this.#ino = st.ino
    this.#offset = 0
    this.#rest = ''
    this.#decoder = new StringDecoder('utf8')
    return true
  }

  #closeFd(): void {
    if (this.#fd === null) return
    try {
      closeSync(this.#fd)
    } catch {
      // already closed
    }
    this.#fd = null
  }

  #readNew(): void {
    const fd = this.#fd!
    try {
      if (fstatSync(fd).size < this.#offset) {
        // truncated in place (copytruncate): start again at the top
        this.#offset = 0
        this.#rest = ''
        this.#decoder = new StringDecoder('utf8')
      }
      for (;;) {
        const n = readSync(fd, this.#buf, 0, this.#buf.length, this.#offset)
        if (n <= 0) break
        this.#offset += n
        this.#lines(this.#decoder.write(n === this.#buf.length ? this.#buf : this.#buf.subarray(0, n)))
      }
    } catch {
      // unreadable for now; try again next tick
    }
  }

  #lines(chunk: string): void {
    const text = this.#rest + chunk
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl < 0) break
      const m = this.#re.exec(text.slice(start, nl))
      if (m !== null) this.#acc.add(m.groups ?? {})
      start = nl + 1
    }
    const rest = text.slice(start)
    // A rotated-away file's unfinished last line is dropped with it (#open resets #rest).
    this.#rest = rest.length > MAX_PARTIAL_LINE ? '' : rest
  }
}
