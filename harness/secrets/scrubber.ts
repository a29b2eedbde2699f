// The scrubber every output of a run passes through: results/, allure-results/, allure-report/,
// Vitest's HTML report and blob reports (see ./files.ts and reporters/scrub-outputs.ts).
//
// Method. Two kinds of secret are replaced by REDACTED:
//  1. Secrets known by value: every secret of the configuration (SAS tokens and signatures, the
//     account key, SSH passwords; ../config/redact.ts), Azurite's well-known emulator key, and any
//     value a caller adds. Each is replaced as given, percent-decoded, percent-encoded,
//     double-encoded and JSON-escaped; values shorter than 8 characters only as whole words.
//  2. Secrets known by shape, whoever's they are (a SAS made at run time, a per-run Azurite key):
//     - the value of any signature parameter (`sig`, `signature`, `x-amz-signature`,
//       `x-goog-signature`) after `=`, `%3D` or `%253D`, up to `&` / `%26` (so in a URL as
//       written, percent-decoded, and percent-encoded as a whole);
//     - connection-string fields `AccountKey=`, `SharedAccessKey=`, `SharedAccessSignature=`;
//     - `SharedKey account:…` and `Bearer …` authorization values; PEM private key blocks;
//     - a bare Azure account key: 64 bytes in base64 (86 characters and `==`), raw or
//       percent-encoded, as a whole token;
//     - a bare SAS signature: an HMAC-SHA256 in base64 (43 characters and `=`), raw or
//       percent-encoded, as a whole token. (A padded base64 SHA-256 digest has the same shape and
//       is replaced too; none occurs in the reports' own assets.)
//     - the start of such a token cut short: allure-vitest shortens a step's arguments to 160
//       characters (`... <truncated>`) and Vitest its messages' values (`…`) before any reporter
//       sees them, so any run of 8 or more base64/percent characters holding a digit, `+`, `/` or
//       `%` right before either marker is replaced.
//  Every pattern is ASCII, so the same scrub works on text and, byte for byte, on any file read
//  as latin1: bytes that match nothing are left exactly as they were.
//
// `outputScrubber(root)` is the scrubber of a run rooted at `root`: patterns plus the secrets of
// the configuration found from there (a configuration that does not load leaves the patterns).
//
// A switch for tests only: BENCHGATE_TEST_UNSCRUBBED=<root> turns scrubbing off, and only for a
// run whose root is that directory and lies inside the OS temp directory — so that a test can
// prove its secret search able to fail. It is never honoured for a checkout outside the temp
// directory, and a run with it prints that scrubbing is off.
import { realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { resolve, sep } from 'node:path'
import { loadConfig } from '../config/load.ts'
import { REDACTED, secretValues } from '../config/redact.ts'

export { REDACTED }

/** The Azurite / Azure Storage Emulator account key every developer knows. */
export const AZURITE_WELL_KNOWN_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

/** The test-only switch (see the header). */
export const UNSCRUBBED_ENV = 'BENCHGATE_TEST_UNSCRUBBED'

const SHORT_SECRET = 8
const B64 = '[A-Za-z0-9+/]'
const ENC = '(?:[A-Za-z0-9]|%2[BbFf])'
/** Start of a whole token, raw or right after a percent escape. */
const ENC_START = '(?:(?<![A-Za-z0-9%])|(?<=%[0-9A-Fa-f]{2}))'

/** [pattern, replacement]; applied in order. */
const SHAPES: readonly (readonly [RegExp, string])[] = [
  [/(AccountKey|SharedAccessKey|SharedAccessSignature)(=|%3D)([^;"'\s<>\\]+)/gi, `$1$2${REDACTED}`],
  [/(?:(?<![A-Za-z0-9_-])|(?<=\\u0026)|(?<=%[0-9A-Fa-f]{2}))(sig|signature|x-amz-signature|x-goog-signature)(=|%3D|%253D)((?:(?!%26|%2526)%[0-9A-Fa-f]{2}|[A-Za-z0-9+/=._~-])+)/gi, `$1$2${REDACTED}`],
  [/\b(SharedKey(?:Lite)?\s+[A-Za-z0-9_-]+:)([A-Za-z0-9+/]+=*)/g, `$1${REDACTED}`],
  [/\b(Bearer\s+)([A-Za-z0-9._~+/-]{20,}=*)/g, `$1${REDACTED}`],
  [/(-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----)(?:[A-Za-z0-9+/=:,\s-]|\\[nr\\])*?(-----END \2PRIVATE KEY-----)/g, `$1${REDACTED}$3`],
  [new RegExp(`(?<![A-Za-z0-9+/])${B64}{86}==(?![A-Za-z0-9+/=])`, 'g'), REDACTED],
  [new RegExp(`${ENC_START}${ENC}{86}%3[Dd]%3[Dd](?![A-Za-z0-9])`, 'g'), REDACTED],
  [new RegExp(`(?<![A-Za-z0-9+/])${B64}{43}=(?![A-Za-z0-9+/=])`, 'g'), REDACTED],
  [new RegExp(`${ENC_START}${ENC}{43}%3[Dd](?![A-Za-z0-9]|%3[Dd])`, 'g'), REDACTED],
  // the start of a secret cut short by allure-vitest or by Vitest's messages (… as text or as UTF-8 bytes)
  [/(?<![A-Za-z0-9+/=%])(?=[A-Za-z0-9+/=%]*[0-9+/%])[A-Za-z0-9+/=%]{8,}(?=\.\.\. <truncated>|\u2026|\u00e2\u0080\u00a6)/g, REDACTED],
]

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The forms a secret value takes in text: as given, decoded, encoded, double-encoded, JSON-escaped. */
export function secretForms(value: string): string[] {
  let decoded = value
  try {
    decoded = decodeURIComponent(value)
  } catch {
    // not percent-encoded
  }
  const forms = new Set([value, decoded, encodeURIComponent(decoded), encodeURIComponent(encodeURIComponent(decoded))])
  for (const f of [...forms]) forms.add(JSON.stringify(f).slice(1, -1))
  return [...forms].filter((f) => f !== '' && f !== REDACTED)
}

type Replacer = (s: string) => string

function valueReplacer(forms: readonly string[]): Replacer {
  const long = forms.filter((f) => f.length >= SHORT_SECRET).sort((a, b) => b.length - a.length)
  const short = forms.filter((f) => f.length < SHORT_SECRET)
  const shortRe = short.length
    ? new RegExp(`(?<![A-Za-z0-9])(?:${short.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})(?![A-Za-z0-9])`, 'g')
    : null
  return (s) => {
    let out = s
    for (const f of long) if (out.includes(f)) out = out.split(f).join(REDACTED)
    return shortRe ? out.replace(shortRe, REDACTED) : out
  }
}

function shapes(s: string): string {
  let out = s
  for (const [re, to] of SHAPES) out = out.replace(re, to)
  return out
}

/** Replaces secrets in text, in bytes and in data; `off` (the test-only switch) leaves all as is. */
export class OutputScrubber {
  readonly off: boolean
  readonly #text: Replacer
  readonly #latin1: Replacer

  constructor(values: Iterable<string> = [], options: { off?: boolean } = {}) {
    this.off = options.off ?? false
    const forms = new Set<string>()
    for (const v of [AZURITE_WELL_KNOWN_KEY, ...values]) secretForms(v).forEach((f) => forms.add(f))
    this.#text = valueReplacer([...forms])
    // the same secrets as the latin1 view of their UTF-8 bytes, for files read byte for byte
    this.#latin1 = valueReplacer([...forms].map((f) => Buffer.from(f, 'utf8').toString('latin1')))
  }

  text(s: string): string {
    return this.off ? s : shapes(this.#text(s))
  }

  /** The bytes with every secret replaced; the same array when nothing was found. */
  bytes(b: Uint8Array): Uint8Array {
    if (this.off) return b
    const before = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
    const after = shapes(this.#latin1(before))
    return after === before ? b : Buffer.from(after, 'latin1')
  }

  /** A copy of plain data (objects, arrays, cycles allowed) with every string and key scrubbed. */
  value<T>(data: T): T {
    if (this.off) return data
    const seen = new Map<object, unknown>()
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.text(v)
      if (v === null || typeof v !== 'object') return v
      if (seen.has(v)) return seen.get(v)
      if (Array.isArray(v)) {
        const out: unknown[] = []
        seen.set(v, out)
        for (const item of v) out.push(walk(item))
        return out
      }
      const out: Record<string, unknown> = {}
      seen.set(v, out)
      const encoded = encodedField(v)
      for (const [k, item] of Object.entries(v)) out[this.text(k)] = k === encoded ? this.base64(item as string) : walk(item)
      return out
    }
    return walk(data) as T
  }

  /** A base64 string whose decoded bytes are scrubbed (Vitest's attachment bodies). */
  base64(encoded: string): string {
    if (this.off) return encoded
    const bytes = Buffer.from(encoded, 'base64')
    if (bytes.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) return this.text(encoded) // not base64
    const scrubbed = this.bytes(bytes)
    return scrubbed === bytes ? encoded : Buffer.from(scrubbed).toString('base64')
  }

  /**
   * Text in flatted's format (Vitest's blob and HTML report data): a JSON array whose top-level
   * strings are the values and whose objects hold index references; values and keys are scrubbed,
   * references kept.
   */
  flatted(text: string): string {
    if (this.off) return text
    const entries = JSON.parse(text) as unknown[]
    // attachments in base64: the entry an object's `body` (`content`) refers to, when its
    // `bodyEncoding` (`encoding`) refers to 'base64'
    const bodies = new Set<number>()
    for (const e of entries) {
      if (e === null || typeof e !== 'object' || Array.isArray(e)) continue
      const o = e as Record<string, unknown>
      for (const [field, encoding] of BASE64_FIELDS) {
        const ref = o[field]
        const enc = o[encoding]
        if (typeof ref === 'string' && typeof enc === 'string' && entries[Number(enc)] === 'base64') bodies.add(Number(ref))
      }
    }
    const out = entries.map((e, i) => {
      if (typeof e === 'string') return bodies.has(i) ? this.base64(e) : this.text(e)
      if (e === null || typeof e !== 'object' || Array.isArray(e)) return e
      return Object.fromEntries(Object.entries(e).map(([k, v]) => [this.text(k), v]))
    })
    return JSON.stringify(out)
  }
}

/**
 * Fields holding base64 content and the field naming their encoding: Vitest's attachments
 * (`body`, `bodyEncoding`) and allure-vitest's attachment messages (`content`, `encoding`).
 */
const BASE64_FIELDS = [['body', 'bodyEncoding'], ['content', 'encoding']] as const

/** The field of `v` holding base64 content, if any. */
function encodedField(v: object): string | undefined {
  const o = v as Record<string, unknown>
  return BASE64_FIELDS.find(([field, encoding]) => o[encoding] === 'base64' && typeof o[field] === 'string')?.[0]
}

function insideTemp(dir: string): boolean {
  const temp = realpathSync(tmpdir())
  return dir.startsWith(temp + sep)
}

/** True when the test-only switch turns scrubbing off for a run rooted at `root`. */
export function scrubbingDisabled(root: string = process.cwd()): boolean {
  const asked = process.env[UNSCRUBBED_ENV]
  if (!asked) return false
  try {
    const dir = realpathSync(resolve(root))
    return realpathSync(asked) === dir && insideTemp(dir)
  } catch {
    return false
  }
}

const cache = new Map<string, OutputScrubber>()

/** The scrubber of a run rooted at `root`: the shapes above plus the configuration's secrets. */
export function outputScrubber(root: string = process.cwd()): OutputScrubber {
  const key = `${resolve(root)}\0${process.env.BENCHGATE_CONFIG ?? ''}\0${process.env[UNSCRUBBED_ENV] ?? ''}`
  let s = cache.get(key)
  if (!s) {
    let values: string[] = []
    try {
      values = secretValues(loadConfig({ cwd: root }).config)
    } catch {
      // a configuration that does not load fails the run elsewhere, with its own message
    }
    s = new OutputScrubber(values, { off: scrubbingDisabled(root) })
    cache.set(key, s)
  }
  return s
}
