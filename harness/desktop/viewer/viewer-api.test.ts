// The viewer as a process, driven through its HTTP API (no window): mode A on a generated .zgy and
// mode B on its chunked copy in a real Azurite, against the headless reader (`benchgate reader`,
// its own process) run with the same parameters. The hashes must be equal action by action.
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, readlinkSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startAzurite, type Azurite } from '../../azure/azurite.ts'
import { containerSas, createContainer } from '../../azure/store.ts'
import type { BlobTarget } from '../../azure/target.ts'
import { uploadVolume } from '../../fast/blob-volume.ts'
import { SAS_ENV, type ReaderSummary } from '../../fast/reader-cli.ts'
import type { WorkflowName } from '../../fast/workflows.ts'
import { isAlive, makeTempDir } from '../../run/cleanup.ts'
import { ensureSyntheticZgy } from '../../volume/dataset.ts'
import { startViewer, viewerArgs, type ViewerLaunch, type ViewerProcess } from './launch.ts'
import type { ViewerSummary } from './session.ts'

const run = promisify(execFile)
const BIN = resolve(import.meta.dirname, '../../../bin/benchgate.ts')
const PREFIX = 'vols/viewer'
const PARAMS = { scrub_count: 6, scrub_delay_ms: 0, horizon: { radius: 12 } }
const work = makeTempDir()
let azurite: Azurite
let read: BlobTarget
let zgyPath: string
const headless = new Map<WorkflowName, ReaderSummary>()

async function reader(workflow: WorkflowName): Promise<ReaderSummary> {
  const out = join(work.path, `reader-${workflow}.json`)
  mkdirSync(join(work.path, 'reader-export'), { recursive: true }) // the reader writes exports only into an existing folder
  await run(process.execPath, [BIN, 'reader', '--mode', 'A', '--workflow', workflow, '--zgy', zgyPath, '--out', out, '--params', JSON.stringify(PARAMS),
    '--export-dir', join(work.path, 'reader-export')], { env: { ...process.env, [SAS_ENV]: '' } })
  return JSON.parse(readFileSync(out, 'utf8')) as ReaderSummary
}

beforeAll(async () => {
  zgyPath = ensureSyntheticZgy({ inlines: 150, crosslines: 140, samples: 384, dataType: 'int16', seed: 5 }, join(work.path, 'nas')).path
  azurite = await startAzurite()
  await createContainer(azurite, 'vols')
  await uploadVolume(zgyPath, 'viewer', containerSas(azurite, 'vols', { permissions: 'racwl' }), PREFIX)
  read = containerSas(azurite, 'vols', { permissions: 'r' })
  for (const w of ['open', 'scrub-100', 'attribute', 'horizon', 'export'] as const) headless.set(w, await reader(w))
}, 120_000)

afterAll(async () => {
  await azurite?.stop()
  await work.release()
})

function launch(mode: 'A' | 'B', name: string, extra: Partial<ViewerLaunch> = {}): Promise<ViewerProcess> {
  const blob = { containerUrl: read.containerUrl, sas: read.sas, prefix: PREFIX, cacheDir: join(work.path, `cache-${name}`), fastLog: join(work.path, `fast-${name}.log`) }
  return startViewer({ mode, out: join(work.path, `viewer-${name}.json`), params: PARAMS, exportDir: join(work.path, `export-${name}`),
    ...(mode === 'A' ? { zgy: zgyPath } : { blob }), ...extra })
}

/** The files the process holds open (Linux: /proc/PID/fd). */
function openFiles(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)]
    } catch {
      return []
    }
  })
}

async function session(mode: 'A' | 'B'): Promise<{ summary: ViewerSummary; held: { before: string[]; after: string[] } }> {
  const v = await launch(mode, `api-${mode}`)
  const before = openFiles(v.pid)
  expect((await v.run('next')).status).toMatch(/no project open/)
  const opened = await v.run('open')
  expect(opened).toMatchObject({ kind: 'grey', width: 140, height: 384, inline: 75 })
  expect(opened.values!.length).toBe(140 * 384)
  for (let n = 1; n <= 5; n++) expect((await v.run('next')).inline).toBe(75 + n)
  expect(await v.run('attribute')).toMatchObject({ kind: 'heat', width: 128, height: 128 })
  expect(await v.run('horizon')).toMatchObject({ kind: 'depth', width: 25, height: 25 })
  expect((await v.run('export')).status).toMatch(/^export: .*\.f32$/)
  const after = openFiles(v.pid)
  const summary = await v.quit()
  expect(isAlive(v.pid)).toBe(false)
  expect(v.stderr()).toBe('')
  return { summary, held: { before, after } }
}

test('mode A and mode B: every action hashes the same storage bytes as the headless reader, and the volume stays open until the end', async () => {
  const a = await session('A')
  const b = await session('B')
  for (const { summary: s } of [a, b]) {
    expect(s.actions.map((x) => [x.action, x.inline ?? null, x.ignored ?? null])).toEqual([
      ['next', null, 'no volume open'], ['open', 75, null], ...[76, 77, 78, 79, 80].map((i) => ['next', i, null]),
      ['attribute', null, null], ['horizon', null, null], ['export', null, null],
    ])
    expect(s.sha256.open).toBe(headless.get('open')!.sha256)
    expect(s.sha256.open).toBe(headless.get('attribute')!.first_inline_sha256)
    // open + 5 × next = 6 inlines, as the headless scrub of scrub_count 6 from the same open inline
    expect(s.scrub_inlines).toEqual([75, 76, 77, 78, 79, 80])
    expect(s.sha256.scrub).toBe(headless.get('scrub-100')!.sha256)
    expect(s.headless_scrub).toEqual({ scrub_count: 6, sha256: headless.get('scrub-100')!.sha256 })
    expect(s.sha256.attribute).toBe(headless.get('attribute')!.sha256)
    expect(s.sha256.horizon).toBe(headless.get('horizon')!.sha256)
    expect(s.sha256.export).toBe(headless.get('export')!.sha256)
    expect(s.figures.attribute).toEqual(headless.get('attribute')!.figures)
    expect(s.figures.horizon).toEqual(headless.get('horizon')!.figures)
    // the exported file itself: the same bytes as the reader's
    expect(readFileSync(String(s.figures.export!.file))).toEqual(readFileSync(String(headless.get('export')!.figures.file)))
    expect(s.reads.length).toBeGreaterThan(0)
    expect(s.brick_cache.misses).toBeGreaterThan(0)
    expect(s.markers.map((m) => m.event)).toEqual(['open_start', 'attr_start', 'attr_end', 'horizon_start', 'horizon_end', 'export_start', 'export_end', 'session_end'])
    for (let n = 1; n < s.actions.length; n++) expect(s.actions[n]!.t_ms).toBeGreaterThanOrEqual(s.actions[n - 1]!.end_ms!)
    expect(s.ended_by).toBe('quit')
  }
  expect(a.summary.fast).toBeNull()
  expect(b.summary.fast!.misses).toBeGreaterThan(0)
  expect(b.summary.mode).toBe('B')
  expect(b.summary.sha256).toEqual(a.summary.sha256)
  if (process.platform === 'linux') {
    // which path served it: the .zgy (mode A) or FAST's virtual file (mode B), held only once opened
    expect(a.held.before).not.toContain(zgyPath)
    expect(a.held.after).toContain(zgyPath)
    const vzgy = join(work.path, 'cache-api-B', 'mount', 'viewer.vzgy')
    expect(b.held.before).not.toContain(vzgy)
    expect(b.held.after).toContain(vzgy)
    expect(b.held.after).not.toContain(zgyPath)
  }
}, 120_000)

test('SIGTERM: the summary is written (ended_by SIGTERM) and the process is gone', async () => {
  const v = await launch('A', 'term')
  await v.run('open')
  await v.run('next')
  const s = await v.stop()
  expect(isAlive(v.pid)).toBe(false)
  expect(s).toMatchObject({ ended_by: 'SIGTERM', scrub_inlines: [75, 76] })
  expect(s!.markers.at(-1)!.event).toBe('session_end')
}, 60_000)

test('mode B: the SAS stays in the environment — not on the command line, stdout, stderr or the summary', async () => {
  const v = await launch('B', 'sas')
  const sig = new URLSearchParams(read.sas).get('sig')!
  if (process.platform === 'linux') expect(readFileSync(`/proc/${v.pid}/cmdline`, 'utf8')).not.toContain(sig)
  expect(viewerArgs({ mode: 'B', out: 'x', blob: { containerUrl: read.containerUrl, sas: read.sas, prefix: PREFIX, cacheDir: 'c' } }).join(' ')).not.toContain(sig)
  await v.run('open')
  const s = await v.quit()
  expect(v.stdout()).toBe(`viewer listening on ${v.url}\n`)
  const all = [readFileSync(join(work.path, 'viewer-sas.json'), 'utf8'), v.stdout(), v.stderr()]
  for (const t of all) {
    expect(t).not.toContain(sig)
    expect(t).not.toContain(encodeURIComponent(sig))
  }
  expect(s.source).toBe(`${read.containerUrl}/${PREFIX}`)
}, 60_000)

test('a failing open (no SAS) is logged on the action and on stderr as one line naming the container; the viewer keeps running', async () => {
  const v = await launch('B', 'nosas', { blob: { containerUrl: read.containerUrl, sas: '', prefix: PREFIX, cacheDir: join(work.path, 'cache-nosas') } })
  const f = await v.run('open')
  expect(f.kind).toBe('none')
  expect(f.status).toContain(read.containerUrl)
  expect((await v.summary()).actions[0]!.error).toContain(read.containerUrl)
  const s = await v.quit()
  expect(s.sha256.open).toBeNull()
  expect(v.stderr().trim().split('\n')).toHaveLength(1)
}, 60_000)

test('bad flags are one clear line each', async () => {
  const fail = async (args: string[]): Promise<string> => {
    const r = await run(process.execPath, [BIN, 'viewer', ...args]).then(() => ({ stderr: 'exited 0' }), (e: { stderr: string; code: number }) => {
      expect(e.code).toBe(2)
      return e
    })
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    return r.stderr
  }
  expect(await fail(['--mode', 'C', '--out', 'x.json'])).toMatch(/--mode: invalid value "C"; expected A \(NAS .zgy\) or B/)
  expect(await fail(['--mode', 'A', '--out', 'x.json'])).toMatch(/--zgy: missing; expected the .zgy file/)
  expect(await fail(['--mode', 'A', '--out', 'x.json', '--zgy', '/nonexistent.zgy'])).toMatch(/--zgy: \/nonexistent.zgy does not exist/)
  expect(await fail(['--mode', 'A', '--out', 'x.json', '--zgy', zgyPath, '--hotkeys', '{"open":"Hyper+O"}'])).toMatch(/--hotkeys: open: unknown modifier "hyper"/)
  expect(await fail(['--mode', 'A', '--out', 'x.json', '--zgy', zgyPath, '--params', '{nope'])).toMatch(/--params: not JSON/)
  expect(await fail(['--mode', 'B', '--out', 'x.json'])).toMatch(/--container-url: missing; expected the container URL \(the SAS comes from \$BENCHGATE_SAS\)/)
})
