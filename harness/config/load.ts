// Finds, reads, substitutes and validates the YAML configuration. Every mistake in the file is
// collected and thrown as one UserError (one line per problem: file:line: field: what; expected;
// hint). No zod or yaml error escapes, and no message carries a secret.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { LineCounter, parseDocument, type Document } from 'yaml'
import { UserError, type Problem } from '../errors.ts'
import { missingShares } from './checks.ts'
import { substituteEnv } from './env.ts'
import { issueProblems } from './issues.ts'
import { fieldName, lineOf } from './locate.ts'
import { redactConfig, redactText } from './redact.ts'
import { ConfigSchema, type Config } from './schema.ts'

export const DEFAULT_CONFIG_FILE = 'benchgate.config.yaml'

export interface LoadOptions {
  /** Configuration file; wins over BENCHGATE_CONFIG and the default file. */
  path?: string
  /** Environment for BENCHGATE_CONFIG and `${VAR}` substitution; default process.env. */
  env?: NodeJS.ProcessEnv
  /** Directory relative paths resolve against; default process.cwd(). */
  cwd?: string
}

export interface LoadedConfig {
  config: Config
  /** Absolute path of the file read, or null when the defaults were used. */
  source: string | null
  /** First 16 hex digits of the sha256 of the redacted configuration's canonical JSON. */
  hash: string
}

/** Loads the configuration: opts.path ?? $BENCHGATE_CONFIG ?? ./benchgate.config.yaml ?? defaults. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const source = resolveSource(opts.path, env, cwd)
  const config = source === null ? ConfigSchema.parse({}) : parseConfigFile(source, env, cwd)
  return { config, source, hash: configHash(config) }
}

function resolveSource(path: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const given = path ?? (env.BENCHGATE_CONFIG || undefined)
  if (given !== undefined) {
    const full = resolve(cwd, given)
    if (!existsSync(full)) {
      const from = path !== undefined ? 'the path given' : 'BENCHGATE_CONFIG'
      throw new UserError({
        file: given,
        message: `configuration file not found (from ${from})`,
        expected: 'an existing YAML file',
        hint: path !== undefined ? 'check the path' : 'fix BENCHGATE_CONFIG or unset it to use the defaults',
      })
    }
    return full
  }
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE)
  return existsSync(fallback) ? fallback : null
}

/** The file name as messages show it: relative to cwd when inside it. */
function displayName(full: string, cwd: string): string {
  const rel = relative(cwd, full)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : full
}

/** Reads and validates one file; throws a UserError listing every problem. */
export function parseConfigFile(full: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = displayName(full, cwd)
  let text: string
  try {
    text = readFileSync(full, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'read error'
    throw new UserError({ file, message: `cannot read the configuration file (${code})`, expected: 'a readable YAML file' })
  }

  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false })
  if (doc.errors.length) {
    // Error texts may quote a token of the file: scrub whatever secrets the file spells out.
    const secrets = toData(doc, file, () => null)
    const lastLine = Math.max(1, text.replace(/\n$/, '').split('\n').length) // an error at end of file
    throw new UserError(doc.errors.map((e): Problem => ({
      file,
      line: Math.min(counter.linePos(e.pos[0]).line, lastLine),
      message: redactText(`YAML syntax error: ${e.message.split('\n')[0]}`, secrets),
      hint: 'check indentation, colons and quotes on this line or the one before',
    })))
  }

  const problems = substituteEnv(doc, counter, env, file)
  const data = dropEmpty(toData(doc, file)) ?? {}
  const where = (path: readonly PropertyKey[]) => lineOf(doc, counter, path)
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, line: where([]), message: `the file holds ${Array.isArray(data) ? 'a list' : 'a single value'}`,
      expected: 'a mapping of sections (azure:, nas:, …)', hint: 'start from fixtures/benchgate.sample.yaml' })
  } else {
    const result = ConfigSchema.safeParse(data)
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(...issueProblems(issue, ConfigSchema, data, file, where))
    }
    for (const { path, ...rest } of missingShares(data, cwd)) problems.push({ file, line: where(path), field: fieldName(path), ...rest })
    if (result.success && problems.length === 0) return result.data
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  throw new UserError(problems.map((p) => scrub(p, data)))
}

/** The document as plain data; an alias bomb or bad alias is a user mistake, not a crash. */
function toData(doc: Document, file: string, onError?: () => unknown): unknown {
  try {
    return doc.toJS()
  } catch (e) {
    if (onError) return onError()
    throw new UserError({ file, message: `cannot expand the YAML: ${(e as Error).message.split('\n')[0]}`,
      hint: 'check the anchors (&name) and aliases (*name)' })
  }
}

/** Mapping entries with an empty value (`azure:` with every line commented out) mean "use the default". */
function dropEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmpty)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = dropEmpty(v)
  return out
}

/** A problem with every secret of the (raw) configuration removed from its texts. */
function scrub(p: Problem, raw: unknown): Problem {
  const clean = (s: string | undefined) => (s === undefined ? s : redactText(s, raw))
  return { ...p, message: clean(p.message)!, expected: clean(p.expected), hint: clean(p.hint) }
}

/** Canonical JSON: keys sorted at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The hash that identifies a configuration in results; secrets do not take part. */
export function configHash(config: Config): string {
  return createHash('sha256').update(canonicalJson(redactConfig(config))).digest('hex').slice(0, 16)
}
