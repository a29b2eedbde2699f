// `benchgate run` as an operator runs it, real processes and the headless reader on a tiny volume:
// one session per call writes a run folder `benchgate analyze` aggregates; bad flags are one line
// naming the flag (exit 2); Ctrl-C during the measured session leaves no Azurite, reader or sampler
// process and no temp directory behind.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isAlive, makeTempDir } from '../run/cleanup.ts'

const repo = resolve(import.meta.dirname, '../..')
const bin = join(repo, 'bin/benchgate.ts')
const linux = process.platform === 'linux'
const dir = makeTempDir()
afterAll(() => dir.release())

interface Ran { code: number | string; stdout: string; stderr: string }

/** The child's own temp directory (TMPDIR), so the test can see that it leaves nothing there. */
function childTmp(name: string): string {
  const t = join(dir.path, `tmp-${name}`)
  mkdirSync(t, { recursive: true })
  return t
}

function childEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, TEMP: tmp, TMP: tmp, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache'), BENCHGATE_OPERATOR: 'op-test' }
  for (const k of ['VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'BENCHGATE_CONFIG', 'BENCHGATE_RUN_STAMP']) delete env[k]
  return env
}

function start(args: string[], env: NodeJS.ProcessEnv): { pid: number; exited: Promise<Ran>; stderr: () => string } {
  const c = spawn(process.execPath, [bin, ...args], { cwd: dir.path, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  c.stdout.on('data', (d) => (stdout += d))
  c.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<Ran>((res) => c.once('exit', (code, signal) => res({ code: code ?? signal ?? -1, stdout, stderr })))
  return { pid: c.pid!, exited, stderr: () => stderr }
}

const run = (args: string[], env = childEnv(childTmp('flags'))): Promise<Ran> => start(args, env).exited

function config(name: string, extra = ''): string {
  const file = join(dir.path, `${name}.yaml`)
  writeFileSync(file, `volume:\n  inlines: 96\n  crosslines: 80\n  samples: 200\n  data_dir: ${join(dir.path, 'data')}\n` +
    `workflows:\n  scrub_count: 5\n  scrub_delay_ms: 10\n${extra}output:\n  results_dir: ${join(dir.path, `results-${name}`)}\n`)
  return file
}

describe('bad flags', () => {
  const cases: [string[], RegExp][] = [
    [['--workflow', 'open', '--cache', 'Cold'], /^benchgate run: --mode: missing; expected --mode A\|B/],
    [['--mode', 'C', '--workflow', 'open', '--cache', 'Cold'], /^benchgate run: --mode: unknown value "C"; expected one of A, B/],
    [['--mode', 'A', '--workflow', 'scrub', '--cache', 'Cold'], /^benchgate run: --workflow: unknown workflow "scrub"; expected one of open, scrub-100/],
    [['--mode', 'A', '--workflow', 'open', '--cache', 'cold'], /^benchgate run: --cache: unknown value "cold"; expected one of Cold, Warm/],
    [['--mode', 'A', '--workflow', 'open', '--cache', 'Cold', '--driver', 'petrel'], /^benchgate run: --driver: unknown value "petrel"; expected one of reader, desktop/],
    [['--mode', 'A', '--workflow', 'open', '--cache', 'Cold', '--session', 'r.json'], /^benchgate run: --session: replaying a recording in benchgate run is not supported yet/],
    [['--mode', 'A', '--workflow', 'open', '--cache', 'Cold', '--config', 'missing.yaml'], /^missing\.yaml: configuration file not found/],
    [['--mode', 'A', '--bogus'], /^benchgate run: Unknown option '--bogus'/],
  ]
  test.concurrent.for(cases)('%j → one line naming the flag, exit 2', async ([args, line]) => {
    const r = await run(['run', ...args])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1)
    expect(r.stderr).toMatch(line)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

test('mode A Cold and mode B Warm: two run folders that benchgate analyze aggregates into two rows', async () => {
  const cfg = config('ab')
  const results = join(dir.path, 'results-ab')
  const tmp = childTmp('ab')
  const a = await start(['run', '--mode', 'A', '--workflow', 'scrub-100', '--cache', 'Cold', '--config', cfg], childEnv(tmp)).exited
  expect(a.code, a.stderr).toBe(0)
  const b = await start(['run', '--mode', 'B', '--workflow', 'scrub-100', '--cache', 'Warm', '--config', cfg, '--driver', 'reader'], childEnv(tmp)).exited
  expect(b.code, b.stderr).toBe(0)
  expect(b.stderr).toContain('warm-up session')

  const line = /^run: mode ([AB]) scrub-100 (Cold|Warm): scrub_time_s \d+\.\d\d s, open_time_s \d+\.\d\d s, source (\S+), data sha256 ([0-9a-f]{12})… → (\S+run\.json)\n$/
  const ma = line.exec(a.stdout)
  const mb = line.exec(b.stdout)
  expect(ma, a.stdout).not.toBeNull()
  expect(mb, b.stdout).not.toBeNull()
  expect([ma![1], ma![2], ma![3]]).toEqual(['A', 'Cold', 'NAS_ZGY'])
  expect([mb![1], mb![2], mb![3]]).toEqual(['B', 'Warm', 'FAST_VZGY_AzureVDS'])
  expect(mb![4], 'the same data through both modes').toBe(ma![4])

  for (const [m, cache, shown] of [['A', 'Cold', ma![5]!], ['B', 'Warm', mb![5]!]] as const) {
    const runJson = resolve(dir.path, shown)
    const runDir = dirname(runJson)
    expect(runDir.split(sep).join('/')).toMatch(new RegExp(`/results-ab/\\d{8}T\\d{6}Z/fast-ab/run-${m.toLowerCase()}-scrub-100-${cache.toLowerCase()}$`))
    const facts = JSON.parse(readFileSync(runJson, 'utf8'))
    expect(facts).toMatchObject({ project: 'fast-ab', mode: m, workflow: 'scrub-100', cache_state: cache, driver: 'reader', status: 'passed', operator: 'op-test', config_source: cfg })
    expect(facts.hostname).toBeTruthy()
    expect(facts.config_hash).toMatch(/^[0-9a-f]{16}$/)
    expect(facts.cache_achieved.state).toBe(cache)
    if (cache === 'Warm') expect(facts.cache_achieved.warmup_sessions).toBe(1)
    expect(existsSync(join(runDir, 'run.json.partial'))).toBe(false)
    for (const f of ['markers.tsv', 'metrics.csv', 'sessions.json']) expect(facts.artifacts, f).toContain(f)
    const rows = readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n')
    expect(rows.length, 'metrics.csv has rows besides its header').toBeGreaterThan(2)
    const markers = readFileSync(join(runDir, 'markers.tsv'), 'utf8')
    expect(markers).toContain('scrub_start')
    const sessions = JSON.parse(readFileSync(join(runDir, 'sessions.json'), 'utf8')) as { warmup: boolean; samples: number }[]
    expect(sessions.map((s) => s.warmup)).toEqual(cache === 'Warm' ? [true, false] : [false])
    expect(sessions.at(-1)!.samples).toBeGreaterThan(0)
    const fastLog = join(runDir, 'fast.log')
    const outputs = readFileSync(runJson, 'utf8') + (existsSync(fastLog) ? readFileSync(fastLog, 'utf8') : '')
    expect(outputs, 'no SAS signature in the outputs').not.toMatch(/sig=(?!REDACTED)[A-Za-z0-9%]/)
  }
  expect(readdirSync(tmp), 'temp directories left behind').toEqual([])

  const an = await run(['analyze', results])
  expect(an.code, an.stderr).toBe(0)
  expect(an.stdout).toContain('2 measured sessions (1 warm-up left out) from 2 runs → 2 rows')
  const csv = readFileSync(join(results, 'comparison_kpis.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, 5).join(' '))
  expect(csv.slice(1)).toEqual(['A scrub-100 Cold 1 scrub_time_s', 'B scrub-100 Warm 1 scrub_time_s'])
}, 120_000)

/** Every descendant of `pid` (children by their parent pid in /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>()
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8')
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = []
  const walk = (p: number): void => {
    for (const [c, pp] of parent) if (pp === p) { out.push(c); walk(c) }
  }
  walk(pid)
  return out
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

test.runIf(linux)('Ctrl-C during the measured session leaves no Azurite, reader or sampler process and no temp directory', async () => {
  const cfg = config('sigint')
  // a scrub long enough to be interrupted in the middle: 100 steps × 200 ms
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('scrub_count: 5', 'scrub_count: 100').replace('scrub_delay_ms: 10', 'scrub_delay_ms: 200'))
  const tmp = childTmp('sigint')
  const c = start(['run', '--mode', 'B', '--workflow', 'scrub-100', '--cache', 'Cold', '--config', cfg], childEnv(tmp))
  try {
    for (let i = 0; i < 1200 && !c.stderr().includes('measured session'); i++) await new Promise((r) => setTimeout(r, 50))
    expect(c.stderr()).toContain('measured session')
    let kids: number[] = []
    // the reader, Azurite and the sampler's agent (the compile-cache warm-up may come and go)
    for (let i = 0; i < 200 && (kids = descendants(c.pid)).length < 3; i++) await new Promise((r) => setTimeout(r, 50))
    expect(kids.length, 'processes the run started').toBeGreaterThanOrEqual(3)
    const commands = kids.map(commandOf)
    expect(commands.some((cmd) => /azurite/i.test(cmd)), commands.join('\n')).toBe(true)
    expect(commands.some((cmd) => /benchgate\.ts reader /.test(cmd)), commands.join('\n')).toBe(true)
    expect(readdirSync(tmp).length, 'temp directories while running').toBeGreaterThan(0)
    process.kill(-c.pid, 'SIGINT')
    const r = await c.exited
    expect(r.code).not.toBe(0)
    for (let i = 0; i < 400 && (kids.some(isAlive) || readdirSync(tmp).length); i++) await new Promise((res) => setTimeout(res, 50))
    expect(kids.filter(isAlive), 'processes left running').toEqual([])
    expect(readdirSync(tmp), 'temp directories left behind').toEqual([])
    // the run folder stays, marked partial: run.json.partial, no run.json
    const stamps = readdirSync(join(dir.path, 'results-sigint'))
    expect(stamps).toHaveLength(1)
    const runDir = join(dir.path, 'results-sigint', stamps[0]!, 'fast-ab', 'run-b-scrub-100-cold')
    expect(existsSync(join(runDir, 'run.json.partial')), 'run.json.partial').toBe(true)
    expect(existsSync(join(runDir, 'run.json')), 'run.json').toBe(false)
  } finally {
    try {
      process.kill(-c.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}, 120_000)
