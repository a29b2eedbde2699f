// The baseline probe's Azure Blob reader against aria2c, on the same Azurite blob in one run:
// the probe's sweep (chunk sizes × streams, as configured) names its best configuration; then
// the probe at that configuration and aria2c with the same number of connections and the same
// chunk size download the whole blob in interleaved rounds. Printed: both MB/s and the ratio
// with its interval, and the CPU seconds per GiB each client spent (the probe: this process's
// process.cpuUsage over each pass; aria2c: its own user + system time under GNU time) beside what
// Azurite spent serving each (its /proc/PID/stat), medians over the rounds. On a 2-core machine
// the client's CPU is taken from the Azurite it reads from, so the cheaper client is the faster.
// Fails when the data show the probe below 1.0× aria2c's throughput.
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
import { processCost } from '../../harness/metrics/process-cost.ts'
import { median } from '../../harness/stats/quantile.ts'

const ROUNDS = 8
const GIB = 2 ** 30

/** CPU seconds a process has spent so far (Linux /proc), or null elsewhere. */
function cpuSecondsOf(pid: number): number | null {
  return process.platform === 'linux' ? processCost(pid).cpuSeconds : null
}

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

    // CPU seconds per GiB of every download (warm-up included), each client's and Azurite's serving it
    const gib = size / GIB
    const cpu = { probe: [] as number[], aria2c: [] as number[], azuriteProbe: [] as number[], azuriteAria2c: [] as number[] }
    const azurite = (into: number[], before: number | null) => {
      const after = cpuSecondsOf(store.azurite.pid)
      if (before !== null && after !== null) into.push((after - before) / gib)
    }
    const result = await compare(
      {
        label: `aria2c -x ${n} -k ${best!.chunk_mib}M`,
        timing: 'reported',
        fn: async () => {
          const az = cpuSecondsOf(store.azurite.pid)
          const r = await aria2Download(store.target, store.blob, size, n, chunk, dir)
          azurite(cpu.azuriteAria2c, az)
          if (r.cpuSeconds !== null) cpu.aria2c.push(r.cpuSeconds / gib)
          return r.ms
        },
      },
      {
        label: `probe ${label}`,
        timing: 'reported',
        fn: async () => {
          const az = cpuSecondsOf(store.azurite.pid)
          const r = await readBlobPass(store.target, store.blob, size, chunk, n, pass)
          azurite(cpu.azuriteProbe, az)
          if (r.bytes !== size || r.failures.length) throw new Error(`probe pass read ${r.bytes} of ${size} bytes, ${r.failures.length} chunks failed`)
          cpu.probe.push(r.cpuSeconds / gib)
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
    const probeCpu = median(cpu.probe)
    kpi('probe_cpu_s_per_GiB', probeCpu, 's/GiB', { better: 'lower' })
    const ariaCpu = cpu.aria2c.length ? median(cpu.aria2c) : null
    if (ariaCpu !== null) kpi('aria2c_cpu_s_per_GiB', ariaCpu, 's/GiB')
    const s2 = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2))
    const azProbe = cpu.azuriteProbe.length ? median(cpu.azuriteProbe) : null
    const azAria = cpu.azuriteAria2c.length ? median(cpu.azuriteAria2c) : null
    console.log(
      `CPU per GiB (medians of ${cpu.probe.length} downloads each): probe ${s2(probeCpu)} s/GiB, aria2c ${ariaCpu === null ? 'n/a (GNU time is not installed)' : `${s2(ariaCpu)} s/GiB`}; ` +
        `Azurite serving them ${s2(azProbe)} and ${s2(azAria)} s/GiB`,
    )
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
