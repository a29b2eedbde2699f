// Timing one whole command: wall time, CPU time and peak memory of one run, hyperfine-comparable.
//
// Method
// ------
// Node spawns, untimed, a small python3 launcher (./launcher.ts) as the leader of a new process
// group; the launcher starts the command itself with os.posix_spawn (one process creation and one
// exec per run, as hyperfine -N) and reports on fd 3, from that one child:
//   wall     time.monotonic_ns() (CLOCK_MONOTONIC) just before posix_spawn and right after
//            os.wait4(pid, 0) returns: what hyperfine -N measures (spawn to wait).
//   CPU      wait4's ru_utime and ru_stime: user and system seconds of the command and every
//            descendant it waited for.
//   RSS      wait4's ru_maxrss (kB on Linux, reported in bytes): the max RSS of the largest single
//            process of the run (`peakRssBytes`).
//   exit     the wait status: exit code, or the signal that killed it.
//   tree RSS ./tree-rss.ts: the highest SUM of RSS over the command's whole process tree (the
//            launcher's descendants, not the launcher), polled from /proc every 50 ms and once
//            right after spawn (`treePeakRssBytes`).
// No shell unless spec.shell asks for one.
//
// Which memory figure a gate uses: `treePeakRssBytes`, the summed RSS of the tree, is THE figure
// for "peak memory of the tool" (rclone is one process; rsync runs 2–3: sender, receiver,
// generator); blit-parity gates on it. Its price is sampling: a peak shorter than 50 ms can be
// missed, so it is floored at `peakRssBytes` (wait4), which is reported beside it: exact per run,
// but the largest single process only.
//
// Traps this avoids
// -----------------
//   - Not Node's child_process timing (performance.now() around spawn and 'exit'): Node forks its
//     own large process, then takes copy-on-write faults until the child execs, and learns of the
//     exit through libuv's SIGCHLD handling on a busy event loop; that cost 4–15 ms per run here,
//     growing with the heap: a 10–20 % bias on a 50 ms command, against ~0.2 ms for hyperfine.
//     Node's clock is only the fallback for a run killed before the launcher reported.
//   - Not getrusage(RUSAGE_CHILDREN) from Node: Node's child_process reports no rusage, and
//     RUSAGE_CHILDREN is the sum (CPU) and the max (ru_maxrss) over every child this process ever
//     reaped, not this run's; and a child spawned straight from a large Node process starts with
//     Node's RSS high-water mark, since ru_maxrss survives exec (the kernel folds the old memory's
//     high-water mark into the new image's at exec, vfork or not).
//   - wait4 in a small launcher is per run exact: the launcher is a fresh process whose only
//     child is the command, and wait4 returns the rusage of exactly that child (and of the
//     descendants it waited for). The high-water-mark rule above still applies at one step: the
//     command's ru_maxrss is at least the launcher's own RSS at spawn (~8 MB for python3 -I -S), so
//     a command that stays below that reads as ~8 MB; tree RSS has no such floor.
//   - One fork/exec in the timed span, no GNU time in between: the earlier Perl launcher ran
//     `/usr/bin/time -- argv`, two process creations and two execs per run, an offset of ~8–30 ms
//     on a loaded machine that had to be subtracted. Outside the timed span: the launcher's own
//     start (~20 ms) and its warm-up spawn of /bin/true (a fresh process's first spawn costs ~1 ms
//     more than later ones; hyperfine's timed spawns are never its first).
//     benches/harness/command.bench.ts proves the raw medians within 2 % of hyperfine's and
//     prints the remaining `true` overhead (~0.3–0.5 ms).
//   - Without python3 (on Linux) this throws, naming the install script; it never falls back
//     silently to figures it cannot measure. On Windows the command runs directly from Node
//     (Node's clock) and user/system/peak RSS are NaN, tree RSS 0.
//   - Every run is its own process group (../run/processes.ts), registered so Ctrl-C and
//     teardown kill it; on timeout or abort the whole group (launcher, command, descendants) gets
//     SIGKILL and its exit is awaited, so no grandchild survives. Processes the command leaves
//     behind are stopped after it exits.
//   - stdout goes to /dev/null; only the last 2 KB of stderr is kept.
import { UserError } from '../errors.ts'
import { killGroup } from '../run/cleanup.ts'
import { startProcess, type Started } from '../run/processes.ts'
import { CommandFailed, DEFAULT_FIELD, type CommandRun, type CommandSpec } from './spec.ts'
import { resolveProgram } from './program.ts'
import { TreeRssPoller } from './tree-rss.ts'
import { launcherArgs, parseLauncherReport } from './launcher.ts'

export const STDERR_TAIL_CHARS = 2048
/** How long to wait for stderr to close after the command exits (a process it left may hold it). */
const STDERR_DRAIN_MS = 250

const linux = process.platform === 'linux'
const launched = process.platform !== 'win32'

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

/** How a process group awaited by awaitGroup ended. */
export interface GroupEnd {
  /** The leader's exit code, or the signal name that ended it. */
  code: number | string
  /** Why the group was killed, if it was. */
  stoppedBy: 'timeout' | 'abort' | null
  /** The last 200 characters the launcher wrote on fd 3 (stdio[3]); '' without that pipe. */
  launcherText: string
}

/**
 * Awaits a process started in its own group (../run/processes.ts), the launcher's report pipe as
 * its stdio[3] when it has one. On timeout or abort the whole group gets SIGKILL (the first reason
 * wins). After the exit: `afterExit`, then up to STDERR_DRAIN_MS for its pipes to close; then, on
 * every path, `beforeStop` and whatever the process left running in its group is stopped.
 */
export async function awaitGroup(
  proc: Started,
  opts: { timeoutMs?: number; signal?: AbortSignal; afterExit?: () => void; beforeStop?: () => void } = {},
): Promise<GroupEnd> {
  const { signal } = opts
  let launcherText = ''
  const reportPipe = proc.child.stdio[3] as NodeJS.ReadableStream | null | undefined
  reportPipe?.setEncoding('utf8').on('data', (d: string) => (launcherText = (launcherText + d).slice(-200)))
  const closed = new Promise<void>((ok) => proc.child.once('close', () => ok()))

  let stoppedBy: GroupEnd['stoppedBy'] = null
  const kill = (why: 'timeout' | 'abort') => {
    stoppedBy ??= why
    killGroup(proc.pid, 'SIGKILL')
  }
  const timer = opts.timeoutMs !== undefined ? setTimeout(() => kill('timeout'), opts.timeoutMs) : undefined
  const onAbort = () => kill('abort')
  signal?.addEventListener('abort', onAbort, { once: true })
  let code: number | string
  try {
    code = await proc.exited
    opts.afterExit?.()
    await Promise.race([closed, new Promise((ok) => setTimeout(ok, STDERR_DRAIN_MS).unref())])
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
    opts.beforeStop?.()
    await proc.stop() // whatever the command left running in its group
  }
  return { code, stoppedBy, launcherText }
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
  const env = spec.env ? { ...process.env, ...spec.env } : process.env
  const [program, args] = launched ? launcherArgs(argv, env) : [argv[0]!, argv.slice(1)]
  const t0 = performance.now()
  const proc = startProcess(program, args, { stdio: ['ignore', 'ignore', 'pipe', ...(launched ? (['pipe'] as const) : [])], cwd: spec.cwd, env })
  let t1 = Number.NaN
  proc.child.once('exit', () => (t1 = performance.now()))
  const poller = linux ? new TreeRssPoller(proc.pid, launched ? 1 : 0) : null
  poller?.start()
  let stderrTail = ''
  proc.child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-STDERR_TAIL_CHARS)))
  let treePeakRssBytes = 0
  const { code, stoppedBy, launcherText } = await awaitGroup(proc, {
    timeoutMs: spec.timeoutMs,
    signal,
    afterExit: () => {
      if (Number.isNaN(t1)) t1 = performance.now()
    },
    beforeStop: () => (treePeakRssBytes = poller?.stop() ?? 0),
  })
  const report = launched ? parseLauncherReport(launcherText) : null
  // Node's clock only when the launcher was killed before it reported (timeout, abort, signal).
  const wallSeconds = report?.wallSeconds ?? (t1 - t0) / 1000
  const partial: Partial<CommandRun> = { argv, wallSeconds, treePeakRssBytes, stderrTail }
  if (stoppedBy === 'abort') throw signal!.reason
  if (stoppedBy === 'timeout') throw new CommandFailed(field, 'timeout', `timed out after ${spec.timeoutMs! / 1000} s`, partial)

  const successCodes = spec.successCodes ?? [0]
  const codes = `success codes ${successCodes.join(', ')}`
  if (report === null) {
    if (typeof code === 'string') throw new CommandFailed(field, 'signal', `was killed by ${code}`, partial)
    if (launched) throw new CommandFailed(field, 'exit', `exited with code ${code} and the launcher reported nothing`, { ...partial, exitCode: code })
  }
  if (report?.signal != null) throw new CommandFailed(field, 'signal', `was killed by signal ${report.signal}`, { ...partial, exitCode: 128 + report.signal })
  const exitCode = report?.exitCode ?? (code as number)
  const run: CommandRun = {
    argv,
    exitCode,
    wallSeconds,
    userSeconds: report?.userSeconds ?? Number.NaN,
    systemSeconds: report?.systemSeconds ?? Number.NaN,
    peakRssBytes: report?.peakRssBytes ?? Number.NaN,
    // the tree's sum is never below its largest process: a run that ended before a poll saw its
    // tool (shorter than one interval, or a loaded machine) reports wait4's figure, not 0
    treePeakRssBytes: Math.max(treePeakRssBytes, Number.isFinite(report?.peakRssBytes) ? report!.peakRssBytes : 0),
    stderrTail,
  }
  if (!successCodes.includes(exitCode)) throw new CommandFailed(field, 'exit', `exited with code ${exitCode} (${codes})`, run)
  return run
}
