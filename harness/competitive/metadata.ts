// metadata.json of a competitive run: what makes its figures comparable (or not) with another
// quarter's — the checkout, the machine, the disk the results went to, and the version of every
// system measured.
//
// Facts and where they come from:
//   git        commit, branch, dirty (../run/environment.ts collectEnvironment) and the last commit's
//              subject line (`git log -1 --format=%s`); nulls outside a checkout.
//   machine    hostname, operator, OS, CPU model, cores, RAM, Node and the measuring packages' versions
//              (../run/environment.ts collectEnvironment); benchgate's version from package.json.
//   disk       of the results folder: its block device and whether the kernel calls it rotational
//              (`/sys/block/<dev>/queue/rotational`: 1 → 'rotational', 0 → 'ssd'). The device is
//              found from the folder's st_dev (major:minor → /sys/dev/block/M:m, the partition's
//              parent disk holding `queue/`), else from the mount it lies on
//              (/proc/self/mountinfo: its major:minor, or its source /dev/…). Anything else (tmpfs,
//              overlay, NFS, not Linux) is 'unknown'. A virtual disk reports what the hypervisor
//              tells the guest, which may not be the physical medium.
//   versions   of every system: given by the caller (name → the version its `version` command
//              printed, null when it has none).
//   settings   the competitive settings the run used (paths, cooldown, sampling, shortening).
// Written atomically. Nothing secret is collected: no environment variables, no system's env or
// arguments.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { writeFileAtomic } from '../run/atomic.ts'
import { collectEnvironment, type Environment, type GitFacts } from '../run/environment.ts'

export type DiskType = 'ssd' | 'rotational' | 'unknown'

export interface DiskFacts {
  type: DiskType
  /** Block device name, e.g. `sda1`, `nvme0n1p2`, `dm-0`; null when none was found. */
  device: string | null
  /** File system of the mount, e.g. `ext4`, `tmpfs`; null when unknown. */
  filesystem: string | null
  mountPoint: string | null
}

export interface Metadata {
  generatedAt: string
  benchgate: { version: string | null; commit: string | null }
  git: GitFacts & { lastMessage: string | null }
  machine: Omit<Environment, 'git'>
  resultsDir: string
  disk: DiskFacts
  versions: Record<string, string | null>
  settings?: unknown
}

export interface MetadataInput {
  /** The benchgate checkout (git facts, package.json). */
  repo: string
  /** Version of every system measured: name → version string (null: unknown). */
  versions: Readonly<Record<string, string | null>>
  /** The settings the run used (written as given). */
  settings?: unknown
}

interface Mount {
  majMin: string
  mountPoint: string
  filesystem: string
  source: string
}

/** The mounts of /proc/self/mountinfo (`id parent maj:min root mountpoint opts [optional…] - fstype source superopts`). */
export function parseMountinfo(text: string): Mount[] {
  return text.split('\n').flatMap((line) => {
    const dash = line.indexOf(' - ')
    if (dash < 0) return []
    const left = line.slice(0, dash).split(' ')
    const right = line.slice(dash + 3).split(' ')
    if (left.length < 5 || right.length < 2) return []
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    return [{ majMin: left[2]!, mountPoint: unescape(left[4]!), filesystem: right[0]!, source: unescape(right[1]!) }]
  })
}

/** glibc's major:minor of a dev_t. */
function majMinOf(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn)
  return `${major}:${minor}`
}

function nearestExisting(path: string): string {
  let p = resolve(path)
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p)
  return realpathSync(p)
}

function within(path: string, mountPoint: string): boolean {
  return mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`)
}

export interface DiskProbe {
  /** Root of sysfs (default /sys); tests point it at a fake tree. */
  sysRoot?: string
  /** Text of /proc/self/mountinfo (default: read it). */
  mountinfo?: string
  /** major:minor of the path's device (default: from stat). */
  majMin?: string
}

/** The disk facts of `path` (the nearest existing ancestor when it does not exist yet). */
export function diskOf(path: string, probe: DiskProbe = {}): DiskFacts {
  const sys = probe.sysRoot ?? '/sys'
  const unknown: DiskFacts = { type: 'unknown', device: null, filesystem: null, mountPoint: null }
  if (process.platform !== 'linux' && probe.sysRoot === undefined) return unknown
  let real: string
  let mountinfo: string
  try {
    real = nearestExisting(path)
    mountinfo = probe.mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8')
  } catch {
    return unknown
  }
  const mount = parseMountinfo(mountinfo)
    .filter((m) => within(real, m.mountPoint))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0]
  const facts: DiskFacts = { ...unknown, filesystem: mount?.filesystem ?? null, mountPoint: mount?.mountPoint ?? null }
  const candidates: string[] = []
  try {
    candidates.push(join(sys, 'dev/block', probe.majMin ?? majMinOf(statSync(real, { bigint: true }).dev)))
  } catch {
    // no stat: go by the mount
  }
  if (mount) {
    candidates.push(join(sys, 'dev/block', mount.majMin))
    if (mount.source.startsWith('/dev/')) {
      let dev = mount.source
      try {
        dev = realpathSync(dev) // /dev/mapper/vg-root → /dev/dm-0
      } catch {
        // the name as given
      }
      candidates.push(join(sys, 'class/block', basename(dev)))
    }
  }
  for (const c of candidates) {
    let dir: string
    try {
      dir = realpathSync(c)
    } catch {
      continue
    }
    // a partition (sda1) has no queue/ of its own: its disk (sda) is the parent folder
    for (const d of [dir, dirname(dir)]) {
      try {
        const flag = readFileSync(join(d, 'queue/rotational'), 'utf8').trim()
        if (flag === '0' || flag === '1') return { ...facts, type: flag === '1' ? 'rotational' : 'ssd', device: basename(dir) }
      } catch {
        // not here
      }
    }
  }
  return facts
}

function lastCommitMessage(repo: string): string | null {
  try {
    return execFileSync('git', ['log', '-1', '--format=%s'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || null
  } catch {
    return null
  }
}

function benchgateVersion(repo: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version?: string }).version ?? null
  } catch {
    return null
  }
}

/** The facts of a run whose results go to `resultsDir`. */
function collectMetadata(resultsDir: string, input: MetadataInput): Metadata {
  const { git, ...machine } = collectEnvironment(input.repo)
  return {
    generatedAt: new Date().toISOString(),
    benchgate: { version: benchgateVersion(input.repo), commit: git.commit },
    git: { ...git, lastMessage: git.commit === null ? null : lastCommitMessage(input.repo) },
    machine,
    resultsDir: resolve(resultsDir),
    disk: diskOf(resultsDir),
    versions: { ...input.versions },
    ...(input.settings === undefined ? {} : { settings: input.settings }),
  }
}

/** Writes `<dir>/metadata.json`; returns the file names written, relative to `dir`. */
export function writeMetadata(dir: string, input: MetadataInput): string[] {
  writeFileAtomic(join(dir, 'metadata.json'), `${JSON.stringify(collectMetadata(dir, input), null, 2)}\n`)
  return ['metadata.json']
}
