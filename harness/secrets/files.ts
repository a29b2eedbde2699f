// Files through the scrubber (./scrubber.ts): one file's bytes, a directory tree scrubbed in
// place, and a tree published scrubbed into its final place.
//
// A gzip or brotli file is decompressed, scrubbed and compressed again (only when a secret was
// found; otherwise its bytes stay as they were). Every other file is scrubbed byte for byte
// (read as latin1, so binaries that hold no secret are untouched). A file is rewritten only when
// it changed, and then atomically (temp file + rename, ../run/atomic.ts). Files larger than
// MAX_SCRUB_BYTES are not read into memory; they are reported as skipped so the caller can say so.
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { writeFileAtomic } from '../run/atomic.ts'
import type { OutputScrubber } from './scrubber.ts'

export const MAX_SCRUB_BYTES = 256 * 1024 * 1024

/** `bytes` of a file named `name`, scrubbed; the same array when nothing was found. */
export function scrubFileBytes(name: string, bytes: Uint8Array, s: OutputScrubber): Uint8Array {
  if (s.off) return bytes
  const codec = /\.(gz|tgz)$/i.test(name)
    ? { decode: gunzipSync, encode: (b: Uint8Array) => gzipSync(b) }
    : /\.br$/i.test(name)
      ? { decode: brotliDecompressSync, encode: (b: Uint8Array) => brotliCompressSync(b) }
      : null
  if (codec) {
    let inner: Uint8Array | null = null
    try {
      inner = codec.decode(bytes)
    } catch {
      // not really compressed: scrub it as it is
    }
    if (inner) {
      const scrubbed = scrubFileBytes(name.replace(/\.(gz|br)$/i, '').replace(/\.tgz$/i, '.tar'), inner, s)
      return scrubbed === inner ? bytes : codec.encode(scrubbed)
    }
  }
  return s.bytes(bytes)
}

export interface ScrubTally {
  /** Files read and scrubbed. */
  scanned: number
  /** Files rewritten because they held a secret. */
  changed: string[]
  /** Files too large to scrub. */
  skipped: string[]
}

/** Every regular file under `dir` (symbolic links are not followed). */
export function regularFiles(dir: string): string[] {
  const out: string[] = []
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names) {
    const path = join(dir, name)
    const st = lstatSync(path, { throwIfNoEntry: false })
    if (st?.isDirectory()) out.push(...regularFiles(path))
    else if (st?.isFile()) out.push(path)
  }
  return out
}

/** Scrubs one file in place (atomically, only if it changed); true when it changed. */
export function scrubFile(path: string, s: OutputScrubber): boolean | 'too-large' {
  if (statSync(path).size > MAX_SCRUB_BYTES) return 'too-large'
  const bytes = readFileSync(path)
  const scrubbed = scrubFileBytes(path, bytes, s)
  if (scrubbed === bytes) return false
  writeFileAtomic(path, scrubbed)
  return true
}

/** Scrubs every file under `dir` in place; with `since` (ms), only files modified since then. */
export function scrubTree(dir: string, s: OutputScrubber, options: { since?: number } = {}): ScrubTally {
  const tally: ScrubTally = { scanned: 0, changed: [], skipped: [] }
  if (s.off) return tally
  for (const path of regularFiles(dir)) {
    if (options.since !== undefined && (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) < options.since) continue
    const r = scrubFile(path, s)
    if (r === 'too-large') tally.skipped.push(path)
    else {
      tally.scanned++
      if (r) tally.changed.push(path)
    }
  }
  return tally
}

/**
 * Writes every file under `from` to the same place under `to`, scrubbed, each atomically.
 * `transform` may scrub a file its own way (it returns null to leave it to the default).
 */
export function publishScrubbed(
  from: string,
  to: string,
  s: OutputScrubber,
  transform: (rel: string, bytes: Uint8Array) => Uint8Array | null = () => null,
): ScrubTally {
  const tally: ScrubTally = { scanned: 0, changed: [], skipped: [] }
  for (const path of regularFiles(from)) {
    const rel = relative(from, path)
    const bytes = readFileSync(path)
    const scrubbed = transform(rel, bytes) ?? scrubFileBytes(rel, bytes, s)
    tally.scanned++
    if (scrubbed !== bytes) tally.changed.push(join(to, rel))
    mkdirSync(dirname(join(to, rel)), { recursive: true })
    writeFileAtomic(join(to, rel), scrubbed)
  }
  return tally
}
