// compareTrees: is `dst` an exact mirror of the source? Checked, for every path under either root
// (the roots themselves are not compared):
//
//   missing  in the source, not in dst (a directory's missing children are not listed again);
//   extra    in dst, not in the source (what the mirror should have deleted; likewise once per dir);
//   type     file in one, directory or symlink in the other;
//   size     regular files of different sizes (their content is then not hashed);
//   content  same size, different sha256 (symlinks: different targets);
//   mode     permission bits (mode & 0o7777) of files and directories differ (opts.modes, default on);
//   mtime    file mtimes differ by more than MTIME_TOLERANCE_MS = 1 ms (opts.mtimes, default on).
//            rsync -a, rclone (local) and cp -a keep nanoseconds; 1 ms absorbs a file system
//            or tool that keeps only microseconds or milliseconds, while whole seconds (a tool
//            that truncates) fail — the generated mtimes have a millisecond part for that.
//            Directory mtimes are not compared: writing a directory's entries changes it, and
//            tools differ in whether they restore it afterwards.
//
// A GeneratedTree source is read from its manifest (sha256 per file), so only dst is hashed.
// The files whose content must be compared (same type, same size) are hashed first, in one batch
// split over the cores (./hash-files.ts); then the diffs are listed in path order.
import { lstatSync, readlinkSync } from 'node:fs'
import { hashFiles } from './hash-files.ts'
import type { GeneratedTree } from './trees.ts'
import { manifestOf } from './trees.ts'
import { walk, type EntryType } from './walk.ts'

export interface TreeDiff {
  path: string
  what: 'missing' | 'extra' | 'size' | 'content' | 'mode' | 'mtime' | 'type'
  expected?: string
  actual?: string
}

export interface CompareOptions {
  /** Compare file mtimes (default true). */
  mtimes?: boolean
  /** Compare permission bits (default true). */
  modes?: boolean
  /** Stop after this many diffs (default 100). */
  maxDiffs?: number
}

export const MTIME_TOLERANCE_MS = 1

interface Entry {
  type: EntryType
  size: number
  mode: number
  mtimeMs: number
  /** sha256 hex of a file, target of a symlink; computed lazily for dst. */
  digest?: string
}

function scan(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>()
  for (const [rel, type] of walk(root)) {
    const st = lstatSync(`${root}/${rel}`)
    out.set(rel, { type, size: st.size, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs })
  }
  return out
}

/** Fills in the digests of the files whose content will be compared (symlinks: their targets). */
async function digestAll(srcRoot: string, want: Map<string, Entry>, dst: string, have: Map<string, Entry>): Promise<void> {
  const todo: Array<{ path: string; size: number; entry: Entry }> = []
  for (const [rel, h] of have) {
    const w = want.get(rel)
    if (!w || w.type !== h.type || (h.type === 'file' && w.size !== h.size)) continue
    for (const [root, e] of [[srcRoot, w], [dst, h]] as const) {
      if (e.digest !== undefined) continue
      if (e.type === 'symlink') e.digest = readlinkSync(`${root}/${rel}`)
      else if (e.type === 'file') todo.push({ path: `${root}/${rel}`, size: e.size, entry: e })
    }
  }
  const digests = await hashFiles(todo)
  todo.forEach((t, i) => (t.entry.digest = digests[i]))
}

function sourceEntries(src: GeneratedTree): Map<string, Entry> {
  const m = manifestOf(src)
  const out = new Map<string, Entry>()
  for (const [path, mode] of m.dirs) out.set(path, { type: 'dir', size: 0, mode, mtimeMs: 0 })
  for (const [path, size, mode, mtimeMs, digest] of m.entries) out.set(path, { type: 'file', size, mode, mtimeMs, digest })
  return out
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0')
}

function under(path: string, dir: string | null): boolean {
  return dir !== null && path.startsWith(`${dir}/`)
}

/** Every difference between the source (a generated tree or a directory) and `dst`, by path. */
export async function compareTrees(src: GeneratedTree | string, dst: string, opts: CompareOptions = {}): Promise<{ files: number; bytes: number; diffs: TreeDiff[] }> {
  const mtimes = opts.mtimes ?? true
  const modes = opts.modes ?? true
  const maxDiffs = opts.maxDiffs ?? 100
  const srcRoot = typeof src === 'string' ? src : src.dir
  const want = typeof src === 'string' ? scan(src) : sourceEntries(src)
  const have = scan(dst)
  await digestAll(srcRoot, want, dst, have)
  const paths = [...new Set([...want.keys(), ...have.keys()])].sort()
  const diffs: TreeDiff[] = []
  let files = 0
  let bytes = 0
  let gone: string | null = null // a directory reported missing or extra: its children are skipped
  for (const path of paths) {
    if (diffs.length >= maxDiffs) break
    if (under(path, gone)) continue
    const w = want.get(path)
    const h = have.get(path)
    if (w && w.type === 'file') {
      files++
      bytes += w.size
    }
    const add = (what: TreeDiff['what'], expected?: string, actual?: string) => diffs.push({ path, what, expected, actual })
    if (!h || !w) {
      add(h ? 'extra' : 'missing', w?.type, h?.type)
      if ((w ?? h)!.type === 'dir') gone = path
      continue
    }
    if (w.type !== h.type) {
      add('type', w.type, h.type)
      gone = w.type === 'dir' || h.type === 'dir' ? path : gone
      continue
    }
    if (w.type === 'file' && w.size !== h.size) add('size', String(w.size), String(h.size))
    else if (w.type === 'file' || w.type === 'symlink') {
      if (w.digest !== h.digest) add('content', w.digest, h.digest)
    }
    if (modes && w.type !== 'symlink' && w.mode !== h.mode) add('mode', octal(w.mode), octal(h.mode))
    if (mtimes && w.type === 'file' && Math.abs(w.mtimeMs - h.mtimeMs) > MTIME_TOLERANCE_MS) {
      add('mtime', new Date(w.mtimeMs).toISOString(), new Date(h.mtimeMs).toISOString())
    }
  }
  return { files, bytes, diffs: diffs.slice(0, maxDiffs) }
}

function short(digest: string | undefined): string {
  return digest === undefined ? '?' : digest.length === 64 && /^[0-9a-f]+$/.test(digest) ? `${digest.slice(0, 4)}…` : digest
}

/** One line for a diff, e.g. "d0003/f0000042.bin: content differs (sha256 ab12… vs 9f0e…)". */
export function describeDiff(d: TreeDiff): string {
  switch (d.what) {
    case 'missing':
      return `${d.path}: missing from the copy (a ${d.expected ?? 'file'} in the source)`
    case 'extra':
      return `${d.path}: extra in the copy (a ${d.actual ?? 'file'} not in the source)`
    case 'type':
      return `${d.path}: a ${d.expected} in the source but a ${d.actual} in the copy`
    case 'size':
      return `${d.path}: size differs (${d.expected} vs ${d.actual} bytes)`
    case 'content':
      return `${d.path}: content differs (sha256 ${short(d.expected)} vs ${short(d.actual)})`
    case 'mode':
      return `${d.path}: mode differs (${d.expected} vs ${d.actual})`
    case 'mtime':
      return `${d.path}: mtime differs (${d.expected} vs ${d.actual})`
  }
}
