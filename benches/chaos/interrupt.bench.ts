// Ctrl-C during the chaos bench, in each phase — during the sweep (blob-manifest on Azurite),
// during a scenario with CPU hogs, while the store is paused (SIGSTOPped), and during a latency
// scenario on PostgreSQL (through the TCP proxy): no store, proxy or hog process is left running,
// no PostgreSQL data directory is left behind, and the history written so far is kept as
// history.partial.jsonl with a header that says `partial: true`. Each case runs
// `vitest bench --project chaos benches/chaos/chaos.bench.ts` on a tiny configuration of its own, in
// a process group of its own, and sends SIGINT to the whole group (what a terminal's Ctrl-C does).
// Every descendant is recorded while it runs (a /proc walk every 50 ms), with the data directory
// of every postgres it starts, so one that escaped its group would be caught; the paused case also
// checks that the store really was stopped (state T) when SIGINT came. Part of the chaos bench
// project (four runs one after another, ~50 s: most of it Vitest's start-up), not the unit run.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isAlive, killGroup, makeTempDir } from '../../harness/run/cleanup.ts'

const REPO = resolve(import.meta.dirname, '../..')
const VITEST = join(REPO, 'node_modules/.bin/vitest') // a node script: run under this Node, whatever PATH says
const PG_PREFIX = 'benchgate-pg-' // startPostgres's makeTempDir prefix
const EXIT_TIMEOUT_MS = 30_000
const dir = makeTempDir('benchgate-chaos-interrupt-')
afterAll(() => dir.release())

interface Phase {
  name: string
  /** The chaos section's store and scenarios (YAML lines under `chaos:`). */
  chaos: string
  /** The stderr line after which the phase is under way. */
  when: RegExp
  /** Where the partial history is expected, under the results dir (a path part). */
  history: RegExp
  /** Processes (by command line) that must be running when SIGINT is sent, e.g. Azurite. */
  started: RegExp[]
  /** Processes that must be stopped (SIGSTOP, state T) when SIGINT is sent: the paused store. */
  stopped?: RegExp
}

const sweep = `  sweep: { writers: [2], writer_rate: [5], overlap: [0.2, 0.4], readers: [1], reader_rate: [10], duration_s: 3, parallel: 2, min_commits: 5 }
  scenario_duration_s: 8
`
const AZURITE = /azurite\/dist\/src\/blob\/main\.js/
const HOG = /hog-child\.ts/
const POSTGRES = /\/postgres\s.*-D\s/

const phases: Phase[] = [
  { name: 'during the sweep (Azurite)', chaos: `${sweep}  scenarios: [{ name: baseline }]\n`, when: /chaos sweep 0\/2/, history: /\/sweep\/w2_/, started: [AZURITE] },
  { name: 'during a scenario with CPU hogs', chaos: `${sweep}  scenarios: [{ name: cpu-2x50, cpu: { threads: 2, utilisation: 0.5 } }]\n`, when: /chaos cpu-2x50: 8 s of/, history: /\/cpu-2x50\//, started: [AZURITE, HOG] },
  { name: 'while the store is paused', chaos: `${sweep}  scenarios: [{ name: pause, pause_at: 0.1, pause_for_s: 5 }]\n`, when: /chaos pause: 8 s of/, history: /\/pause\//, started: [AZURITE], stopped: AZURITE },
  { name: 'during a latency scenario on PostgreSQL', chaos: `  store: postgres\n${sweep}  scenarios: [{ name: latency-20ms, latency_ms: 20 }]\n`, when: /chaos latency-20ms: 8 s of/, history: /\/latency-20ms\//, started: [POSTGRES] },
]

/** pid → [ppid, state] of every process now. */
function processTable(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>()
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      table.set(Number(e), [Number(fields[1]), fields[0]!])
    } catch {
      // gone
    }
  }
  return table
}

function descendants(root: number): number[] {
  const table = processTable()
  const out: number[] = []
  for (let todo = [root]; todo.length > 0;) {
    const next: number[] = []
    for (const [pid, [ppid]] of table) if (todo.includes(ppid)) next.push(pid)
    out.push(...next)
    todo = next
  }
  return out
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

function pgDirs(): Set<string> {
  return new Set(readdirSync(tmpdir()).filter((f) => f.startsWith(PG_PREFIX)).map((f) => join(tmpdir(), f)))
}

/** Every file named history.partial.jsonl under `root`. */
function partialHistories(root: string): string[] {
  if (!existsSync(root)) return []
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('history.partial.jsonl')).map((f) => join(root, f))
}

interface Interrupted {
  code: number | null
  signal: string | null
  timedOut: boolean
  stderr: string
  /** Every descendant seen, with the command lines it was seen with (→ after an exec). */
  seen: Map<number, string>
  /** Data directories of the postgres processes seen (the temp directory holding `data`). */
  /** The recorded processes alive when SIGINT was sent, with their state (R, S, T: stopped, …). */
  atSigint: Map<number, string>
  pgSeen: Set<string>
  pgBefore: Set<string>
  /** Azurite's workspaces (--location) seen. */
  workspaces: Set<string>
  results: string
  /** Seconds from the start until SIGINT, and from SIGINT until the run exited. */
  phaseS: number
  exitS: number
}

/** Runs the chaos bench on `phase`'s configuration, SIGINTs its process group 1.5 s after `phase.when` shows in its stderr. */
function interruptAt(phase: Phase): Promise<Interrupted> {
  const home = join(dir.path, phase.name.replace(/\W+/g, '-'))
  const results = join(home, 'results')
  const config = join(home, 'benchgate.config.yaml')
  mkdirSync(home, { recursive: true })
  writeFileSync(config, `output:\n  results_dir: ${results}\nchaos:\n${phase.chaos}`)
  const pgBefore = pgDirs()
  const child = spawn(process.execPath, [VITEST, 'bench', '--run', '--project', 'chaos', 'benches/chaos/chaos.bench.ts'], {
    cwd: REPO,
    env: { ...process.env, BENCHGATE_CONFIG: config },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a group of its own: the SIGINT below reaches vitest, its workers and nothing of ours
  })
  const pid = child.pid!
  const t0 = Date.now()
  let sigintAt = 0
  const seen = new Map<number, string>()
  const pgSeen = new Set<string>()
  const workspaces = new Set<string>()
  const atSigint = new Map<number, string>()
  const look = (): void => {
    // read again each time: a child seen between fork and exec still shows its parent's command line
    for (const p of descendants(pid)) {
      const cmd = commandLine(p)
      if (cmd === '' || seen.get(p)?.includes(cmd)) continue
      seen.set(p, seen.has(p) ? `${seen.get(p)} → ${cmd}` : cmd)
      const data = / -D (\S+)\/data(?:\s|$)/.exec(cmd)
      if (data) pgSeen.add(data[1]!)
      const workspace = / --location (\S+)/.exec(cmd)
      if (workspace) workspaces.add(workspace[1]!)
    }
  }
  const poll = setInterval(look, 50)
  let stderr = ''
  let sent = false
  const onOutput = (d: Buffer): void => {
    stderr += d.toString()
    if (!sent && phase.when.test(stderr)) {
      sent = true
      setTimeout(() => {
        look()
        const table = processTable()
        for (const p of seen.keys()) {
          const state = table.get(p)?.[1]
          if (state !== undefined && state !== 'Z') atSigint.set(p, state)
        }
        sigintAt = Date.now()
        killGroup(pid, 'SIGINT')
        timer = setTimeout(() => {
          timedOut = true
          killGroup(pid, 'SIGKILL')
        }, EXIT_TIMEOUT_MS)
      }, 1500)
    }
  }
  child.stderr.on('data', onOutput)
  child.stdout.on('data', onOutput)
  let timedOut = false
  // never reached the phase: give up after a minute
  let timer = setTimeout(() => {
    timedOut = true
    killGroup(pid, 'SIGKILL')
  }, 60_000)
  return new Promise((done) => {
    child.once('exit', (code, signal) => {
      clearInterval(poll)
      clearTimeout(timer)
      done({ code, signal, timedOut, stderr, seen, atSigint, pgSeen, pgBefore, workspaces, results, phaseS: (sigintAt - t0) / 1000, exitS: (Date.now() - sigintAt) / 1000 })
    })
  })
}

/** The recorded processes still alive (zombies not counted) after up to 5 s. */
async function survivors(seen: Map<number, string>): Promise<string[]> {
  const deadline = Date.now() + 5000
  let alive = [...seen.keys()].filter(isAlive)
  while (alive.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    alive = alive.filter(isAlive)
  }
  return alive.map((p) => `${p} ${seen.get(p)}`)
}

// one after another: each run is a Vitest, a worker, a store and its load, on a machine that may have two cores
describe('Ctrl-C during the chaos bench', () => {
  test.each(phases)('$name: nothing left running, no data directory left, the history kept and marked partial', async (phase) => {
    const r = await interruptAt(phase)
    process.stderr.write(`interrupt ${phase.name}: SIGINT after ${r.phaseS.toFixed(1)} s, exit ${r.code ?? r.signal} ${r.exitS.toFixed(1)} s later, ${r.seen.size} descendants seen, ${r.atSigint.size} alive at SIGINT, ${r.pgSeen.size} postgres dirs, ${r.workspaces.size} Azurite workspaces\n`)
    const tail = r.stderr.slice(-3000)
    expect(r.timedOut, `exited within ${EXIT_TIMEOUT_MS / 1000} s of SIGINT (and reached ${phase.when}): ${tail}`).toBe(false)
    expect(r.code, 'the run did not finish').not.toBe(0)
    const at = [...r.atSigint].map(([p, state]) => ({ state, cmd: r.seen.get(p) ?? '' }))
    for (const p of phase.started) expect(at.some((x) => p.test(x.cmd)), `a process matching ${p} running at SIGINT`).toBe(true)
    if (phase.stopped) expect(at.filter((x) => phase.stopped!.test(x.cmd)).map((x) => x.state), 'the paused store, at SIGINT').toContain('T')
    expect(await survivors(r.seen), 'processes left running').toEqual([])
    // the run's own: the new directories its initdb and postgres were given (other runs may make theirs meanwhile)
    if (phase.started.includes(POSTGRES)) expect(r.pgSeen.size, 'the data directory postgres was given').toBeGreaterThan(0)
    const pgLeft = [...pgDirs()].filter((d) => !r.pgBefore.has(d))
    expect(pgLeft.filter((d) => r.pgSeen.has(d)), `${PG_PREFIX}* data directories left in ${tmpdir()}`).toEqual([])
    expect([...r.pgSeen].filter(existsSync), 'data directories left').toEqual([])
    if (phase.started.includes(AZURITE)) expect(r.workspaces.size, "Azurite's workspace (--location)").toBeGreaterThan(0)
    expect([...r.workspaces].filter(existsSync), 'Azurite workspaces left').toEqual([])
    const partial = partialHistories(r.results).filter((f) => phase.history.test(f))
    expect(partial.length, `a history.partial.jsonl under ${r.results} matching ${phase.history}`).toBeGreaterThan(0)
    for (const f of partial) {
      const lines = readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '')
      const header = JSON.parse(lines[0]!) as { type?: string; partial?: boolean }
      expect(header, `${f}: header`).toMatchObject({ type: 'header', partial: true })
      expect(lines.length - 1, `${f}: events kept`).toBeGreaterThanOrEqual(5)
    }
  }, 120_000)
})
