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

/** Running processes matching `query` (never this process), and how many could not be read. */
export function findInstances(query: InstanceQuery, procRoot = '/proc'): { found: Instance[]; unreadable: number } {
  const found: Instance[] = []
  let unreadable = 0
  if (!procAvailable(procRoot)) return { found, unreadable }
  const program = real(query.program)
  const script = query.script === undefined ? undefined : real(query.script)
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
    if (exe !== program && real(exe) !== program) continue
    let args: string[]
    try {
      args = readFileSync(`${procRoot}/${entry}/cmdline`, 'utf8').split('\0').filter((a) => a !== '')
    } catch {
      continue // exited meanwhile
    }
    if (script !== undefined) {
      let cwd: string
      try {
        cwd = readlinkSync(`${procRoot}/${entry}/cwd`)
      } catch {
        continue
      }
      if (!args.slice(1).some((a) => !a.startsWith('-') && real(isAbsolute(a) ? a : resolve(cwd, a)) === script)) continue
    }
    const cmdline = args.join(' ')
    found.push({ pid: Number(entry), exe, cmdline: cmdline.length > 200 ? `${cmdline.slice(0, 199)}…` : cmdline })
  }
  return { found: found.sort((a, b) => a.pid - b.pid), unreadable }
}
