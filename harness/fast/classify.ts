// Which path served a session, read off the files the reader's process tree held open (the
// sampler's open_zgy_paths column), not taken on trust from the mode it was asked to run in:
//
//   NAS_ZGY             a file under one of the NAS roots (nas.shares; the embedded NAS directory)
//   FAST_VZGY_AzureVDS  a file under a FAST root (fast.mount_root or fast.cache_dir): the virtual
//                       ZGY FAST presents for a volume streamed from Azure Blob (OpenVDS chunks)
//   mixed               files under both kinds of root
//   unknown             no open volume file seen under any configured root
//
// A path belongs to the root that is its longest prefix, so a FAST cache kept inside a NAS share
// still counts as FAST. Paths compare after resolving; on Windows also case-insensitively and
// with either slash.
import { resolve, sep } from 'node:path'

export type ObservedSource = 'NAS_ZGY' | 'FAST_VZGY_AzureVDS' | 'mixed' | 'unknown'

export interface SourceRoots {
  nas: readonly string[]
  fast: readonly string[]
}

function normal(path: string, windows: boolean): string {
  const p = windows ? path.replaceAll('/', '\\') : resolve(path)
  return windows ? p.toLowerCase() : p
}

function under(path: string, root: string, separator: string): boolean {
  return path === root || path.startsWith(root.endsWith(separator) ? root : root + separator)
}

/** The kind of root a path lies under, or null. */
export function rootKind(path: string, roots: SourceRoots, windows = process.platform === 'win32'): 'nas' | 'fast' | null {
  const separator = windows ? '\\' : sep
  const p = normal(path, windows)
  let best: { kind: 'nas' | 'fast'; length: number } | null = null
  for (const kind of ['nas', 'fast'] as const) {
    for (const root of roots[kind]) {
      const r = normal(root, windows).replace(/[\\/]+$/, '') || separator
      if (under(p, r, separator) && (!best || r.length > best.length)) best = { kind, length: r.length }
    }
  }
  return best?.kind ?? null
}

/** Classifies the open volume files seen during a session. */
export function classifySource(paths: Iterable<string>, roots: SourceRoots, windows = process.platform === 'win32'): ObservedSource {
  let nas = false
  let fast = false
  for (const path of paths) {
    const kind = rootKind(path, roots, windows)
    if (kind === 'nas') nas = true
    if (kind === 'fast') fast = true
  }
  return nas && fast ? 'mixed' : nas ? 'NAS_ZGY' : fast ? 'FAST_VZGY_AzureVDS' : 'unknown'
}

/** The source each mode must be observed as. */
export const EXPECTED_SOURCE: Record<'A' | 'B', ObservedSource> = { A: 'NAS_ZGY', B: 'FAST_VZGY_AzureVDS' }
