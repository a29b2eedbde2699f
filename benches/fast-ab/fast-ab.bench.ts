// fast-ab: for the same interpretation workflows, how does reading the volume from the NAS
// (mode A, a .zgy file) compare with streaming it from Azure Blob through the FAST cache (mode B),
// and what does the network allow at best (mode C)? The headless reference reader reproduces
// Petrel's I/O pattern in its own process; the sampler watches it as it would watch Petrel
// (fast.driver: desktop runs the same cases through the application's window instead).
//
// Per workflow and cache state: A and B in interleaved rounds, each session timed by its own
// workflow markers. Gates (./ab-cases.ts): the data read are identical, each mode was served by
// the path it claims (observed from the open files), and B takes at most fast.max_ratio × A's time.
import { loadConfig } from '../../harness/config/load.ts'
import { expect, test } from '../../harness/fast/fixtures.ts'
import { probeNetwork, type AbOutcome } from '../../harness/fast/scenario.ts'
import { abAnalysis, abCases } from './ab-cases.ts'

const { config } = loadConfig()
const outcomes: AbOutcome[] = []

abCases(test, config.cache.policy, config.workflows.enabled, outcomes)

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

abAnalysis(test, outcomes)
