// End to end against real peers: Debian's OpenSSH server on a loopback port (test-sshd.ts) with
// stub vscsiStats and esxcli printing the real formats, the real daemon process (started on demand
// by the CLI, detached, on its own socket), and the CLI called as a user would.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { isUserError } from '../../errors.ts'
import { isAlive, makeTempDir, registerProcessGroup, type Registration } from '../../run/cleanup.ts'
import { parseCapture } from '../format/capture.ts'
import { jobIntervalSamples, loadJobCaptures } from './captures.ts'
import { vscsiHelperCommand } from './cli.ts'
import { DAEMON_MAIN, ping, send } from './client.ts'
import { pidFile, runningDaemonPid } from './daemon.ts'
import { jobDir, readJob, socketPath, type Job } from './state.ts'
import { freePort, sshdUnavailable, startTestSshd, type TestSshd } from './test-sshd.ts'

const PASSWORD = 'Pw-never-to-be-written-7c1e'
const why = sshdUnavailable()
if (why) console.warn(`vscsi daemon tests SKIPPED: ${why}`)

interface Setup {
  state: string
  /** The environment the CLI runs with (tests may change it between calls). */
  env: NodeJS.ProcessEnv
  config: string
  run(...args: string[]): Promise<{ code: number; out: string; err: string }>
  job(id: string): Job
  daemonPid(): number | null
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls until check() returns a value; bounded in time and in count. */
async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 30_000, describe?: () => string): Promise<T> {
  const end = Date.now() + timeoutMs
  for (let i = 0; i < 2000 && Date.now() < end; i++) {
    const v = check()
    if (v) return v
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}${describe ? `; last seen: ${describe()}` : ''}`)
}

describe.skipIf(why !== null)('vscsi-helper with a real sshd and the collection daemon', () => {
  let sshd: TestSshd
  const releases: Registration[] = []
  const daemons: Setup[] = []

  beforeAll(async () => {
    sshd = await startTestSshd()
  })
  afterEach(async () => {
    // Stop each test's daemon (it is detached: its own process group) and forget its files.
    for (const s of daemons.splice(0)) {
      const pid = s.daemonPid()
      if (pid !== null && (await ping(s.state))) await send(s.state, { cmd: 'shutdown' }).catch(() => undefined)
      if (pid !== null) await waitFor('the daemon to exit', () => !isAlive(pid), 10_000).catch(() => process.kill(pid, 'SIGKILL'))
    }
    for (const r of releases.splice(0).reverse()) await r.release()
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  function setup(o: { port?: number; fingerprint?: string; profiles?: string; sshd?: TestSshd } = {}): Setup {
    const peer = o.sshd ?? sshd
    const tmp = makeTempDir('benchgate-vscsi-')
    releases.push(tmp)
    const state = join(tmp.path, 'state')
    const config = join(tmp.path, 'benchgate.config.yaml')
    writeFileSync(config, [
      'ssh:',
      '  hosts:',
      '    - name: esxi-lab',
      '      host: 127.0.0.1',
      `      port: ${o.port ?? peer.port}`,
      `      user: ${peer.user}`,
      // tried first and refused by this sshd; the key then logs in. It must never be written anywhere.
      `      password: ${PASSWORD}`,
      `      key_path: ${peer.keyPath}`,
      ...(o.fingerprint ? [`      host_key_fingerprint: ${o.fingerprint}`] : []),
      'vscsi:',
      '  retry_backoff_s: [0.2, 0.4]',
      '  profiles:',
      '    tiny: { samples: 5, interval_s: 0.5 }',
      '    slow: { samples: 12, interval_s: 0.5 }',
      '    long: { samples: 200, interval_s: 0.5 }',
      o.profiles ?? '',
      '',
    ].join('\n'))
    const env: NodeJS.ProcessEnv = { ...process.env, BENCHGATE_VSCSI_STATE: state }
    delete env.BENCHGATE_CONFIG
    const s: Setup = {
      state,
      env,
      config,
      async run(...args) {
        const out: string[] = []
        const err: string[] = []
        let code: number
        try {
          code = await vscsiHelperCommand([...args, '--config', config], { out: (t) => out.push(t), err: (t) => err.push(t), env: s.env, cwd: tmp.path })
        } catch (e) {
          if (!isUserError(e)) throw e
          err.push((e as Error).message)
          code = 2
        }
        return { code, out: out.join('\n'), err: err.join('\n') }
      },
      job: (id) => readJob(jobDir(state, id)),
      daemonPid() {
        try {
          return Number(readFileSync(pidFile(state), 'utf8').trim()) || null
        } catch {
          return null
        }
      },
    }
    daemons.push(s)
    return s
  }

  /** Registers the daemon's process group so it is killed even if the test fails half-way. */
  function track(s: Setup): number {
    const pid = s.daemonPid()
    expect(pid, 'the daemon wrote its pid file').not.toBeNull()
    releases.push(registerProcessGroup(pid!, 500))
    return pid!
  }

  async function start(s: Setup, ...args: string[]): Promise<string> {
    const r = await s.run('start', '--host', 'esxi-lab', '--vm', 'sql01', ...args)
    expect(r.code, r.err).toBe(0)
    const id = r.out.trim()
    expect(id).toMatch(/^[a-z0-9-]+$/)
    track(s)
    return id
  }

  const statusOf = (s: Setup, id: string) => s.job(id).status
  const summary = (s: Setup, id: string) => () => {
    const j = s.job(id)
    return `${j.status} ${j.samples.length}/${j.profile.samples} errors=${JSON.stringify(j.errors)}`
  }

  /** Every file under the state directory, none of which may contain the password. */
  function assertNoPassword(state: string): void {
    const files: string[] = []
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name)
        if (e.isDirectory()) walk(p)
        else if (e.isFile()) files.push(p)
      }
    }
    walk(state)
    expect(files.length).toBeGreaterThan(2)
    for (const f of files) expect(readFileSync(f).includes(PASSWORD), `${f} holds the password`).toBe(false)
  }

  test('discover lists the VMs and their disks (vscsiStats -l, esxcli vm process list)', async () => {
    const s = setup()
    const r = await s.run('discover', 'esxi-lab')
    track(s)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/esxi-lab \(127\.0\.0\.1:\d+\): 2 VMs/)
    expect(r.out).toMatch(/sql01\s+2099979\s+2099980\s+scsi0:0\s+8194/)
    expect(r.out).toMatch(/scsi0:1\s+8195/)
    expect(r.out).toMatch(/web01\s+2100311\s+2100312\s+scsi0:0\s+8200/)
    // trusted on first use: the host key's fingerprint is pinned
    const known = JSON.parse(readFileSync(join(s.state, 'known_hosts.json'), 'utf8')) as Record<string, { fingerprint: string }>
    expect(known[`127.0.0.1:${sshd.port}`]?.fingerprint).toBe(sshd.hostKeyFingerprint)
  })

  test('start → status shows progress → completed, every sample saved verbatim in the real format, vscsiStats -x run', async () => {
    const s = setup()
    // progress while a job runs: "N/200 samples", a next sample time and an expected end (a long
    // profile, so the job is surely still running when status is read; then it is stopped)
    const watched = await start(s, '--profile', 'long', '--name', 'progress')
    await waitFor('a first sample', () => s.job(watched).samples.length >= 1, 30_000, summary(s, watched))
    const mid = await s.run('status', watched)
    expect(mid.code, mid.err).toBe(0)
    expect(mid.out).toMatch(/status\s+running\s+\d+\/200 samples/)
    expect(mid.out).toMatch(/next sample\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
    expect(mid.out).toMatch(/expected end\s+\d{4}-/)
    expect((await s.run('stop', watched)).code).toBe(0)

    const callsBefore = sshd.calls().length
    const id = await start(s, '--lun', 'scsi0:0', '--profile', 'tiny', '--name', 'SQL peak')
    expect(id).toMatch(/^sql-peak-\d{8}-\d{6}/)

    await waitFor('completion', () => statusOf(s, id) === 'completed', 40_000, summary(s, id))
    const job = s.job(id)
    const done = await s.run('status', id)
    expect(done.out).toMatch(/status\s+completed\s+5\/5 samples/)
    expect(done.out).toMatch(/cleanup\s+done/)
    expect(job.errors).toEqual([])
    expect(job.world_group_id).toBe(2099979)
    expect(job.disks).toEqual([{ handle_id: 8194, device: 'scsi0:0' }])
    expect(job.samples.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5])
    expect(job.cleanup).toMatchObject({ status: 'done', manual_command: 'vscsiStats -x -w 2099979' })

    // the raw files are the stub's `vscsiStats -p all -c` output: both disks, 16 histograms each,
    // cumulative (counts never go down)
    let prev = -1
    for (const sample of job.samples) {
      const file = join(jobDir(s.state, id), sample.file)
      const disks = parseCapture(readFileSync(file, 'utf8'), file)
      expect(disks.map((d) => d.disk.handleId)).toEqual([8194, 8195])
      expect(disks[0]!.histograms).toHaveLength(16)
      const count = disks[0]!.histograms[0]!.count
      expect(count).toBeGreaterThanOrEqual(prev)
      prev = count
    }
    expect(prev).toBeGreaterThan(0)
    // analysis sees only the chosen disk, one interval per sample (each from the -s baseline)
    expect(loadJobCaptures(jobDir(s.state, id)).every((c) => c.disks.length === 1 && c.disks[0]!.disk.handleId === 8194)).toBe(true)
    expect(jobIntervalSamples(jobDir(s.state, id))).toHaveLength(5)

    const calls = sshd.calls().slice(callsBefore)
    expect(calls.filter((c) => c === 'vscsiStats -s -w 2099979')).toHaveLength(1)
    expect(calls.filter((c) => c === 'vscsiStats -p all -c -w 2099979')).toHaveLength(5)
    expect(calls.at(-1)).toBe('vscsiStats -x -w 2099979')

    const list = await s.run('list', '--status', 'completed')
    expect(list.out).toContain(id)
    expect(list.out).toMatch(/completed\s+5\/5\s+esxi-lab\s+sql01\s+tiny/)

    const analyzed = await s.run('analyze', id, '--out', 'analysis')
    expect(analyzed.code, analyzed.err).toBe(0)
    expect(analyzed.out).toMatch(/IOPS\s+\d/)
    expect(existsSync(join(s.state, '..', 'analysis', 'summary.json'))).toBe(true)
    expect(readFileSync(join(s.state, '..', 'analysis', 'profile.fio'), 'utf8')).toContain('rw=randrw')
    assertNoPassword(s.state)
  }, 90_000)

  test('stop mid-way keeps the partial data, ends stopped, and runs vscsiStats -x; analyze warns how many samples it has', async () => {
    const s = setup()
    const id = await start(s, '--profile', 'long')
    await waitFor('2 samples', () => s.job(id).samples.length >= 2, 30_000, summary(s, id))
    const r = await s.run('stop', id)
    expect(r.code, r.err).toBe(0)
    const job = s.job(id)
    expect(job.status).toBe('stopped')
    expect(r.out).toContain(`${id}: stopped, ${job.samples.length}/200 samples kept`)
    expect(job.samples.length).toBeGreaterThanOrEqual(2)
    expect(job.samples.length).toBeLessThan(200)
    for (const sample of job.samples) expect(existsSync(join(jobDir(s.state, id), sample.file))).toBe(true)
    expect(job.cleanup.status).toBe('done')
    expect(sshd.calls().at(-1)).toBe('vscsiStats -x -w 2099979')
    expect((await s.run('status', id)).out).toMatch(new RegExp(`status\\s+stopped\\s+${job.samples.length}/200 samples`))

    const again = await s.run('stop', id)
    expect(again.code).toBe(2)
    expect(again.err).toContain('is not running (it is stopped)')

    const analyzed = await s.run('analyze', id)
    expect(analyzed.code, analyzed.err).toBe(0)
    expect(analyzed.err).toContain(`partial job ${id} (stopped): ${job.samples.length} of 200 samples collected`)
    assertNoPassword(s.state)
  }, 60_000)

  test('kill -9 of the daemon mid-job: the next CLI call restarts it, the job resumes and no saved sample is lost', async () => {
    const s = setup()
    const id = await start(s, '--profile', 'slow')
    const first = s.daemonPid()!
    await waitFor('3 samples', () => s.job(id).samples.length >= 3, 30_000, summary(s, id))
    process.kill(first, 'SIGKILL')
    await waitFor('the killed daemon to be gone', () => !isAlive(first), 5000)
    await sleep(2000) // down for 4 intervals: the resumed job must not fire back to back to catch up
    const before = s.job(id)
    expect(before.status).toBe('running')
    const hashes = new Map(before.samples.map((x) => [x.file, createHash('sha256').update(readFileSync(join(jobDir(s.state, id), x.file))).digest('hex')]))

    // any command revives the daemon when a job is running; it finds the job and resumes it
    const st = await s.run('status', id)
    expect(st.code, st.err).toBe(0)
    const second = track(s)
    expect(second).not.toBe(first)
    await waitFor('completion after the restart', () => statusOf(s, id) === 'completed', 40_000, summary(s, id))
    const after = s.job(id)
    expect(after.resumed).toHaveLength(1)
    expect(after.samples.map((x) => x.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    for (const [file, hash] of hashes) {
      expect(createHash('sha256').update(readFileSync(join(jobDir(s.state, id), file))).digest('hex'), `${file} unchanged`).toBe(hash)
    }
    expect(after.samples.slice(0, before.samples.length)).toEqual(before.samples)
    // samples taken after the resume are spaced by the interval (0.5 s), not caught up back to back
    const resumedAt = after.samples.slice(before.samples.length).map((x) => Date.parse(x.at))
    expect(resumedAt.length).toBeGreaterThanOrEqual(3)
    for (let i = 1; i < resumedAt.length; i++) expect(resumedAt[i]! - resumedAt[i - 1]!, `gap before sample ${before.samples.length + i + 1}`).toBeGreaterThanOrEqual(400)
    expect(after.cleanup.status).toBe('done')
    expect(readFileSync(join(s.state, 'daemon.log'), 'utf8')).toMatch(new RegExp(`job ${id}: resuming \\(\\d+/12 samples saved\\)`))
  }, 90_000)

  test('kill -9, then the host is gone from the config: the job is marked failed with the cause, samples kept', async () => {
    const s = setup()
    const id = await start(s, '--profile', 'long')
    const pid = s.daemonPid()!
    await waitFor('a sample', () => s.job(id).samples.length >= 1, 30_000, summary(s, id))
    process.kill(pid, 'SIGKILL')
    await waitFor('the killed daemon to be gone', () => !isAlive(pid), 5000)
    const saved = s.job(id).samples.length
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replace('name: esxi-lab', 'name: esxi-other'))
    await s.run('list')
    track(s)
    const job = await waitFor('the job to be failed', () => (statusOf(s, id) === 'failed' ? s.job(id) : null), 10_000, summary(s, id))
    expect(job.errors.at(-1)!.message).toMatch(/cannot resume after the daemon restarted: .*'esxi-lab' is not in ssh.hosts/)
    expect(job.samples.length).toBeGreaterThanOrEqual(saved)
    expect(job.cleanup).toMatchObject({ status: 'failed', manual_command: 'vscsiStats -x -w 2099979' })
    expect((await s.run('status', id)).out).toMatch(/cleanup\s+FAILED: .*run on the host: vscsiStats -x -w 2099979/)
  }, 60_000)

  test('a host that refuses connections: retried with backoff, then the job fails with the cause', async () => {
    const closed = await freePort()
    const s = setup({ port: closed })
    const id = await start(s, '--profile', 'tiny')
    const job = await waitFor('the job to fail', () => (statusOf(s, id) === 'failed' ? s.job(id) : null), 20_000, summary(s, id))
    expect(job.errors.at(-1)!.message).toMatch(new RegExp(`cannot connect to esxi-lab \\(127\\.0\\.0\\.1:${closed}\\): .*ECONNREFUSED.* \\(after 3 attempts, waiting 0.2, 0.4 s between them\\)`))
    expect(job.samples).toEqual([])
    expect(job.cleanup.status).toBe('done')
    const log = readFileSync(join(s.state, 'daemon.log'), 'utf8')
    expect(log).toContain('attempt 1 failed')
    expect(log).toContain('retrying in 0.2 s')
    expect(log).toContain('retrying in 0.4 s')
    const st = await s.run('status', id)
    expect(st.code).toBe(1)
    expect(st.out).toMatch(/status\s+failed\s+0\/5 samples/)
    expect(st.out).toContain('ECONNREFUSED')
    const disc = await s.run('discover', 'esxi-lab')
    expect(disc.code).toBe(1)
    expect(disc.err).toMatch(/^vscsi-helper discover: cannot connect to esxi-lab .*ECONNREFUSED/)
    expect(disc.err.split('\n')).toHaveLength(1)
  }, 40_000)

  test('a changed host key is refused with both fingerprints; a pinned fingerprint that differs is refused too', async () => {
    const own = await startTestSshd()
    releases.push({ release: () => own.stop() })
    const s = setup({ sshd: own })
    expect((await s.run('discover', 'esxi-lab')).code).toBe(0)
    track(s)
    const firstKey = own.hostKeyFingerprint
    await own.restart({ newHostKey: true })
    expect(own.hostKeyFingerprint).not.toBe(firstKey)

    const r = await s.run('discover', 'esxi-lab')
    expect(r.code).toBe(1)
    expect(r.err).toContain(`host key of esxi-lab (127.0.0.1:${own.port}) changed: first seen ${firstKey}`)
    expect(r.err).toContain(`now ${own.hostKeyFingerprint}`)
    const id = await start(s, '--profile', 'tiny')
    const job = await waitFor('the job to fail', () => (statusOf(s, id) === 'failed' ? s.job(id) : null), 10_000, summary(s, id))
    expect(job.errors.at(-1)!.message).toContain('changed: first seen')
    expect(readFileSync(join(own.dir, 'esxi', 'calls.log'), 'utf8').trim().split('\n')).toHaveLength(2) // only the first discover ran commands

    const pinned = setup({ sshd: own, fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    const p = await pinned.run('discover', 'esxi-lab')
    track(pinned)
    expect(p.code).toBe(1)
    expect(p.err).toContain(`does not match the configured host_key_fingerprint: expected SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA, the host presented ${own.hostKeyFingerprint}`)
    const right = setup({ sshd: own, fingerprint: own.hostKeyFingerprint })
    expect((await right.run('discover', 'esxi-lab')).code).toBe(0)
    track(right)
  }, 60_000)

  test('delete refuses a running job without --force; with --force it stops (vscsiStats -x) and removes it', async () => {
    const s = setup()
    const id = await start(s, '--profile', 'long')
    await waitFor('a sample', () => s.job(id).samples.length >= 1, 30_000, summary(s, id))
    const refused = await s.run('delete', id)
    expect(refused.code).toBe(2)
    expect(refused.err).toBe(`vscsi-helper delete: job ${id} is running; stop it first (vscsi-helper stop ${id}) or pass --force`)
    expect(existsSync(jobDir(s.state, id))).toBe(true)
    const forced = await s.run('delete', id, '--force')
    expect(forced.code, forced.err).toBe(0)
    expect(existsSync(jobDir(s.state, id))).toBe(false)
    expect(sshd.calls().at(-1)).toBe('vscsiStats -x -w 2099979')
    expect((await s.run('status', id)).err).toContain(`no job '${id}'`)
  }, 40_000)

  test('a failed vscsiStats -x leaves cleanup failed with the exact manual command; cleanup JOB runs it again', async () => {
    const s = setup({ profiles: '    two: { samples: 2, interval_s: 0.3 }' })
    sshd.setHost({ fail_x: true })
    try {
      const id = await start(s, '--profile', 'two')
      const job = await waitFor('completion', () => (statusOf(s, id) === 'completed' && s.job(id).cleanup.at ? s.job(id) : null), 30_000, summary(s, id))
      expect(job.cleanup).toMatchObject({ status: 'failed', manual_command: 'vscsiStats -x -w 2099979' })
      expect(job.cleanup.message).toContain('Busy')
      expect((await s.run('status', id)).out).toMatch(/cleanup\s+FAILED: exit 1: .*Busy; run on the host: vscsiStats -x -w 2099979/)
      sshd.setHost({ fail_x: false })
      const c = await s.run('cleanup', id)
      expect(c.code, c.err).toBe(0)
      expect(s.job(id).cleanup.status).toBe('done')
    } finally {
      sshd.setHost({ fail_x: false })
    }
  }, 40_000)

  test('stop --no-cleanup leaves vscsiStats running and says how to clean up', async () => {
    const s = setup()
    const id = await start(s, '--profile', 'long')
    await waitFor('a sample', () => s.job(id).samples.length >= 1, 30_000, summary(s, id))
    const before = sshd.calls().length
    const r = await s.run('stop', id, '--no-cleanup')
    expect(r.code, r.err).toBe(0)
    expect(sshd.calls().slice(before)).not.toContain('vscsiStats -x -w 2099979')
    expect(s.job(id).cleanup).toMatchObject({ status: 'pending', manual_command: 'vscsiStats -x -w 2099979' })
    expect((await s.run('status', id)).out).toContain(`vscsi-helper cleanup ${id} or on the host: vscsiStats -x -w 2099979`)
    expect((await s.run('cleanup', id)).code).toBe(0)
    expect(sshd.calls().at(-1)).toBe('vscsiStats -x -w 2099979')
  }, 40_000)

  test('restart_before_s: -s is re-issued before vscsiStats stops by itself, recorded as a new baseline', async () => {
    const s = setup({ profiles: '    six: { samples: 6, interval_s: 0.4 }' })
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replace('retry_backoff_s: [0.2, 0.4]', 'retry_backoff_s: [0.2, 0.4]\n  restart_before_s: 1'))
    const id = await start(s, '--profile', 'six')
    const job = await waitFor('completion', () => (statusOf(s, id) === 'completed' ? s.job(id) : null), 30_000, summary(s, id))
    expect(job.starts.length).toBeGreaterThan(1)
    expect(job.starts.slice(1).every((x) => x.reason === 'restart_before' && x.after_seq > 0)).toBe(true)
    // no interval spans a restart: never a negative difference, one interval per sample
    const intervals = jobIntervalSamples(jobDir(s.state, id))
    expect(intervals).toHaveLength(6 * 2)
    for (const iv of intervals) for (const h of iv.histograms) expect(h.count).toBeGreaterThanOrEqual(0)
    expect((await s.run('status', id)).out).toMatch(/-s issued .*restart_before .*new baseline/)
  }, 40_000)

  test('a daemon started from another shell gets the ${VAR} values the configuration refers to from the CLI, in memory only', async () => {
    const s = setup()
    expect((await s.run('discover', 'esxi-lab')).code).toBe(0) // the daemon starts without ESXI_TEST_PASSWORD
    track(s)
    expect(s.env.ESXI_TEST_PASSWORD).toBeUndefined()
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replace(`password: ${PASSWORD}`, 'password: ${ESXI_TEST_PASSWORD}'))
    s.env = { ...s.env, ESXI_TEST_PASSWORD: PASSWORD }
    const r = await s.run('discover', 'esxi-lab')
    expect(r.code, r.err).toBe(0)
    const id = await start(s, '--profile', 'tiny')
    await waitFor('completion', () => statusOf(s, id) === 'completed', 30_000, summary(s, id))
    assertNoPassword(s.state)
  }, 40_000)

  test('kill -9, then a CLI call from a shell without the ${VAR} the configuration needs: the job waits, and resumes when a call brings it', async () => {
    const s = setup()
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replace(`password: ${PASSWORD}`, 'password: ${ESXI_TEST_PASSWORD}'))
    const withVar = { ...s.env, ESXI_TEST_PASSWORD: PASSWORD }
    s.env = withVar
    const id = await start(s, '--profile', 'long')
    const pid = s.daemonPid()!
    await waitFor('a sample', () => s.job(id).samples.length >= 1, 30_000, summary(s, id))
    process.kill(pid, 'SIGKILL')
    await waitFor('the killed daemon to be gone', () => !isAlive(pid), 5000)

    // another shell, without ESXI_TEST_PASSWORD and with another configuration, lists the jobs:
    // that starts the daemon, which cannot read the job's configuration yet
    const other = join(s.state, '..', 'other.yaml')
    writeFileSync(other, 'vscsi:\n  retry_backoff_s: [0.2, 0.4]\n')
    const bare = { ...s.env }
    delete bare.ESXI_TEST_PASSWORD
    const out: string[] = []
    expect(await vscsiHelperCommand(['list', '--config', other], { out: (t) => out.push(t), err: (t) => out.push(t), env: bare, cwd: s.state })).toBe(0)
    track(s)
    const waiting = await waitFor('the wait to be recorded', () => (s.job(id).errors.at(-1)?.message.startsWith('waiting for') ? s.job(id) : null), 10_000, summary(s, id))
    expect(waiting.status).toBe('running')
    expect(waiting.errors.at(-1)!.message).toBe('waiting for ${ESXI_TEST_PASSWORD}: run any vscsi-helper command from a shell that has it')
    const saved = waiting.samples.length

    // a status call from a shell that has it brings the value: the job resumes
    const st = await s.run('status', id)
    expect(st.code, st.err).toBe(0)
    await waitFor('samples after the resume', () => s.job(id).samples.length >= saved + 2, 20_000, summary(s, id))
    expect(s.job(id).status).toBe('running')
    expect(s.job(id).resumed).toHaveLength(1)
    expect((await s.run('stop', id)).code).toBe(0)
    assertNoPassword(s.state)
  }, 60_000)

  test.skipIf(process.platform !== 'linux')('a host away for a few seconds mid-job costs failed samples, not the job', async () => {
    const own = await startTestSshd()
    releases.push({ release: () => own.stop() })
    const s = setup({ sshd: own, profiles: '    paced: { samples: 200, interval_s: 1 }' })
    const id = await start(s, '--profile', 'paced')
    await waitFor('a sample', () => s.job(id).samples.length >= 1, 30_000, summary(s, id))
    await own.stopServer({ dropSessions: true })
    const failed = await waitFor('a failed sample', () => (s.job(id).errors.length >= 1 ? s.job(id) : null), 10_000, summary(s, id))
    expect(failed.status, summary(s, id)()).toBe('running')
    expect(failed.errors[0]!.message).toMatch(/^sample \d+ failed: /)
    await own.restart()
    const n = failed.samples.length
    await waitFor('samples after the host is back', () => s.job(id).samples.length >= n + 2, 20_000, summary(s, id))
    expect(s.job(id).status).toBe('running')
    expect((await s.run('stop', id)).code).toBe(0)
  }, 60_000)

  test('a connection that never sends its request does not hold up daemon stop', async () => {
    const s = setup()
    expect((await s.run('discover', 'esxi-lab')).code).toBe(0)
    const pid = track(s)
    const idle = connect(socketPath(s.state))
    const closed = new Promise<void>((r) => idle.on('close', () => r()))
    idle.on('error', () => undefined)
    await new Promise<void>((r) => idle.once('connect', () => r()))
    const t0 = Date.now()
    const r = await s.run('daemon', 'stop')
    expect(r.code, r.err).toBe(0)
    await waitFor('the daemon to exit', () => !isAlive(pid), 5000)
    await closed
    expect(Date.now() - t0).toBeLessThan(8000) // not held until the 10 s request timeout
  }, 30_000)

  test('a second daemon never takes over the socket of one that still answers (its lock lost)', async () => {
    const s = setup()
    expect((await s.run('discover', 'esxi-lab')).code).toBe(0)
    const first = track(s)
    rmSync(pidFile(s.state)) // as if another process had judged the lock stale and removed it
    const second = spawnSync(process.execPath, [DAEMON_MAIN, '--state', s.state], { encoding: 'utf8', timeout: 20_000 })
    expect(second.status, second.stderr).toBe(0)
    expect(second.stderr).toContain('another daemon')
    expect((await ping(s.state))?.pid).toBe(first)
    expect(existsSync(pidFile(s.state))).toBe(false) // the second released the lock it took
    writeFileSync(pidFile(s.state), `${first}\n`) // for afterEach
  }, 30_000)

  test.skipIf(process.platform !== 'linux')("the pid file counts only when its pid is main.ts serving this state directory", async () => {
    const s = setup()
    const spawnIdle = (...args: string[]) => {
      const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', ...args], { stdio: 'ignore' })
      releases.push({ release: async () => void c.kill('SIGKILL') })
      return c.pid!
    }
    mkdirSync(s.state, { recursive: true })
    const notOurs = [spawnIdle('daemon'), spawnIdle(DAEMON_MAIN, '--state', join(s.state, 'elsewhere'))]
    const ours = spawnIdle(DAEMON_MAIN, '--state', s.state)
    await sleep(300)
    for (const pid of notOurs) {
      writeFileSync(pidFile(s.state), `${pid}\n`)
      expect(runningDaemonPid(s.state), `pid ${pid}`).toBeNull()
    }
    writeFileSync(pidFile(s.state), `${ours}\n`)
    expect(runningDaemonPid(s.state)).toBe(ours)
    rmSync(pidFile(s.state))
  }, 20_000)

  test('a state directory too long for a Unix socket path is refused up front, naming vscsi.state_dir', async () => {
    if (process.platform === 'win32') return
    const s = setup()
    s.env = { ...s.env, BENCHGATE_VSCSI_STATE: join(s.state, 'x'.repeat(120)) }
    const r = await s.run('list')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/vscsi\.state_dir: the daemon socket .* is \d+ bytes long/)
    expect(r.err.split('\n')).toHaveLength(1)
  })

  test('bad input gets one line naming the flag', async () => {
    const s = setup()
    expect((await s.run('start', '--vm', 'sql01')).err).toBe('vscsi-helper start: --host: missing; expected an ssh.hosts name')
    expect((await s.run('start', '--host', 'nope', '--vm', 'x')).err).toMatch(/^vscsi-helper: --host: 'nope' is not in ssh.hosts of .*; expected one of esxi-lab/)
    expect((await s.run('start', '--host', 'esxi-lab', '--vm', 'x', '--profile', 'huge')).err).toMatch(/--profile: 'huge' is not a profile; expected one of quick, standard, deep, tiny, slow, long/)
    expect((await s.run('start', '--host', 'esxi-lab', '--vm', 'x', '--lun', 'disk0')).err).toContain("--lun: 'disk0' is not a virtual disk")
    expect((await s.run('list', '--status', 'done')).err).toContain("--status: 'done' is not a job status")
    expect((await s.run('status', 'nope')).err).toContain("JOB: no job 'nope'")
    expect(s.daemonPid()).toBeNull() // none of these needed the daemon
    // a VM that is not on the host fails the job with the VMs that are
    const id = await start(s, '--vm', 'nosuchvm', '--profile', 'tiny')
    const job = await waitFor('the job to fail', () => (statusOf(s, id) === 'failed' ? s.job(id) : null), 20_000, summary(s, id))
    expect(job.errors.at(-1)!.message).toBe("VM 'nosuchvm' not found on esxi-lab by vscsiStats -l; VMs there: sql01 (2099979), web01 (2100311) (run vscsi-helper discover esxi-lab)")
  }, 40_000)
})

if (why !== null) test.skip(`vscsi daemon tests skipped on this machine: ${why}`, () => undefined)
