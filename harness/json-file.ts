// A JSON file benchgate wrote (a baseline, a verdicts.json) read back: invalid JSON or a value
// its schema refuses is one UserError naming the file and, per problem, the field.
import type * as z from 'zod'
import { fieldName, UserError } from './errors.ts'

export function parseJson(text: string, file: string, what: string, hint: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new UserError({ file, message: `not valid JSON (${(e as Error).message})`, expected: what, hint })
  }
}

export function validateJson<T>(raw: unknown, schema: z.ZodType<T>, file: string, hint: string): T {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  throw new UserError(
    parsed.error.issues.slice(0, 10).map((issue) => ({ file, field: fieldName(issue.path) || '(root)', message: issue.message, hint })),
  )
}
