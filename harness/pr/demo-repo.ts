// A throwaway git repository for proving `benchgate pr` end to end: one bench project, `demo`,
// with one bench file whose work is fixed by work.json (SHA-256 over `bytes` bytes; a head that
// raises `bytes` by 5 % is a true 5 % slowdown). Its package.json and package-lock.json are
// benchgate's own and its node_modules hard links of benchgate's install, as a clone on which
// `npm ci` ran: `benchgate pr` seeds its lockfile cache from it, so no test downloads anything.
// Only the packages the demo's bench runs need are linked (vitest and node, with what they depend
// on: some 2,000 entries instead of 60,000), since every worktree and cache entry is another
// hard-linked copy, and copying and removing the whole install five times took ~20 s of each run.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

const BENCHGATE_ROOT = resolve(import.meta.dirname, '../..')

export const DEMO_BYTES = 4 * 1024 * 1024

const ROOT_CONFIG = `import { defineConfig } from 'vitest/config'

export default defineConfig({ test: { projects: ['bench/vitest.config.ts'] } })
`

// A container project so that \`vitest bench --project demo\` selects it (benchgate's
// vitest.bench.config.ts says why).
const CONTAINER_CONFIG = `import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'demo',
    projects: [{ test: { name: 'scenarios', root: resolve(import.meta.dirname, '..'), include: [], benchmark: { include: ['bench/**/*.bench.ts'], retainSamples: true } } }],
  },
})
`

const BENCH = (iterations: number) => `import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { test } from 'vitest'

const ITERATIONS = ${iterations}
const { bytes } = JSON.parse(readFileSync(new URL('../work.json', import.meta.url), 'utf8')) as { bytes: number }
const chunk = new Uint8Array(256 * 1024).map((_, i) => (i * 2654435761) >>> 24)

function work(): Buffer {
  const hash = createHash('sha256')
  for (let left = bytes; left > 0; left -= chunk.length) hash.update(left >= chunk.length ? chunk : chunk.subarray(0, left))
  return hash.digest()
}

test('fixed work', async ({ bench }) => {
  await bench('sha256 of work.json bytes', work).run({ iterations: ITERATIONS, warmupIterations: 5 })
})
`

/** What the demo's bench runs load: vitest (the worktrees' node_modules/.bin/vitest) and node (run.ts prefers node_modules/.bin/node). */
const DEMO_PACKAGES = ['vitest', 'node']

/**
 * Hard-links into `to` the top-level packages of the install `from` that `roots` need (their
 * dependencies, optional and peer dependencies that are installed, resolved as Node resolves them),
 * with npm's hidden lockfile (.package-lock.json) and the .bin links that point into them.
 */
function linkInstall(from: string, to: string, roots: readonly string[]): void {
  const top = new Set<string>()
  const seen = new Set<string>()
  const resolvePackage = (name: string, dir: string): string | null => {
    for (let d = dir; ; d = dirname(d)) {
      const p = join(d, 'node_modules', name)
      if (existsSync(join(p, 'package.json'))) return p
      if (d === dirname(from) || d === dirname(d)) return null
    }
  }
  const visit = (dir: string) => {
    if (seen.has(dir)) return
    seen.add(dir)
    top.add(packageOf(relative(from, dir)))
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const dep of Object.keys(pkg[field] ?? {})) {
        const found = resolvePackage(dep, dir)
        if (found) visit(found)
      }
    }
  }
  for (const root of roots) visit(join(from, root))
  mkdirSync(join(to, '.bin'), { recursive: true })
  for (const name of top) {
    if (name.startsWith('@')) mkdirSync(join(to, dirname(name)), { recursive: true })
    execFileSync('cp', ['-al', join(from, name), join(to, name)])
  }
  copyFileSync(join(from, '.package-lock.json'), join(to, '.package-lock.json'))
  for (const bin of readdirSync(join(from, '.bin'))) {
    const path = join(from, '.bin', bin)
    // npm's shims on Windows are files, not links: copied as they are
    if (!lstatSync(path).isSymbolicLink()) copyFileSync(path, join(to, '.bin', bin))
    else if (top.has(packageOf(relative(from, resolve(from, '.bin', readlinkSync(path)))))) symlinkSync(readlinkSync(path), join(to, '.bin', bin))
  }
}

/** The top-level package a path inside node_modules belongs to: `vitest`, `@vitest/ui`. */
function packageOf(path: string): string {
  const parts = path.split(sep)
  return parts.slice(0, parts[0]!.startsWith('@') ? 2 : 1).join('/')
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=benchgate', '-c', 'user.email=benchgate@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

export interface DemoRepo {
  dir: string
  /** The first commit: the base of every PR run. */
  base: string
  /** Commits a head on a new branch from base: an empty change, or the work scaled by `factor`; `addTask` adds a second benchmark. */
  commitHead(name: string, factor: number, opts?: { addTask?: boolean }): string
}

/** `iterations`: samples per bench run of the fixed work (about 10 ms each); more make each run's median steadier under load. */
export function makeDemoRepo(dir: string, opts: { iterations?: number } = {}): DemoRepo {
  const bench = BENCH(opts.iterations ?? 60)
  mkdirSync(join(dir, 'bench'), { recursive: true })
  copyFileSync(join(BENCHGATE_ROOT, 'package.json'), join(dir, 'package.json'))
  copyFileSync(join(BENCHGATE_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'))
  writeFileSync(join(dir, 'vitest.config.ts'), ROOT_CONFIG)
  writeFileSync(join(dir, 'bench', 'vitest.config.ts'), CONTAINER_CONFIG)
  writeFileSync(join(dir, 'bench', 'work.bench.ts'), bench)
  writeFileSync(join(dir, 'work.json'), `${JSON.stringify({ bytes: DEMO_BYTES })}\n`)
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n.benchgate-cache/\nresults/\n')
  linkInstall(join(BENCHGATE_ROOT, 'node_modules'), join(dir, 'node_modules'), DEMO_PACKAGES)
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'base: fixed work')
  const base = git(dir, 'rev-parse', 'HEAD')
  return {
    dir,
    base,
    commitHead(name, factor, opts = {}) {
      git(dir, 'checkout', '-q', '-B', name, base)
      if (opts.addTask) {
        writeFileSync(join(dir, 'bench', 'work.bench.ts'), bench.replace("  await bench('sha256", "  await bench('a new task', work).run({ iterations: 20 })\n  await bench('sha256"))
      }
      if (factor !== 1) writeFileSync(join(dir, 'work.json'), `${JSON.stringify({ bytes: Math.round(DEMO_BYTES * factor) })}\n`)
      git(dir, 'commit', '-q', '--allow-empty', '-am', factor === 1 && !opts.addTask ? `${name}: no change` : `${name}: work × ${factor}${opts.addTask ? ', a new task' : ''}`)
      const head = git(dir, 'rev-parse', 'HEAD')
      git(dir, 'checkout', '-q', 'main')
      return head
    },
  }
}
