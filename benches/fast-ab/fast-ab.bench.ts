// fast-ab: for the same interpretation workflows, how does reading the volume from the NAS
// (mode A, a .zgy file) compare with streaming it from Azure Blob through the FAST cache (mode B),
// and what does the network allow at best (mode C)? The headless reference reader reproduces
// Petrel's I/O pattern in its own process; the sampler watches it as it would watch Petrel.
//
// Per workflow and cache state: A and B in interleaved rounds, each session timed by its own
// workflow markers. Gates: the data read are identical, each mode was served by the path it
// claims (observed from the open files), and B takes at most fast.max_ratio × A's time.
import { loadConfig } from '../../harness/config/load.ts'
import { analyzeFastAb, abSummary, sessionRecords } from '../../harness/fast/report.ts'
import { expect, test } from '../../harness/fast/fixtures.ts'
import { compareModes, MODE_LABEL, probeNetwork, recordModeKpis, type AbOutcome } from '../../harness/fast/scenario.ts'
import { benchDataOf } from '../../harness/compare/bench-data.ts'
import { EXPECTED_SOURCE } from '../../harness/fast/classify.ts'

const { config } = loadConfig()
const outcomes: AbOutcome[] = []

for (const cacheState of config.cache.policy) {
  for (const workflow of config.workflows.enabled) {
    test(`${workflow} · ${cacheState}`, async ({ sessions, compare, kpi, run, bench, publish, config }) => {
      run.set({ workflow, cache_state: cacheState })
      const ab = await compareModes(sessions, compare, config, workflow, cacheState)
      outcomes.push(ab)
      run.set({ cache_achieved: ab.cacheAchieved })
      if ((ab.cacheAchieved.os_cache as string[] | undefined)?.includes('not-permitted')) {
        console.warn(`${workflow} · Cold: the OS page cache could not be dropped (${ab.cacheAchieved.os_cache_detail}); run.json records what was resident`)
      }
      recordModeKpis(kpi, ab)
      run.writeArtifact('sessions.json', JSON.stringify(sessionRecords(ab), null, 1) + '\n')
      // Vitest's own table of the two modes, from the interleaved samples
      await bench.compare(bench.from(MODE_LABEL.A, () => benchDataOf(ab.result.base)), bench.from(MODE_LABEL.B, () => benchDataOf(ab.result.head)))
      await publish()

      expect(ab.checksums.A, 'data read through mode A').toHaveLength(1)
      expect(ab.checksums.B, 'data read through mode B are identical to mode A').toEqual(ab.checksums.A)
      expect(ab.observed.A).toEqual([EXPECTED_SOURCE.A])
      expect(ab.observed.B).toEqual([EXPECTED_SOURCE.B])
      expect(ab.result.head).toHoldParity(ab.result.base, { atLeast: 1 / ab.maxRatio, name: `${workflow} · ${cacheState}: B within ${ab.maxRatio}× A` })
    })
  }
}

test('network ceiling (mode C): ranged GETs of the same blobs, one stream and parallel', async ({ fastVolume, kpi, config, publish }) => {
  const objects = fastVolume.chunks
  const c = await probeNetwork(fastVolume.blob, objects, config.fast.probe_streams)
  kpi('C.single_MB_s', c.single_MB_s, 'MB/s', { better: 'higher' })
  kpi('C.parallel_MB_s', c.parallel_MB_s, 'MB/s', { better: 'higher' })
  kpi('C.lat_p50_ms', c.lat_p50_ms, 'ms', { better: 'lower' })
  kpi('C.lat_p95_ms', c.lat_p95_ms, 'ms', { better: 'lower' })
  kpi('C.lat_p99_ms', c.lat_p99_ms, 'ms', { better: 'lower' })
  await publish()
  expect(c.bytes).toBe(objects.length * fastVolume.chunkBytes)
  expect(c.sha256, 'chunks streamed equal the .zgy bricks').toBe(fastVolume.chunksSha256)
})

test('analysis: comparison_kpis.csv, charts and the A/B summary', async ({ run, publish }) => {
  const analysis = analyzeFastAb(outcomes, run.dir)
  for (const f of analysis.files) run.addArtifact(f.slice(run.dir.length + 1))
  await publish()
  process.stdout.write(abSummary(outcomes) + '\n')
  const expected = new Set(outcomes.flatMap((o) => [`A ${o.workflow} ${o.cache_state}`, `B ${o.workflow} ${o.cache_state}`]))
  expect(new Set(analysis.rows.map((r) => `${r.mode} ${r.workflow} ${r.cache_state}`))).toEqual(expected)
})
