// Ctrl-C during `benchgate competitive`, in each phase of a scenario — while its systems start,
// during a trial's load, and in the cooldown between trials: the runner exits 130, keeps the
// scenario's folder marked `.partial`, prints the summary, and no process it started (servers,
// the external load tool) is left running. Every descendant of the runner is recorded while it
// runs (a /proc walk every 50 ms), so one that escaped its group would be caught. Part of the
// competitive bench project (four CLI runs, ~20 s), not the unit run.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isAlive, makeTempDir } from '../../harness/run/cleanup.ts'

const REPO = resolve(import.meta.dirname, '../..')
const NODE = process.execPath
const dir = makeTempDir('benchgate-interrupt-')
afterAll(() => dir.release())

function scenario(loadTool: boolean): string {
  const server = (name: string, role: string) => `
[[systems]]
name = "${name}"
role = "${role}"
command = "node"
args = ["fixtures/competitive/servers/http-server.ts", "--port", "{port}"]
ready = { kind = "http", path = "/plaintext" }
`
  return `name = "interrupt${loadTool ? '-wrk' : ''}"
protocol = "http"
connections = 2
warmup_s = 1
duration_s = 2
trials = 1
[arrival]
model = "constant"
rate = 200
[[requests]]
path = "/plaintext"
${loadTool ? '[load_tool]\nadapter = "wrk"\ncommand = "wrk -t1 -c{connections} -d{seconds}s --latency {url}/plaintext"\n' : ''}${server('ours', 'ours')}${server('again', 'competitor')}`
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>()
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8')
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // gone
    }
  }
  const out: number[] = []
  const queue = [root]
  while (queue.length) {
    const p = queue.shift()!
    for (const [pid, pp] of parent) if (pp === p) (out.push(pid), queue.push(pid))
  }
  return out
}

interface Interrupted {
  code: number | null
  signal: string | null
  stdout: string
  seen: Set<number>
  out: string
}

/** Runs the CLI, sends SIGINT `delayMs` after the first stdout line matching `when`. */
function interruptAt(name: string, loadTool: boolean, when: RegExp, delayMs: number): Promise<Interrupted> {
  const scenarios = join(dir.path, name, 'scenarios')
  const out = join(dir.path, name, 'run')
  const config = join(dir.path, name, 'benchgate.config.yaml')
  mkdirSync(scenarios, { recursive: true })
  writeFileSync(join(scenarios, 's.toml'), scenario(loadTool))
  writeFileSync(config, `competitive:\n  scenarios_dir: ${scenarios}\n  cooldown_s: 2\n  preflight: { disk_fail_gb: 0, disk_warn_gb: 0, memory_fail_gb: 0, memory_warn_gb: 0 }\n`)
  const child = spawn(NODE, ['bin/benchgate.ts', 'competitive', '--out', out], { cwd: REPO, env: { ...process.env, BENCHGATE_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'] })
  const seen = new Set<number>()
  const poll = setInterval(() => descendants(child.pid!).forEach((p) => seen.add(p)), 50)
  let stdout = ''
  let sent = false
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (!sent && when.test(stdout)) {
      sent = true
      setTimeout(() => {
        descendants(child.pid!).forEach((p) => seen.add(p))
        child.kill('SIGINT')
      }, delayMs)
    }
  })
  child.stderr.on('data', () => {})
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((done) => {
    child.once('exit', (code, signal) => {
      clearInterval(poll)
      clearTimeout(killer)
      done({ code, signal, stdout, seen, out })
    })
  })
}

async function expectNoSurvivor(seen: Set<number>): Promise<void> {
  const deadline = Date.now() + 5000
  let alive = [...seen].filter(isAlive)
  while (alive.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    alive = alive.filter(isAlive)
  }
  expect(alive, 'processes left running').toEqual([])
}

describe.concurrent('Ctrl-C during benchgate competitive', () => {
  const phases: [string, boolean, RegExp, number][] = [
    ['while systems start', false, /starting again/, 0],
    ['during a trial', false, /again ready on/, 1500],
    ['in the cooldown between trials', false, /ours trial 1\/1/, 300],
    ['during an external load tool (wrk)', true, /again ready on/, 1500],
  ]
  test.each(phases)('%s: exit 130, .partial kept, summary printed, nothing left running', async (name, loadTool, when, delay) => {
    const r = await interruptAt(name.replace(/\W+/g, '-'), loadTool, when, delay)
    expect(r.code, r.stdout).toBe(130)
    expect(r.seen.size, 'the runner started processes').toBeGreaterThan(0)
    await expectNoSurvivor(r.seen)
    const folder = readdirSync(r.out).find((f) => f.endsWith('.partial'))
    expect(folder, `a .partial scenario folder in ${readdirSync(r.out).join(', ')}`).toBeDefined()
    expect(existsSync(join(r.out, 'summary.md'))).toBe(true)
    expect(r.stdout).toMatch(/interrupted/i)
  }, 60_000)
})
