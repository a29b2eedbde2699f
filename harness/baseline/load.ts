// Finds and reads a baseline: a file in the repository, or a directory downloaded from a previous
// CI run (the main branch's artifact), searched for baseline files, the newest of which wins.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { isUserError, UserError } from '../errors.ts'
import { BASELINE_KIND, parseBaseline, type LoadedBaseline } from './format.ts'

export interface LoadBaselineOptions {
  /** Directory relative sources resolve against; default process.cwd(). */
  cwd?: string
}

const HINT = 'write one with `npm run bench:baseline`, or download the main branch\'s bench artifact'
const SKIP_DIRS = new Set(['node_modules', '.git'])
const MAX_DEPTH = 8
const KIND_MARK = new RegExp(`"kind"\\s*:\\s*"${BASELINE_KIND}"`)

function displayName(full: string, cwd: string): string {
  const rel = relative(cwd, full)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : full
}

/** Reads a baseline from a file, or the newest baseline found in a directory (recursively). */
export function loadBaseline(source: string, opts: LoadBaselineOptions = {}): LoadedBaseline {
  const cwd = opts.cwd ?? process.cwd()
  const full = resolve(cwd, source)
  if (!existsSync(full)) {
    throw new UserError({ file: source, message: 'baseline not found', expected: 'a baseline JSON file or a directory holding one', hint: HINT })
  }
  if (statSync(full).isDirectory()) return newestIn(full, cwd)
  return readBaselineFile(full, cwd)
}

function readBaselineFile(full: string, cwd: string): LoadedBaseline {
  const file = displayName(full, cwd)
  let text: string
  try {
    text = readFileSync(full, 'utf8')
  } catch (e) {
    throw new UserError({ file, message: `cannot read the baseline (${(e as NodeJS.ErrnoException).code ?? 'read error'})`, expected: 'a readable JSON file' })
  }
  return parseBaseline(text, file)
}

/** Whether a JSON file declares itself a baseline (its kind comes first; only the head is read). */
function looksLikeBaseline(path: string): boolean {
  const buf = Buffer.alloc(512)
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const n = readSync(fd, buf, 0, buf.length, 0)
    return KIND_MARK.test(buf.subarray(0, n).toString('utf8'))
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Every file under `dir` that declares itself a baseline. */
export function findBaselineFiles(dir: string): string[] {
  const found: string[] = []
  const walk = (d: string, depth: number): void => {
    let entries
    try {
      entries = readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = join(d, e.name)
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP_DIRS.has(e.name)) walk(p, depth + 1)
      } else if (e.isFile() && e.name.endsWith('.json') && looksLikeBaseline(p)) {
        found.push(p)
      }
    }
  }
  walk(dir, 0)
  return found.sort()
}

function newestIn(dir: string, cwd: string): LoadedBaseline {
  const files = findBaselineFiles(dir)
  if (files.length === 0) {
    throw new UserError({
      file: displayName(dir, cwd),
      message: 'no baseline in this directory or below',
      expected: `a *.json file with "kind": "${BASELINE_KIND}"`,
      hint: `${HINT}; a zipped artifact must be unpacked first`,
    })
  }
  const valid: LoadedBaseline[] = []
  let firstError: UserError | undefined
  for (const f of files) {
    try {
      valid.push(readBaselineFile(f, cwd))
    } catch (e) {
      if (!isUserError(e)) throw e
      firstError ??= e
    }
  }
  if (valid.length === 0) throw firstError!
  // Newest by the time the baseline run ended; ties (copies) by path, so the choice is stable.
  valid.sort((a, b) => a.data.created.localeCompare(b.data.created) || a.file.localeCompare(b.file))
  return valid[valid.length - 1]!
}
