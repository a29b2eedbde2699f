// Untimed preparation of a destination: empty (freshDestination) or an exact mirror of a source
// tree (mirrorState, for the incremental workload's starting state). Mirrors are real copies
// (cp -a --reflink=auto: a reflink shares blocks copy-on-write where the file system can, else
// bytes are copied), never hard links: a tool writing into the destination would otherwise
// change the cached source.
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import type { GeneratedTree } from './trees.ts'

const run = promisify(execFile)

function guard(dst: string): string {
  const abs = resolve(dst)
  if (abs === '/' || abs === resolve(process.env.HOME ?? '/')) throw new Error(`${dst}: refusing to empty this directory as a copy destination`)
  return abs
}

/** rm -rf dst; mkdir -p dst. */
export function freshDestination(dst: string): void {
  const abs = guard(dst)
  rmSync(abs, { recursive: true, force: true })
  mkdirSync(abs, { recursive: true })
}

/** Copies the directory `srcDir` to `dst` (replaced) with paths, content, modes and mtimes. */
export async function copyDir(srcDir: string, dst: string): Promise<void> {
  freshDestination(dst)
  try {
    await run('cp', ['-a', '--reflink=auto', `${srcDir}/.`, dst], { maxBuffer: 16 * 1024 * 1024 })
  } catch (e) {
    const err = e as Error & { stderr?: string }
    throw new Error(`cp -a ${srcDir}/. ${dst}: ${(err.stderr ?? err.message).trim().split('\n').slice(0, 3).join('; ')}`)
  }
}

/** Makes `dst` an exact mirror of `src` (same paths, content, modes, mtimes). */
export function mirrorState(src: GeneratedTree, dst: string): Promise<void> {
  return copyDir(src.dir, dst)
}
