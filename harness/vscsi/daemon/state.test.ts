// The daemon's pieces without a real sshd: job files and runs of captures, host key pinning,
// orphaned samples after a kill -9, and CLI input checks that need no daemon.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { isUserError } from '../../errors.ts'
import { makeTempDir, type Registration } from '../../run/cleanup.ts'
import { renderCapture } from '../format/capture.ts'
import { EXAMPLE_WORKLOAD, synthCaptures } from '../synth.ts'
import { jobIntervalSamples, loadJobCaptures, loadJobRuns } from './captures.ts'
import { vscsiHelperCommand, USAGE } from './cli.ts'
import { JobRunner } from './collector.ts'
import { checkHostKey } from './ssh.ts'
import { createJobDir, jobDir, newJobId, readJob, saveSample, sampleFile, validJobId, type Job } from './state.ts'
import { freePort } from './test-sshd.ts'

const temps: Registration[] = []
afterEach(async () => {
  for (const t of temps.splice(0)) await t.release()
})
function temp(): string {
  const t = makeTempDir('benchgate-vscsi-unit-')
  temps.push(t)
  return t.path
}

const DISKS = [{ worldGroupId: 2099979, handleId: 8194, device: 'scsi0:0', vm: 'sql01' }, { worldGroupId: 2099979, handleId: 8195, device: 'scsi0:1', vm: 'sql01' }]

function newJob(state: string, over: Partial<Job> = {}): Job {
  const created = new Date('2026-01-05T10:00:00Z')
  return {
    id: newJobId(state, 'sql01', created), name: 'sql01', host: 'esxi', address: '127.0.0.1:22', user: 'root', vm: 'sql01', luns: [],
    world_group_id: 2099979, disks: DISKS.map((d) => ({ handle_id: d.handleId, device: d.device })),
    profile: { name: 'p', samples: 6, interval_s: 10 }, config: null, status: 'running', created: created.toISOString(),
    samples: [], starts: [], resumed: [], errors: [], cleanup: { status: 'pending' }, ...over,
  }
}

describe('job files', () => {
  test('ids are readable, unique, and cannot walk out of the jobs directory', () => {
    const state = temp()
    const now = new Date('2026-11-24T16:15:27Z')
    const a = newJobId(state, 'SQL Peak / Monday', now)
    expect(a).toBe('sql-peak-monday-20261124-161527')
    createJobDir(state, newJob(state, { id: a }))
    expect(newJobId(state, 'SQL Peak / Monday', now)).toBe('sql-peak-monday-20261124-161527-2')
    expect(validJobId(a)).toBe(true)
    for (const bad of ['../x', '..', '/etc', 'a/b', '']) expect(validJobId(bad)).toBe(false)
  })

  test('runs split at every -s: each differenced from a zero baseline, so N samples give N intervals and none spans a restart', () => {
    const state = temp()
    const job = newJob(state)
    const dir = createJobDir(state, job)
    const start = new Date('2026-01-05T10:00:00Z')
    // two collections; the second -s restarted the counters, yet its third capture exceeds the
    // first run's last one (differencing across the restart would give a plausible but wrong sample)
    const one = synthCaptures({ disks: DISKS, samples: 3, intervalS: 10, seed: 1, start, workload: () => EXAMPLE_WORKLOAD })
    const twoStart = new Date(start.getTime() + 30_500)
    const two = synthCaptures({ disks: DISKS, samples: 3, intervalS: 10, seed: 2, start: twoStart, workload: () => ({ ...EXAMPLE_WORKLOAD, iops: 5000 }) })
    job.starts.push({ at: start.toISOString(), after_seq: 0, reason: 'start' })
    for (const c of one.slice(1)) saveSample(dir, job, renderCapture(c.disks), new Date(c.at))
    job.starts.push({ at: twoStart.toISOString(), after_seq: 3, reason: 'restart_before' })
    for (const c of two.slice(1)) saveSample(dir, job, renderCapture(c.disks), new Date(c.at))
    expect(readJob(dir).samples.map((s) => s.file)).toEqual([1, 2, 3, 4, 5, 6].map(sampleFile))

    const runs = loadJobRuns(dir)
    expect(runs.map((r) => [r.started, r.captures.length])).toEqual([[start.toISOString(), 3], [twoStart.toISOString(), 3]])
    const intervals = jobIntervalSamples(dir)
    expect(intervals).toHaveLength(6 * 2)
    const firstOfTwo = intervals.find((s) => s.start === twoStart.toISOString())!
    expect(firstOfTwo.seconds).toBeCloseTo(10, 5)
    const ios = (s: (typeof intervals)[number]) => s.histograms.find((h) => h.metric === 'ioLength' && h.op === 'all')!.count
    expect(ios(firstOfTwo)).toBeGreaterThan(5000 * 10 * 0.5 * 0.9) // the second run's own rate (per disk: 5000 IOPS)
    for (const s of intervals) for (const h of s.histograms) expect(h.count).toBeGreaterThanOrEqual(0)

    // --lun keeps only the chosen disks
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ ...readJob(dir), luns: ['scsi0:1'], disks: [{ handle_id: 8195, device: 'scsi0:1' }] }))
    expect(loadJobCaptures(dir).every((c) => c.disks.length === 1 && c.disks[0]!.disk.handleId === 8195)).toBe(true)
  })

  test('a sample saved just before a kill -9, not yet in job.json, is taken in on resume (never overwritten)', async () => {
    const state = temp()
    const job = newJob(state, { starts: [{ at: '2026-01-05T10:00:00.000Z', after_seq: 0, reason: 'start' }] })
    const dir = createJobDir(state, job)
    const [, c1, c2] = synthCaptures({ disks: DISKS, samples: 2, intervalS: 10, seed: 1, start: new Date(job.starts[0]!.at), workload: () => EXAMPLE_WORKLOAD })
    saveSample(dir, job, renderCapture(c1!.disks), new Date(c1!.at))
    const orphan = renderCapture(c2!.disks)
    writeFileSync(join(dir, sampleFile(2)), orphan) // the file landed, job.json was not updated
    const port = await freePort() // nobody listens: the resume fails, after taking the orphan in
    const lines: string[] = []
    const runner = new JobRunner({
      dir, target: { name: 'esxi', host: '127.0.0.1', port, user: 'root', password: 'x' }, knownHostsFile: join(state, 'known_hosts.json'),
      backoffS: [], restartBeforeS: 1500, log: (l) => lines.push(l), discover: async () => [], check: () => 1,
    })
    await runner.start(true)
    const after = readJob(dir)
    expect(after.samples.map((s) => s.seq)).toEqual([1, 2])
    expect(readFileSync(join(dir, sampleFile(2)), 'utf8')).toBe(orphan)
    expect(after.status).toBe('failed')
    expect(after.errors.at(-1)!.message).toMatch(/cannot connect to esxi \(127\.0\.0\.1:\d+\): .*ECONNREFUSED.* \(after 1 attempt\)$/)
    expect(after.cleanup).toMatchObject({ status: 'failed', manual_command: 'vscsiStats -x -w 2099979' })
    expect(lines.join('\n')).toContain('took in samples/0002.txt')
    expect(JSON.stringify(after)).not.toContain('"password"')
  })
})

describe('host key pinning', () => {
  const t = { name: 'esxi-1', host: '10.0.0.5', port: 22, user: 'root' }
  test('trusted on first use, then a changed key is refused naming the host and both fingerprints', () => {
    const file = join(temp(), 'known_hosts.json')
    expect(checkHostKey(t, 'SHA256:first', file)).toBeNull()
    expect(JSON.parse(readFileSync(file, 'utf8'))['10.0.0.5:22']).toMatchObject({ name: 'esxi-1', fingerprint: 'SHA256:first' })
    expect(checkHostKey(t, 'SHA256:first', file)).toBeNull()
    const refusal = checkHostKey(t, 'SHA256:second', file)
    expect(refusal).toMatch(/^host key of esxi-1 \(10\.0\.0\.5:22\) changed: first seen SHA256:first \(.*\), now SHA256:second; refusing to connect/)
    expect(checkHostKey({ ...t, port: 2222 }, 'SHA256:second', file)).toBeNull() // another port is another host
  })
  test('a configured fingerprint wins over the file: a mismatch is refused, a match accepted', () => {
    const file = join(temp(), 'known_hosts.json')
    expect(checkHostKey({ ...t, host_key_fingerprint: 'SHA256:pinned' }, 'SHA256:pinned', file)).toBeNull()
    expect(checkHostKey({ ...t, host_key_fingerprint: 'pinned' }, 'SHA256:pinned', file)).toBeNull()
    expect(checkHostKey({ ...t, host_key_fingerprint: 'SHA256:pinned' }, 'SHA256:other', file))
      .toContain('does not match the configured host_key_fingerprint: expected SHA256:pinned, the host presented SHA256:other')
  })
})

describe('vscsi-helper input', () => {
  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = []
    const state = temp()
    try {
      const code = await vscsiHelperCommand(args, { out: (t) => out.push(t), err: (t) => out.push(t), env: { BENCHGATE_VSCSI_STATE: state }, cwd: state })
      return { code, out: out.join('\n'), err: '' }
    } catch (e) {
      if (!isUserError(e)) throw e
      return { code: 2, out: out.join('\n'), err: (e as Error).message }
    }
  }
  test('--help prints the usage; no command prints it with exit 2', async () => {
    expect(await run('--help')).toMatchObject({ code: 0, out: USAGE })
    expect((await run('status', '--help')).out).toBe(USAGE)
    expect((await run()).code).toBe(2)
    expect(USAGE).toContain('start --host HOST --vm VM [--lun scsi0:0[,scsi0:1]] [--profile NAME] [--name NAME]')
  })
  test('each mistake is one line naming the command, flag or argument', async () => {
    expect((await run('frobnicate')).err).toBe("vscsi-helper: unknown command 'frobnicate'; expected discover, start, status, stop, list, delete, analyze, cleanup, daemon (hint: vscsi-helper --help)")
    expect((await run('status')).err).toBe('vscsi-helper status: JOB: missing; expected a job id (vscsi-helper list shows them)')
    expect((await run('stop', 'a', 'b')).err).toContain("vscsi-helper stop: unexpected argument 'b'")
    expect((await run('list', '--colour')).err).toMatch(/^vscsi-helper list: Unknown option '--colour'/)
    expect((await run('discover', 'esxi')).err).toMatch(/^vscsi-helper: HOST: 'esxi' is not in ssh.hosts of the configuration/)
    expect((await run('start', '--host', 'h')).err).toBe('vscsi-helper start: --host: missing; expected an ssh.hosts name'.replace('--host', '--vm').replace('an ssh.hosts name', "the VM's display name (vscsi-helper discover HOST lists them)"))
    expect((await run('analyze', '../etc')).err).toContain("JOB: no job '../etc'")
    for (const r of [await run('status'), await run('frobnicate')]) expect(r.err.split('\n')).toHaveLength(1)
  })
})
