// Turns zod issues into Problems: file:line, field path, what was wrong, what was expected and a
// hint (the closest valid key for a typo). Values of secret fields are never echoed.
import type * as z from 'zod'
import type { Problem } from '../errors.ts'
import { fieldName, type DataPath } from './locate.ts'
import { isSecretField } from './redact.ts'

type Def = { type: string; [k: string]: unknown }
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def

/** The object schema at `path` inside `schema` (through defaults, optionals, lists and records). */
function schemaAt(schema: unknown, path: DataPath): unknown {
  let s = schema
  for (let i = 0; ; ) {
    const def = defOf(s)
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type)) s = def.innerType
    else if (def.type === 'pipe') s = def.in
    else if (i === path.length) return s
    else if (def.type === 'object') s = (def.shape as Record<string, unknown>)[String(path[i++])]
    else if (def.type === 'array') (s = def.element), i++
    else if (def.type === 'record') (s = def.valueType), i++
    else return undefined
    if (s === undefined) return undefined
  }
}

/** The valid keys of the object at `path`, or [] when it is not an object. */
export function keysAt(schema: z.ZodType, path: DataPath): string[] {
  const s = schemaAt(schema, path)
  return s && defOf(s).type === 'object' ? Object.keys(defOf(s).shape as object) : []
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    row = next
  }
  return row[b.length]!
}

/** The valid key a typo most likely meant, when one is close enough. */
export function closestKey(typo: string, valid: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '')
  let best: { key: string; d: number } | undefined
  for (const key of valid) {
    const d = distance(norm(typo), norm(key))
    if (!best || d < best.d) best = { key, d }
  }
  return best && best.d <= Math.max(1, Math.floor(norm(typo).length / 3)) ? best.key : undefined
}

function valueAt(data: unknown, path: DataPath): unknown {
  let v = data
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined
  return v
}

function kind(value: unknown): string {
  if (value === null) return 'an empty value'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `a ${typeof value}`
}

/** `got a string "abc"`, shortened; only the kind for secret fields. */
function got(value: unknown, path: DataPath): string {
  const secret = isSecretField(path.map((p) => (typeof p === 'symbol' ? String(p) : p)))
  if (secret || value === null || typeof value === 'object' || value === undefined) return `got ${kind(value)}`
  const shown = JSON.stringify(value)
  return `got ${kind(value)} ${shown.length > 40 ? `${shown.slice(0, 37)}…"` : shown}`
}

function bound(issue: { origin: string; inclusive?: boolean }, value: unknown, small: boolean): string {
  const n = Number(value)
  if (issue.origin === 'array') return small ? `at least ${n} item${n === 1 ? '' : 's'}` : `at most ${n} items`
  if (issue.origin === 'string') return small ? (n === 1 ? 'a non-empty string' : `at least ${n} characters`) : `at most ${n} characters`
  const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<'
  return `a number ${op} ${n}`
}

type Where = (path: DataPath) => number | undefined

/** One or more Problems for a zod issue (one per key for unrecognized keys). */
export function issueProblems(issue: z.core.$ZodIssue, schema: z.ZodType, data: unknown, file: string, lineOf: Where): Problem[] {
  const path = issue.path as DataPath
  const at = (p: DataPath, rest: Omit<Problem, 'file' | 'line' | 'field'>): Problem => ({
    file, line: lineOf(p), field: fieldName(p) || undefined, ...rest,
  })
  const value = valueAt(data, path)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = keysAt(schema, path)
      return issue.keys.map((key) => {
        const near = closestKey(key, valid)
        return at([...path, key], {
          message: 'unknown key',
          expected: valid.length ? `one of ${valid.join(', ')}` : undefined,
          hint: near ? `did you mean '${near}'?` : 'remove it or check the spelling',
        })
      })
    }
    case 'invalid_type':
      return value === undefined
        ? [at(path, { message: 'missing required field', expected: issue.expected })]
        : [at(path, { message: `wrong type, ${got(value, path)}`, expected: issue.expected })]
    case 'invalid_value':
      return [at(path, { message: `not an allowed value, ${got(value, path)}`, expected: `one of ${issue.values.map(String).join(', ')}` })]
    case 'too_small':
      return [at(path, { message: `too small, ${got(value, path)}`, expected: bound(issue, issue.minimum, true) })]
    case 'too_big':
      return [at(path, { message: `too big, ${got(value, path)}`, expected: bound(issue, issue.maximum, false) })]
    case 'invalid_format': {
      const expected = issue.format === 'url' ? 'an http(s) URL' : issue.pattern ? `a string matching ${issue.pattern}` : issue.format
      return [at(path, { message: `${issue.message}, ${got(value, path)}`, expected })]
    }
    case 'invalid_union': {
      // a discriminated union whose tag (kind, model) matches none of its options
      const options = (issue as { options?: readonly unknown[] }).options
      if (options?.length) return [at(path, { message: `not an allowed value, ${got(value, path)}`, expected: `one of ${options.map(String).join(', ')}` })]
      return [at(path, { message: 'invalid value' })]
    }
    case 'custom': {
      const params = (issue.params ?? {}) as { expected?: string; hint?: string }
      const message = issue.message === 'Invalid input' ? 'invalid value' : issue.message
      return [at(path, { message, expected: params.expected, hint: params.hint })]
    }
    default:
      return [at(path, { message: issue.message })]
  }
}
