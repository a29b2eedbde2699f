// Pre-flight of `benchgate competitive`: every check a line — pass, warn or fail — printed before
// anything runs; one fail and nothing is run (the CLI exits 2). The checks, in order:
//   scenarios        the folder parses, names unique, the expected count when configured, and every
//                    --scenario name exists (scenario.ts; each problem with file:line:field)
//   binary …         each distinct program of the selected scenarios' systems resolves (on PATH, or
//                    a path relative to the repository; "node" is this Node.js and its script must
//                    exist); a path that tells a debug build (target/debug, cmake-build-debug,
//                    build/debug, Debug/) warns, since a competitive figure wants a release build
//   ports            every fixed port (port ≠ 0) can be bound now, and no two systems of one scenario
//                    (they run at the same time) share one; port 0 is chosen free at start
//   stray instances  no process already runs a system's program (strays.ts); each found is a warn
//                    naming its pid: it shares the machine with the measured one, and benchgate
//                    never stops a process it did not start
//   output directory, disk space, memory, CPU frequency governor, load average, loopback TCP
//                    (host-checks.ts; levels from the configuration's competitive.preflight)
import { existsSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { formatProblem, UserError } from '../errors.ts'
import {
  diskCheck, governorCheck, loadCheck, loopbackCheck, memoryCheck, outputCheck,
  type PreflightLevels, type PreflightLine, type PreflightStatus,
} from './host-checks.ts'
import { portProblem } from '../run/ports.ts'
import { scenarioFolderProblems, type LoadedScenario } from './scenario.ts'
import type { ScenarioSystem } from './scenario-schema.ts'
import { findInstances, procAvailable } from './strays.ts'
import { programOf } from './systems.ts'

export type { PreflightLevels, PreflightLine, PreflightStatus } from './host-checks.ts'

export interface PreflightOptions {
  /** The resolved competitive settings (settings.ts); only these fields are read. */
  settings: { scenariosDir: string; expectedScenarios?: number; preflight: PreflightLevels }
  /** Scenario names to run (--scenario); empty or absent: all of the folder. */
  only?: readonly string[]
  /** The run's results folder (need not exist yet). */
  outDir: string
  /** The benchgate checkout; default this file's repository. */
  repo?: string
}

export interface PreflightResult {
  lines: PreflightLine[]
  /** The scenarios to run (filtered by `only`); empty when the scenarios line failed. */
  scenarios: LoadedScenario[]
}

const REPO = resolve(import.meta.dirname, '../..')
const DEBUG_BUILD = /(^|\/)(target\/debug|cmake-build-debug|build\/debug|Debug)\//

interface Program {
  /** As the line names it: `nginx`, `node fixtures/…/kv-server.ts`. */
  label: string
  path: string | null
  script?: string
  /** The script as lines show it (relative to the repository when inside it). */
  shown?: string
  error?: string
  users: string[]
}

function scenarioLine(dir: string, expected: number | undefined, only: readonly string[]): { line: PreflightLine; scenarios: LoadedScenario[] } {
  const name = 'scenarios'
  const { scenarios, problems } = scenarioFolderProblems(dir, expected === undefined ? {} : { expectedCount: expected })
  if (problems.length) return { line: { name, status: 'fail', detail: problems.map(formatProblem).join('\n') }, scenarios: [] }
  const names = scenarios.map((s) => s.scenario.name)
  const unknown = only.filter((n) => !names.includes(n))
  if (unknown.length) return { line: { name, status: 'fail', detail: `no scenario named ${unknown.map((n) => `'${n}'`).join(', ')} in ${dir} (there are: ${names.join(', ')})` }, scenarios: [] }
  const chosen = only.length ? scenarios.filter((s) => only.includes(s.scenario.name)) : scenarios
  const detail = `${scenarios.length} in ${dir}${expected === undefined ? '' : ` (${expected} expected)`}: ${names.join(', ')}${only.length ? `; running ${chosen.map((s) => s.scenario.name).join(', ')}` : ''}`
  return { line: { name, status: 'pass', detail }, scenarios: chosen }
}

/** The script a Node-run system starts: its first argument that is not a flag. */
function nodeScript(system: ScenarioSystem, repo: string): string | undefined {
  const first = system.args.find((a) => !a.startsWith('-'))
  return first === undefined ? undefined : resolve(system.cwd === undefined ? repo : resolve(repo, system.cwd), first)
}

function programsOf(scenarios: readonly LoadedScenario[], repo: string): Program[] {
  const programs = new Map<string, Program>()
  for (const { scenario } of scenarios) {
    for (const system of scenario.systems) {
      const script = system.command === 'node' ? nodeScript(system, repo) : undefined
      const label = script === undefined ? system.command : `node ${basename(script)}`
      let program = programs.get(label)
      if (!program) {
        program = { label, path: null, users: [], ...(script === undefined ? {} : { script, shown: script.startsWith(`${repo}/`) ? script.slice(repo.length + 1) : script }) }
        try {
          program.path = programOf(system.command, repo, system.name)
        } catch (e) {
          program.error = e instanceof UserError ? e.problems[0]!.message : (e as Error).message
        }
        programs.set(label, program)
      }
      program.users.push(`${system.name} of ${scenario.name}`)
    }
  }
  return [...programs.values()]
}

function binaryLine(p: Program): PreflightLine {
  const name = `binary ${p.label}`
  const used = `(${p.users.join(', ')})`
  if (p.path === null) return { name, status: 'fail', detail: `${p.error} ${used}` }
  if (p.script !== undefined && !existsSync(p.script)) return { name, status: 'fail', detail: `the script ${p.shown} does not exist ${used}` }
  if (DEBUG_BUILD.test(p.path)) return { name, status: 'warn', detail: `${p.path} looks like a debug build; measure a release build ${used}` }
  return { name, status: 'pass', detail: `${p.path}${p.script === undefined ? '' : ` running ${p.shown}`} ${used}` }
}

async function portLines(scenarios: readonly LoadedScenario[]): Promise<PreflightLine[]> {
  const lines: PreflightLine[] = []
  const fixed = new Map<number, string[]>()
  for (const { scenario } of scenarios) {
    const inScenario = new Map<number, string>()
    for (const system of scenario.systems) {
      if (system.port === 0) continue
      const other = inScenario.get(system.port)
      if (other !== undefined) lines.push({ name: `port ${system.port}`, status: 'fail', detail: `${other} and ${system.name} of ${scenario.name} both want it, and they run at the same time` })
      inScenario.set(system.port, system.name)
      fixed.set(system.port, [...(fixed.get(system.port) ?? []), `${system.name} of ${scenario.name}`])
    }
  }
  for (const [port, users] of [...fixed].sort(([a], [b]) => a - b)) {
    const problem = await portProblem(port)
    lines.push(problem === null
      ? { name: `port ${port}`, status: 'pass', detail: `free (${users.join(', ')})` }
      : { name: `port ${port}`, status: 'fail', detail: `cannot be bound on 127.0.0.1 (${problem === 'EADDRINUSE' ? 'in use' : problem}), needed by ${users.join(', ')}; stop what holds it or set port = 0` })
  }
  if (fixed.size === 0) lines.push({ name: 'ports', status: 'pass', detail: 'every system picks a free port at start (port = 0)' })
  return lines
}

function strayLines(programs: readonly Program[]): PreflightLine[] {
  if (!procAvailable()) return [{ name: 'stray instances', status: 'pass', detail: 'not checked (no /proc on this system)' }]
  const lines: PreflightLine[] = []
  const resolved = programs.filter((p): p is Program & { path: string } => p.path !== null)
  const checked = resolved.map((p) => p.label)
  // one scan of /proc for all of them
  const { found: foundOf, unreadable } = findInstances(resolved.map((p) => ({ program: p.path, ...(p.script === undefined ? {} : { script: p.script }) })))
  for (const [i, p] of resolved.entries()) {
    const found = foundOf[i]!
    if (found.length) {
      lines.push({ name: `stray ${p.label}`, status: 'warn', detail: `already running: ${found.map((f) => `pid ${f.pid} (${f.cmdline})`).join('; ')} — it shares the machine with the one measured; benchgate does not stop it (kill it by pid if it is a leftover)` })
    }
  }
  if (lines.length === 0) {
    lines.push({ name: 'stray instances', status: 'pass', detail: `none of ${checked.join(', ')} running${unreadable ? ` (${unreadable} process${unreadable === 1 ? '' : 'es'} of other users not readable)` : ''}` })
  }
  return lines
}

/** Runs every check; never throws for what it finds (a finding is a line). */
export async function runPreflight(opts: PreflightOptions): Promise<PreflightResult> {
  const repo = opts.repo ?? REPO
  const { line, scenarios } = scenarioLine(opts.settings.scenariosDir, opts.settings.expectedScenarios, opts.only ?? [])
  const programs = programsOf(scenarios, repo)
  const levels = opts.settings.preflight
  const lines: PreflightLine[] = [
    line,
    // without scenarios there are no systems to check ports, programs and strays of
    ...(scenarios.length ? [...programs.map(binaryLine), ...(await portLines(scenarios)), ...strayLines(programs)] : []),
    outputCheck(opts.outDir),
    diskCheck(opts.outDir, levels),
    memoryCheck(levels),
    governorCheck(),
    loadCheck(levels),
    await loopbackCheck(),
  ]
  return { lines, scenarios }
}

const MARK: Record<PreflightStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' }

/** The lines as the terminal shows them, with a closing count. */
export function formatPreflight(lines: readonly PreflightLine[]): string {
  const width = Math.min(40, Math.max(...lines.map((l) => l.name.length)))
  const indent = ' '.repeat(2 + 4 + 2 + width + 2)
  const rows = lines.map((l) => `  ${MARK[l.status]}  ${l.name.padEnd(width)}  ${l.detail.split('\n').join(`\n${indent}`)}`)
  const count = (s: PreflightStatus) => lines.filter((l) => l.status === s).length
  return ['pre-flight:', ...rows, `pre-flight: ${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail`].join('\n')
}
