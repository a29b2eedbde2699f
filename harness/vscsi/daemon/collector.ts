// Runs one collection job: connect (with retries), find the VM's worldGroupID and disks, issue
// `vscsiStats -s`, take `vscsiStats -p all -c` every interval and save it the moment it arrives,
// re-issue -s before vscsiStats stops by itself (~30 min), and finish with `vscsiStats -x`.
// A job the daemon finds `running` after a restart is resumed: its saved samples are kept and
// collection continues until the profile's sample count is reached.
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Job } from './state.ts'
import { readJob, sampleFile, saveSample, writeJob } from './state.ts'
import { SshFatalError, connect, sleep, type Remote, type SshTarget } from './ssh.ts'
import { findVm, type VmInfo } from './discover.ts'

export interface RunnerOptions {
  /** The job's directory (<state>/jobs/<id>). */
  dir: string
  target: SshTarget
  knownHostsFile: string
  backoffS: readonly number[]
  restartBeforeS: number
  log: (line: string) => void
  /** Lists the host's VMs and their disks (vscsiStats -l, esxcli vm process list). */
  discover: (remote: Remote) => Promise<VmInfo[]>
  /** Checks a saved capture; returns how many disks it holds, or throws a message naming the file and line. */
  check: (text: string, file: string) => number
  /** Consecutive failed samples after which the job fails. */
  maxSampleErrors?: number
}

export const startCommand = (wgid: number) => `vscsiStats -s -w ${wgid}`
export const captureCommand = (wgid: number) => `vscsiStats -p all -c -w ${wgid}`
export const cleanupCommand = (wgid: number) => `vscsiStats -x -w ${wgid}`

const iso = (ms: number) => new Date(ms).toISOString()
const firstLine = (s: string) => s.trim().split('\n')[0]?.trim() ?? ''

export class JobRunner {
  readonly id: string
  readonly #o: RunnerOptions
  #job: Job
  #remote: Remote | null = null
  readonly #abort = new AbortController()
  #stopping = false
  #cleanupOnStop = true
  #abandoned = false
  #done: Promise<void> = Promise.resolve()

  constructor(o: RunnerOptions) {
    this.#o = o
    this.#job = readJob(o.dir)
    this.id = this.#job.id
  }

  get job(): Job {
    return this.#job
  }

  /** Starts (or, with resume, picks up again) the collection in the background. */
  start(resume: boolean): Promise<void> {
    this.#done = this.#run(resume).catch((e) => this.#o.log(`job ${this.id}: internal error: ${(e as Error).stack ?? e}`))
    return this.#done
  }

  /** Ends the collection now; saved samples stay. With cleanup, vscsiStats -x is run. */
  async stop(cleanup: boolean): Promise<Job> {
    this.#stopping = true
    this.#cleanupOnStop = cleanup
    this.#abort.abort()
    await this.#done
    return this.#job
  }

  /** Daemon shutdown: leave the job `running` on disk so the next daemon resumes it. */
  async abandon(): Promise<void> {
    this.#abandoned = true
    this.#abort.abort()
    this.#remote?.close()
    await Promise.race([this.#done, sleep(2000)])
  }

  #write(): void {
    if (!this.#abandoned) writeJob(this.#o.dir, this.#job)
  }

  #error(message: string): void {
    this.#job.errors.push({ at: new Date().toISOString(), message })
    this.#o.log(`job ${this.id}: ${message}`)
    this.#write()
  }

  async #connect(): Promise<Remote> {
    this.#remote?.close()
    this.#remote = null
    const { target, knownHostsFile, backoffS, log } = this.#o
    this.#remote = await connect(target, { knownHostsFile, backoffS, log: (l) => log(`job ${this.id}: ${l}`), signal: this.#abort.signal })
    return this.#remote
  }

  /** Runs a command, reconnecting (with the retry policy) once when the connection dropped. */
  async #exec(command: string) {
    const remote = this.#remote?.open ? this.#remote : await this.#connect()
    try {
      return await remote.exec(command)
    } catch (e) {
      if (this.#stopping || this.#abandoned) throw e
      this.#o.log(`job ${this.id}: ${(e as Error).message}; reconnecting`)
      return await (await this.#connect()).exec(command)
    }
  }

  async #startCollection(reason: 'start' | 'restart_before' | 'resume' | 'collection_stopped'): Promise<void> {
    const wgid = this.#job.world_group_id!
    const r = await this.#exec(startCommand(wgid))
    if (r.code !== 0) throw new Error(`${startCommand(wgid)} failed (exit ${r.code}): ${firstLine(r.stderr || r.stdout)}`)
    this.#job.starts.push({ at: new Date().toISOString(), after_seq: this.#job.samples.length, reason })
    this.#job.cleanup = { status: 'pending', manual_command: cleanupCommand(wgid) }
    this.#o.log(`job ${this.id}: ${startCommand(wgid)} (${reason})`)
    this.#write()
  }

  /**
   * One interval after the later of the last sample and the last -s, never in the past. Not anchored
   * to the first -s: after a gap (daemon down, host away) samples are spaced by the interval again
   * instead of firing back to back to catch up (near-zero intervals would show as bogus peaks).
   */
  #nextDue(): number {
    const job = this.#job
    const interval = job.profile.interval_s * 1000
    let due = Date.parse(job.starts.at(-1)!.at) + interval
    const lastSample = job.samples.at(-1)
    if (lastSample) due = Math.max(due, Date.parse(lastSample.at) + interval)
    return Math.max(Date.now(), due)
  }

  async #run(resume: boolean): Promise<void> {
    const job = this.#job
    if (resume) {
      job.resumed.push(new Date().toISOString())
      this.#adoptOrphans()
    }
    job.status = 'running'
    job.started ??= new Date().toISOString()
    this.#write()
    this.#o.log(`job ${this.id}: ${resume ? 'resuming' : 'starting'} (${job.samples.length}/${job.profile.samples} samples saved)`)
    try {
      await this.#connect()
      if (job.world_group_id === undefined) {
        const { vm, disks } = findVm(await this.#o.discover(this.#remote!), job.vm, job.luns, job.host)
        job.world_group_id = vm.worldGroupId
        job.disks = disks.map((d) => ({ handle_id: d.handleId, device: d.device }))
        this.#write()
      }
      const last = job.starts.at(-1)
      if (!last) await this.#startCollection('start')
      else if (Date.now() - Date.parse(last.at) >= this.#o.restartBeforeS * 1000) await this.#startCollection('resume')
      await this.#collect()
      if (this.#abandoned) return
      // vscsiStats -x first, so a job seen `completed` or `stopped` has its cleanup settled too
      if (!this.#stopping || this.#cleanupOnStop) await this.#cleanup(true)
      this.#end(this.#stopping ? 'stopped' : 'completed')
    } catch (e) {
      if (this.#abandoned) return
      if (this.#stopping) {
        if (this.#cleanupOnStop) await this.#cleanup(this.#remote?.open ?? false)
        this.#end('stopped')
        return
      }
      this.#job.errors.push({ at: new Date().toISOString(), message: (e as Error).message })
      this.#o.log(`job ${this.id}: ${(e as Error).message}`)
      await this.#cleanup(this.#remote?.open ?? false)
      this.#end('failed')
    } finally {
      this.#remote?.close()
      this.#remote = null
    }
  }

  /**
   * A daemon killed between saving a sample file and updating job.json leaves the file unnamed:
   * take it in (its time is the file's modification time) rather than overwrite it.
   */
  #adoptOrphans(): void {
    const job = this.#job
    for (let i = 0; i < 10 && job.samples.length < job.profile.samples; i++) {
      const file = sampleFile(job.samples.length + 1)
      const path = join(this.#o.dir, file)
      if (!existsSync(path)) break
      job.samples.push({ seq: job.samples.length + 1, at: statSync(path).mtime.toISOString(), file })
      this.#o.log(`job ${this.id}: took in ${file}, saved before the daemon stopped but not yet in job.json`)
    }
  }

  #end(status: 'completed' | 'stopped' | 'failed'): void {
    const job = this.#job
    job.status = status
    job.ended = new Date().toISOString()
    delete job.next_sample_at
    delete job.expected_completion
    this.#write()
    this.#o.log(`job ${this.id}: ${status} with ${job.samples.length}/${job.profile.samples} samples; cleanup ${job.cleanup.status}`)
  }

  async #collect(): Promise<void> {
    const job = this.#job
    const wgid = job.world_group_id!
    const interval = job.profile.interval_s * 1000
    const maxErrors = this.#o.maxSampleErrors ?? 3
    const backoff = this.#o.backoffS
    let failures = 0
    /** Records a failed sample; after maxErrors in a row the job fails, else wait before the next try. */
    const failed = async (message: string, wait = true) => {
      failures++
      this.#error(message)
      if (failures >= maxErrors) throw new Error(`${failures} samples in a row failed; last: ${job.errors.at(-1)!.message}`)
      if (wait) await sleep(Math.max(interval, (backoff[Math.min(failures - 1, backoff.length - 1)] ?? 0) * 1000), this.#abort.signal)
    }
    /** A command that could not run (timeout, host away): a failed sample, not the end of the job. */
    const recoverable = (e: unknown) => !(this.#stopping || this.#abandoned || e instanceof SshFatalError)
    while (job.samples.length < job.profile.samples && !this.#stopping && !this.#abandoned) {
      const due = this.#nextDue()
      job.next_sample_at = iso(due)
      job.expected_completion = iso(due + (job.profile.samples - job.samples.length - 1) * interval)
      this.#write()
      await sleep(due - Date.now(), this.#abort.signal)
      if (this.#stopping || this.#abandoned) break
      let r
      try {
        r = await this.#exec(captureCommand(wgid))
      } catch (e) {
        if (!recoverable(e)) throw e
        await failed(`sample ${job.samples.length + 1} failed: ${(e as Error).message}`)
        continue
      }
      const at = new Date()
      if (r.code !== 0) {
        await failed(`${captureCommand(wgid)} failed (exit ${r.code}): ${firstLine(r.stderr || r.stdout) || 'no message'}`)
        continue
      }
      if (!/^\s*Histogram:/m.test(r.stdout)) {
        // Nothing collected: vscsiStats stopped by itself (the ~30-minute limit) or someone ran -x.
        await failed(`${captureCommand(wgid)} printed no histogram (${firstLine(r.stderr || r.stdout) || 'no output'}): collection had stopped on the host; issuing -s again (a new baseline)`, false)
        try {
          await this.#startCollection('collection_stopped')
        } catch (e) {
          if (!recoverable(e)) throw e
          await failed(`${startCommand(wgid)} failed: ${(e as Error).message}`)
        }
        continue
      }
      failures = 0
      if (this.#abandoned) break
      const sample = saveSample(this.#o.dir, job, r.stdout, at)
      try {
        this.#o.check(r.stdout, join(this.#o.dir, sample.file))
      } catch (e) {
        this.#error(`sample ${sample.seq} saved but not readable: ${(e as Error).message}`)
      }
      if (job.samples.length >= job.profile.samples) break
      if (Date.now() - Date.parse(job.starts.at(-1)!.at) + interval >= this.#o.restartBeforeS * 1000) {
        try {
          await this.#startCollection('restart_before')
        } catch (e) {
          // collection is still running on the host: tried again after the next sample
          if (!recoverable(e)) throw e
          await failed(`${startCommand(wgid)} (restart_before) failed: ${(e as Error).message}`, false)
        }
      }
    }
  }

  /** vscsiStats -x; when it cannot run, cleanup 'failed' with the exact command to run by hand. */
  async #cleanup(reachable: boolean): Promise<void> {
    const job = this.#job
    const at = new Date().toISOString()
    if (job.world_group_id === undefined || job.starts.length === 0) {
      job.cleanup = { status: 'done', at, message: 'nothing to clean up: collection was never started on the host' }
      return this.#write()
    }
    const command = cleanupCommand(job.world_group_id)
    if (!reachable) {
      job.cleanup = { status: 'failed', manual_command: command, at, message: `host ${job.host} not reachable` }
      return this.#write()
    }
    try {
      const r = await this.#remote!.exec(command, 30_000)
      job.cleanup = r.code === 0
        ? { status: 'done', manual_command: command, at }
        : { status: 'failed', manual_command: command, at, message: `exit ${r.code}: ${firstLine(r.stderr || r.stdout)}` }
    } catch (e) {
      job.cleanup = { status: 'failed', manual_command: command, at, message: (e as Error).message }
    }
    this.#o.log(`job ${this.id}: cleanup ${job.cleanup.status}${job.cleanup.message ? `: ${job.cleanup.message}` : ''}`)
    this.#write()
  }
}

/** `vscsi-helper cleanup JOB`: vscsiStats -x for a job that is not running. */
export async function cleanupJob(dir: string, o: Pick<RunnerOptions, 'target' | 'knownHostsFile' | 'backoffS' | 'log'>): Promise<Job> {
  const job = readJob(dir)
  const at = new Date().toISOString()
  if (job.world_group_id === undefined) {
    job.cleanup = { status: 'done', at, message: 'nothing to clean up: collection was never started on the host' }
    writeJob(dir, job)
    return job
  }
  const command = cleanupCommand(job.world_group_id)
  let remote: Remote | undefined
  try {
    remote = await connect(o.target, { knownHostsFile: o.knownHostsFile, backoffS: o.backoffS, log: o.log })
    const r = await remote.exec(command, 30_000)
    job.cleanup = r.code === 0
      ? { status: 'done', manual_command: command, at }
      : { status: 'failed', manual_command: command, at, message: `exit ${r.code}: ${firstLine(r.stderr || r.stdout)}` }
  } catch (e) {
    job.cleanup = { status: 'failed', manual_command: command, at, message: (e as Error).message }
  } finally {
    remote?.close()
  }
  writeJob(dir, job)
  return job
}
