// `benchgate pr` end to end on a throwaway git repository (./demo-repo.ts): real worktrees, the
// lockfile cache, real `vitest bench` runs alternating between the revisions, the verdict files,
// exit codes, and Ctrl-C leaving no process behind. Few rounds, so it stays quick; the proof of
// its power and false-alarm rate is benches/harness/pr.bench.ts.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeDemoRepo, type DemoRepo } from './demo-repo.ts'

const BENCHGATE = resolve(import.meta.dirname, '../../bin/benchgate.ts')
let demo: DemoRepo

beforeAll(() => {
  demo = makeDemoRepo(mkdtempSync(join(tmpdir(), 'bg-pr-')))
})
afterAll(() => {
  if (demo) rmSync(demo.dir, { recursive: true, force: true })
})

interface Ran {
  code: number | string
  out: string
  err: string
}

function benchgatePr(args: string[], onErr?: (text: string, pid: number) => void): Promise<Ran> {
  const env = { ...process.env }
  for (const k of ['VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'BENCHGATE_RUN_STAMP', 'BENCHGATE_CONFIG', 'BENCHGATE_BASELINE']) delete env[k]
  const child = spawn(process.execPath, [BENCHGATE, 'pr', ...args], { cwd: demo.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => {
    err += d
    onErr?.(err, child.pid!)
  })
  return new Promise((ok) => child.once('close', (code, signal) => ok({ code: code ?? signal ?? -1, out, err })))
}

/** Processes (other than this one) whose working directory or command line is inside `dir`. */
function processesIn(dir: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`)
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cwd.startsWith(dir) || cmd.includes(dir)) found.push(`${pid}: ${cmd}`)
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found
}

describe('benchgate pr on a throwaway repository', { timeout: 180_000 }, () => {
  test('a 30 % slower head with a new task: regressed, the new task listed and not gated, exit 1', async () => {
    const head = demo.commitHead('slower', 1.3, { addTask: true })
    const r = await benchgatePr(['--base', 'main', '--head', 'slower', '--project', 'demo', '--rounds', '2', '--max-rounds', '2', '--warmup', '0'])
    expect(r.code, r.err + r.out).toBe(1)
    expect(r.err).toMatch(/benchgate pr: base main = [0-9a-f]{7} in \.benchgate-cache\/pr\/worktrees\/[0-9a-f]{12}, dependencies (seeded|linked|reused) \(lockfile [0-9a-f]{16}\)/)
    expect(r.err).toMatch(/benchgate pr: head slower = [0-9a-f]{7} .*dependencies (linked|reused)/)
    for (const line of ['round 1 of 2 · base', 'round 1 of 2 · head', 'round 2 of 2 · head', 'round 2 of 2 · base']) expect(r.err).toContain(line)
    expect(r.err).toMatch(/ETA \d+:\d\d/)
    expect(r.out).toMatch(/1 regressed, 0 improved, 0 unchanged, 0 inconclusive/)
    expect(r.out).toMatch(/fixed work › sha256 of work\.json bytes\s+time \(ms\).*\+\d\d\.\d %.*REGRESSED/)
    expect(r.out).toContain('new (head only, not gated): fixed work › a new task (bench/work.bench.ts)')
    const md = /→ (\S+verdicts\.md)/.exec(r.out)?.[1]
    expect(md, r.out).toBeDefined()
    const dir = resolve(demo.dir, md!, '..')
    const verdicts = JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8'))
    expect(verdicts).toMatchObject({ kind: 'benchgate-verdicts', counts: { regressed: 1 } })
    expect(verdicts.rows[0].comparison).toMatchObject({ order: 'interleaved revisions', rounds: 2, rule: 'catch', head: { label: `head ${head.slice(0, 7)}` } })
    expect(readFileSync(join(dir, 'verdicts.md'), 'utf8')).toContain('🆕 new (head only): `a new task`')
    expect(readdirSync(join(dir, 'rounds')).sort()).toEqual(['r01-base.json', 'r01-head.json', 'r02-base.json', 'r02-head.json'])
    expect(processesIn(demo.dir)).toEqual([])
  })

  test('Ctrl-C mid-round stops the bench, leaves no process in the worktrees and exits 130', async () => {
    demo.commitHead('same', 1)
    let sent = false
    const r = await benchgatePr(['--base', 'main', '--head', 'same', '--project', 'demo', '--rounds', '6', '--warmup', '0'], (err, pid) => {
      if (!sent && err.includes('round 2 of 6')) {
        sent = true
        setTimeout(() => process.kill(-pid, 'SIGINT'), 700) // what Ctrl-C sends to the terminal's foreground group
      }
    })
    expect(sent, r.err).toBe(true)
    expect(r.code, r.err).toBe(130)
    expect(r.err).toContain('benchgate pr: SIGINT: stopping the running bench')
    for (let i = 0; i < 40 && processesIn(demo.dir).length; i++) await new Promise((ok) => setTimeout(ok, 50))
    expect(processesIn(demo.dir)).toEqual([])
    expect(existsSync(join(demo.dir, '.benchgate-cache', 'pr', 'worktrees'))).toBe(true) // kept for the next run
  })

  test('a revision that does not exist: one line naming the flag, exit 2', async () => {
    const r = await benchgatePr(['--base', 'no-such-branch', '--project', 'demo'])
    expect(r.code).toBe(2)
    expect(r.err.trim()).toMatch(/^benchgate pr: --base: no commit 'no-such-branch' in .+; expected a branch, tag or commit \(hint: fetch it first/)
  })
})
