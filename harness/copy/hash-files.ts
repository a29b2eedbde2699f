// sha256 of many files: on this thread when there is little to read, else split between this
// thread and WORKERS - 1 worker threads (./hash-worker.ts) by bytes, so two cores hash at once and
// two reads are in flight when the page cache is cold.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { hashFile } from './hash-file.ts'
import { ownUrl } from '../run/own-file.ts'

const WORKERS = Math.min(4, Math.max(1, availableParallelism()))
const SMALL_BYTES = 64 * 1024 * 1024
const SMALL_FILES = 2000

function runWorker(paths: string[]): Promise<string[]> {
  return new Promise((ok, fail) => {
    const w = new Worker(ownUrl(import.meta.url, './hash-worker.ts'), { workerData: paths })
    w.once('message', (digests: string[]) => ok(digests))
    w.once('error', fail)
    w.once('exit', (code) => code !== 0 && fail(new Error(`hash worker exited with code ${code}`)))
  })
}

/** Digests of `files` (absolute paths with their sizes), in the same order. */
export async function hashFiles(files: ReadonlyArray<{ path: string; size: number }>): Promise<string[]> {
  const total = files.reduce((n, f) => n + f.size, 0)
  if (WORKERS === 1 || (total < SMALL_BYTES && files.length < SMALL_FILES)) return files.map((f) => hashFile(f.path))
  // deal files to shares by size, largest first, each to the lightest share
  const shares = Array.from({ length: WORKERS }, () => ({ idx: [] as number[], bytes: 0 }))
  const order = files.map((_, i) => i).sort((a, b) => files[b]!.size - files[a]!.size)
  for (const i of order) {
    const s = shares.reduce((a, b) => (b.bytes < a.bytes ? b : a))
    s.idx.push(i)
    s.bytes += files[i]!.size + 4096 // a file's open and close cost about a page's read
  }
  const paths = (s: { idx: number[] }) => s.idx.map((i) => files[i]!.path)
  const pending = shares.slice(1).map((s) => runWorker(paths(s)))
  const mine = paths(shares[0]!).map(hashFile)
  const theirs = await Promise.all(pending)
  const out = new Array<string>(files.length)
  shares[0]!.idx.forEach((i, k) => (out[i] = mine[k]!))
  shares.slice(1).forEach((s, w) => s.idx.forEach((i, k) => (out[i] = theirs[w]![k]!)))
  return out
}
