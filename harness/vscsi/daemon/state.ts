// Where the collection daemon keeps its jobs, and the job.json record itself. Every write is
// atomic (temp file + rename): a sample's raw `vscsiStats -p all -c` text is saved verbatim to
// samples/NNNN.txt the moment it arrives, and only then is job.json updated, so a crash (kill -9)
// never loses a saved sample and never leaves job.json naming a sample that is not on disk.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { createHash } from 'node:crypto'
import { isAbsolute, join, resolve } from 'node:path'
import { writeFileAtomic } from '../../run/atomic.ts'

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'stopped'
export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'stopped']

export interface JobSample {
  /** 1-based. */
  seq: number
  /** ISO 8601 UTC: when the capture arrived. */
  at: string
  /** Relative to the job directory: samples/0001.txt. */
  file: string
}

/**
 * One `vscsiStats -s` issued for the job. Histograms are cumulative since the latest one, so each
 * start is a new baseline: analysis differences samples only within one start (after_seq < seq).
 */
export interface CollectionStart {
  at: string
  /** Samples saved before this -s was issued. */
  after_seq: number
  reason: 'start' | 'restart_before' | 'resume' | 'collection_stopped'
}

export interface JobCleanup {
  /** pending: not run yet (or --no-cleanup); done: vscsiStats -x ran (or nothing to undo); failed: could not run it. */
  status: 'pending' | 'done' | 'failed'
  /** What to run on the host by hand when the daemon could not (vscsiStats -x -w <wgid>). */
  manual_command?: string
  at?: string
  message?: string
}

export interface Job {
  id: string
  name: string
  /** The ssh.hosts[].name of the host, and where it was reached (never its password or key). */
  host: string
  address: string
  user: string
  vm: string
  /** Requested virtual disks (scsi0:0 or handle IDs); empty = every disk of the VM. */
  luns: string[]
  world_group_id?: number
  /** The VM's disks that are kept (resolved from vscsiStats -l). */
  disks?: { handle_id: number; device: string }[]
  profile: { name: string; samples: number; interval_s: number }
  /** Absolute path of the configuration file the job was started with (null: defaults). */
  config: string | null
  status: JobStatus
  created: string
  started?: string
  ended?: string
  next_sample_at?: string
  expected_completion?: string
  samples: JobSample[]
  starts: CollectionStart[]
  /** Times the daemon picked the job up again after it had been stopped or killed. */
  resumed: string[]
  errors: { at: string; message: string }[]
  cleanup: JobCleanup
}

/** The state directory: $BENCHGATE_VSCSI_STATE, else vscsi.state_dir, else ~/.benchgate/vscsi. */
export function stateDir(vscsi: { state_dir?: string }, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const given = env.BENCHGATE_VSCSI_STATE || vscsi.state_dir
  if (!given) return join(homedir(), '.benchgate', 'vscsi')
  const expanded = given === '~' || given.startsWith('~/') ? join(homedir(), given.slice(1)) : given
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded)
}

/** The daemon's socket: <state>/daemon.sock, or a per-user named pipe on Windows. */
export function socketPath(state: string): string {
  if (process.platform === 'win32') {
    const tag = createHash('sha256').update(resolve(state)).digest('hex').slice(0, 8)
    return `\\\\.\\pipe\\benchgate-vscsi-${userInfo().username}-${tag}`
  }
  return join(state, 'daemon.sock')
}

export const jobsDir = (state: string): string => join(state, 'jobs')
export const jobDir = (state: string, id: string): string => join(jobsDir(state), id)
export const jobFile = (dir: string): string => join(dir, 'job.json')
export const sampleFile = (seq: number): string => `samples/${String(seq).padStart(4, '0')}.txt`

export function readJob(dir: string): Job {
  return JSON.parse(readFileSync(jobFile(dir), 'utf8')) as Job
}

export function writeJob(dir: string, job: Job): void {
  writeFileAtomic(jobFile(dir), JSON.stringify(job, null, 2) + '\n')
}

/** Saves one sample's raw text (atomically), then records it in job.json. */
export function saveSample(dir: string, job: Job, text: string, at: Date): JobSample {
  const seq = job.samples.length + 1
  const file = sampleFile(seq)
  writeFileAtomic(join(dir, file), text)
  const sample = { seq, at: at.toISOString(), file }
  job.samples.push(sample)
  writeJob(dir, job)
  return sample
}

/** Every job of the state directory, oldest first; unreadable job.json files are skipped. */
export function listJobs(state: string): Job[] {
  const root = jobsDir(state)
  if (!existsSync(root)) return []
  const jobs: Job[] = []
  for (const id of readdirSync(root)) {
    try {
      jobs.push(readJob(join(root, id)))
    } catch {
      // a directory without a readable job.json is not a job (half-created or foreign)
    }
  }
  return jobs.sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id))
}

/** A new job id: <name or vm, slugged>-<yyyymmdd-hhmmss>, unique within the state directory. */
export function newJobId(state: string, label: string, now: Date): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'job'
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  let id = `${slug}-${stamp}`
  for (let i = 2; existsSync(jobDir(state, id)) && i < 1000; i++) id = `${slug}-${stamp}-${i}`
  return id
}

export function createJobDir(state: string, job: Job): string {
  const dir = jobDir(state, job.id)
  mkdirSync(join(dir, 'samples'), { recursive: true })
  writeJob(dir, job)
  return dir
}

export function deleteJobDir(state: string, id: string): void {
  rmSync(jobDir(state, id), { recursive: true, force: true })
}

/** Job ids are names the daemon made; refuse anything that could walk out of the jobs directory. */
export function validJobId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) && !id.includes('..')
}
