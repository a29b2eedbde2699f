// Stray instances of a system under test: processes already running the same program — a server
// left over from a crashed run, or a user's own instance — that would share the machine with the
// one being measured. Found by scanning /proc/<pid>/exe (the running executable, symlinks resolved,
// so /usr/bin/redis-server, a link to redis-check-rdb, matches whichever name started it); for a
// system run by Node (`command = "node"`), a Node process whose command line names the same
// script (resolved against that process's own cwd). Only reported, never stopped: a process that
// is not ours is the user's to end (by pid). Processes of other users whose exe cannot be read
// (no permission) are counted as unreadable, not guessed at. Without /proc (not Linux) nothing is
// scanned.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'

export interface Instance {
  pid: number
  exe: string
  /** The command line, arguments joined by blanks (cut to 200 characters). */
  cmdline: string
}

export interface InstanceQuery {
  /** Absolute path of the executable (resolved by the caller). */
  program: string
  /** For Node-run systems: the script's absolute path, which must appear among the arguments. */
  script?: string
}

function real(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

export function procAvailable(procRoot = '/proc'): boolean {
  return existsSync(`${procRoot}/self/exe`)
}

/**
 * Running processes matching each of `queries` (never this process), in one scan of /proc, and how
 * many processes could not be read.
 */
export function findInstances(queries: readonly InstanceQuery[], procRoot = '/proc'): { found: Instance[][]; unreadable: number } {
  const found: Instance[][] = queries.map(() => [])
  let unreadable = 0
  if (queries.length === 0 || !procAvailable(procRoot)) return { found, unreadable }
  const wanted = queries.map((q) => ({ program: real(q.program), script: q.script === undefined ? undefined : real(q.script) }))
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    let exe: string
    try {
      exe = readlinkSync(`${procRoot}/${entry}/exe`).replace(/ \(deleted\)$/, '')
    } catch (e) {
      // kernel threads have no exe (ENOENT); EACCES is another user's process
      if ((e as NodeJS.ErrnoException).code === 'EACCES') unreadable++
      continue
    }
    let realExe: string | undefined
    const matches = wanted.flatMap((w, i) => (exe === w.program || (realExe ??= real(exe)) === w.program ? [i] : []))
    if (matches.length === 0) continue
    let args: string[]
    try {
      args = readFileSync(`${procRoot}/${entry}/cmdline`, 'utf8').split('\0').filter((a) => a !== '')
    } catch {
      continue // exited meanwhile
    }
    let cwd: string | null | undefined
    const cwdOf = () => {
      if (cwd === undefined) {
        try {
          cwd = readlinkSync(`${procRoot}/${entry}/cwd`)
        } catch {
          cwd = null
        }
      }
      return cwd
    }
    const joined = args.join(' ')
    const instance: Instance = { pid: Number(entry), exe, cmdline: joined.length > 200 ? `${joined.slice(0, 199)}…` : joined }
    for (const i of matches) {
      const { script } = wanted[i]!
      if (script !== undefined) {
        const dir = cwdOf()
        if (dir === null || !args.slice(1).some((a) => !a.startsWith('-') && real(isAbsolute(a) ? a : resolve(dir, a)) === script)) continue
      }
      found[i]!.push(instance)
    }
  }
  for (const list of found) list.sort((a, b) => a.pid - b.pid)
  return { found, unreadable }
}
