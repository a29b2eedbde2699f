// Command templates from configuration: 'rsync -a --delete {src}/ {dst}/' becomes an argv with
// each {name} replaced. A string is split into words on whitespace, as a shell would split it
// without expansions: "…" and '…' quote blanks (the quotes themselves are removed), nothing else
// is special. Placeholders are replaced inside the words after splitting, so a value with blanks
// stays one argument and is never re-split or interpreted. An array template is taken word for
// word. A placeholder the caller requires but the template lacks, or one it does not know, is a
// UserError naming the field.
import { UserError } from '../errors.ts'

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Splits a command line into words: whitespace separates, "…" and '…' quote. */
export function splitWords(line: string, field: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (const c of line) {
    if (quote !== null) {
      if (c === quote) quote = null
      else word += c
    } else if (c === '"' || c === "'") {
      quote = c
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (quote !== null) throw new UserError({ file: field, message: `the template has an unterminated ${quote} quote: ${line}`, expected: 'matching quotes around an argument with blanks' })
  if (inWord) words.push(word)
  return words
}

function list(names: readonly string[]): string {
  const braced = names.map((n) => `{${n}}`)
  return braced.length <= 1 ? braced.join('') : `${braced.slice(0, -1).join(', ')} and ${braced.at(-1)}`
}

/**
 * The argv of `template` with every {name} replaced by vars[name]. `required` names placeholders
 * the template must use; `example` is shown in that message (default: a command using them).
 */
export function expandTemplate(template: string | readonly string[], vars: Record<string, string>, field: string, required: readonly string[] = [], example?: string): string[] {
  const words = typeof template === 'string' ? splitWords(template, field) : [...template]
  const shown = typeof template === 'string' ? template : words.join(' ')
  const known = Object.keys(vars)
  if (words.length === 0) throw new UserError({ file: field, message: 'the template is empty', expected: `a command${required.length ? ` with ${list(required)}` : ''}` })
  const used = new Set<string>()
  for (const w of words) for (const m of w.matchAll(PLACEHOLDER)) used.add(m[1]!)
  const unknown = [...used].filter((n) => !Object.hasOwn(vars, n))
  if (unknown.length) {
    throw new UserError({
      file: field,
      message: `the template has ${list(unknown)}, which ${unknown.length === 1 ? 'is not a placeholder' : 'are not placeholders'} it can use: ${shown}`,
      expected: known.length ? `only ${list(known)}` : 'no placeholders',
    })
  }
  const missing = required.filter((n) => !used.has(n))
  if (missing.length) {
    const eg = example ?? `tool ${required.map((n) => `{${n}}`).join(' ')}`
    throw new UserError({ file: field, message: `the template has no ${list(missing)}`, expected: `a command with ${list(required)}, e.g. '${eg}'` })
  }
  return words.map((w) => w.replace(PLACEHOLDER, (_, name: string) => vars[name]!))
}
