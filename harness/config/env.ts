// `${VAR}` and `${VAR:-default}` in string values, replaced before validation so secrets can stay
// in the environment. `$${` writes a literal `${`. Keys are never substituted. Substituted values
// stay strings.
import { isPair, isScalar, isSeq, visit, type Document, type LineCounter } from 'yaml'
import type { Problem } from '../errors.ts'
import { fieldName } from './locate.ts'

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/** Replaces references in one string; `unset` receives each variable that is unset and has no default. */
export function substitute(value: string, env: NodeJS.ProcessEnv, unset: (name: string) => void): string {
  return value.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
    if (name === undefined) return '${'
    const found = env[name]
    if (fallback !== undefined) return found === undefined || found === '' ? fallback : found
    if (found === undefined) {
      unset(name)
      return whole
    }
    return found
  })
}

/** Substitutes in every string scalar of `doc` (in place) and returns one problem per unset variable. */
export function substituteEnv(doc: Document, counter: LineCounter, env: NodeJS.ProcessEnv, file: string): Problem[] {
  const problems: Problem[] = []
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return
      node.value = substitute(node.value, env, (name) => {
        problems.push({
          file,
          line: node.range ? counter.linePos(node.range[0]).line : undefined,
          field: fieldName(pathOf(ancestors, node)),
          message: `environment variable ${name} is not set`,
          expected: `${name} in the environment, or a default: \${${name}:-VALUE}`,
          hint: `export ${name}=… before running`,
        })
      })
    },
  })
  return problems
}

/** The data path of `node` from the visitor's ancestors (document, maps, pairs, seqs). */
function pathOf(ancestors: readonly unknown[], node: unknown): PropertyKey[] {
  const path: PropertyKey[] = []
  const chain = [...ancestors, node]
  chain.forEach((item, i) => {
    const next = chain[i + 1]
    if (isPair(item)) path.push(isScalar(item.key) ? String(item.key.value) : String(item.key))
    else if (isSeq(item) && next !== undefined) path.push(item.items.indexOf(next as never))
  })
  return path
}
