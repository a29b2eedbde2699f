// Secrets in a configuration: SAS signatures, SAS tokens, account keys and SSH passwords.
// `redactConfig` gives the shape written to run.json and hashed; `redactText` scrubs any text.
import type { Config } from './schema.ts'
import { redactSignatures, signatureValues } from './sas.ts'

export const REDACTED = 'REDACTED'

type Path = readonly (string | number)[]

/** Fields whose whole value is secret (`*` stands for any list index). */
const SECRET_FIELDS: readonly Path[] = [
  ['azure', 'sas_token'],
  ['azure', 'key'],
  ['ssh', 'hosts', '*', 'password'],
]
/** URL fields whose signature parameters are secret. */
const SIGNED_URL_FIELDS: readonly Path[] = [
  ['azure', 'sas_url'],
  ['azure', 'endpoint'],
  ['probe', 'sas_urls', '*'],
]

function matches(pattern: Path, path: Path): boolean {
  return pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i])
}

/** True when the value at `path` is or contains a secret, so it must never be echoed. */
export function isSecretField(path: Path): boolean {
  return [...SECRET_FIELDS, ...SIGNED_URL_FIELDS].some((pattern) => matches(pattern, path))
}

/** Calls `visit` for every string at a path matching `pattern` in loosely typed data. */
function eachString(data: unknown, pattern: Path, visit: (value: string, holder: Record<string, unknown>, key: string) => void): void {
  const [head, ...rest] = pattern
  if (data === null || typeof data !== 'object' || head === undefined) return
  const keys = head === '*' ? Object.keys(data) : [String(head)]
  for (const key of keys) {
    const value = (data as Record<string, unknown>)[key]
    if (rest.length) eachString(value, rest, visit)
    else if (typeof value === 'string') visit(value, data as Record<string, unknown>, key)
  }
}

function variants(value: string): string[] {
  let decoded = value
  try {
    decoded = decodeURIComponent(value)
  } catch {
    // not percent-encoded; keep as is
  }
  return [value, decoded, encodeURIComponent(decoded)]
}

/**
 * Every secret value in a configuration (validated or not), in the forms it may appear in text
 * (as written, percent-decoded and percent-encoded), longest first.
 */
export function secretValues(config: Config | unknown): string[] {
  const found = new Set<string>()
  for (const pattern of SECRET_FIELDS) {
    eachString(config, pattern, (value) => {
      variants(value).forEach((v) => found.add(v))
      signatureValues(value).forEach((sig) => variants(sig).forEach((v) => found.add(v)))
    })
  }
  for (const pattern of SIGNED_URL_FIELDS) {
    eachString(config, pattern, (value) => signatureValues(value).forEach((sig) => variants(sig).forEach((v) => found.add(v))))
  }
  return [...found].filter((v) => v !== '' && v !== REDACTED).sort((a, b) => b.length - a.length)
}

/** A deep copy of the configuration with every secret replaced by `REDACTED`. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config)
  for (const pattern of SECRET_FIELDS) eachString(copy, pattern, (_, holder, key) => (holder[key] = REDACTED))
  for (const pattern of SIGNED_URL_FIELDS) {
    eachString(copy, pattern, (value, holder, key) => (holder[key] = redactSignatures(value, REDACTED)))
  }
  return copy
}

/** Secrets shorter than this are replaced only as whole words, so `a` does not eat every letter a. */
const SHORT_SECRET = 8

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `text` with every secret value of the configuration (and any `sig=…` parameter) replaced. */
export function redactText(text: string, config: Config | unknown): string {
  let out = text.replace(/(^|[?&\s"'])(sig|signature|x-amz-signature|x-goog-signature)=([A-Za-z0-9%+/=._~-]+)/gi, `$1$2=${REDACTED}`)
  for (const secret of secretValues(config)) {
    out = secret.length >= SHORT_SECRET
      ? out.split(secret).join(REDACTED)
      : out.replace(new RegExp(`(?<![A-Za-z0-9])${escape(secret)}(?![A-Za-z0-9])`, 'g'), REDACTED)
  }
  return out
}
