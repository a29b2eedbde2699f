// Whole probe runs against a real Azurite with real SAS tokens: a failing target (expired, not yet
// valid, missing permission, missing blob, unreachable host) gives one line naming the target and
// the cause while the next target is still measured and the JSON records the failure; and the
// secrets check: no SAS signature, in any form, nor the account key, in any file the run wrote or
// any line it printed.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { startAzurite, type Azurite } from '../azure/azurite.ts'
import { containerSas, createContainer, describeTarget, putBlob, type BlobTarget } from '../azure/store.ts'
import { targetFromSasUrl } from '../azure/target.ts'
import { closedPort } from '../azure/test-support.ts'
import { signatureValues } from '../config/sas.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { BASELINE_FILE, CHARTS_DIR, SUMMARY_FILE } from './output.ts'
import { runProbe, type ProbeRun } from './run.ts'
import { ProbeBaselineSchema } from './schema.ts'
import { filesIn, lineSink, probeConfig, sasUrlOf, secretLeaks, signatureForms, textsOf } from './test-support.ts'
import { PROBE_SCHEMA_FILE } from './write-schema.ts'

const CONTAINER = 'probe-run'
const work = makeTempDir('benchgate-probe-run-')
let azurite: Azurite
let read: BlobTarget
let n = 0

beforeAll(async () => {
  azurite = await startAzurite()
  await createContainer(azurite, CONTAINER)
  const write = containerSas(azurite, CONTAINER, { permissions: 'racwl' })
  await putBlob(write, 'benchgate-probe/probe-2MiB.bin', randomBytes(2 * 1024 * 1024))
  await putBlob(write, 'benchgate-probe/probe-8MiB.bin', randomBytes(8 * 1024 * 1024))
  read = containerSas(azurite, CONTAINER, { permissions: 'r' })
})

afterAll(async () => {
  await azurite?.stop()
  await work.release()
})

const dir = (name: string) => join(work.path, `${name}-${++n}`)

describe('a failing target: one line naming it and the cause, the next target still measured', () => {
  const hour = 3600_000
  const CASES: [string, () => Promise<string>, RegExp][] = [
    ['an expired SAS', async () => sasUrlOf(containerSas(azurite, CONTAINER, { permissions: 'r', expiresOn: new Date(Date.now() - hour) })),
      /^SAS signature invalid or expired \(it expired at [^)]+\) \(blob 'benchgate-probe\/probe-2MiB\.bin'; HTTP 403 \w+; hint: make a new SAS with a later expiry \(se\)\)$/],
    ['a SAS whose whole window is past', async () => sasUrlOf(containerSas(azurite, CONTAINER, { permissions: 'r', startsOn: new Date(Date.now() - 2 * hour), expiresOn: new Date(Date.now() - hour) })),
      /^SAS signature invalid or expired \(it expired at .*blob 'benchgate-probe\/probe-2MiB\.bin'/],
    ['a SAS not valid yet', async () => sasUrlOf(containerSas(azurite, CONTAINER, { permissions: 'r', startsOn: new Date(Date.now() + hour), expiresOn: new Date(Date.now() + 2 * hour) })),
      /^SAS signature invalid or expired \(it is valid only from .*blob 'benchgate-probe\/probe-2MiB\.bin'.*hint: check the clock/],
    ['a SAS that may only list', async () => sasUrlOf(containerSas(azurite, CONTAINER, { permissions: 'l' })),
      /^SAS lacks the needed permission \(blob 'benchgate-probe\/probe-2MiB\.bin'; HTTP 403 AuthorizationPermissionMismatch; hint: the SAS grants sp=l; this request needs 'r' \(read\)\)$/],
    ['a SAS that may only write', async () => sasUrlOf(containerSas(azurite, CONTAINER, { permissions: 'w' })),
      /^SAS lacks the needed permission \(.*sp=w; this request needs 'r' \(read\)\)$/],
    ['a blob SAS URL of a missing blob', async () => sasUrlOf(read, 'missing/none.bin'),
      /^not found \(no such blob 'missing\/none\.bin'; hint: check the blob SAS URL\)$/],
    ['a container that does not exist', async () => sasUrlOf(containerSas(azurite, 'no-such-container', { permissions: 'r' })),
      /^not found \(no such container\) \(blob 'benchgate-probe\/probe-2MiB\.bin'; HTTP 404 ContainerNotFound; hint: /],
    ['an unreachable host (closed loopback port)', async () => sasUrlOf({ containerUrl: `http://127.0.0.1:${await closedPort()}/devstoreaccount1/${CONTAINER}`, sas: read.sas }),
      /^host unreachable \(blob 'benchgate-probe\/probe-2MiB\.bin'; ECONNREFUSED; hint: check the endpoint and that the store is running\)$/],
  ]

  test.each(CASES)('%s', async (_, badUrl, cause) => {
    const bad = await badUrl()
    const out = dir('failing')
    const { lines, sink } = lineSink()
    const run = await runProbe(probeConfig(`${out}-data`), { outDir: out, sasUrls: [bad, sasUrlOf(read)], parts: { machine: false, nas: false }, sink })
    const [failed, good] = run.baseline.blob
    const container = describeTarget(targetFromSasUrl(bad))

    // the failed target: one line, naming it and the cause; nothing measured is made up
    expect(failed).toMatchObject({ name: 'sas-1', ok: false, container, sweep: [], best: null })
    expect(failed!.error).toMatch(cause)
    expect(run.baseline.failures).toEqual([{ target: `blob sas-1 (${container})`, cause: failed!.error }])
    const failedLines = lines.filter((l) => l.includes('FAILED'))
    expect(failedLines).toEqual([`probe: FAILED blob sas-1 (${container}): ${failed!.error}`])

    // the next target was measured all the same
    expect(good).toMatchObject({ name: 'sas-2', ok: true, blob_bytes: 2 * 1024 * 1024 })
    expect(good!.best!.MB_s).toBeGreaterThan(0)
    expect(good!.sweep[0]!.errors).toBe(0)
    expect(run.kpis.map((k) => k.name)).toContain('blob_sas_2_best_MB_s')

    // and the record on disk says so
    const written = JSON.parse(readFileSync(join(out, BASELINE_FILE), 'utf8')) as ProbeRun['baseline']
    expect(written.failures).toEqual(run.baseline.failures)
    expect(written.blob[0]!.error).toBe(failed!.error)
    const summary = readFileSync(join(out, SUMMARY_FILE), 'utf8')
    expect(summary).toContain(`Failures (1):\n  blob sas-1 (${container}): ${failed!.error}\n`)
    expect(secretLeaks(textsOf(filesIn(out), lines), [...signatureForms(new URL(bad).search), ...signatureForms(read.sas), azurite.accountKey])).toEqual([])
  })

  test('a --sas-url that is not a URL: one failure for the blob part, no embedded store started instead', async () => {
    const out = dir('not-a-url')
    const { lines, sink } = lineSink()
    const run = await runProbe(probeConfig(`${out}-data`), { outDir: out, sasUrls: ['acct/vols?sv=1&sig=c2VjcmV0c2lnbmF0dXJl'], parts: { machine: false, nas: false }, sink })
    expect(run.baseline.blob).toEqual([])
    expect(run.baseline.failures).toEqual([{ target: 'blob', cause: expect.stringMatching(/^config: --sas-url: not a URL/) }])
    expect(lines.some((l) => l.includes('embedded Azurite'))).toBe(false)
    expect(secretLeaks(textsOf(filesIn(out), lines), ['c2VjcmV0c2lnbmF0dXJl'])).toEqual([])
  })

  test('--create uploads a missing test blob through a SAS that may write, then measures it', async () => {
    await createContainer(azurite, 'probe-create')
    const out = dir('create')
    const { lines, sink } = lineSink()
    const write = containerSas(azurite, 'probe-create', { permissions: 'rcw' })
    const run = await runProbe(probeConfig(`${out}-data`), { outDir: out, sasUrls: [sasUrlOf(write)], create: true, parts: { machine: false, nas: false }, sink })
    expect(run.baseline.failures).toEqual([])
    expect(run.baseline.blob[0]).toMatchObject({ name: 'sas-1', ok: true, created: true, blob_bytes: 2 * 1024 * 1024 })
    expect(lines).toContain("probe: blob sas-1: uploaded the 2 MiB test blob 'benchgate-probe/probe-2MiB.bin'")
  })
})

describe('secrets never reach the output', () => {
  let run: ProbeRun
  const out = join(work.path, 'secrets')
  const share = join(work.path, 'secrets-share')
  const { lines, sink } = lineSink()
  let configured: BlobTarget
  let flagged: BlobTarget
  let expired: BlobTarget
  let leaky: string

  beforeAll(async () => {
    configured = containerSas(azurite, CONTAINER, { permissions: 'rl' })
    flagged = containerSas(azurite, CONTAINER, { permissions: 'r' })
    expired = containerSas(azurite, CONTAINER, { permissions: 'r', startsOn: new Date(Date.now() - 7200_000), expiresOn: new Date(Date.now() - 3600_000) })
    mkdirSync(share)
    writeFileSync(join(share, 'benchgate-probe-8MiB.bin'), randomBytes(8 * 1024 * 1024))
    // a share path that carries a signature, so a failure line really contains one to scrub
    leaky = join(work.path, `missing-share-${signatureValues(configured.sas)[0]}`)
    const config = probeConfig(`${out}-data`, {
      blob_size_mib: 8, chunk_sizes_mib: [1, 4], streams: [1, 4], passes: 1, file_size_mib: 8, rtt_count: 2,
      sas_urls: [sasUrlOf(configured)],
    }, { nas: { shares: [share, leaky] } })
    run = await runProbe(config, { outDir: out, sasUrls: [sasUrlOf(flagged), sasUrlOf(expired)], sink })
  })

  test('the run measured every part and wrote its files (so the search below searched something)', () => {
    expect(run.baseline.machine).not.toHaveProperty('skipped')
    const sig = signatureValues(configured.sas)[0]!
    expect(run.baseline.nas.map((s) => [s.name, s.ok])).toEqual([['secrets-share-1', true], [`missing-share-${sig}-2`, false]])
    expect(run.baseline.nas[0]!.reads).toHaveLength(4)
    expect(run.baseline.blob.map((b) => [b.name, b.ok])).toEqual([['sas-1', true], ['sas-2', true], ['sas-3', false]])
    expect(run.baseline.blob[0]!.sweep).toHaveLength(4)
    // the record returned in memory is as measured; what is written and printed is scrubbed (below)
    expect(run.baseline.failures.map((f) => f.target)).toEqual([`nas missing-share-${sig}-2 (${leaky})`, `blob sas-3 (${expired.containerUrl})`])
    expect(run.baseline.failures[1]!.cause).toMatch(/expired/)
    expect(filesIn(out).sort()).toEqual(run.files.slice().sort())
    expect(run.files.map((f) => f.slice(out.length + 1))).toEqual([
      BASELINE_FILE, SUMMARY_FILE,
      `${CHARTS_DIR}/blob-sas-1-throughput.svg`, `${CHARTS_DIR}/blob-sas-1-throughput.png`,
      `${CHARTS_DIR}/blob-sas-2-throughput.svg`, `${CHARTS_DIR}/blob-sas-2-throughput.png`,
      `${CHARTS_DIR}/chunk-latency-cdf.svg`, `${CHARTS_DIR}/chunk-latency-cdf.png`,
    ])
    expect(readFileSync(join(out, BASELINE_FILE), 'utf8')).toContain(configured.containerUrl)
    expect(lines.filter((l) => l.includes('FAILED'))).toHaveLength(2)
  })

  test('a signature that reached a failure line is redacted there, in the JSON and in the summary', () => {
    const scrubbed = join(work.path, 'missing-share-REDACTED')
    expect(lines).toContain(`probe: FAILED nas missing-share-REDACTED-2 (${scrubbed}): share path does not exist (${scrubbed})`)
    expect(readFileSync(join(out, BASELINE_FILE), 'utf8')).toContain(JSON.stringify(`share path does not exist (${scrubbed})`))
    expect(readFileSync(join(out, SUMMARY_FILE), 'utf8')).toContain(`    FAILED: share path does not exist (${scrubbed})`)
  })

  test('no signature (raw, decoded, encoded), no account key, no unredacted sig= in any file or line', () => {
    const secrets = [
      ...[configured, flagged, expired].flatMap((t) => signatureForms(t.sas)),
      azurite.accountKey,
      encodeURIComponent(azurite.accountKey),
    ]
    expect(secrets.length).toBeGreaterThanOrEqual(3 * 2 + 2)
    const texts = textsOf(filesIn(out), lines)
    expect(texts.length).toBeGreaterThan(10)
    expect(secretLeaks(texts, secrets)).toEqual([])
  })

  test('baseline.json satisfies its zod schema and the shipped JSON Schema', () => {
    const written = JSON.parse(readFileSync(join(out, BASELINE_FILE), 'utf8')) as unknown
    expect(ProbeBaselineSchema.parse(written).blob).toEqual(run.baseline.blob) // (the share paths are scrubbed)
    const jsonSchema = z.fromJSONSchema(JSON.parse(readFileSync(PROBE_SCHEMA_FILE, 'utf8')) as z.core.JSONSchema.JSONSchema)
    expect(jsonSchema.safeParse(written).error?.issues ?? []).toEqual([])
  })
})
