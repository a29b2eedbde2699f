// The blit-parity scenario on tiny real trees with real tools: rsync against itself holds every
// gate (GO); a candidate that copies wrongly (`cp -r` keeps no mtimes) is caught with the first
// differing path named (NO-GO); a Cold run whose cache could not be dropped is marked not Cold
// and fails its gate; bad templates and missing binaries are one line naming the field.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { compareInterleaved } from '../compare/interleave.ts'
import { ConfigSchema, type Config } from '../config/schema.ts'
import { decide } from './decision.ts'
import { decisionMarkdown, parityCsv, writeDecision } from './report.ts'
import { destinationRoot, parityTools, runWorkload, workloadTrees } from './scenario.ts'
import { collectEnvironment } from '../run/environment.ts'

const ROOT = resolve(import.meta.dirname, '../..')
for (const tool of ['rsync', 'vmtouch']) {
  if (spawnSync(tool, ['--version']).error) throw new Error(`${tool} is missing: run \`bash scripts/install-debian-packages.sh\``)
}

const dir = mkdtempSync(join(tmpdir(), 'bg-parity-'))
chmodSync(dir, 0o755)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function config(bp: object): Config['blitParity'] {
  return ConfigSchema.parse({ blitParity: { cache_dir: join(dir, 'cache'), rounds: 3, max_rounds: 3, third: null, ...bp } }).blitParity
}

const TINY = { large: { bytes: 2_000_000 }, small: { files: 300 }, mixed: { large_files: 2, large_bytes: 500_000, small_files: 50 }, incremental: { files: 200, touch: 20, delete: 10, add: 10 } }
const RSYNC = { name: 'rsync', command: 'rsync -a --delete {src}/ {dst}/' }

async function measure(bp: Config['blitParity'], workload: 'small' | 'incremental', cacheState: 'Cold' | 'Warm' = 'Warm') {
  const tools = parityTools(bp)
  const trees = await workloadTrees(workload, bp)
  return runWorkload({ compare: (b, h, o) => compareInterleaved(b, h, { ...o, seed: 1 }), trees, cacheState, rounds: 3, maxRounds: 3, dstRoot: destinationRoot(bp.cache_dir), tools })
}

const thresholds = { atLeast: 0.95, memoryAtMost: 1.1, confidence: 0.95 }

describe('gates on real copies', () => {
  test('rsync against a second rsync: every copy correct, the incremental one too; the decision files are written', async () => {
    const bp = config({ workloads: TINY, candidate: { name: 'rsync-b', command: 'rsync -a --delete {src}/ {dst}/' }, baseline: RSYNC })
    const o = await measure(bp, 'incremental')
    expect(o.change).toEqual({ touched: 20, deleted: 10, added: 10 })
    expect(o.candidate.wrong).toBeUndefined()
    expect(o.candidate.checked).toBe(3)
    expect(o.candidate.runs.every((r) => r.treePeakRssBytes > 0)).toBe(true)
    const d = decide([o], thresholds)
    expect(d.workloads[0]!.gates.find((g) => g.name === 'copies correctly')!.held).toBe(true)
    const files = writeDecision(join(dir, 'out'), d, { environment: collectEnvironment(ROOT), tools: [parityTools(bp).candidate, parityTools(bp).baseline], rounds: 3, seed: 1, generatedAt: 'now' })
    expect(files).toEqual(['decision.md', 'parity.csv', 'throughput-ratio.svg', 'throughput-ratio.png', 'peak-memory.svg', 'peak-memory.png'])
    for (const f of files) expect(existsSync(join(dir, 'out', f)), f).toBe(true)
    const md = readFileSync(join(dir, 'out', 'decision.md'), 'utf8')
    expect(md).toMatch(/^# blit-parity decision: (GO|NO-GO)/)
    expect(md).toContain('rsync  version')
    expect(parityCsv(d).split('\n')[1]).toMatch(/^incremental,Warm,/)
  }, 60_000)

  test('a candidate that copies wrongly (cp -r keeps no mtimes) fails correctness with the first differing path named', async () => {
    const bp = config({ workloads: TINY, candidate: { name: 'cp-r', command: 'cp -r {src}/. {dst}/' }, baseline: RSYNC, third: { name: 'cp', command: 'cp -a {src}/. {dst}/', mirror: false } })
    const o = await measure(bp, 'small', 'Cold')
    expect(o.third?.outcome.runs).toHaveLength(3) // the third peer ran in the same rounds, and copied right
    expect(o.third?.outcome.wrong).toBeUndefined()
    expect(o.coldAchieved).toMatchObject({ cold: true, runs: 9, not_cold: 0 })
    expect(o.candidate.wrong).toMatch(/^cp-r copied small wrongly: \S+\.bin: mtime/)
    expect(o.baseline.wrong).toBeUndefined()
    const d = decide([o], thresholds)
    expect(d.go).toBe(false)
    expect(d.failing.map((g) => g.name)).toContain('copies correctly')
    expect(decisionMarkdown(d, { environment: collectEnvironment(ROOT), tools: Object.values(parityTools(bp)).filter((t) => t !== null), rounds: 3, seed: 1, generatedAt: 'now' })).toMatch(/^# blit-parity decision: NO-GO/)
  }, 60_000)
})

describe('Cold fails closed', () => {
  test('run as an unprivileged user without vmtouch, a Cold run is marked not Cold and says why', () => {
    const script = `import { makeCold } from ${JSON.stringify(join(import.meta.dirname, 'scenario-cold.ts'))}; console.log(JSON.stringify(makeCold(${JSON.stringify(dir)})))`
    const node = [process.execPath, '--input-type=module', '-e', script]
    const [cmd, ...args] = process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...node] : node
    const r = spawnSync(cmd!, args, { encoding: 'utf8', env: { PATH: '/nonexistent' } })
    expect(r.stderr).toBe('')
    const cold = JSON.parse(r.stdout) as { cold: boolean; method: string; detail: string }
    expect(cold).toMatchObject({ cold: false, method: 'none' })
    expect(cold.detail).toMatch(/drop_caches: EACCES.*vmtouch is not installed/)
  })
})

describe('bad input: one line naming the field', () => {
  test('a program that is not on PATH', () => {
    expect(() => parityTools(config({ candidate: { name: 'blit', command: 'blit-cli-missing mirror {src} {dst}' } }))).toThrow(/^blitParity\.candidate\.command: 'blit-cli-missing' is not on PATH/)
  })
  test('a tool that exits non-zero voids the run with its stderr tail', async () => {
    const bp = config({ workloads: TINY, candidate: { name: 'bad', command: 'rsync -a --no-such-flag {src}/ {dst}/' }, baseline: RSYNC })
    await expect(measure(bp, 'small')).rejects.toThrow(/blitParity\.candidate\.command: .*rsync.*exited with code 1.*no-such-flag/)
  }, 60_000)
})
