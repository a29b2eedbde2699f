// What a timed command is (CommandSpec), what one run of it measured (CommandRun), and the error
// a failed or timed-out run raises (CommandFailed). The method is in ./run.ts.

export interface CommandSpec {
  /** argv[0] is the program (on PATH or a path), the rest its arguments; no shell. */
  argv: readonly string[]
  /** true: argv[0] is one shell line run by /bin/sh -c (any further elements become $1, $2, …). Only when asked for. */
  shell?: boolean
  cwd?: string
  /** Merged over process.env. */
  env?: Record<string, string>
  /** Per run; on timeout the whole process group is killed and a CommandFailed is thrown. */
  timeoutMs?: number
  /** Exit codes that count as success; default [0] (robocopy's are 0..7). */
  successCodes?: readonly number[]
  /** Where the command came from, for messages, e.g. 'blitParity.candidate'; default 'command'. */
  field?: string
}

export interface CommandRun {
  /** The command's argv as run (program resolved to its full path; without the launcher). */
  argv: string[]
  exitCode: number
  /** CLOCK_MONOTONIC from just before the launcher's posix_spawn to wait4's return, as hyperfine -N measures (Node's clock only for a run killed before the launcher reported, or on Windows). */
  wallSeconds: number
  /** wait4's ru_utime: user CPU seconds of the command and the descendants it waited for (NaN on Windows). */
  userSeconds: number
  /** wait4's ru_stime: system CPU seconds, likewise. */
  systemSeconds: number
  /** wait4's ru_maxrss: the max RSS of the largest single process of the run, at least the launcher's ~8 MB (NaN on Windows). */
  peakRssBytes: number
  /** The highest sum of RSS over the command's whole process tree (launcher excluded), polled from /proc at 20 Hz (0 off Linux): the figure memory gates use. */
  treePeakRssBytes: number
  /** The last ~2 KB of stderr. */
  stderrTail: string
  /** True for a warm-up run (kept, never counted). */
  warmup?: boolean
}

/** The default field name in messages. */
export const DEFAULT_FIELD = 'command'

/** An argv as a message shows it: arguments with blanks or quotes in single quotes. */
export function showArgv(argv: readonly string[]): string {
  return argv.map((a) => (a === '' || /[\s'"\\$`]/.test(a) ? `'${a.replaceAll("'", "'\\''")}'` : a)).join(' ')
}

/** The last `lines` non-empty lines of a stderr tail, joined with ' | '. */
export function lastLines(tail: string, lines = 5): string {
  return tail.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(-lines).join(' | ')
}

/** A run that exited with a code outside its success codes, was killed, or timed out. */
export class CommandFailed extends Error {
  readonly field: string
  /** What was measured before it failed (wall, stderr tail, exit code where there is one). */
  readonly run: Partial<CommandRun> | undefined
  readonly reason: 'exit' | 'signal' | 'timeout'
  constructor(field: string, reason: CommandFailed['reason'], detail: string, run?: Partial<CommandRun>) {
    const argv = run?.argv ? showArgv(run.argv) : '(command)'
    const tail = run?.stderrTail ? lastLines(run.stderrTail) : ''
    super(`${field}: ${argv} ${detail}${tail ? `: ${tail}` : ''}`)
    this.name = 'CommandFailed'
    this.field = field
    this.reason = reason
    this.run = run
  }
}
