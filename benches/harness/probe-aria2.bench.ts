// The baseline probe's Azure Blob reader against aria2c, on the same Azurite blob in one run:
// the probe's sweep (chunk sizes × streams, as configured) names its best configuration; then
// the probe at that configuration and aria2c with the same number of connections and the same
// chunk size download the whole blob in interleaved rounds. Printed: both MB/s and the ratio
// with its interval. Fails when the data show the probe below 1.0× aria2c's throughput.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '../../harness/test.ts'
import { aria2Download, ARIA2_MISSING } from '../../harness/probe/aria2.ts'
import { startEmbeddedBlob } from '../../harness/probe/azurite-blob.ts'
import { bestPoint, pointLabel, readBlobPass, streamsLabel, sweepBlob } from '../../harness/probe/blob-sweep.ts'
import { defaultBlobName } from '../../harness/probe/blob-targets.ts'
import type { SweepPoint } from '../../harness/probe/schema.ts'
import { mibToBytes } from '../../harness/probe/stats.ts'
import { findOnPath } from '../../harness/probe/tools.ts'

const ROUNDS = 8

test('probe ranged GETs versus aria2c: the same Azurite blob, connections and chunk size', { timeout: 600_000 }, async ({ config, compare, kpi, publish }) => {
  if (!findOnPath('aria2c')) throw new Error(ARIA2_MISSING)
  const p = config.probe
  const size = mibToBytes(p.blob_size_mib)
  const store = await startEmbeddedBlob(defaultBlobName(p.blob_size_mib), size)
  // aria2c writes what it downloads: into memory-backed /dev/shm where there is one, as the probe keeps nothing
  const dir = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'benchgate-aria2-'))
  try {
    const pass = { requestTimeoutMs: p.request_timeout_s * 1000, retries: p.retries }
    const sweep: SweepPoint[] = []
    const streams = p.streams.filter((s) => s <= 16) // aria2c allows at most 16 connections per server
    await sweepBlob(store.target, store.blob, size, { ...pass, chunkSizesMib: p.chunk_sizes_mib, streams, passes: 1 }, sweep, () => {})
    const best = bestPoint(sweep)
    expect(best, 'the probe sweep names a best configuration').not.toBeNull()
    const { chunk_bytes: chunk, streams: n } = best!
    const label = streamsLabel(best!)
    console.log(`probe sweep on a ${p.blob_size_mib} MiB Azurite blob: ${sweep.map((q) => `${pointLabel(q)} ${q.MB_s?.toFixed(0)}`).join(', ')} MB/s; best ${label}`)

    const result = await compare(
      { label: `aria2c -x ${n} -k ${best!.chunk_mib}M`, timing: 'reported', fn: async () => (await aria2Download(store.target, store.blob, size, n, chunk, dir)).ms },
      {
        label: `probe ${label}`,
        timing: 'reported',
        fn: async () => {
          const r = await readBlobPass(store.target, store.blob, size, chunk, n, pass)
          if (r.bytes !== size || r.failures.length) throw new Error(`probe pass read ${r.bytes} of ${size} bytes, ${r.failures.length} chunks failed`)
          return r.ms
        },
      },
      { name: `download ${p.blob_size_mib} MiB from Azurite, ${label}`, rounds: ROUNDS, warmupRounds: 1, maxRounds: 2 * ROUNDS },
    )
    const mbps = (ms: number) => size / 1e6 / (ms / 1000)
    const probeMBs = mbps(result.comparison.head.median)
    const ariaMBs = mbps(result.comparison.base.median)
    // throughput ratio probe/aria2c = time ratio aria2c/probe
    const r = result.comparison.ratio
    const ratio = { estimate: 1 / r.estimate, lo: 1 / r.hi, hi: 1 / r.lo }
    kpi('probe_best_MB_s', probeMBs, 'MB/s', { better: 'higher' })
    kpi('aria2c_MB_s', ariaMBs, 'MB/s')
    kpi('probe_vs_aria2c', ratio.estimate, '×', { better: 'higher' })
    kpi('probe_best_config', label)
    console.log(
      `probe ${label}: ${probeMBs.toFixed(0)} MB/s; aria2c ${n} connections, ${best!.chunk_mib} MiB chunks: ${ariaMBs.toFixed(0)} MB/s; ` +
        `ratio ${ratio.estimate.toFixed(2)}× (${Math.round(r.confidence * 100)} % CI ${ratio.lo.toFixed(2)}–${ratio.hi.toFixed(2)}×, ${result.comparison.rounds} interleaved rounds)`,
    )
    await publish()
    expect(result.head, 'the probe reaches at least aria2c\'s throughput').toHoldParity(result.base, { atLeast: 1, name: `probe vs aria2c, ${label}` })
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await store.stop()
  }
})
