// Everything a fixture starts (process groups, temp directories) is registered here and released
// in the fixture's teardown. If the worker is stopped before teardown runs (Ctrl-C, timeout kill,
// crash) the exit and signal handlers below release what is left, synchronously.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

type Resource = { kind: 'process-group'; pid: number; exitSignal: NodeJS.Signals | null } | { kind: 'dir'; path: string }

const live = new Set<Resource>()
let hooked = false

function releaseSync(r: Resource): void {
  if (r.kind === 'dir') {
    rmSync(r.path, { recursive: true, force: true })
  } else if (r.exitSignal) {
    killGroup(r.pid, r.exitSignal)
  }
}

function releaseAllSync(): void {
  for (const r of [...live].reverse()) {
    try {
      releaseSync(r)
    } catch {
      // best effort at exit: keep releasing the rest
    }
    live.delete(r)
  }
}

function hook(): void {
  if (hooked) return
  hooked = true
  process.once('exit', releaseAllSync)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      releaseAllSync()
      process.kill(process.pid, signal)
    })
  }
}

/** Sends a signal to a whole process group (pid of its leader); false if it is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal)
    return true
  } catch {
    return false
  }
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  if (process.platform !== 'linux') return true
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Live (non-zombie) processes whose process group is `pgid` (Linux /proc; none elsewhere). */
export function groupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') return []
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(name))
    } catch {
      // vanished while we looked
    }
  }
  return out
}

export interface Registration {
  release(): Promise<void>
}

/**
 * Registers a process group leader so it is stopped at teardown or exit. At exit there is no time
 * for a grace period, so the group gets `exitSignal` at once: SIGKILL by default; SIGTERM for a
 * helper that cleans up after itself quickly and synchronously on SIGTERM (Azurite with
 * ../run/orphan-guard.ts removes its workspace), which SIGKILL would prevent; null for a process
 * the kernel kills when this one has ended (started with a parent-death signal, ./processes.ts).
 */
export function registerProcessGroup(pid: number, graceMs = 2000, exitSignal: NodeJS.Signals | null = 'SIGKILL'): Registration {
  hook()
  const r: Resource = { kind: 'process-group', pid, exitSignal }
  live.add(r)
  return {
    async release() {
      live.delete(r)
      if (!killGroup(pid, 'SIGTERM')) return
      const deadline = Date.now() + graceMs
      while (Date.now() < deadline && isAlive(pid)) await new Promise((ok) => setTimeout(ok, 25))
      killGroup(pid, 'SIGKILL')
    },
  }
}

/** Creates a temp directory that is removed at teardown or exit. */
export function makeTempDir(prefix = 'benchgate-'): { path: string } & Registration {
  return registerDir(mkdtempSync(join(tmpdir(), prefix)))
}

/** Registers a directory (made by the caller) so it is removed at teardown or exit. */
export function registerDir(path: string): { path: string } & Registration {
  hook()
  const r: Resource = { kind: 'dir', path }
  live.add(r)
  return {
    path,
    async release() {
      live.delete(r)
      rmSync(path, { recursive: true, force: true })
    },
  }
}

/** How many resources are still registered (for tests). */
export function liveResources(): number {
  return live.size
}
