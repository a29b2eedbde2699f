// A deterministic CPU-bound workload for the gate proofs: SHA-256 (Node's native crypto, so no
// JIT tiering changes its cost mid-run) over `bytes` bytes, fed from one cache-resident 256 KiB
// buffer. Work scales with `bytes`, so a head hashing 1.10 × the bytes is a synthetic 10 %
// slowdown. 2 MiB take about 1.2 ms on this machine's cores when they are not contended.
import { createHash } from 'node:crypto'

const CHUNK = new Uint8Array(256 * 1024).map((_, i) => (i * 2654435761) >>> 24)

export const WORKLOAD_BYTES = 2 * 1024 * 1024

export function hashBytes(bytes: number): Buffer {
  const hash = createHash('sha256')
  for (let left = bytes; left > 0; left -= CHUNK.length) hash.update(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left))
  return hash.digest()
}
