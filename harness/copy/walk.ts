// Every entry under a directory, relative paths with '/' separators, one readdir per directory.
import { readdirSync, type Dirent } from 'node:fs'

export type EntryType = 'file' | 'dir' | 'symlink' | 'other'

export function entryType(d: Dirent): EntryType {
  return d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'other'
}

/** [relative path, type] of everything under `root` (not root itself), parents before children. */
export function walk(root: string): Array<[string, EntryType]> {
  const out: Array<[string, EntryType]> = []
  const visit = (rel: string): void => {
    for (const d of readdirSync(rel === '' ? root : `${root}/${rel}`, { withFileTypes: true })) {
      const path = rel === '' ? d.name : `${rel}/${d.name}`
      const type = entryType(d)
      out.push([path, type])
      if (type === 'dir') visit(path)
    }
  }
  visit('')
  return out
}
