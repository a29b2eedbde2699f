// Atomic output: a file appears whole under its final name or not at all. Writers that stream
// keep the `.partial` suffix until they finish, so an interrupted run never looks complete.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync, type PathLike } from 'node:fs'
import { dirname } from 'node:path'

export const PARTIAL_SUFFIX = '.partial'

/** Writes `data` to `path` through a temp file in the same directory and a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}

/**
 * A file written piece by piece: lives at `<path>.partial` until `finish()` renames it to `path`.
 * If the writer never finishes (crash, timeout, Ctrl-C) the `.partial` file stays as evidence.
 */
export class PartialFile {
  readonly path: string
  readonly partialPath: string
  #fd: number | null

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true })
    this.path = path
    this.partialPath = path + PARTIAL_SUFFIX
    this.#fd = openSync(this.partialPath, 'w')
  }

  get finished(): boolean {
    return this.#fd === null
  }

  append(data: string | Uint8Array): void {
    if (this.#fd === null) throw new Error(`${this.path}: already finished`)
    writeSync(this.#fd, typeof data === 'string' ? Buffer.from(data) : data)
  }

  finish(): void {
    if (this.#fd === null) return
    fsyncSync(this.#fd)
    closeSync(this.#fd)
    this.#fd = null
    renameSync(this.partialPath, this.path)
  }

  /** Closes without renaming: the file stays marked partial. */
  abandon(): void {
    if (this.#fd === null) return
    closeSync(this.#fd)
    this.#fd = null
  }
}

export function isPartial(path: PathLike): boolean {
  return String(path).endsWith(PARTIAL_SUFFIX)
}
