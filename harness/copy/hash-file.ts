// sha256 of a file through one reused 4 MiB buffer and readSync (no stream, no per-file buffer).
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'

const BUF = Buffer.allocUnsafe(4 * 1024 * 1024)

/** sha256 hex of a file's content. */
export function hashFile(path: string): string {
  const hash = createHash('sha256')
  const fd = openSync(path, 'r')
  try {
    for (let n; (n = readSync(fd, BUF, 0, BUF.length, null)) > 0; ) hash.update(BUF.subarray(0, n))
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}
