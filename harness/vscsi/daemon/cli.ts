// `vscsi-helper <command>`: the storage engineer's side of vscsiStats collection. Commands that
// touch a host (start, stop, delete, cleanup, discover) go through the per-user daemon, which the
// CLI starts on demand; status and list read job.json (kept current by the daemon).
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { loadConfig } from '../../config/load.ts'
import type { Config } from '../../config/schema.ts'
import { UserError } from '../../errors.ts'
import { analyzeCommand, ANALYZE_OPTIONS } from './analyze.ts'
import { ensureDaemon, ping, send } from './client.ts'
import { findHost, findProfile, profiles, referencedEnv } from './context.ts'
import { logFile, runningDaemonPid, type Request } from './daemon.ts'
import type { VmInfo } from './discover.ts'
import { discoverText, listText, progress, statusText, cleanupLine } from './show.ts'
import { JOB_STATUSES, jobDir, listJobs, readJob, socketPath, stateDir, validJobId, type Job, type JobStatus } from './state.ts'
import { sleep } from './ssh.ts'

export const USAGE = `usage: vscsi-helper <command> [options]

Collects ESXi vscsiStats histograms over SSH in a per-user background daemon (started on demand),
then finds the peak workload and writes a fio job that reproduces it.

commands:
  discover HOST                  VMs on the host and their virtual disks (worldGroupID, handleID, scsiX:Y)
  start --host HOST --vm VM [--lun scsi0:0[,scsi0:1]] [--profile NAME] [--name NAME]
                                 start collecting; prints the job id
  status JOB [--json]            progress (18/30 samples), next sample, expected end, errors, cleanup
  stop JOB [--no-cleanup]        end collection now; samples already taken are kept (then vscsiStats -x)
  list [--status S] [--host HOST] [--json]
                                 jobs, oldest first (S: pending, running, completed, failed, stopped)
  delete JOB [--force]           remove a job and its samples (--force also stops a running job)
  analyze JOB [--out DIR] [--filter percentile|statistical|absolute] [--percentile N] [--k N]
              [--min-iops N] [--runtime S]
                                 peak profile: summary.json, CSV, charts and a fio job (partial jobs too)
  cleanup JOB                    run vscsiStats -x -w <worldGroupID> for the job again
  daemon [status|stop]           the background daemon of this state directory

options:
  --config FILE                  configuration (default: $BENCHGATE_CONFIG, then ./benchgate.config.yaml)
  -h, --help                     this text

HOST is an ssh.hosts name (or its address); VM is the display name (or worldGroupID); --lun takes
the device (scsi0:0) or handleID, repeatable or comma-separated (default: every disk of the VM).
Profiles: quick (10 × 30 s), standard (30 × 60 s, the default), deep (120 × 60 s) and vscsi.profiles.
Jobs live in vscsi.state_dir (default ~/.benchgate/vscsi; $BENCHGATE_VSCSI_STATE overrides).
Exit status: 0 done; 1 the job failed, the host could not be reached or a gate failed; 2 bad input.`

export interface CliIo {
  out?: (text: string) => void
  err?: (text: string) => void
  env?: NodeJS.ProcessEnv
  cwd?: string
}

const COMMANDS = ['discover', 'start', 'status', 'stop', 'list', 'delete', 'analyze', 'cleanup', 'daemon'] as const
type Command = (typeof COMMANDS)[number]

type Options = NonNullable<ParseArgsConfig['options']>
const COMMON: Options = { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
const OPTIONS: Record<Command, Options> = {
  discover: {},
  start: { host: { type: 'string' }, vm: { type: 'string' }, lun: { type: 'string', multiple: true }, profile: { type: 'string' }, name: { type: 'string' } },
  status: { json: { type: 'boolean' } },
  stop: { 'no-cleanup': { type: 'boolean' } },
  list: { status: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } },
  delete: { force: { type: 'boolean' } },
  analyze: ANALYZE_OPTIONS,
  cleanup: {},
  daemon: {},
}
const POSITIONALS: Record<Command, string[]> = {
  discover: ['HOST'], start: [], status: ['JOB'], stop: ['JOB'], list: [], delete: ['JOB'], analyze: ['JOB'], cleanup: ['JOB'], daemon: [],
}

function parse(command: Command, argv: string[]) {
  const file = `vscsi-helper ${command}`
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON, ...OPTIONS[command] }, strict: true, allowPositionals: true })
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').split('\n')[0]!
    throw new UserError({ file, message, expected: 'the options vscsi-helper --help lists' })
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>
  const want = POSITIONALS[command]
  if (!values.help) {
    if (command === 'daemon') {
      if (parsed.positionals.length > 1 || (parsed.positionals[0] && !['status', 'stop'].includes(parsed.positionals[0]))) {
        throw new UserError({ file, message: `unexpected '${parsed.positionals.join(' ')}'`, expected: 'status or stop' })
      }
    } else if (parsed.positionals.length < want.length) {
      throw new UserError({ file, field: want[0], message: 'missing', expected: want[0] === 'JOB' ? 'a job id (vscsi-helper list shows them)' : 'an ssh.hosts name' })
    } else if (parsed.positionals.length > want.length) {
      throw new UserError({ file, message: `unexpected argument '${parsed.positionals[want.length]}'`, expected: want.length ? `only ${want.join(' ')}` : 'options only', hint: 'quote names with spaces' })
    }
  }
  return { values, positionals: parsed.positionals }
}

/** Unix socket paths are limited to about 104 bytes (108 on Linux): say so before anything fails obscurely. */
export function checkSocketPath(state: string, command: string): void {
  if (process.platform === 'win32') return
  const sock = socketPath(state)
  const bytes = Buffer.byteLength(sock)
  if (bytes > MAX_SOCKET_PATH) {
    throw new UserError({ file: `vscsi-helper ${command}`, field: 'vscsi.state_dir', message: `the daemon socket ${sock} is ${bytes} bytes long, over the ${MAX_SOCKET_PATH} a Unix socket path may have`,
      expected: 'a shorter state directory', hint: 'set vscsi.state_dir (or $BENCHGATE_VSCSI_STATE) to a shorter path' })
  }
}
const MAX_SOCKET_PATH = 100

/** A command that could not be carried out (host unreachable, key refused): one line, exit 1. */
export class CommandFailed extends Error {}

interface Ctx {
  config: Config
  source: string | null
  state: string
  env: NodeJS.ProcessEnv
  cwd: string
  out: (t: string) => void
  err: (t: string) => void
}

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 usage). UserErrors are thrown. */
export async function vscsiHelperCommand(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'))
  const err = io.err ?? ((t: string) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'))
  const env = io.env ?? process.env
  const cwd = io.cwd ?? process.cwd()
  const [first, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    out(USAGE)
    return first === undefined ? 2 : 0
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UserError({ file: 'vscsi-helper', message: `unknown command '${first}'`, expected: COMMANDS.join(', '), hint: 'vscsi-helper --help' })
  }
  const command = first as Command
  const { values, positionals } = parse(command, rest)
  if (values.help) {
    out(USAGE)
    return 0
  }
  const configPath = typeof values.config === 'string' ? resolve(cwd, values.config) : undefined
  const loaded = loadConfig({ ...(configPath !== undefined ? { path: configPath } : {}), env, cwd })
  const ctx: Ctx = { config: loaded.config, source: loaded.source, state: stateDir(loaded.config.vscsi, env, cwd), env, cwd, out, err }
  if (command !== 'analyze') checkSocketPath(ctx.state, command)
  try {
    return await run(ctx, command, values, positionals)
  } catch (e) {
    if (!(e instanceof CommandFailed)) throw e
    err(e.message)
    return 1
  }
}

async function run(ctx: Ctx, command: Command, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  switch (command) {
    case 'discover':
      return discover(ctx, positionals[0]!)
    case 'start':
      return start(ctx, values)
    case 'status':
      return status(ctx, positionals[0]!, values.json === true)
    case 'stop':
      return stop(ctx, positionals[0]!, values['no-cleanup'] !== true)
    case 'list':
      return list(ctx, values)
    case 'delete':
      return remove(ctx, positionals[0]!, values.force === true)
    case 'analyze':
      return analyzeCommand({ ...ctx, dir: existingJob(ctx, positionals[0]!, 'analyze') }, values)
    case 'cleanup':
      return cleanup(ctx, positionals[0]!)
    case 'daemon':
      return daemon(ctx, positionals[0] ?? 'status')
  }
}

function existingJob(ctx: Ctx, id: string, command: string): string {
  const dir = jobDir(ctx.state, id)
  if (!validJobId(id) || !existsSync(resolve(dir, 'job.json'))) {
    throw new UserError({ file: `vscsi-helper ${command}`, field: 'JOB', message: `no job '${id}' in ${ctx.state}`, hint: 'vscsi-helper list shows the jobs' })
  }
  return dir
}

/** Sends a request through the daemon (starting it if needed); a refused request is a UserError. */
async function ask(ctx: Ctx, req: Request, command: string): Promise<Record<string, unknown>> {
  let r
  try {
    await ensureDaemon(ctx.state, ctx.env)
    r = await send(ctx.state, req)
  } catch (e) {
    throw new CommandFailed(`vscsi-helper ${command}: ${(e as Error).message}`)
  }
  if (r.ok) return r
  if (r.user) throw new UserError({ file: `vscsi-helper ${command}`, message: r.error.replace(/^vscsi-helper( \w+)?: /, '') })
  throw new CommandFailed(`vscsi-helper ${command}: ${r.error} (daemon log: ${logFile(ctx.state)})`)
}

/** The daemon resumes jobs left running: make sure one is up whenever a job is pending or running. */
async function reviveIfNeeded(ctx: Ctx, jobs: readonly Job[]): Promise<void> {
  if (!jobs.some((j) => j.status === 'running' || j.status === 'pending')) return
  try {
    await ensureDaemon(ctx.state, ctx.env)
    // a daemon started from another shell may wait for the ${VAR} values these jobs' configurations need
    const env: Record<string, string> = {}
    for (const j of jobs) if (j.status === 'running' || j.status === 'pending') Object.assign(env, referencedEnv(j.config, ctx.env))
    if (Object.keys(env).length) await send(ctx.state, { cmd: 'ping', env })
  } catch (e) {
    ctx.err(`warning: running jobs are not progressing: ${(e as Error).message}`)
  }
}

async function discover(ctx: Ctx, host: string): Promise<number> {
  findHost(ctx.config, host, ctx.source, 'HOST')
  const r = await ask(ctx, { cmd: 'discover', config: ctx.source, host, env: referencedEnv(ctx.source, ctx.env) }, 'discover')
  ctx.out(discoverText(String(r.host), String(r.address), r.vms as VmInfo[]))
  return 0
}

async function start(ctx: Ctx, v: Record<string, unknown>): Promise<number> {
  const file = 'vscsi-helper start'
  for (const flag of ['host', 'vm'] as const) {
    if (typeof v[flag] !== 'string' || !(v[flag] as string).trim()) {
      throw new UserError({ file, field: `--${flag}`, message: 'missing', expected: flag === 'host' ? 'an ssh.hosts name' : "the VM's display name (vscsi-helper discover HOST lists them)" })
    }
  }
  const luns = ((v.lun as string[] | undefined) ?? []).flatMap((l) => l.split(',')).map((l) => l.trim()).filter(Boolean)
  for (const lun of luns) {
    if (!/^scsi\d+:\d+$/i.test(lun) && !/^\d+$/.test(lun) && !/^(nvme|sata|ide)\d+:\d+$/i.test(lun)) {
      throw new UserError({ file, field: '--lun', message: `'${lun}' is not a virtual disk`, expected: 'a device such as scsi0:0 or a handleID such as 8194' })
    }
  }
  if (v.name !== undefined && !String(v.name).trim()) throw new UserError({ file, field: '--name', message: 'empty', expected: 'a name for the job' })
  const target = findHost(ctx.config, String(v.host), ctx.source)
  const profile = findProfile(ctx.config, v.profile as string | undefined, ctx.source)
  const req: Request = { cmd: 'start', config: ctx.source, host: target.name, vm: String(v.vm), luns, env: referencedEnv(ctx.source, ctx.env) }
  if (v.profile !== undefined) req.profile = String(v.profile)
  if (v.name !== undefined) req.name = String(v.name)
  const r = await ask(ctx, req, 'start')
  const job = r.job as Job
  ctx.out(job.id)
  ctx.err(`started: ${job.host} vm ${job.vm}${luns.length ? ` disks ${luns.join(', ')}` : ' (every disk)'}, profile ${profile.name} ` +
    `(${profile.samples} samples × ${profile.interval_s} s); follow it with: vscsi-helper status ${job.id}`)
  return 0
}

async function status(ctx: Ctx, id: string, json: boolean): Promise<number> {
  const dir = existingJob(ctx, id, 'status')
  await reviveIfNeeded(ctx, [readJob(dir)])
  const job = readJob(dir)
  ctx.out(json ? JSON.stringify(job, null, 2) : statusText(job))
  return job.status === 'failed' ? 1 : 0
}

async function stop(ctx: Ctx, id: string, cleanup: boolean): Promise<number> {
  existingJob(ctx, id, 'stop')
  const r = await ask(ctx, { cmd: 'stop', id, cleanup }, 'stop')
  const job = r.job as Job
  ctx.out(`${job.id}: ${job.status}, ${progress(job)} kept; cleanup ${cleanupLine(job)}`)
  return 0
}

async function list(ctx: Ctx, v: Record<string, unknown>): Promise<number> {
  const wanted = v.status as string | undefined
  if (wanted !== undefined && !(JOB_STATUSES as readonly string[]).includes(wanted)) {
    throw new UserError({ file: 'vscsi-helper list', field: '--status', message: `'${wanted}' is not a job status`, expected: JOB_STATUSES.join(', ') })
  }
  let jobs = listJobs(ctx.state)
  await reviveIfNeeded(ctx, jobs)
  jobs = listJobs(ctx.state)
    .filter((j) => wanted === undefined || j.status === (wanted as JobStatus))
    .filter((j) => v.host === undefined || j.host === v.host || j.address.split(':')[0] === v.host)
  ctx.out(v.json ? JSON.stringify(jobs, null, 2) : listText(jobs))
  return 0
}

async function remove(ctx: Ctx, id: string, force: boolean): Promise<number> {
  existingJob(ctx, id, 'delete')
  const r = await ask(ctx, { cmd: 'delete', id, force }, 'delete')
  const job = r.job as Job
  ctx.out(`${id}: deleted (${job.status}, ${progress(job)})`)
  if (job.cleanup.status !== 'done' && job.cleanup.manual_command) {
    ctx.err(`warning: vscsiStats -x did not run for ${id}; run on ${job.host}: ${job.cleanup.manual_command}`)
  }
  return 0
}

async function cleanup(ctx: Ctx, id: string): Promise<number> {
  existingJob(ctx, id, 'cleanup')
  const r = await ask(ctx, { cmd: 'cleanup', id, env: referencedEnv(readJob(jobDir(ctx.state, id)).config, ctx.env) }, 'cleanup')
  const job = r.job as Job
  ctx.out(`${id}: cleanup ${cleanupLine(job)}`)
  return job.cleanup.status === 'done' ? 0 : 1
}

async function daemon(ctx: Ctx, action: string): Promise<number> {
  const alive = await ping(ctx.state)
  if (action === 'stop') {
    if (!alive) {
      ctx.out(`no daemon running for ${ctx.state}`)
      return 0
    }
    try {
      await send(ctx.state, { cmd: 'shutdown' })
    } catch (e) {
      throw new CommandFailed(`vscsi-helper daemon stop: ${(e as Error).message}`)
    }
    for (const end = Date.now() + 10_000; Date.now() < end && runningDaemonPid(ctx.state) !== null; ) await sleep(50)
    ctx.out(`daemon ${alive.pid} stopped; running jobs resume when it next starts`)
    return 0
  }
  ctx.out(alive
    ? `daemon ${alive.pid} serving ${ctx.state}; running jobs: ${alive.running.length ? alive.running.join(', ') : 'none'}`
    : `no daemon running for ${ctx.state} (any vscsi-helper command starts it)`)
  ctx.out(`profiles: ${Object.entries(profiles(ctx.config)).map(([n, p]) => `${n} (${p.samples} × ${p.interval_s} s)`).join(', ')}`)
  return 0
}
