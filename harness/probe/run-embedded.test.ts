// With no blob target configured the probe starts its own Azurite, measures it and stops it. The
// embedded store's account key and SAS (kept from the run's output by design) are caught here by
// wrapping startEmbeddedBlob, so the search can look for them; the wrapper changes nothing else.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { isAlive, makeTempDir } from '../run/cleanup.ts'
import type { EmbeddedBlob } from './azurite-blob.ts'
import { BASELINE_FILE } from './output.ts'
import { runProbe, type ProbeRun } from './run.ts'
import { ProbeBaselineSchema } from './schema.ts'
import { filesIn, lineSink, probeConfig, secretLeaks, signatureForms, textsOf } from './test-support.ts'

const started = vi.hoisted(() => [] as EmbeddedBlob[])
vi.mock('./azurite-blob.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('./azurite-blob.ts')>()
  return {
    ...original,
    startEmbeddedBlob: async (blob: string, bytes: number) => {
      const embedded = await original.startEmbeddedBlob(blob, bytes)
      started.push(embedded)
      return embedded
    },
  }
})

const work = makeTempDir('benchgate-probe-embedded-')
const out = join(work.path, 'out')
const { lines, sink } = lineSink()
let run: ProbeRun

beforeAll(async () => {
  run = await runProbe(probeConfig(join(work.path, 'data'), { blob_size_mib: 4, chunk_sizes_mib: [1, 2], streams: [1, 2], azcopy: true }), {
    outDir: out, parts: { machine: false, nas: false }, sink,
  })
})

afterAll(async () => {
  for (const e of started) await e.stop() // already stopped by the run; stop() is safe twice
  await work.release()
})

test('an embedded Azurite stood in for Azure Blob: measured, recorded as such, and stopped', () => {
  expect(started).toHaveLength(1)
  const [blob] = run.baseline.blob
  expect(blob).toMatchObject({ name: 'azurite', source: 'azurite', ok: true, blob: 'benchgate-probe/probe-4MiB.bin', blob_bytes: 4 * 1024 * 1024, created: false })
  expect(blob!.sweep).toHaveLength(4)
  expect(blob!.best!.MB_s).toBeGreaterThan(0)
  expect(blob!.azcopy).toEqual({ skipped: 'not run against the embedded Azurite (it cross-checks real accounts)' })
  expect(run.baseline.failures).toEqual([])
  expect(lines).toContain('probe: blob azurite: embedded Azurite with a 4 MiB test blob (no Azure Blob target configured)')
  expect(ProbeBaselineSchema.parse(JSON.parse(readFileSync(join(out, BASELINE_FILE), 'utf8')))).toEqual(run.baseline)
  // gone once the run returned: its process and its workspace
  expect(isAlive(started[0]!.azurite.pid)).toBe(false)
  expect(existsSync(started[0]!.azurite.location)).toBe(false)
})

test('its account key and its SAS (read and write) appear in no file written and no line printed', () => {
  const { targets, values } = started[0]!.secrets()
  expect(targets).toHaveLength(2)
  const secrets = [...targets.flatMap((t) => signatureForms(t.sas)), ...values, ...values.map(encodeURIComponent)]
  expect(values).toEqual([started[0]!.azurite.accountKey])
  const files = filesIn(out)
  expect(files.length).toBeGreaterThanOrEqual(6) // baseline.json, the summary, two charts as SVG and PNG
  expect(secretLeaks(textsOf(files, lines), secrets)).toEqual([])
})
