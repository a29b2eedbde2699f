// The harness fixtures, exercised for real in a child Vitest run (fixtures/selftest/): what a
// passing test leaves behind, and that no process or temp directory survives a test that
// fails, times out or is interrupted with Ctrl-C.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isAlive } from './run/cleanup.ts'
import { groupMembers } from './azure/test-support.ts'

const repo = join(import.meta.dirname, '..')
const scratch: string[] = []
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })))

interface Held {
  group: number
  sampler: number
  tempDir: string
  runDir: string
}

async function selftest(mode: 'pass' | 'fail' | 'timeout' | 'interrupt') {
  const dir = mkdtempSync(join(tmpdir(), `bg-selftest-${mode}-`))
  scratch.push(dir)
  const report = join(dir, 'held.json')
  writeFileSync(join(dir, 'benchgate.yaml'), `output:\n  results_dir: ${join(dir, 'results')}\n`)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    BG_SELFTEST_MODE: mode,
    BG_SELFTEST_REPORT: report,
    BENCHGATE_CONFIG: join(dir, 'benchgate.yaml'),
    BG_SELFTEST_ALLURE: join(dir, 'allure-results'),
  }
  delete env.BENCHGATE_RUN_STAMP
  delete env.VITEST
  delete env.VITEST_WORKER_ID
  delete env.VITEST_POOL_ID
  const child = spawn(
    process.execPath,
    [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'fixtures/selftest/vitest.config.ts', `--outputFile.json=${join(dir, 'vitest.json')}`],
    { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))))
  if (mode === 'interrupt') {
    for (let i = 0; i < 400 && !existsSync(report); i++) await new Promise((r) => setTimeout(r, 50))
    expect(existsSync(report), output).toBe(true)
    await new Promise((r) => setTimeout(r, 1500))
    process.kill(-child.pid!, 'SIGINT') // what Ctrl-C sends to the terminal's foreground group
  }
  const code = await exited
  expect(existsSync(report), output).toBe(true)
  const held = JSON.parse(readFileSync(report, 'utf8')) as Held
  return { code, held, dir, output }
}

async function runAllure(args: string[]): Promise<void> {
  const { execFile } = await import('node:child_process')
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [join(repo, 'node_modules/allure/cli.js'), ...args], { cwd: repo, timeout: 60_000 }, (err) =>
      err ? reject(err) : resolve(),
    ),
  )
}

async function expectReleased(held: Held) {
  for (let i = 0; i < 60 && (groupMembers(held.group).length || isAlive(held.sampler)); i++) {
    await new Promise((r) => setTimeout(r, 50))
  }
  expect(groupMembers(held.group), 'processes of the spawned tree').toEqual([])
  expect(isAlive(held.sampler), 'sampler agent').toBe(false)
  expect(existsSync(held.tempDir), 'temp directory').toBe(false)
}

// The four child runs are independent (each its own directory, process group and report), so they
// run concurrently: most of each is a Vitest start-up or a wait inside the child.
describe.concurrent('harness fixtures in a real Vitest run', () => {
  test('a passing test leaves a complete run directory and its KPIs reach the reporters', async () => {
    const { code, held, dir, output } = await selftest('pass')
    expect(code, output).toBe(0)
    await expectReleased(held)
    const runJson = JSON.parse(readFileSync(join(held.runDir, 'run.json'), 'utf8'))
    expect(runJson).toMatchObject({ project: 'default', status: 'passed', mode: 'A', workflow: 'open', cache_state: 'Cold' })
    for (const key of ['hostname', 'operator', 'git', 'os', 'cpu', 'ram_gb', 'node', 'dependencies', 'config_hash', 'started', 'ended']) {
      expect(runJson, key).toHaveProperty(key)
    }
    expect(runJson.dependencies.vitest).toMatch(/^5\./)
    expect(existsSync(join(held.runDir, 'run.json.partial'))).toBe(false)
    const markers = readFileSync(join(held.runDir, 'markers.tsv'), 'utf8').trim().split('\n')
    expect(markers.map((l) => l.split('\t')[1])).toEqual(['open_start', 'session_end'])
    const metrics = readFileSync(join(held.runDir, 'metrics.csv'), 'utf8').trim().split('\n')
    expect(metrics[0]!.startsWith('ts,pid,cpu_pct,rss_mb')).toBe(true)
    expect(metrics.length).toBeGreaterThanOrEqual(2)
    expect(metrics[1]!.split(',')[1]).toBe(String(held.group))
    expect(readFileSync(join(held.runDir, 'stream.txt'), 'utf8')).toBe('half of it\n')
    // KPIs travel with the test result: in Vitest's own JSON report (task meta) and in our CSV
    const vitestJson = JSON.parse(readFileSync(join(dir, 'vitest.json'), 'utf8'))
    const meta = vitestJson.testResults[0].assertionResults[0].meta.benchgate
    expect(meta.kpis).toEqual([
      { name: 'open_time_s', value: 1.25, unit: 's', better: 'lower' },
      { name: 'observed_source', value: 'NAS_ZGY', unit: '' },
    ])
    const [stamp] = readdirSync(join(dir, 'results'))
    const csv = readFileSync(join(dir, 'results', stamp!, 'benchmarks.csv'), 'utf8').trim().split('\n')
    const header = csv[0]!.split(',')
    const row = csv[1]!.split(',')
    expect(row[header.indexOf('kpi_open_time_s_s')]).toBe('1.25')
    expect(row[header.indexOf('kpi_observed_source')]).toBe('NAS_ZGY')
    // Allure: the run's files are attached to the test's result, and the report builds offline
    const allureDir = join(dir, 'allure-results')
    const result = readdirSync(allureDir)
      .filter((f) => f.endsWith('-result.json'))
      .map((f) => JSON.parse(readFileSync(join(allureDir, f), 'utf8')))
      .find((r) => r.name === 'fixture self-test')
    type Node = { attachments?: { name: string; source: string }[]; steps?: Node[] }
    const attachments = (n: Node): { name: string; source: string }[] => [...(n.attachments ?? []), ...(n.steps ?? []).flatMap(attachments)]
    const attached = attachments(result)
    expect(attached.map((a) => a.name)).toEqual(expect.arrayContaining(['run.json', 'markers.tsv', 'metrics.csv']))
    for (const a of attached) expect(existsSync(join(allureDir, a.source))).toBe(true)
    await runAllure(['generate', allureDir, '-o', join(dir, 'allure-report')])
    expect(existsSync(join(dir, 'allure-report', 'index.html'))).toBe(true)
  })

  test('a failing test releases everything and leaves unfinished artifacts marked partial', async () => {
    const { code, held } = await selftest('fail')
    expect(code).toBe(1)
    await expectReleased(held)
    expect(JSON.parse(readFileSync(join(held.runDir, 'run.json'), 'utf8')).status).toBe('failed')
    expect(existsSync(join(held.runDir, 'stream.txt.partial'))).toBe(true)
    expect(existsSync(join(held.runDir, 'stream.txt'))).toBe(false)
  })

  test('a test that times out releases everything', async () => {
    const { code, held } = await selftest('timeout')
    expect(code).toBe(1)
    await expectReleased(held)
    expect(JSON.parse(readFileSync(join(held.runDir, 'run.json'), 'utf8')).status).toBe('failed')
  })

  test('Ctrl-C releases everything and the run stays marked partial', async () => {
    const { held } = await selftest('interrupt')
    await expectReleased(held)
    const files = readdirSync(held.runDir).sort()
    expect(files).toEqual(['markers.tsv', 'metrics.csv.partial', 'run.json.partial', 'stream.txt.partial'])
    expect(JSON.parse(readFileSync(join(held.runDir, 'run.json.partial'), 'utf8')).status).toBe('running')
  })
})
