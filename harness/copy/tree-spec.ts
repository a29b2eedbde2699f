// What a generated tree holds, derived from its spec alone: the cache key, every file's path,
// size, mode and mtime, and the content stream the bytes come from.
//
//   key      sha256 of the canonical spec JSON (keys sorted, dirFanout filled in, plus
//            TREE_FORMAT, bumped whenever what a spec generates changes), first 16 hex digits.
//   paths    file i (counted across the groups in order) is d<i / fanout>/f<i>.bin, the numbers
//            zero-padded (4 and 7 digits, wider when needed): one level of directories.
//   sizes    uniform integers in [minBytes, maxBytes] drawn from seededRandom(seed), in file order.
//   content  one AES-128-CTR keystream (key from the seed, IV 0) cut into consecutive files:
//            incompressible, deterministic, generated at several GB/s; no tool wins by compression.
//   mtimes   EPOCH_MS + i seconds + (i mod 1000) ms: distinct, with a millisecond part, so a tool
//            that does not preserve mtimes (or truncates them to seconds) is seen.
//   modes    files 0644, directories 0755 (set explicitly, whatever the umask).
import { createCipheriv, createHash, type Cipheriv } from 'node:crypto'
import { seededRandom } from '../stats/random.ts'

export interface TreeSpec {
  /** Groups of files; sizes uniform in [minBytes, maxBytes] from the seed. */
  files: Array<{ count: number; minBytes: number; maxBytes: number }>
  seed: number
  /** Files per directory (default 1000). */
  dirFanout?: number
}

export const TREE_FORMAT = 1
export const DEFAULT_DIR_FANOUT = 1000
/** 2024-01-01T00:00:00Z: the mtime of file 0. */
export const EPOCH_MS = Date.UTC(2024, 0, 1)
export const FILE_MODE = 0o644
export const DIR_MODE = 0o755

export interface PlannedFile {
  path: string
  size: number
  mtimeMs: number
}

/** The canonical JSON the key is the hash of. */
export function canonicalSpec(spec: TreeSpec): string {
  return JSON.stringify({
    dirFanout: spec.dirFanout ?? DEFAULT_DIR_FANOUT,
    files: spec.files.map((g) => ({ count: g.count, maxBytes: g.maxBytes, minBytes: g.minBytes })),
    format: TREE_FORMAT,
    seed: spec.seed,
  })
}

export function sha16(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

export function treeKey(spec: TreeSpec): string {
  return sha16(canonicalSpec(spec))
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** Every file of the tree (in order) and its directories. */
export function planTree(spec: TreeSpec): { files: PlannedFile[]; dirs: string[]; bytes: number } {
  const fanout = spec.dirFanout ?? DEFAULT_DIR_FANOUT
  const total = spec.files.reduce((n, g) => n + g.count, 0)
  const fileWidth = Math.max(7, String(total - 1).length)
  const dirWidth = Math.max(4, String(Math.floor((total - 1) / fanout)).length)
  const rng = seededRandom(spec.seed)
  const files: PlannedFile[] = []
  const dirs: string[] = []
  let bytes = 0
  let i = 0
  for (const g of spec.files) {
    for (let k = 0; k < g.count; k++, i++) {
      const d = Math.floor(i / fanout)
      if (i % fanout === 0) dirs.push(`d${pad(d, dirWidth)}`)
      const size = g.minBytes + Math.floor(rng.next() * (g.maxBytes - g.minBytes + 1))
      files.push({ path: `d${pad(d, dirWidth)}/f${pad(i, fileWidth)}.bin`, size, mtimeMs: EPOCH_MS + i * 1000 + (i % 1000) })
      bytes += size
    }
  }
  return { files, dirs, bytes }
}

const CHUNK = 8 * 1024 * 1024

/**
 * A deterministic incompressible byte stream: AES-128-CTR over zeros, keyed by `label` and
 * `seed`. `next(n)` hands out the next ≤ n bytes as a view of an internal buffer that is valid
 * until the following call.
 */
export class Keystream {
  readonly #cipher: Cipheriv
  readonly #zeros = Buffer.alloc(CHUNK)
  #buf = Buffer.alloc(0)
  #pos = 0

  constructor(seed: number, label: string) {
    const key = createHash('sha256').update(`benchgate-copy:${label}:${seed}`).digest().subarray(0, 16)
    this.#cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  }

  next(n: number): Buffer {
    if (this.#pos === this.#buf.length) {
      this.#buf = this.#cipher.update(this.#zeros)
      this.#pos = 0
    }
    const k = Math.min(n, this.#buf.length - this.#pos)
    const out = this.#buf.subarray(this.#pos, this.#pos + k)
    this.#pos += k
    return out
  }
}
