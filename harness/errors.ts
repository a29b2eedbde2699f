// One shape for every user mistake: where (file, line, field), what was wrong, what was expected,
// and a hint. Printed as one line per problem, never with a stack trace.

export interface Problem {
  /** The file (or flag, or URL target) the problem is in. */
  file: string
  /** 1-based line in that file, when known. */
  line?: number
  /** Dotted field path (`azure.sas_url`) or column/flag name. */
  field?: string
  /** What is wrong. */
  message: string
  /** What was expected instead. */
  expected?: string
  /** What to do about it. */
  hint?: string
}

/** A data path as messages show it: `ssh.hosts[0].password`; the empty path has no name. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? String(seg) : `.${String(seg)}`))
    .join('')
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`
  let text = p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`
  if (p.expected) text += `; expected ${p.expected}`
  if (p.hint) text += ` (hint: ${p.hint})`
  return text
}

/** An error caused by the user's input. The CLI prints its message alone, without a stack. */
export class UserError extends Error {
  readonly problems: readonly Problem[]
  constructor(problems: Problem | readonly Problem[]) {
    const list = Array.isArray(problems) ? problems : [problems as Problem]
    super(list.map(formatProblem).join('\n'))
    this.name = 'UserError'
    this.problems = list
    // A user mistake is reported as its message alone: no stack frames in any printer.
    this.stack = `${this.name}: ${this.message}`
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && e.name === 'UserError' && Array.isArray((e as UserError).problems)
}
