// Processes a fixture starts: each in its own process group so that stopping it stops every
// descendant too, registered for release at teardown, Ctrl-C, timeout or crash.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { registerProcessGroup, isAlive } from './cleanup.ts'

export interface Started {
  readonly pid: number
  readonly child: ChildProcess
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>
  /** Stops the whole process group: SIGTERM, then SIGKILL after the grace period. */
  stop(): Promise<void>
}

export function startProcess(command: string, args: readonly string[], options: SpawnOptions & { exitSignal?: NodeJS.Signals } = {}): Started {
  const { exitSignal, ...spawnOptions } = options
  const child = spawn(command, args, { stdio: 'ignore', ...spawnOptions, detached: process.platform !== 'win32' })
  if (child.pid === undefined) throw new Error(`could not start ${command}`)
  const pid = child.pid
  const registration = registerProcessGroup(pid, undefined, exitSignal)
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
