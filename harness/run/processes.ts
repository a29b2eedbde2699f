// Processes a fixture starts: each in its own process group so that stopping it stops every
// descendant too, registered for release at teardown, Ctrl-C, timeout or crash.
//
// `dieWithParent` covers the one case those handlers cannot: this process ending without running
// them (SIGKILL, or a native library calling exit(), as Xlib does when its display goes away). The
// child is then started through util-linux's `setpriv --pdeathsig KILL`, which execs the command
// in place (same pid) with the kernel's parent-death signal set, so it is killed with us. Linux
// only; elsewhere, or without setpriv, the option does nothing. With `outliveExitHandlers` such a
// child is not killed by the exit handlers but by the kernel once this process has ended: an X
// server must outlive its clients' teardown (Xlib in a client whose server vanishes during exit
// ends the process with an error or a crash instead of its own exit code).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { registerProcessGroup, isAlive } from './cleanup.ts'

export interface Started {
  readonly pid: number
  readonly child: ChildProcess
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>
  /** Stops the whole process group: SIGTERM, then SIGKILL after the grace period. */
  stop(): Promise<void>
}

const SETPRIV = '/usr/bin/setpriv'

export interface StartOptions extends SpawnOptions {
  exitSignal?: NodeJS.Signals
  dieWithParent?: boolean
  /** With dieWithParent: left to the parent-death signal at exit instead of the exit handlers. */
  outliveExitHandlers?: boolean
}

export function startProcess(command: string, args: readonly string[], options: StartOptions = {}): Started {
  const { exitSignal, dieWithParent, outliveExitHandlers, ...spawnOptions } = options
  const guarded = dieWithParent === true && process.platform === 'linux' && existsSync(SETPRIV)
  const [file, argv] = guarded ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args]
  const child = spawn(file, argv, { stdio: 'ignore', ...spawnOptions, detached: process.platform !== 'win32' })
  if (child.pid === undefined) throw new Error(`could not start ${command}`)
  const pid = child.pid
  const registration = registerProcessGroup(pid, undefined, guarded && outliveExitHandlers ? null : exitSignal)
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
    child.once('error', () => resolve(-1))
  })
  return {
    pid,
    child,
    exited,
    async stop() {
      await registration.release()
      if (isAlive(pid)) await exited
    },
  }
}
