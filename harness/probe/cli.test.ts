// `benchgate probe` as its own process: bad flags give one line and exit 2; a run with a small
// config writes baseline.json, the summary and charts and prints the summary (exit 0); a target
// that fails gives exit 1 with everything still written and its SAS nowhere.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { closedPort } from '../azure/test-support.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { ProbeBaselineSchema } from './schema.ts'
import { filesIn, secretLeaks, textsOf } from './test-support.ts'

const BIN = resolve(import.meta.dirname, '../../bin/benchgate.ts')
const work = makeTempDir('benchgate-probe-cli-')
const config = join(work.path, 'probe.yaml')
afterAll(() => work.release())

beforeAll(() => {
  writeFileSync(config, [
    'probe:',
    '  blob_size_mib: 2',
    '  chunk_sizes_mib: [1]',
    '  streams: [1, 2]',
    '  passes: 1',
    '  rtt_count: 1',
    '  azcopy: false',
    'cache:',
    '  drop_os_cache: false',
    'volume:',
    `  data_dir: ${JSON.stringify(join(work.path, 'data'))}`,
    '',
  ].join('\n'))
})

interface Run { code: number; stdout: string; stderr: string }

async function probe(...args: string[]): Promise<Run> {
  const env = { ...process.env }
  delete env.BENCHGATE_CONFIG
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, 'probe', ...args], { cwd: work.path, env })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, stdout: x.stdout, stderr: x.stderr }
  }
}

describe('bad input: one line naming what was wrong, exit 2', () => {
  test('an unknown option', async () => {
    const r = await probe('--bogus')
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^benchgate probe: .*'--bogus'.*; expected the options benchgate probe --help lists\n$/)
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/) // no stack trace
  })

  test('a --sas-url without a signature', async () => {
    const r = await probe('--sas-url', 'https://x/y')
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'benchgate probe: --sas-url (#1): SAS URL has no sig query parameter; expected a container or blob SAS URL ending in ?sv=…&sig=… '
      + '(hint: copy the full SAS URL, including the ?sv=…&sig=… part)\n',
    )
  })

  test('--help prints the usage and exits 0', async () => {
    const r = await probe('--help')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^usage: benchgate probe \[options\]/)
    expect(r.stdout).toContain('--sas-url URL')
  })
})

test('a run with a small config against the embedded Azurite: exit 0, files written, summary printed', async () => {
  const out = join(work.path, 'out-ok')
  const r = await probe('--no-machine', '--no-nas', '--out', out, '--config', config)
  expect(r.stderr).toMatch(/probe: blob azurite: embedded Azurite with a 2 MiB test blob/)
  expect(r.code).toBe(0)
  const baseline = ProbeBaselineSchema.parse(JSON.parse(readFileSync(join(out, 'baseline.json'), 'utf8')))
  expect(baseline.machine).toEqual({ skipped: 'not requested (--no-machine)' })
  expect(baseline.nas).toEqual([])
  expect(baseline.blob.map((b) => [b.name, b.ok, b.sweep.length])).toEqual([['azurite', true, 2]])
  expect(baseline.settings).toMatchObject({ blob_size_mib: 2, chunk_sizes_mib: [1], streams: [1, 2], passes: 1 })
  for (const f of ['baseline_summary.txt', 'charts/blob-azurite-throughput.svg', 'charts/blob-azurite-throughput.png', 'charts/chunk-latency-cdf.svg', 'charts/chunk-latency-cdf.png']) {
    expect(existsSync(join(out, f)), f).toBe(true)
  }
  const summary = readFileSync(join(out, 'baseline_summary.txt'), 'utf8')
  expect(r.stdout.startsWith(`\n${summary.replace(/\n$/, '')}\n\nwrote\n  ${join(out, 'baseline.json')}\n`)).toBe(true)
  expect(r.stdout).toContain('Failures: none')
  expect(r.stdout).toMatch(/ {4}best {2}1 MiB × (1 stream|2 streams): \d+ MB\/s/)
  // progress went to stderr, with a count and an ETA
  expect(r.stderr).toMatch(/^probe \[1\/3\] blob azurite: 2\.0 MiB test blob, RTT avg [\d.]+ ms · \d+ s elapsed, ETA \d+ s$/m)
}, 60_000)

test('a target that fails: exit 1, everything still written, its SAS nowhere', async () => {
  const out = join(work.path, 'out-failed')
  const sig = 'Q2xpU2lnbmF0dXJlT2ZBVGVzdA%3D%3D'
  const url = `http://127.0.0.1:${await closedPort()}/devstoreaccount1/vols?sv=2024-11-04&sr=c&sp=r&sig=${sig}`
  const r = await probe('--no-machine', '--no-nas', '--sas-url', url, '--out', out, '--config', config)
  expect(r.code).toBe(1)
  const failed = r.stderr.split('\n').filter((l) => l.includes('FAILED'))
  expect(failed).toHaveLength(1)
  expect(failed[0]).toMatch(/^probe: FAILED blob sas-1 \(http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/vols\): host unreachable \(blob 'benchgate-probe\/probe-2MiB\.bin'; ECONNREFUSED; /)
  expect(r.stdout).toContain('Failures (1):\n  blob sas-1 (')
  expect(existsSync(join(out, 'baseline.json'))).toBe(true)
  const decoded = decodeURIComponent(sig)
  expect(secretLeaks(textsOf(filesIn(out), [r.stdout, r.stderr]), [sig, decoded, encodeURIComponent(decoded)])).toEqual([])
}, 60_000)
