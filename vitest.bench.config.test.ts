// Proves the project layout with the real config files: `vitest bench --project NAME` (plain
// spelling) runs that family's bench files and only them, and the unit run runs no benchmark.
// The configs are copied into a scratch root with one tiny bench file per family, so the proof
// does not depend on which scenarios exist yet.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BENCH_PROJECTS } from './vitest.bench.config.ts'

const run = promisify(execFile)
const repo = import.meta.dirname
let root: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bg-projects-'))
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'junction')
  for (const f of ['package.json', 'vitest.config.ts', 'vitest.bench.config.ts']) cpSync(join(repo, f), join(root, f))
  // the configs' plugin (secret scrubbing) and reporters, without their tests
  mkdirSync(join(root, 'reporters'))
  for (const f of readdirSync(join(repo, 'reporters')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    symlinkSync(join(repo, 'reporters', f), join(root, 'reporters', f))
  }
  for (const p of BENCH_PROJECTS) {
    mkdirSync(join(root, 'benches', p), { recursive: true })
    cpSync(join(repo, 'benches', p, 'vitest.config.ts'), join(root, 'benches', p, 'vitest.config.ts'))
    writeFileSync(
      join(root, 'benches', p, 'probe.bench.ts'),
      `import { expect, test } from 'vitest'\ntest('${p} probe', async ({ bench }) => {\n  const r = await bench('noop', () => {}).run({ iterations: 5, time: 1 })\n  expect(r.latency.samplesCount).toBeGreaterThan(0)\n})\n`,
    )
  }
  mkdirSync(join(root, 'harness'))
  writeFileSync(join(root, 'harness', 'unit.test.ts'), `import { expect, test } from 'vitest'\ntest('unit probe', () => expect(1).toBe(1))\n`)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

// The child runs are independent (each writes only its own report), so the tests run concurrently,
// two children at a time: each is mostly a Vitest start-up loading the eight project configs.
const CHILDREN_AT_ONCE = 2
let children = 0
const waiting: (() => void)[] = []

async function vitest(args: string[]): Promise<{ files: string[]; passed: number }> {
  const out = join(root, `out-${Math.random().toString(36).slice(2)}.json`)
  while (children >= CHILDREN_AT_ONCE) await new Promise<void>((r) => waiting.push(r))
  children++
  try {
    await run(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), ...args, '--reporter=json', `--outputFile=${out}`], {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      timeout: 120_000,
    })
  } finally {
    children--
    waiting.shift()?.()
  }
  const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { name: string }[]; numPassedTests: number }
  return { files: report.testResults.map((t) => relative(root, t.name)).sort(), passed: report.numPassedTests }
}

// (a test's time includes its wait for a free child slot; each child has its own 120 s limit)
describe.concurrent('bench projects', { timeout: 300_000 }, () => {
  test.each(BENCH_PROJECTS)('`vitest bench --project %s` runs that family only', async (p) => {
    const { files, passed } = await vitest(['bench', '--project', p])
    expect(files).toEqual([`benches/${p}/probe.bench.ts`])
    expect(passed).toBe(1)
  })

  test('the unit project runs unit tests and no benchmark', async () => {
    const { files } = await vitest(['run', '--project', 'unit'])
    expect(files).toEqual(['harness/unit.test.ts'])
  })

  test('a name that is not a bench project is refused', async () => {
    const { benchProject } = await import('./vitest.bench.config.ts')
    expect(() => benchProject('/x/benches/nope')).toThrow(/'nope' is not a bench project; expected one of fast-ab, /)
  })
})
