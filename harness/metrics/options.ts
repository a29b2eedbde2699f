// The sampler's options, as the in-process API (`startSampler`), the agent process and the
// `benchgate metrics` command take them, checked once into one resolved shape. Mistakes become
// a UserError naming the field or flag, what was expected and a hint.
import { parseArgs } from 'node:util'
import { isAbsolute, resolve } from 'node:path'
import { UserError } from '../errors.ts'
import { compileFastLogPattern, DEFAULT_FAST_LOG_PATTERN } from './fast-log.ts'
import { assertProcfs, processAlive } from './procfs.ts'

export interface SamplerOptions {
  /** The CSV to write; rows go to `<out>.partial` until the sampler stops cleanly. */
  out: string
  /** Milliseconds between samples; default 1000. */
  intervalMs?: number
  /** Root pids of the process trees to watch from the start. */
  pids?: number[]
  /** Glob of the open files reported in open_zgy_paths; default `*.zgy` (basename). */
  zgyPattern?: string
  /** FAST request log to tail, and the line pattern (default DEFAULT_FAST_LOG_PATTERN). */
  fastLog?: { path: string; pattern?: string }
  /** Stop by itself after this many milliseconds. */
  durationMs?: number
}

export interface ResolvedOptions {
  out: string
  intervalMs: number
  pids: number[]
  zgyPattern: string
  fastLog: { path: string; pattern: string } | null
  durationMs: number | null
}

export const DEFAULT_INTERVAL_MS = 1000
export const MIN_INTERVAL_MS = 10
export const DEFAULT_ZGY_PATTERN = '*.{zgy,vzgy}'

/** Names used in messages: CLI flags or API fields. */
export interface FieldNames {
  out: string
  interval: string
  pid: string
  zgyPattern: string
  fastLog: string
  fastLogPattern: string
  duration: string
}

export const API_FIELDS: FieldNames = {
  out: 'out',
  interval: 'intervalMs',
  pid: 'pids',
  zgyPattern: 'zgyPattern',
  fastLog: 'fastLog.path',
  fastLogPattern: 'fastLog.pattern',
  duration: 'durationMs',
}

export const CLI_FLAGS: FieldNames = {
  out: '--out',
  interval: '--interval',
  pid: '--pid',
  zgyPattern: '--zgy-pattern',
  fastLog: '--fast-log',
  fastLogPattern: '--fast-log-pattern',
  duration: '--duration',
}

function bad(field: string, message: string, expected: string, hint?: string): UserError {
  return new UserError({ file: field, message, expected, ...(hint ? { hint } : {}) })
}

/** Checks a pid given to watch(): a positive integer (whether it runs is the agent's business). */
export function checkPid(pid: unknown, field = 'pid'): number {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
    throw bad(field, `${JSON.stringify(pid)} is not a process id`, 'a positive integer', 'pass child.pid of a started process')
  }
  return pid
}

/** Checks every option; pids must name running processes. `names` picks flag or field names for messages. */
export function resolveOptions(opts: SamplerOptions, names: FieldNames = API_FIELDS): ResolvedOptions {
  assertProcfs()
  if (typeof opts.out !== 'string' || opts.out === '') {
    throw bad(names.out, 'missing output file', 'a path for the metrics CSV', `add ${names === CLI_FLAGS ? '--out metrics.csv' : "out: 'metrics.csv'"}`)
  }
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS
  const perSecond = names === CLI_FLAGS
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < MIN_INTERVAL_MS || intervalMs > 3_600_000) {
    const shown = perSecond ? `${intervalMs / 1000}` : String(intervalMs)
    throw bad(names.interval, `${shown} is out of range`,
      perSecond ? 'seconds between samples, 0.01 to 3600' : `milliseconds between samples, ${MIN_INTERVAL_MS} to 3600000`,
      perSecond ? '--interval 1 samples once a second, --interval 0.1 ten times' : undefined)
  }
  const durationMs = opts.durationMs ?? null
  if (durationMs !== null && (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0)) {
    throw bad(names.duration, `${perSecond ? durationMs / 1000 : durationMs} is not a positive duration`,
      perSecond ? 'seconds, e.g. 60' : 'milliseconds, e.g. 60000')
  }
  const pids = [...new Set(opts.pids ?? [])]
  for (const pid of pids) {
    checkPid(pid, names.pid)
    if (!processAlive(pid)) {
      throw bad(names.pid, `no running process ${pid}`, 'the pid of a running process', 'check the pid with ps; it may have exited already')
    }
  }
  const zgyPattern = opts.zgyPattern ?? DEFAULT_ZGY_PATTERN
  if (typeof zgyPattern !== 'string' || zgyPattern === '') {
    throw bad(names.zgyPattern, 'empty pattern', 'a glob such as *.zgy', 'quote the glob so the shell does not expand it')
  }
  let fastLog: ResolvedOptions['fastLog'] = null
  if (opts.fastLog !== undefined) {
    if (typeof opts.fastLog.path !== 'string' || opts.fastLog.path === '') {
      throw bad(names.fastLog, 'missing log path', 'the path of the FAST request log')
    }
    const pattern = opts.fastLog.pattern ?? DEFAULT_FAST_LOG_PATTERN
    compileFastLogPattern(pattern, names.fastLogPattern)
    fastLog = { path: resolve(opts.fastLog.path), pattern }
  }
  return {
    out: isAbsolute(opts.out) ? opts.out : resolve(opts.out),
    intervalMs,
    pids,
    zgyPattern,
    fastLog,
    durationMs,
  }
}

/** Resolved options back in the input shape (for handing them to the agent process). */
export function toSamplerOptions(r: ResolvedOptions): SamplerOptions {
  const opts: SamplerOptions = { out: r.out, intervalMs: r.intervalMs, pids: r.pids, zgyPattern: r.zgyPattern }
  if (r.fastLog !== null) opts.fastLog = r.fastLog
  if (r.durationMs !== null) opts.durationMs = r.durationMs
  return opts
}

export const METRICS_USAGE = `usage: benchgate metrics --out FILE [--pid PID]... [options]

Samples process trees (each PID and all its descendants) and the system into a CSV,
one row per tick and watched pid. Stops after --duration, when every watched pid has
exited, or on Ctrl-C; the file is FILE.partial until then.

options:
  --out FILE               metrics CSV to write (required)
  --pid PID                root of a process tree to watch; repeat for several
  --interval SECONDS       time between samples, fractions allowed (default 1)
  --duration SECONDS       stop after this long
  --zgy-pattern GLOB       open files to report in open_zgy_paths (default '*.{zgy,vzgy}')
  --fast-log PATH          FAST request log to tail for fast_req_* columns
  --fast-log-pattern RE    regex with named groups latency_ms, bytes, cache_hit
  --help                   show this help`

const FLAGS = {
  out: { type: 'string' },
  pid: { type: 'string', multiple: true },
  interval: { type: 'string' },
  duration: { type: 'string' },
  'zgy-pattern': { type: 'string' },
  'fast-log': { type: 'string' },
  'fast-log-pattern': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const PLACEHOLDERS: Record<string, string> = {
  out: 'FILE',
  pid: 'PID',
  interval: 'SECONDS',
  duration: 'SECONDS',
  'zgy-pattern': 'GLOB',
  'fast-log': 'PATH',
  'fast-log-pattern': 'REGEX',
}

function seconds(flag: string, text: string, example: string): number {
  const n = text.trim() === '' ? Number.NaN : Number(text)
  if (!Number.isFinite(n) || n <= 0) {
    throw bad(flag, `'${text}' is not a positive number of seconds`, `seconds, fractions allowed, e.g. ${flag} ${example}`)
  }
  return n
}

/** Parses `benchgate metrics` flags: the options, or `help`. */
export function parseMetricsArgs(argv: string[]): { help: true } | { help: false; options: SamplerOptions } {
  const { tokens } = parseArgs({ args: argv, options: FLAGS, strict: false, allowPositionals: true, tokens: true })
  const values: Record<string, string[]> = {}
  let help = false
  for (const token of tokens) {
    if (token.kind === 'positional') {
      throw bad(token.value, 'unexpected argument', 'only --flags', `see 'benchgate metrics --help'`)
    }
    if (token.kind !== 'option') continue
    const flag = token.rawName
    const spec = (FLAGS as Record<string, { type: string }>)[token.name]
    if (spec === undefined) {
      throw bad(flag, 'unknown flag', `one of ${Object.keys(FLAGS).map((f) => `--${f}`).join(', ')}`, `see 'benchgate metrics --help'`)
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw bad(flag, 'takes no value', `${flag} alone`)
      help = true
      continue
    }
    if (token.value === undefined || (token.inlineValue === false && token.value.startsWith('--'))) {
      throw bad(flag, 'missing value', `${flag} ${PLACEHOLDERS[token.name] ?? 'VALUE'}`, `see 'benchgate metrics --help'`)
    }
    ;(values[token.name] ??= []).push(token.value)
  }
  if (help) return { help: true }
  for (const [name, list] of Object.entries(values)) {
    if (name !== 'pid' && list.length > 1) throw bad(`--${name}`, 'given more than once', 'one value')
  }
  const one = (name: string): string | undefined => values[name]?.[0]
  const pids = (values.pid ?? []).map((text) => {
    const n = Number(text)
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
      throw bad('--pid', `'${text}' is not a process id`, 'a positive integer', 'find the pid with pgrep or ps')
    }
    return n
  })
  const interval = one('interval')
  const intervalMs = interval === undefined ? undefined : seconds('--interval', interval, '0.5') * 1000
  const duration = one('duration')
  const durationMs = duration === undefined ? undefined : seconds('--duration', duration, '60') * 1000
  const zgy = one('zgy-pattern')
  const fastLogPath = one('fast-log')
  const fastLogPattern = one('fast-log-pattern')
  if (fastLogPattern !== undefined && fastLogPath === undefined) {
    throw bad('--fast-log-pattern', 'given without --fast-log', '--fast-log PATH as well', 'add --fast-log /path/to/fast.log')
  }
  const out = one('out')
  if (out === undefined) throw bad('--out', 'missing output file', 'a path for the metrics CSV', 'add --out metrics.csv')
  const options: SamplerOptions = { out, pids }
  if (intervalMs !== undefined) options.intervalMs = intervalMs
  if (durationMs !== undefined) options.durationMs = durationMs
  if (zgy !== undefined) options.zgyPattern = zgy
  if (fastLogPath !== undefined) options.fastLog = fastLogPattern === undefined ? { path: fastLogPath } : { path: fastLogPath, pattern: fastLogPattern }
  return { help: false, options }
}
