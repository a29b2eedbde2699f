// The small process that times a run: a python3 program (inline, run as `python3 -I -S -c`).
// Node spawns it, untimed, as the leader of its own process group; it starts the command itself
// with os.posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK) + exec: one process creation and one exec
// in the timed span, like hyperfine -N), reads time.monotonic_ns() (CLOCK_MONOTONIC) just before the spawn
// and right after os.wait4(pid, 0) returns, and writes on fd 3 one line
//   "<wall ns> <ru_utime s> <ru_stime s> <ru_maxrss kB> <exit code or -1> <signal or 0>"
// from wait4's rusage of that one child (its own CPU and peak RSS plus those of every descendant
// it waited for). The command has the launcher's stdin/stdout (/dev/null) and stderr (the pipe Node
// reads); fd 3 is close-on-exec, so no descendant keeps the report pipe open. The launcher exits
// with the command's code (128 + signal when killed). Everything stays in the launcher's process
// group, which Node created and kills as one.
//
// One untimed warm-up first: the launcher spawns and reaps /bin/true before the timed spawn. The
// first successful spawn of a fresh process costs ~1 ms more than later ones (measured here: 3.8
// against 2.8 ms median for `true`, a failed spawn does not warm it), and hyperfine's timed runs
// all come from a process that has spawned before (its warm-ups and earlier runs); this puts the
// launcher's one timed spawn in the same state. It is not part of the run: its own child, reaped
// before t0, not in the command's rusage.
//
// Python details it handles:
//   - Python ignores SIGPIPE and SIGXFSZ at startup and ignored signals survive exec, so they are
//     reset to default in the child (posix_spawn setsigdef), as subprocess's restore_signals does.
//   - In the C/POSIX locale Python sets LC_CTYPE=C.UTF-8 in its own environment (PEP 538 locale
//     coercion; neither -I nor -X utf8 stops it), which the command would inherit: Node passes the
//     LC_CTYPE it meant ('-' for unset, '=value' otherwise) as the first argument and the launcher
//     restores it.
//   - -I -S: no site import, no user site, PYTHON* variables ignored (they still reach the
//     command): ~20 ms to start and ~8 MB resident, both outside the timed span.
import { existsSync } from 'node:fs'
import { UserError } from '../errors.ts'
import { resolveProgram } from './program.ts'

export const LAUNCHER_SOURCE = `
import os, sys, time, _signal
try:
    os.set_inheritable(3, False)
except OSError:
    sys.stderr.write('benchgate launcher: no report pipe on fd 3\\n')
    os._exit(126)
ctype, argv = sys.argv[1], sys.argv[2:]
env = dict(os.environ)
if ctype == '-':
    env.pop('LC_CTYPE', None)
else:
    env['LC_CTYPE'] = ctype[1:]
dfl = (_signal.SIGPIPE, _signal.SIGXFSZ)
try:
    os.wait4(os.posix_spawn('/bin/true', ['true'], env, setsigdef=dfl), 0)
except OSError:
    pass
t0 = time.monotonic_ns()
try:
    pid = os.posix_spawn(argv[0], argv, env, setsigdef=dfl)
except OSError as e:
    sys.stderr.write('benchgate launcher: cannot run %s: %s\\n' % (argv[0], e.strerror))
    os._exit(127)
_, st, ru = os.wait4(pid, 0)
t1 = time.monotonic_ns()
if os.WIFSIGNALED(st):
    code, sig = -1, os.WTERMSIG(st)
else:
    code, sig = os.WEXITSTATUS(st), 0
os.write(3, b'%d %.6f %.6f %d %d %d\\n' % (t1 - t0, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, code, sig))
os._exit(128 + sig if sig else code)
`

/** Debian's python3 first (a pyenv shim on PATH is a bash script), else python3 on PATH. */
const DEBIAN_PYTHON = '/usr/bin/python3'

let python: string | undefined

/** The python3 that runs the launcher, or a UserError saying how to install it. */
export function launcherPython(): string {
  if (python !== undefined) return python
  if (existsSync(DEBIAN_PYTHON)) return (python = DEBIAN_PYTHON)
  try {
    return (python = resolveProgram('python3', 'python3'))
  } catch {
    throw new UserError({
      file: 'python3',
      message: 'python3 is not installed; the command timer runs each command from a small python3 launcher (posix_spawn, wait4)',
      expected: 'python3 (Debian package python3) at /usr/bin/python3 or on PATH',
      hint: 'run `bash scripts/install-debian-packages.sh`',
    })
  }
}

/** The launcher's program and arguments that run `argv` with the environment `env`. */
export function launcherArgs(argv: readonly string[], env: NodeJS.ProcessEnv): [string, string[]] {
  const ctype = env.LC_CTYPE === undefined ? '-' : `=${env.LC_CTYPE}`
  return [launcherPython(), ['-I', '-S', '-c', LAUNCHER_SOURCE, ctype, ...argv]]
}

export interface LauncherReport {
  wallSeconds: number
  userSeconds: number
  systemSeconds: number
  /** wait4's ru_maxrss in bytes. */
  peakRssBytes: number
  /** null when killed by a signal. */
  exitCode: number | null
  signal: number | null
}

const REPORT = /^(\d+) (\d+\.\d+) (\d+\.\d+) (\d+) (-?\d+) (\d+)\n?$/

/** Parses the launcher's report line; null when it wrote none (killed before it reported). */
export function parseLauncherReport(text: string): LauncherReport | null {
  const m = REPORT.exec(text)
  if (!m) return null
  const sig = Number(m[6])
  return {
    wallSeconds: Number(m[1]) / 1e9,
    userSeconds: Number(m[2]),
    systemSeconds: Number(m[3]),
    peakRssBytes: Number(m[4]) * (process.platform === 'darwin' ? 1 : 1024), // kB on Linux, bytes on macOS
    exitCode: sig !== 0 ? null : Number(m[5]),
    signal: sig !== 0 ? sig : null,
  }
}
