// Reading the original team's load tool, `loadtest run --scenario {file} --duration {seconds}
// --endpoint {url}`, into a LoadResult. No such public tool exists, so its report is DEFINED here;
// a team's tool (or a wrapper around it) prints one of these two forms on stdout, and
// fixtures/competitive/loadtest-standin.ts is a small working tool that does.
//
// Figures (both forms):
//   requests    requests sent, each answered or failed
//   errors      of those, the failed: unexpected status, timeout, socket error
//   duration    measured seconds
//   rps         successful requests per second: (requests − errors) ÷ duration
//   mean, p50, p90, p99, p99.9, max
//               latency of the answered requests from their actual send, in ms
//   error kinds optional counts per kind ("status 500", "timeout", "ECONNRESET")
//
// `loadtest-json`: stdout is one JSON object (blank lines around it allowed); other keys ignored:
//   {"requests": 1234, "errors": 3, "duration_s": 10.0, "rps": 123.1,
//    "latency_ms": {"mean": 1.2, "p50": 1.1, "p90": 2.0, "p99": 12.3, "p999": 20.1, "max": 31.0},
//    "error_kinds": {"status 500": 3}}
//
// `loadtest-text`: one `key: value` a line, every key once; times carry a unit (us, ms, s);
// blank lines and lines starting with # are ignored; an `error <kind>: <n>` line per error kind:
//   requests: 1234
//   errors: 3
//   duration: 10.00s
//   rps: 123.1
//   mean: 1.20ms
//   p50: 1.10ms
//   p90: 2.00ms
//   p99: 12.30ms
//   p99.9: 20.10ms
//   max: 31.00ms
//   error status 500: 3
//
// The original tool timed each request from its actual send in an awaited loop (a closed model:
// coordinated omission), so the result is model 'closed', corrected null, offeredRate null; the
// report labels it. Anything else on a line, a missing or repeated key, or a value that is not a
// number is a UserError naming the file, the line (text) or field (JSON) and the expected form.
import { UserError } from '../../errors.ts'
import type { LoadResult } from '../../load/types.ts'

interface LoadtestReport {
  requests: number
  errors: number
  durationS: number
  rps: number
  latencyMs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number }
  errorKinds: Record<string, number>
}

export interface LoadtestContext {
  /** Where the text came from (the saved stdout file), for messages. */
  source: string
  connections: number
}

const LATENCY_KEYS = ['mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const
const TEXT_TIME_KEYS: Record<string, (typeof LATENCY_KEYS)[number]> = { mean: 'mean', p50: 'p50', p90: 'p90', p99: 'p99', 'p99.9': 'p999', max: 'max' }
const TEXT_KEYS = ['requests', 'errors', 'duration', 'rps', ...Object.keys(TEXT_TIME_KEYS)]
const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3 }

function nonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0
}

/** Parses the text form. Throws a UserError naming `ctx.source` and the line. */
export function parseLoadtestText(text: string, ctx: LoadtestContext): LoadResult {
  const bad = (message: string, line?: number, expected?: string): UserError =>
    new UserError({ file: ctx.source, ...(line !== undefined ? { line } : {}), message: `loadtest (text): ${message}`, ...(expected ? { expected } : {}), hint: 'the loadtest-text form is defined in harness/competitive/adapters/loadtest.ts' })
  const seen = new Map<string, number>()
  const errorKinds: Record<string, number> = {}
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    const n = i + 1
    if (line === '' || line.startsWith('#')) return
    const m = /^([^:]+):\s*(.*)$/.exec(line)
    if (!m) throw bad(`cannot read line ${n}: '${line}'`, n, '`key: value`')
    const key = m[1]!.trim()
    const value = m[2]!.trim()
    const kind = /^error\s+(.+)$/.exec(key)
    if (kind) {
      if (!/^\d+$/.test(value)) throw bad(`cannot read line ${n}: '${line}'`, n, '`error <kind>: <count>`')
      errorKinds[kind[1]!] = (errorKinds[kind[1]!] ?? 0) + Number(value)
      return
    }
    if (!TEXT_KEYS.includes(key)) throw bad(`cannot read line ${n}: unknown key '${key}'`, n, `one of ${TEXT_KEYS.join(', ')} or error <kind>`)
    if (seen.has(key)) throw bad(`line ${n} repeats '${key}'`, n, 'each key once')
    let number: number
    if (key in TEXT_TIME_KEYS || key === 'duration') {
      const t = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(us|ms|s)$/.exec(value)
      if (!t) throw bad(`cannot read line ${n}: '${line}'`, n, `${key}: <number><us|ms|s>, e.g. '${key}: 12.3ms'`)
      number = Number(t[1]) * UNIT_MS[t[2]!]!
      if (key === 'duration') number /= 1000
    } else {
      if (!/^\d+(?:\.\d+)?$/.test(value)) throw bad(`cannot read line ${n}: '${line}'`, n, `${key}: <number>`)
      number = Number(value)
    }
    seen.set(key, number)
  })
  const missing = TEXT_KEYS.filter((k) => !seen.has(k))
  if (missing.length) throw bad(`no ${missing.map((k) => `'${k}:'`).join(', ')} line${missing.length > 1 ? 's' : ''}`, undefined, 'every key of the report once')
  const latencyMs = Object.fromEntries(Object.entries(TEXT_TIME_KEYS).map(([k, f]) => [f, seen.get(k)!])) as LoadtestReport['latencyMs']
  return loadtestResult({ requests: seen.get('requests')!, errors: seen.get('errors')!, durationS: seen.get('duration')!, rps: seen.get('rps')!, latencyMs, errorKinds }, ctx, bad)
}

/** Parses the JSON form. Throws a UserError naming `ctx.source` and the field. */
export function parseLoadtestJson(text: string, ctx: LoadtestContext): LoadResult {
  const bad = (message: string, field?: string, expected?: string): UserError =>
    new UserError({ file: ctx.source, ...(field ? { field } : {}), message: `loadtest (JSON): ${message}`, ...(expected ? { expected } : {}), hint: 'the loadtest-json form is defined in harness/competitive/adapters/loadtest.ts' })
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    const first = text.trim().split(/\r?\n/)[0] ?? ''
    throw bad(`stdout is not one JSON object (${(e as Error).message}); it begins '${first.slice(0, 80)}'`, undefined, 'a single JSON object')
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('stdout is not a JSON object', undefined, 'a single JSON object')
  const o = raw as Record<string, unknown>
  const num = (v: unknown, field: string): number => {
    if (!nonNegative(v)) throw bad(`${JSON.stringify(v) ?? 'missing'} is not a number ≥ 0`, field, 'a number ≥ 0')
    return v
  }
  const lat = o.latency_ms
  if (typeof lat !== 'object' || lat === null) throw bad('missing', 'latency_ms', '{mean, p50, p90, p99, p999, max} in ms')
  const latencyMs = Object.fromEntries(LATENCY_KEYS.map((k) => [k, num((lat as Record<string, unknown>)[k], `latency_ms.${k}`)])) as LoadtestReport['latencyMs']
  const errorKinds: Record<string, number> = {}
  if (o.error_kinds !== undefined) {
    if (typeof o.error_kinds !== 'object' || o.error_kinds === null) throw bad('not an object', 'error_kinds', '{kind: count}')
    for (const [k, v] of Object.entries(o.error_kinds)) errorKinds[k] = num(v, `error_kinds.${k}`)
  }
  return loadtestResult({ requests: num(o.requests, 'requests'), errors: num(o.errors, 'errors'), durationS: num(o.duration_s, 'duration_s'), rps: num(o.rps, 'rps'), latencyMs, errorKinds }, ctx, (m) => bad(m))
}

function loadtestResult(r: LoadtestReport, ctx: LoadtestContext, bad: (message: string) => UserError): LoadResult {
  if (!(r.durationS > 0)) throw bad(`the duration is ${r.durationS} s; expected > 0`)
  if (r.errors > r.requests) throw bad(`${r.errors} errors out of ${r.requests} requests`)
  const completed = r.requests - r.errors
  const l = r.latencyMs
  return {
    generator: 'loadtest',
    model: 'closed',
    arrival: { model: 'closed' },
    connections: ctx.connections,
    durationS: r.durationS,
    offeredRate: null,
    throughput: r.rps,
    scheduled: r.requests,
    sent: r.requests,
    completed,
    errors: r.errors,
    errorKinds: r.errorKinds,
    late: 0,
    dropped: 0,
    corrected: null,
    uncorrected: { count: completed, ...l },
    spectrum: {
      corrected: null,
      uncorrected: [
        { percentile: 50, ms: l.p50 },
        { percentile: 90, ms: l.p90 },
        { percentile: 99, ms: l.p99 },
        { percentile: 99.9, ms: l.p999 },
        { percentile: 100, ms: l.max },
      ],
    },
    timeline: [],
    generatorCpu: null,
    interrupted: false,
  }
}
