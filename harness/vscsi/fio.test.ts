import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { analyzeSamples, DEFAULT_ANALYSIS_OPTIONS, type Profile } from './analysis.ts'
import { bssplitOf, fioJob, fioParseOnly, fioSize, jobsAndDepth, wholePercentages } from './fio.ts'
import { disk, samples, VM_WORKLOAD, type TestWorkload } from './analysis-test-support.ts'

const fio = spawnSync('fio', ['--version'], { encoding: 'utf8' })
const fioMissing = fio.error ? `fio is not on PATH (${fio.error.message}); run bash scripts/install-debian-packages.sh` : fio.status !== 0 ? `fio --version exited ${fio.status}` : ''
if (fioMissing) console.warn(`harness/vscsi/fio.test.ts: fio --parse-only tests skipped: ${fioMissing}`)

const dir = mkdtempSync(join(tmpdir(), 'vscsi-fio-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const profileOf = (w: Partial<TestWorkload> = {}): Profile => analyzeSamples(samples([disk(8194), disk(8195)], 3, { ...VM_WORKLOAD, ...w }), DEFAULT_ANALYSIS_OPTIONS)

function option(job: string, name: string): string | undefined {
  return job.split('\n').find((l) => l.startsWith(`${name}=`))?.slice(name.length + 1)
}

function parseSplit(direction: string): Array<{ bytes: number; pct: number }> {
  return direction.split(':').map((e) => {
    const [size, pct] = e.split('/')
    return { bytes: size!.endsWith('k') ? Number(size!.slice(0, -1)) * 1024 : Number(size), pct: Number(pct) }
  })
}

describe('wholePercentages', () => {
  test('sums to exactly 100 by the largest remainder and drops 0 % entries', () => {
    const r = wholePercentages({ 4096: 1, 8192: 1, 65536: 1 })
    expect(r.map((e) => e.pct)).toEqual([34, 33, 33])
    const tiny = wholePercentages({ 4096: 0.996, 8192: 0.004 })
    expect(tiny).toEqual([{ bytes: 4096, pct: 100 }])
    const odd = wholePercentages({ 512: 0.125, 3072: 0.125, 4096: 0.375, 65536: 0.375 })
    expect(odd.reduce((a, e) => a + e.pct, 0)).toBe(100)
    expect(odd.map((e) => e.bytes)).toEqual([512, 3072, 4096, 65536])
  })
  test('no weights, no entries', () => {
    expect(wholePercentages({})).toEqual([])
    expect(wholePercentages({ 4096: 0 })).toEqual([])
  })
})

describe('fioJob', () => {
  const p = profileOf()
  const job = fioJob(p, { runtimeS: 30, filename: '/data/fio:test.dat', size: '256m', name: 'vm01 peak' })

  test('randrw with the read share, separate read and write splits, random share and depth', () => {
    expect(option(job, 'rw')).toBe('randrw')
    expect(option(job, 'rwmixread')).toBe('70')
    expect(option(job, 'bssplit')).toBe('4k/50:8k/30:64k/20,4k/70:16k/30')
    expect(option(job, 'percentage_random')).toBe('70,70')
    expect(option(job, 'iodepth')).toBe('8')
    expect(option(job, 'numjobs')).toBe('2')
    expect(option(job, 'group_reporting')).toBe('1')
    expect(option(job, 'runtime')).toBe('30')
    expect(option(job, 'filename')).toBe('/data/fio\\:test.dat')
    for (const line of ['ioengine=libaio', 'direct=1', 'bs_unaligned=1', 'norandommap', 'time_based', 'write_bw_log=vm01-peak', 'write_lat_log=vm01-peak', 'write_iops_log=vm01-peak', 'log_avg_msec=1000', '[vm01-peak]']) {
      expect(job.split('\n'), line).toContain(line)
    }
  })

  test('bssplit: every direction sums to 100 and every size is sector aligned', () => {
    const odd = profileOf({ readSizes: { 3000: 1, 4096: 1, 6000: 1 }, writeSizes: { 512: 3, 12000: 1, 60000: 1, 2000000: 1 } })
    const split = bssplitOf(odd)
    const directions = split.split(',')
    expect(directions).toHaveLength(2)
    for (const d of directions) {
      const entries = parseSplit(d)
      expect(entries.reduce((a, e) => a + e.pct, 0), d).toBe(100)
      for (const e of entries) expect(e.bytes % 512, `${e.bytes} in ${d}`).toBe(0)
      expect(entries.every((e) => e.pct > 0)).toBe(true)
    }
    expect(directions[0]).toBe('3k/33:4k/33:6k/34') // 3000 → bucket 4095 → 3072; 6000 → bucket 8191 → 6144
    // the wide buckets share the exact bytes (12000 + 60000 + 2000000 a set): the overflow at the
    // largest IO (aligned up, 384 bytes above it), the two others a little off their true sizes
    expect(directions[1]).toBe('512/50:12800/17:58880/17:2000384/16')
  })

  test('a profile without writes still gives both directions; no IOs is refused', () => {
    expect(bssplitOf(profileOf({ writes: 0 }))).toBe('4k/50:8k/30:64k/20,4k/50:8k/30:64k/20')
    expect(() => fioJob(analyzeSamples([], DEFAULT_ANALYSIS_OPTIONS), { runtimeS: 5 })).toThrow(/no IOs/)
    expect(() => fioJob(p, { runtimeS: 0 })).toThrow(/runtime/)
  })

  test('numjobs: one job per disk with IOs; iodepth: the mean over disks of each disk\'s mean queue depth', () => {
    const mixed = analyzeSamples([
      ...samples([disk(8194)], 2, { ...VM_WORKLOAD, outstanding: 16 }),
      ...samples([disk(8195)], 2, { ...VM_WORKLOAD, reads: 3500, writes: 1500, outstanding: 2 }),
      ...samples([disk(8196)], 2, { ...VM_WORKLOAD, reads: 0, writes: 0 }),
    ], { ...DEFAULT_ANALYSIS_OPTIONS, percentile: 0 })
    expect(mixed.queue_depth.avg).toBeCloseTo(170000 / 15000, 12) // IO-weighted: 11.3
    // 2 jobs × 9 ≈ the 16 + 2 IOs the two disks keep outstanding together
    expect(jobsAndDepth(mixed)).toEqual({ numjobs: 2, iodepth: 9 })
    const one = profileOf({ outstanding: 1 })
    expect(jobsAndDepth({ ...one, disks: one.disks.slice(0, 1) })).toEqual({ numjobs: 1, iodepth: 1 })
  })

  test('sizes as fio reads them', () => {
    expect([512, 1024, 3072, 4096, 2000384].map(fioSize)).toEqual(['512', '1k', '3k', '4k', '2000384'])
  })

  test.skipIf(Boolean(fioMissing))('every generated job passes fio --parse-only', () => {
    const jobs = {
      vm: job,
      odd: fioJob(profileOf({ readSizes: { 3000: 1, 4096: 1, 6000: 1 }, writeSizes: { 512: 3, 12000: 1, 60000: 1, 2000000: 1 } }), { runtimeS: 5 }),
      readonly: fioJob(profileOf({ writes: 0, sequential: 1 }), { runtimeS: 5, filename: join(dir, 'x.dat'), logPrefix: join(dir, 'log') }),
      writeonly: fioJob(profileOf({ reads: 0, sequential: 0 }), { runtimeS: 5, size: '10%' }),
    }
    for (const [name, text] of Object.entries(jobs)) {
      const file = join(dir, `${name}.fio`)
      writeFileSync(file, text)
      expect(fioParseOnly(file), `fio --parse-only ${name}.fio\n${text}`).toEqual({ ok: true, status: 0, output: '' })
    }
  })

  test.skipIf(Boolean(fioMissing))('the parse check fails on errors fio only prints (exit status 0) and on bad values', () => {
    const file = join(dir, 'bad.fio')
    writeFileSync(file, job.replace(/^percentage_random=.*$/m, 'percentage_random=70,170'))
    const printed = fioParseOnly(file)
    expect(printed.status).toBe(0)
    expect(printed.ok).toBe(false)
    expect(printed.output).toMatch(/percentage_random/)
    writeFileSync(file, job.replace(/^rw=.*$/m, 'rw=randwhat'))
    expect(fioParseOnly(file).ok).toBe(false)
  })
})
