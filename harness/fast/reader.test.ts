// The reference reader end to end, as real as the fast-ab scenario: a generated .zgy (with
// missing and constant bricks) in a directory standing for the NAS, its chunked copy in a real
// Azurite, and `benchgate reader` run as its own process in both modes.
import { execFile } from 'node:child_process'
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startAzurite, type Azurite } from '../azure/azurite.ts'
import { startFaultProxy } from '../azure/fault-proxy.ts'
import { containerSas, createContainer } from '../azure/store.ts'
import type { BlobTarget } from '../azure/target.ts'
import { FastLogTail } from '../metrics/fast-log.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { ensureSyntheticZgy } from '../volume/dataset.ts'
import { openZgy } from '../volume/zgy.ts'
import { uploadVolume } from './blob-volume.ts'
import { SAS_ENV, type ReaderSummary } from './reader-cli.ts'
import { WORKFLOWS, type WorkflowName } from './workflows.ts'

const run = promisify(execFile)
const BIN = resolve(import.meta.dirname, '../../bin/benchgate.ts')
const PREFIX = 'vols/test'
const work = makeTempDir()
let azurite: Azurite
let read: BlobTarget
let zgyPath: string

beforeAll(async () => {
  // 150 × 140 × 384 int16: partial edge bricks in every direction; the generator adds constant
  // (water) and missing (dead corner) bricks
  zgyPath = ensureSyntheticZgy({ inlines: 150, crosslines: 140, samples: 384, dataType: 'int16', seed: 5 }, join(work.path, 'nas')).path
  const z = openZgy(zgyPath)
  const kinds = new Set(z.bricks.map((b) => b.kind))
  z.close()
  expect(kinds).toEqual(new Set(['normal', 'constant', 'missing']))
  azurite = await startAzurite()
  await createContainer(azurite, 'vols')
  await uploadVolume(zgyPath, 'test', containerSas(azurite, 'vols', { permissions: 'racwl' }), PREFIX)
  read = containerSas(azurite, 'vols', { permissions: 'r' })
}, 120_000)

afterAll(async () => {
  await azurite?.stop()
  await work.release()
})

interface ReaderRun { code: number; stdout: string; stderr: string; summary: ReaderSummary | null }

async function reader(mode: 'A' | 'B', workflow: WorkflowName, extra: string[] = [], target: BlobTarget = read, env: NodeJS.ProcessEnv = {}): Promise<ReaderRun> {
  const out = join(work.path, `s-${mode}-${workflow}-${Math.random().toString(36).slice(2)}.json`)
  const args = [BIN, 'reader', '--mode', mode, '--workflow', workflow, '--out', out,
    '--params', JSON.stringify({ scrub_count: 12, scrub_delay_ms: 0, horizon: { radius: 12 } })]
  if (mode === 'A') args.push('--zgy', zgyPath)
  else args.push('--container-url', target.containerUrl, '--prefix', PREFIX, '--cache-dir', join(work.path, 'cache'), '--fast-log', join(work.path, 'fast.log'))
  const childEnv = { ...process.env, [SAS_ENV]: mode === 'B' ? target.sas : '', ...env }
  try {
    const r = await run(process.execPath, [...args, ...extra], { env: childEnv })
    return { code: 0, stdout: r.stdout, stderr: r.stderr, summary: JSON.parse(readFileSync(out, 'utf8')) as ReaderSummary }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, stdout: x.stdout, stderr: x.stderr, summary: null }
  }
}

test('every workflow reads byte-identical data through mode A and mode B, with its markers in order', async () => {
  for (const workflow of WORKFLOWS) {
    const a = await reader('A', workflow)
    const b = await reader('B', workflow)
    expect(a.stderr + b.stderr).toBe('')
    expect(b.summary!.first_inline_sha256).toBe(a.summary!.first_inline_sha256)
    expect(b.summary!.sha256, workflow).toBe(a.summary!.sha256)
    expect(b.summary!.figures).toMatchObject(Object.fromEntries(Object.entries(a.summary!.figures).filter(([k]) => k !== 'file')))
    const events = a.summary!.markers.map((m) => m.event)
    expect(events[0]).toBe('open_start')
    expect(events[1]).toBe('first_pixel')
    expect(events.at(-1)).toBe('session_end')
    for (const s of [a.summary!, b.summary!]) for (const v of Object.values(s.spans)) expect(v).toBeGreaterThan(0)
  }
}, 120_000)

test('the FAST cache: a first session misses, a second hits, and the FAST log says the same', async () => {
  const log = join(work.path, 'fast.log')
  writeFileSync(log, '')
  const tail = new FastLogTail(log)
  const cache = ['--cache-dir', join(work.path, 'cache-hits')]
  const first = (await reader('B', 'attribute', cache)).summary!
  const firstLog = tail.drain()
  const second = (await reader('B', 'attribute', cache)).summary!
  const secondLog = tail.drain()
  tail.close()
  expect(first.fast).toMatchObject({ hits: 0 })
  expect(first.fast!.misses).toBeGreaterThan(0)
  expect(second.fast).toMatchObject({ hits: first.fast!.misses, misses: 0 })
  expect(firstLog).toMatchObject({ requests: first.fast!.misses, cacheHit: 0 })
  expect(secondLog).toMatchObject({ requests: first.fast!.misses, cacheHit: 1 })
  expect(firstLog.bytes).toBe(first.reads.reduce((n, r) => n + r[1], 0))
  expect(second.sha256).toBe(first.sha256)
}, 60_000)

test('mode B survives injected 503s: retried, and the data are still identical', async () => {
  const origin = new URL(read.containerUrl).origin
  const proxy = await startFaultProxy({ upstream: origin, inject: (n) => (n % 3 === 2 ? 503 : null) })
  try {
    const viaProxy = { containerUrl: read.containerUrl.replace(origin, proxy.origin), sas: read.sas }
    const b = await reader('B', 'open', ['--cache-dir', join(work.path, 'cache-503')], viaProxy)
    const a = await reader('A', 'open')
    expect(b.code).toBe(0)
    expect(proxy.injected).toBeGreaterThan(0)
    expect(b.summary!.fast!.retries).toBe(proxy.injected)
    expect(b.summary!.sha256).toBe(a.summary!.sha256)
  } finally {
    await proxy.stop()
  }
}, 60_000)

test('mode B needs only a read SAS; without one it fails with one line naming the container, no signature', async () => {
  const noSas = await reader('B', 'open', ['--cache-dir', join(work.path, 'cache-nosas')], { containerUrl: read.containerUrl, sas: '' })
  expect(noSas.code).toBe(2)
  expect(noSas.stderr.trim().split('\n')).toHaveLength(1)
  expect(noSas.stderr).toContain(read.containerUrl)
  const sig = new URLSearchParams(read.sas).get('sig')!
  for (const r of [noSas, await reader('B', 'open', ['--cache-dir', join(work.path, 'cache-sas')])]) {
    expect(r.stdout + r.stderr).not.toContain(sig)
    expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(sig))
  }
}, 60_000)

test('a truncated or corrupt .zgy gives one clear line naming the file', async () => {
  const cut = join(work.path, 'cut.zgy')
  copyFileSync(zgyPath, cut)
  truncateSync(cut, 300_000)
  const r = await reader('A', 'open', ['--zgy', cut])
  expect(r.code).toBe(2)
  expect(r.stderr.trim()).toMatch(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*truncated`))
  const junk = join(work.path, 'junk.zgy')
  writeFileSync(junk, 'not a volume at all')
  const j = await reader('A', 'open', ['--zgy', junk])
  expect(j.stderr.trim()).toMatch(/junk\.zgy: magic: .* is not a ZGY magic/)
}, 60_000)

test('bad flags are one clear line each', async () => {
  expect((await reader('A', 'open', ['--mode', 'C'])).stderr).toMatch(/--mode: invalid value "C"; expected A \(NAS .zgy\) or B/)
  const r = await run(process.execPath, [BIN, 'reader', '--mode', 'A', '--workflow', 'dance', '--out', 'x.json']).catch((e: { stderr: string }) => e)
  expect(r.stderr).toMatch(/--workflow: unknown workflow "dance"; expected one of open, scrub-100, attribute, horizon, export/)
})
