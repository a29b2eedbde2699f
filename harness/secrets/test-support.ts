// Helpers for the harness/secrets tests: realistic secrets (a SAS URL with its sig, an account
// key), and the texts of every file under a directory for the secret search of the probe tests
// (../probe/test-support.ts secretLeaks): compressed files decompressed, and base64 string values
// (Vitest's attachment bodies) decoded as well.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { regularFiles } from './files.ts'

/** Base64 of `n` random bytes holding '+' or '/', so its raw, encoded and decoded forms differ. */
export function base64Secret(n: number): string {
  for (;;) {
    const s = randomBytes(n).toString('base64')
    if (/[+/]/.test(s)) return s
  }
}

/** A container SAS URL the way the portal gives it: `sig` is the percent-encoded HMAC-SHA256. */
export function sasUrl(container: string, sig = base64Secret(32)): string {
  return `${container}?sv=2024-11-04&ss=b&srt=co&sp=rl&se=2031-01-01T00:00:00Z&st=2025-01-01T00:00:00Z&spr=https&sig=${encodeURIComponent(sig)}`
}

function decoded(path: string, bytes: Buffer): Buffer {
  try {
    if (/\.(gz|tgz)$/i.test(path)) return gunzipSync(bytes)
    if (/\.br$/i.test(path)) return brotliDecompressSync(bytes)
  } catch {
    // not compressed after all: searched as it is
  }
  return bytes
}

/** base64 string literals in a text, decoded (only the ones that round-trip). */
function base64Values(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/"([A-Za-z0-9+/]{16,}={0,2})"/g)) {
    const bytes = Buffer.from(m[1]!, 'base64')
    if (bytes.toString('base64').replace(/=+$/, '') === m[1]!.replace(/=+$/, '')) out.push(bytes.toString('latin1'))
  }
  return out
}

/**
 * The texts of every regular file under `dir` (read as latin1, byte for byte; a .png keeps its
 * name so the search counts only exact spellings there), each compressed file decompressed, plus
 * the decoded base64 values inside each.
 */
export function outputTexts(dir: string): { where: string; text: string }[] {
  const texts: { where: string; text: string }[] = []
  for (const path of regularFiles(dir)) {
    const where = relative(dir, path)
    const text = decoded(path, readFileSync(path)).toString('latin1')
    texts.push({ where, text })
    base64Values(text).forEach((v, i) => texts.push({ where: `${where} (base64 value ${i + 1})`, text: v }))
  }
  return texts
}
