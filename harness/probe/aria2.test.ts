// aria2c, the probe's peer in benches/harness/probe-aria2.bench.ts: its arguments, a real
// download of an Azurite blob (size checked, file removed afterwards), and a failure whose
// message names the cause without the SAS (aria2c prints the URL it was given); its CPU seconds
// from GNU time.
import { existsSync, readdirSync } from 'node:fs'
import { expect, test } from 'vitest'
import { makeTempDir } from '../run/cleanup.ts'
import { aria2Args, aria2Download, gnuTime, parseTimes } from './aria2.ts'
import { startEmbeddedBlob, type EmbeddedBlob } from './azurite-blob.ts'
import { signatureForms } from './test-support.ts'
import { findOnPath } from './tools.ts'

const MIB = 1024 * 1024
const aria2c = findOnPath('aria2c')
if (!aria2c) console.warn('aria2.test.ts: the download tests are skipped: aria2c is not installed (run bash scripts/install-debian-packages.sh)')

test('arguments: N connections and splits, the chunk size in MiB, the URI list from stdin (never the command line)', () => {
  const args = aria2Args(8, 4 * MIB, '/tmp/x')
  expect(args).toEqual(expect.arrayContaining(['--max-connection-per-server=8', '--split=8', '--min-split-size=4M', '--dir=/tmp/x', '--input-file=-']))
  expect(args.join(' ')).not.toMatch(/https?:/)
  expect(aria2Args(1, 512 * 1024, '/d')).toContain('--min-split-size=1M') // aria2c's least split is 1M
  expect(() => aria2Args(17, MIB, '/d')).toThrow(/1 to 16 connections/)
})

test("GNU time's '%U %S' line is read as user + system seconds, after any status line", () => {
  expect(parseTimes('0.31 0.52\n')).toBeCloseTo(0.83, 10)
  expect(parseTimes('Command exited with non-zero status 3\n1.50 0.25\n')).toBeCloseTo(1.75, 10)
  expect(parseTimes('')).toBeNull()
  expect(parseTimes('Command terminated by signal 9\n')).toBeNull()
})

test.runIf(aria2c)('downloads an Azurite blob whole with N connections; a missing blob fails with a scrubbed cause', async () => {
  const store: EmbeddedBlob = await startEmbeddedBlob('probe/aria2.bin', 6 * MIB)
  const dir = makeTempDir('benchgate-aria2-test-')
  try {
    const r = await aria2Download(store.target, store.blob, 6 * MIB, 3, MIB, dir.path)
    expect(r.bytes).toBe(6 * MIB)
    expect(r.MB_s).toBeGreaterThan(0)
    if (gnuTime()) expect(r.cpuSeconds).toBeGreaterThanOrEqual(0)
    else expect(r.cpuSeconds).toBeNull()
    expect(readdirSync(dir.path), 'the downloaded file is removed').toEqual([])

    const error = await aria2Download(store.target, 'probe/missing.bin', MIB, 2, MIB, dir.path).then(() => null, (e: Error) => e)
    expect(error?.message).toMatch(/^aria2c exited \d+: /)
    for (const secret of signatureForms(store.target.sas)) expect(error!.message).not.toContain(secret)
  } finally {
    await dir.release()
    await store.stop()
  }
  expect(existsSync(dir.path)).toBe(false)
}, 60_000)
