// The npm package, end to end: `npm pack` (its prepack compiles dist/), `npm install` of the tarball
// into an empty project with no clone, then the installed `benchgate` and `vscsi-helper` commands
// and a user's own bench file, importing { test, expect } from 'benchgate' under the user's own
// vitest.config.ts. Installs from the npm registry (about a minute).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { afterAll, expect, test } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'benchgate-pack-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// This Node (24, the `node` dev dependency) first on PATH: npm, npx and the installed bins' `#!/usr/bin/env node`.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' }
// npm at a low CPU priority (nice, where there is one): the build and the install must not slow the
// timing-sensitive tests that run beside this one.
const nice = process.platform !== 'win32' && spawnSync('nice', ['true']).status === 0
const npm = (args: string[], cwd: string) => execFileSync(nice ? 'nice' : 'npm', nice ? ['-n', '15', 'npm', ...args] : args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 })

const USER_CONFIG = `import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { benchmark: { include: ['**/*.bench.ts'], exclude: ['node_modules/**'] } } })
`
const USER_BENCH = `import { createHash } from 'node:crypto'
import { expect, test } from 'benchgate'

test('hashing a megabyte', async ({ kpi, run }) => {
  const data = Buffer.alloc(1 << 20, 7)
  const started = performance.now()
  const digest = createHash('sha256').update(data).digest('hex')
  const ms = performance.now() - started
  kpi('hash_ms', ms, 'ms', { better: 'lower' })
  expect(digest).toHaveLength(64)
  expect(ms).toBeAtMost(10_000)
  expect(run.dir).toContain('results')
})
`

// POSIX shells only (npm is npm.cmd on Windows, and the bins are .cmd shims there): left out on Windows.
test.skipIf(process.platform === 'win32')('npm pack installs into an empty project: benchgate and vscsi-helper on PATH, a user bench file runs', { timeout: 300_000 }, () => {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT)) as { filename: string; files: { path: string }[] }[]
  const tarball = join(work, packed[0]!.filename)
  const files = packed[0]!.files.map((f) => f.path)
  expect(files).toContain('dist/bin/benchgate.js')
  expect(files).toContain('dist/harness/test.d.ts')
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]) // JavaScript only: Node strips no types under node_modules

  const project = join(work, 'user-project')
  execFileSync('mkdir', [project])
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-benches', private: true, type: 'module' }))
  npm(['install', '--no-audit', '--no-fund', tarball], project)
  expect(existsSync(join(project, 'node_modules', 'benchgate', 'bin', 'benchgate.ts'))).toBe(false)

  const bin = (name: string, args: string[]) => spawnSync(join(project, 'node_modules', '.bin', name), args, { cwd: project, env, encoding: 'utf8', timeout: 60_000 })
  const help = bin('benchgate', ['--help'])
  expect(help.status, help.stderr).toBe(0)
  for (const command of ['probe', 'metrics', 'reader', 'analyze', 'pr', 'competitive', 'run']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'))
  for (const command of ['probe', 'metrics', 'analyze']) {
    const r = bin('benchgate', [command, '--help'])
    expect(r.status, `${command}: ${r.stderr}`).toBe(0)
    expect(r.stdout).toContain(`usage: benchgate ${command}`)
  }
  const vscsi = bin('vscsi-helper', ['--help'])
  expect(`${vscsi.stdout}${vscsi.stderr}`).toContain('usage: vscsi-helper')

  // the user's own bench file and vitest.config.ts; vitest comes as the package's peer dependency
  writeFileSync(join(project, 'vitest.config.ts'), USER_CONFIG)
  writeFileSync(join(project, 'my.bench.ts'), USER_BENCH)
  const bench = spawnSync(join(project, 'node_modules', '.bin', 'vitest'), ['bench', '--run'], { cwd: project, env: { ...env, CI: '1' }, encoding: 'utf8', timeout: 120_000 })
  expect(bench.status, `${bench.stdout}\n${bench.stderr}`).toBe(0)
  expect(bench.stdout).toMatch(/1 passed/)
  const stamp = readdirSync(join(project, 'results'))[0]!
  const dir = join(project, 'results', stamp, 'bench', 'hashing-a-megabyte')
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; file: string }
  expect(run).toMatchObject({ status: 'passed', file: 'my.bench.ts' })
  const kpis = JSON.parse(readFileSync(join(dir, 'kpis.json'), 'utf8')) as unknown
  expect(JSON.stringify(kpis)).toContain('"hash_ms"')
})
