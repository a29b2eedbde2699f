// The environment fingerprint of a measurement, and what to do when a baseline's differs from the
// current run's: a figure measured on another CPU, OS, Node.js or configuration is not comparable,
// so the gate warns loudly (default) or refuses instead of gating silently.
//
// The git commit is part of the fingerprint (it says where a baseline came from) but is NOT a
// difference: comparing head against a base commit is the point of a baseline.
import { UserError } from '../errors.ts'
import type { Environment } from '../run/environment.ts'
import type { Fingerprint } from './format.ts'

export type { Fingerprint }

export type FingerprintPolicy = 'warn' | 'refuse'
export const FINGERPRINT_POLICIES: readonly FingerprintPolicy[] = ['warn', 'refuse']
export const DEFAULT_FINGERPRINT_POLICY: FingerprintPolicy = 'warn'

/** The fields that make two measurements comparable, in the order differences are listed. */
const COMPARED = ['cpu_model', 'cores', 'os', 'node', 'config_hash'] as const

export function fingerprintOf(env: Pick<Environment, 'cpu' | 'os' | 'node' | 'git'>, configHash: string): Fingerprint {
  return {
    cpu_model: env.cpu.model,
    cores: env.cpu.cores,
    os: `${env.os.platform} ${env.os.release} ${env.os.arch}`,
    node: env.node,
    config_hash: configHash,
    git_commit: env.git.commit,
  }
}

/** One line per compared field that differs: `cores: 8 (baseline) ≠ 16 (this run)`. Empty when comparable. */
export function fingerprintDiff(a: Fingerprint, b: Fingerprint, labels: readonly [string, string] = ['baseline', 'this run']): string[] {
  const out: string[] = []
  for (const field of COMPARED) {
    if (a[field] !== b[field]) out.push(`${field}: ${JSON.stringify(a[field])} (${labels[0]}) ≠ ${JSON.stringify(b[field])} (${labels[1]})`)
  }
  return out
}

/** Reads `gates.fingerprint` off a configuration (any object); 'warn' when absent. */
export function fingerprintPolicy(config: { gates?: object }): FingerprintPolicy {
  const value = (config.gates as { fingerprint?: unknown } | undefined)?.fingerprint
  if (value === undefined) return DEFAULT_FINGERPRINT_POLICY
  if (value === 'warn' || value === 'refuse') return value
  throw new UserError({ file: 'configuration', field: 'gates.fingerprint', message: `invalid value ${JSON.stringify(value)}`, expected: "'warn' or 'refuse'" })
}

export interface FingerprintCheck {
  /** The baseline file (named in messages). */
  file: string
  baseline: Fingerprint
  current: Fingerprint
  policy: FingerprintPolicy
  /** Where a warning goes; default console.warn. */
  warn?: (message: string) => void
}

const warned = new Set<string>()

/** console.warn, but each distinct warning only once per process (one per baseline, not per task). */
function warnOncePerProcess(message: string): void {
  if (warned.has(message)) return
  warned.add(message)
  console.warn(message)
}

/**
 * Applies the policy: returns undefined when the fingerprints match, else (policy 'warn') prints a
 * loud warning and returns the one-line text for Comparison.fingerprintWarning, or (policy
 * 'refuse') throws a UserError naming the baseline file and every difference.
 */
export function checkFingerprint(check: FingerprintCheck): string | undefined {
  const diff = fingerprintDiff(check.baseline, check.current)
  if (diff.length === 0) return undefined
  if (check.policy === 'refuse') {
    throw new UserError({
      file: check.file,
      field: 'fingerprint',
      message: `baseline measured in a different environment (${diff.join('; ')})`,
      expected: 'a baseline from this machine, OS, Node.js and configuration',
      hint: 'write a baseline on this machine (`npm run bench:baseline`) or set gates.fingerprint: warn',
    })
  }
  const text = `baseline ${check.file} was measured in a different environment: ${diff.join('; ')}`
  const warn = check.warn ?? warnOncePerProcess
  warn(`\n⚠️  benchgate: COMPARING AGAINST A BASELINE FROM A DIFFERENT ENVIRONMENT — verdicts may be wrong\n   ${check.file}\n   ${diff.join('\n   ')}\n`)
  return text
}
