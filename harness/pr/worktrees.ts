// The two revisions of a `benchgate pr` run, each checked out as a git worktree of the repository
// under .benchgate-cache/pr/worktrees/<commit>, with its dependencies installed.
//
// Install: `npm ci` (or the given command) once per lockfile. Its result is kept in
// .benchgate-cache/pr/node_modules/<hash of the lockfile>/ and hard-linked (cp -al) into every
// worktree whose lockfile has that hash, so base and head of the same lockfile, and the next PR
// run, install nothing. When the repository's own node_modules was installed from an identical
// lockfile (npm's node_modules/.package-lock.json is there), it seeds the cache instead of a
// fresh install. Hard links are only read: npm ci in a worktree unlinks before it writes, and the
// build caches that tools write into node_modules (.vite, .cache) are not shared. Where cp -al is
// not available (Windows), every worktree is installed with the command.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { UserError } from '../errors.ts'

export interface Revision {
  /** As the user named it: main, origin/main, HEAD~1, a commit. */
  ref: string
  commit: string
  short: string
}

export interface Worktree extends Revision {
  dir: string
}

const HASH_FILE = '.benchgate-lockfile-hash'
const UNSHARED = ['.vite', '.cache']

function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** The repository's top folder; a clear error outside a git checkout. */
export function repoRoot(cwd: string): string {
  try {
    return git(cwd, ['rev-parse', '--show-toplevel'])
  } catch {
    throw new UserError({ file: 'benchgate pr', message: `${cwd} is not inside a git repository`, hint: 'run it from a clone of the repository whose revisions are compared' })
  }
}

export function resolveRevision(root: string, ref: string, flag: string): Revision {
  try {
    const commit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
    return { ref, commit, short: commit.slice(0, 7) }
  } catch {
    throw new UserError({ file: 'benchgate pr', field: flag, message: `no commit '${ref}' in ${root}`, expected: 'a branch, tag or commit', hint: 'fetch it first (git fetch origin main), or name the commit' })
  }
}

/** A worktree of `rev` under `cacheDir`, made or reused (detached at exactly that commit). */
export function prepareWorktree(root: string, cacheDir: string, rev: Revision): Worktree {
  const dir = resolve(cacheDir, 'worktrees', rev.commit.slice(0, 12))
  if (existsSync(dir)) {
    let at = ''
    try {
      at = git(dir, ['rev-parse', 'HEAD'])
    } catch {
      // not a worktree any more: made again below
    }
    if (at === rev.commit && git(dir, ['status', '--porcelain', '--untracked-files=no']) === '') return { ...rev, dir }
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  }
  spawnSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' })
  mkdirSync(resolve(cacheDir, 'worktrees'), { recursive: true })
  git(root, ['worktree', 'add', '--detach', '--force', dir, rev.commit])
  return { ...rev, dir }
}

/** The hash that names a dependency install: of package-lock.json (else npm-shrinkwrap.json, else package.json). */
export function lockfileHash(dir: string): string | null {
  for (const name of ['package-lock.json', 'npm-shrinkwrap.json', 'package.json']) {
    const p = join(dir, name)
    if (existsSync(p)) return createHash('sha256').update(name).update('\0').update(readFileSync(p)).digest('hex').slice(0, 16)
  }
  return null
}

/** Marks an install; unlinked first, so a hard-linked copy never writes through to the cache. */
function markInstalled(dir: string, hash: string): void {
  const p = join(dir, 'node_modules', HASH_FILE)
  rmSync(p, { force: true })
  writeFileSync(p, `${hash}\n`)
}

function installedHash(dir: string): string | null {
  try {
    return readFileSync(join(dir, 'node_modules', HASH_FILE), 'utf8').trim()
  } catch {
    return null
  }
}

function hardLinkCopy(from: string, to: string): boolean {
  if (process.platform === 'win32') return false
  return spawnSync('cp', ['-al', from, to], { stdio: 'ignore' }).status === 0
}

export interface InstallStep {
  /** What was done: 'installed', 'reused', 'linked' (from the cache), 'seeded' (cache from the repository's own install), 'none'. */
  how: 'installed' | 'reused' | 'linked' | 'seeded' | 'none'
  hash: string | null
}

export interface InstallOptions {
  /** Runs the install command in `cwd`; resolves with its exit code. */
  run: (cwd: string) => Promise<number>
  /** The command's text, for the error message. */
  command: string
}

/** Puts `cache/<hash>/node_modules` in place from `source` (a finished node_modules). */
function fillCache(entry: string, source: string): boolean {
  const partial = `${entry}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  if (!hardLinkCopy(source, join(partial, 'node_modules'))) {
    rmSync(partial, { recursive: true, force: true })
    return false
  }
  for (const u of UNSHARED) rmSync(join(partial, 'node_modules', u), { recursive: true, force: true })
  rmSync(entry, { recursive: true, force: true })
  renameSync(partial, entry)
  return true
}

async function runInstall(wt: Worktree, o: InstallOptions): Promise<void> {
  const code = await o.run(wt.dir)
  if (code !== 0) {
    throw new UserError({ file: 'benchgate pr', field: '--install', message: `\`${o.command}\` failed (exit ${code}) in the worktree of ${wt.ref} (${wt.short}) at ${wt.dir}`, hint: 'run it there by hand to see why' })
  }
}

/** Installs the worktree's dependencies, from the lockfile cache when it can. */
export async function installDependencies(root: string, cacheDir: string, wt: Worktree, o: InstallOptions): Promise<InstallStep> {
  const hash = lockfileHash(wt.dir)
  if (hash === null) return { how: 'none', hash }
  const target = join(wt.dir, 'node_modules')
  if (installedHash(wt.dir) === hash) return { how: 'reused', hash }
  const entry = resolve(cacheDir, 'node_modules', hash)
  const cached = join(entry, 'node_modules')
  let how: InstallStep['how'] = 'linked'
  if (!existsSync(cached)) {
    const own = join(root, 'node_modules')
    if (lockfileHash(root) === hash && existsSync(join(own, '.package-lock.json')) && fillCache(entry, own)) {
      how = 'seeded'
    } else {
      rmSync(target, { recursive: true, force: true })
      await runInstall(wt, o)
      markInstalled(wt.dir, hash)
      fillCache(entry, target)
      return { how: 'installed', hash }
    }
  }
  rmSync(target, { recursive: true, force: true })
  if (!hardLinkCopy(cached, target)) {
    await runInstall(wt, o)
    how = 'installed'
  }
  markInstalled(wt.dir, hash)
  return { how, hash }
}
