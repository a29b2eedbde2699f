// The NAS part against a local directory standing for the share: the test file read whole with
// 1 and N streams, Cold and Warm, with per-read summaries; the test file made where allowed and
// kept; one clear line for a missing share, a file where a share should be, and a configured share
// without its test file; and the round-trip time to a share host's port.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeTempDir } from '../run/cleanup.ts'
import { nasSteps, probeShare, shareHost, type NasOptions, type ShareSpec } from './nas.ts'
import { Progress } from './progress.ts'
import { shareSpecs } from './run.ts'
import { NasShareSchema } from './schema.ts'
import { MIB } from './stats.ts'
import { lineSink, probeConfig } from './test-support.ts'

const work = makeTempDir('benchgate-probe-nas-')
afterAll(() => work.release())

const OPTIONS: NasOptions = {
  fileSizeMib: 3,
  fileName: 'probe-3MiB.bin',
  chunkMib: 0.25,
  streams: 3,
  create: false,
  dropOsCache: false,
  rttCount: 2,
  smbPort: 445,
  requestTimeoutMs: 2000,
  timeoutMs: 30_000,
}

function share(name: string, embedded: boolean, host: string | null = null): ShareSpec {
  const path = join(work.path, name)
  return { name, path, host, embedded }
}

async function probe(spec: ShareSpec, o: Partial<NasOptions> = {}) {
  const { lines, sink } = lineSink()
  const progress = new Progress(nasSteps({ streams: o.streams ?? OPTIONS.streams }), sink)
  const outcome = await probeShare(spec, { ...OPTIONS, ...o }, progress)
  expect(NasShareSchema.parse(outcome.result)).toEqual(outcome.result)
  return { ...outcome, lines, progress }
}

describe('the embedded directory', () => {
  const spec = share('embedded', true)
  let first: Awaited<ReturnType<typeof probe>>

  beforeAll(async () => {
    mkdirSync(spec.path)
    first = await probe(spec)
  })

  test('makes its test file (random bytes, renamed into place) and keeps it', async () => {
    const path = join(spec.path, OPTIONS.fileName)
    expect(first.result.ok).toBe(true)
    expect(first.result.error).toBeUndefined()
    expect(first.result.file).toEqual({ path, bytes: 3 * MIB, created: true })
    expect(statSync(path).size).toBe(3 * MIB)
    expect(readdirSync(spec.path)).toEqual([OPTIONS.fileName]) // no .partial left behind
    expect(first.lines).toContain(`probe: wrote the 3 MiB test file ${path}`)
    const again = await probe(spec)
    expect(again.result.file).toEqual({ path, bytes: 3 * MIB, created: false })
  })

  test('reads with 1 and N streams, Cold then Warm: every byte of the file, MB/s > 0, one summary per read', () => {
    const reads = first.result.reads
    expect(reads.map((r) => [r.cache_state, r.streams])).toEqual([['Cold', 1], ['Cold', 3], ['Warm', 1], ['Warm', 3]])
    for (const r of reads) {
      const label = `${r.cache_state} ${r.streams}`
      expect(r.bytes, label).toBe(3 * MIB)
      expect(r.chunk_bytes, label).toBe(MIB / 4)
      expect(r.MB_s, label).toBeGreaterThan(0)
      expect(r.seconds, label).toBeGreaterThanOrEqual(0)
      expect(r.chunk_ms.n, label).toBe(12) // 3 MiB in 0.25 MiB reads
      expect(r.chunk_ms.min!, label).toBeLessThanOrEqual(r.chunk_ms.p50!)
      expect(r.chunk_ms.p50!, label).toBeLessThanOrEqual(r.chunk_ms.p99!)
      expect(r.chunk_ms.p99!, label).toBeLessThanOrEqual(r.chunk_ms.max!)
    }
  })

  test('Cold reads record what making them Cold achieved; Warm reads record nothing of the kind', () => {
    for (const r of first.result.reads.filter((x) => x.cache_state === 'Cold')) {
      expect(r.cold).toMatchObject({ os_cache: 'not-requested', file_bytes: 3 * MIB })
    }
    for (const r of first.result.reads.filter((x) => x.cache_state === 'Warm')) expect(r.cold).toBeUndefined()
  })

  test('a local directory has no host: the round-trip times say why they were not measured', () => {
    expect(first.result.rtt).toEqual({ skipped: 'a local directory stands for the share (no host)' })
    expect(first.result.icmp).toEqual({ skipped: 'a local directory stands for the share (no host)' })
  })

  test('per-read times for the latency chart and one progress step per measured pass', () => {
    expect(first.latencies.map((l) => [l.label, l.samples.length])).toEqual([
      ['nas embedded Cold 1 stream', 12], ['nas embedded Cold 3 streams', 12], ['nas embedded Warm 1 stream', 12], ['nas embedded Warm 3 streams', 12],
    ])
    const steps = first.lines.filter((l) => l.startsWith('probe ['))
    expect(steps).toHaveLength(nasSteps(OPTIONS))
    expect(steps[0]).toMatch(/^probe \[1\/5\] nas embedded: .*, test file 3 MiB · /)
    expect(steps[4]).toMatch(/^probe \[5\/5\] nas embedded: Warm, 3 streams: \d+ MB\/s, p99 read [\d.]+ ms · .*, done$/)
  })

  test('with one stream configured, only the one-stream reads are taken', async () => {
    const one = await probe(spec, { streams: 1 })
    expect(one.result.reads.map((r) => [r.cache_state, r.streams])).toEqual([['Cold', 1], ['Warm', 1]])
  })
})

describe('a configured share', () => {
  test('that does not exist: one line naming the path, nothing measured', async () => {
    const spec = share('no-such-share', false)
    const { result, lines } = await probe(spec, { create: true })
    expect(result.ok).toBe(false)
    expect(result.error).toBe(`share path does not exist (${spec.path})`)
    expect(result.reads).toEqual([])
    expect(result.file).toBeNull()
    expect(existsSync(spec.path)).toBe(false) // not created by the probe
    expect(lines).toEqual([])
  })

  test('that is a file, not a directory: one line naming the path', async () => {
    const spec = share('a-file', false)
    writeFileSync(spec.path, 'not a directory')
    const { result } = await probe(spec)
    expect(result.error).toBe(`share path is not a directory (${spec.path})`)
  })

  test('without its test file and create off: fails with a hint, writes nothing', async () => {
    const spec = share('configured-empty', false)
    mkdirSync(spec.path)
    const { result } = await probe(spec)
    const path = join(spec.path, OPTIONS.fileName)
    expect(result.ok).toBe(false)
    expect(result.error).toBe(`no test file ${path} (hint: set probe.create: true or pass --create to write one of 3 MiB, or put a file there)`)
    expect(result.error).not.toContain('\n')
    expect(readdirSync(spec.path)).toEqual([])
    expect(result.reads).toEqual([])
  })

  test('without its test file and create on: makes it and measures', async () => {
    const spec = share('configured-create', false)
    mkdirSync(spec.path)
    const { result } = await probe(spec, { create: true })
    expect(result.ok).toBe(true)
    expect(result.file).toEqual({ path: join(spec.path, OPTIONS.fileName), bytes: 3 * MIB, created: true })
    expect(result.reads).toHaveLength(4)
  })

  test('an empty test file counts as missing', async () => {
    const spec = share('configured-empty-file', false)
    mkdirSync(spec.path)
    writeFileSync(join(spec.path, OPTIONS.fileName), '')
    const { result } = await probe(spec)
    expect(result.error).toMatch(/^no test file /)
  })

  test('an existing test file of any size is read as it is', async () => {
    const spec = share('configured-own-file', false)
    mkdirSync(spec.path)
    writeFileSync(join(spec.path, OPTIONS.fileName), Buffer.alloc(MIB + 5, 1))
    const { result } = await probe(spec)
    expect(result.file).toMatchObject({ bytes: MIB + 5, created: false })
    for (const r of result.reads) {
      expect(r.bytes).toBe(MIB + 5)
      expect(r.chunk_ms.n).toBe(5) // four whole reads and a 5-byte tail
    }
  })

  describe('with a host', () => {
    let server: Server
    let port: number
    beforeAll(async () => {
      server = createServer((s) => s.destroy())
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
      port = (server.address() as { port: number }).port
    })
    afterAll(() => new Promise<void>((ok) => server.close(() => ok())))

    test('the round-trip time is the TCP connect time to its SMB port; ICMP measured or said why not', async () => {
      const spec = { ...share('configured-host', false), host: '127.0.0.1' }
      mkdirSync(spec.path)
      writeFileSync(join(spec.path, OPTIONS.fileName), Buffer.alloc(MIB, 1))
      const { result, lines } = await probe(spec, { smbPort: port, streams: 1 })
      expect(result.rtt).toMatchObject({ method: 'tcp-connect', host: '127.0.0.1', port, attempts: 2, errors: [] })
      expect('samples_ms' in result.rtt && result.rtt.samples_ms).toHaveLength(2)
      expect(result.icmp).toMatchObject({ method: 'icmp', host: '127.0.0.1' })
      if ('available' in result.icmp && !result.icmp.available) expect(result.icmp.reason).toMatch(/ping/)
      expect(lines[0]).toMatch(/, RTT avg [\d.]+ ms · /)
    })
  })
})

describe('shareSpecs', () => {
  test('none configured: the embedded directory <volume.data_dir>/nas', () => {
    expect(shareSpecs(probeConfig(join(work.path, 'data')))).toEqual([
      { name: 'embedded', path: resolve(work.path, 'data', 'nas'), host: null, embedded: true },
    ])
  })

  test('configured shares are named after their last path segment (numbered when several); nas.host wins', () => {
    const local = `${join(work.path, 'vols')}/` // a local directory: no host serves it
    const config = probeConfig(join(work.path, 'data'), {}, { nas: { shares: [local, '\\\\filer01\\seismic'] } })
    expect(shareSpecs(config).map((s) => [s.name, s.path, s.host, s.embedded])).toEqual([
      ['vols-1', local, null, false],
      ['seismic-2', '\\\\filer01\\seismic', 'filer01', false],
    ])
    const withHost = probeConfig(join(work.path, 'data'), {}, { nas: { shares: ['\\\\filer01\\seismic'], host: 'nas.example' } })
    expect(shareSpecs(withHost)).toEqual([{ name: 'seismic', path: '\\\\filer01\\seismic', host: 'nas.example', embedded: false }])
  })
})

test('shareHost: the host of a UNC path, either slash', () => {
  expect(shareHost('\\\\nas01\\seismic\\vols', [])).toBe('nas01')
  expect(shareHost('\\\\10.0.0.5\\share', [])).toBe('10.0.0.5')
  expect(shareHost('//filer.example.com/export/vols', [])).toBe('filer.example.com')
})
