// Timing one whole command: wall time, CPU time and peak memory of one run, hyperfine-comparable.
//
// Method
// ------
//   wall     CLOCK_MONOTONIC from just before fork to waitpid's return, read by a small Perl
//            launcher (./launcher.ts) that Node spawns untimed: what hyperfine -N measures (spawn
//            to wait). Not Node's performance.now() around spawn: Node's fork of its own large
//            process cost 4–15 ms here, growing with the heap. Node's clock is the fallback for a
//            run killed before the launcher reported. No shell unless spec.shell asks for one.
//   CPU, RSS GNU time (`/usr/bin/time -f '%U %S %M %x' -o FILE -- argv…`, Debian package `time`)
//            is the direct child and runs the command: %U and %S are the user and system seconds
//            of the command and every descendant it waited for; %M is the max RSS of the largest
//            single process of the run; %x its exit status.
//   tree RSS ./tree-rss.ts: the highest SUM of RSS over the command's whole process tree (the
//            descendants of GNU time, not GNU time itself), polled from /proc every 50 ms and
//            once right after spawn.
//
// Which memory figure to gate on: `peakRssBytes` (GNU time) is exact per run but is the largest
// single process only; `treePeakRssBytes` sees tools that fork workers (rclone is one process;
// rsync runs 2–3: sender, receiver, generator), at the price of sampling (a peak shorter than
// 50 ms can be missed). `treePeakRssBytes` is THE figure for "peak memory of the tool": blit-parity
// gates on it and reports both.
//
// Traps this avoids
// -----------------
//   - Node's child_process reports no rusage. getrusage(RUSAGE_CHILDREN) of this process is the
//     max over all children ever reaped (not this run's), and a child exec'd straight from a
//     large Node process starts with Node's RSS high-water mark (fork copies the page tables;
//     ru_maxrss survives exec). GNU time as the direct child is small, so %M is the command's.
//   - The launcher's fork and GNU time's own fork+exec add a constant offset to the wall time
//     (≈ 1 ms on a quiet machine, several ms on a loaded one, where fork is slow);
//     benches/harness/command.bench.ts measures it against hyperfine in the same run, prints it,
//     and proves that beyond it the timer matches hyperfine within 2 %.
//   - Without /usr/bin/time (on Linux) this throws, naming the install script; it never falls
//     back silently to figures it cannot measure. On Windows the command runs directly and
//     user/system/peak RSS are NaN, tree RSS 0.
//   - Every run is its own process group (../run/processes.ts), registered so Ctrl-C and
//     teardown kill it; on timeout or abort the whole group gets SIGKILL and its exit is awaited,
//     so no grandchild survives. Processes the command leaves behind are stopped after it exits.
//   - stdout goes to /dev/null; only the last 2 KB of stderr is kept.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from '../errors.ts'
import { killGroup, makeTempDir } from '../run/cleanup.ts'
import { startProcess } from '../run/processes.ts'
import { CommandFailed, DEFAULT_FIELD, type CommandRun, type CommandSpec } from './spec.ts'
import { resolveProgram } from './program.ts'
import { TreeRssPoller } from './tree-rss.ts'
import { LAUNCHER_SCRIPT, parseLauncherReport, PERL } from './launcher.ts'

export const GNU_TIME = '/usr/bin/time'
export const STDERR_TAIL_CHARS = 2048
/** How long to wait for stderr to close after the command exits (a process it left may hold it). */
const STDERR_DRAIN_MS = 250

const linux = process.platform === 'linux'
let scratch: { path: string } | undefined
let serial = 0

/** The GNU time path, or a UserError saying how to install it (Linux); null elsewhere. */
export function gnuTimePath(): string | null {
  if (process.platform === 'win32') return null
  if (existsSync(GNU_TIME)) return GNU_TIME
  throw new UserError({
    file: GNU_TIME,
    message: 'GNU time is not installed; the command timer needs it for CPU seconds and peak RSS',
    expected: 'GNU time (Debian package time) at /usr/bin/time',
    hint: 'run `bash scripts/install-debian-packages.sh`',
  })
}

/** The Perl that runs the launcher (./launcher.ts), or a UserError saying how to install it. */
function perlPath(): string {
  if (existsSync(PERL)) return PERL
  throw new UserError({ file: PERL, message: 'Perl is not installed; the command timer runs each command from a small Perl launcher', expected: 'perl (Debian package perl) at /usr/bin/perl', hint: 'run `apt-get install perl`' })
}

interface TimeReport {
  userSeconds: number
  systemSeconds: number
  peakRssBytes: number
  exitCode: number | null
  signal: number | null
}

const REPORT = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+) (-?\d+)$/

/** Parses GNU time's `-f '%U %S %M %x'` file (a "Command exited/terminated …" line may precede it). */
export function parseTimeReport(text: string): TimeReport | null {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  const m = REPORT.exec(lines.at(-1) ?? '')
  if (!m) return null
  const sig = /^Command terminated by signal (\d+)/m.exec(text)
  return {
    userSeconds: Number(m[1]),
    systemSeconds: Number(m[2]),
    peakRssBytes: Number(m[3]) * 1024,
    exitCode: sig ? null : Number(m[4]),
    signal: sig ? Number(sig[1]) : null,
  }
}

/** The argv to run: program resolved, or /bin/sh -c for a shell line. */
function commandArgv(spec: CommandSpec, field: string): string[] {
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || typeof spec.argv[0] !== 'string') {
    throw new UserError({ file: field, message: 'the command is empty', expected: 'argv: a program and its arguments' })
  }
  if (spec.shell) {
    const sh = process.platform === 'win32' ? (process.env.ComSpec ?? 'cmd.exe') : '/bin/sh'
    return process.platform === 'win32' ? [sh, '/d', '/s', '/c', spec.argv[0]] : [sh, '-c', spec.argv[0], 'sh', ...spec.argv.slice(1)]
  }
  return [resolveProgram(spec.argv[0], field, spec.cwd), ...spec.argv.slice(1)]
}

/**
 * Runs the command once and measures it. Throws CommandFailed for an exit code outside
 * successCodes, death by a signal or a timeout; the signal's reason when aborted.
 */
export async function runCommand(spec: CommandSpec, opts: { signal?: AbortSignal } = {}): Promise<CommandRun> {
  const field = spec.field ?? DEFAULT_FIELD
  const signal = opts.signal
  signal?.throwIfAborted()
  const argv = commandArgv(spec, field)
  const time = gnuTimePath()
  let reportPath: string | undefined
  let program = argv[0]!
  let args = argv.slice(1)
  if (time !== null) {
    scratch ??= makeTempDir('benchgate-command-')
    reportPath = join(scratch.path, `${process.pid}-${serial++}.time`)
    program = time
    args = ['-f', '%U %S %M %x', '-o', reportPath, '--', ...argv]
  }
  const env = spec.env ? { ...process.env, ...spec.env } : process.env
  if (time !== null) {
    args = ['-e', LAUNCHER_SCRIPT, '--', program, ...args]
    program = perlPath()
  }
  const t0 = performance.now()
  const proc = startProcess(program, args, { stdio: ['ignore', 'ignore', 'pipe', ...(time !== null ? (['pipe'] as const) : [])], cwd: spec.cwd, env })
  let t1 = Number.NaN
  proc.child.once('exit', () => (t1 = performance.now()))
  const poller = linux ? new TreeRssPoller(proc.pid, time === null ? 0 : 2) : null
  poller?.start()
  let stderrTail = ''
  proc.child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-STDERR_TAIL_CHARS)))
  let launcherText = ''
  const reportPipe = proc.child.stdio[3] as NodeJS.ReadableStream | null | undefined
  reportPipe?.setEncoding('utf8').on('data', (d: string) => (launcherText = (launcherText + d).slice(-200)))
  const closed = new Promise<void>((ok) => proc.child.once('close', () => ok()))

  let stoppedBy: 'timeout' | 'abort' | null = null
  const kill = (why: 'timeout' | 'abort') => {
    stoppedBy ??= why
    killGroup(proc.pid, 'SIGKILL')
  }
  const timer = spec.timeoutMs !== undefined ? setTimeout(() => kill('timeout'), spec.timeoutMs) : undefined
  const onAbort = () => kill('abort')
  signal?.addEventListener('abort', onAbort, { once: true })
  let code: number | string
  let treePeakRssBytes = 0
  try {
    code = await proc.exited
    if (Number.isNaN(t1)) t1 = performance.now()
    await Promise.race([closed, new Promise((ok) => setTimeout(ok, STDERR_DRAIN_MS).unref())])
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
    treePeakRssBytes = poller?.stop() ?? 0
    await proc.stop() // whatever the command left running in its group
  }
  const launched = parseLauncherReport(launcherText)
  const wallSeconds = launched?.wallSeconds ?? (t1 - t0) / 1000
  let report: TimeReport | null = null
  if (reportPath !== undefined) {
    try {
      report = parseTimeReport(readFileSync(reportPath, 'utf8'))
    } catch {
      report = null // killed before GNU time wrote it
    }
    rmSync(reportPath, { force: true })
  }
  const partial: Partial<CommandRun> = { argv, wallSeconds, treePeakRssBytes, stderrTail }
  if (stoppedBy === 'abort') throw signal!.reason
  if (stoppedBy === 'timeout') throw new CommandFailed(field, 'timeout', `timed out after ${spec.timeoutMs! / 1000} s`, partial)

  const successCodes = spec.successCodes ?? [0]
  const codes = `success codes ${successCodes.join(', ')}`
  if (typeof code === 'string') throw new CommandFailed(field, 'signal', `was killed by ${code}`, partial)
  if (time !== null && report === null) {
    throw new CommandFailed(field, 'exit', `exited with code ${code} and GNU time wrote no report to ${reportPath}`, { ...partial, exitCode: code })
  }
  if (report?.signal != null) throw new CommandFailed(field, 'signal', `was killed by signal ${report.signal}`, { ...partial, exitCode: 128 + report.signal })
  const exitCode = report?.exitCode ?? code
  const run: CommandRun = {
    argv,
    exitCode,
    wallSeconds,
    userSeconds: report?.userSeconds ?? Number.NaN,
    systemSeconds: report?.systemSeconds ?? Number.NaN,
    peakRssBytes: report?.peakRssBytes ?? Number.NaN,
    treePeakRssBytes,
    stderrTail,
  }
  if (!successCodes.includes(exitCode)) throw new CommandFailed(field, 'exit', `exited with code ${exitCode} (${codes})`, run)
  return run
}
