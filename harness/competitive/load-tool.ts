// Running an external load tool (a scenario's `load_tool`) instead of benchgate's generator, and
// reading its report through an adapter (./adapters/wrk.ts, ./adapters/loadtest.ts) into the same
// LoadResult the generator gives.
//
// Method
// ------
//   - The command template is expanded with ../command/template.ts (words split as a shell would,
//     no shell run; a value with blanks stays one argument): {url} {host} {port} {seconds}
//     {connections} {rate} {file} (the scenario file) {dir} (the output folder). {rate} exists
//     only for an open arrival model; a closed scenario that uses it is a UserError. "node" as the
//     program is the Node.js running benchgate; any other program is resolved on PATH up front
//     (../command/program.ts), so a missing tool is one message naming load_tool.command.
//   - Warm-up: when the scenario has warmup_s > 0 the tool runs once for that many seconds first
//     ({seconds} = warmup_s); its output is saved (`<prefix>.warmup.stdout.txt`) and must exit 0,
//     but is not read. Then the measured run with {seconds} = duration_s.
//   - Each run is its own process group (../run/processes.ts), registered for Ctrl-C and teardown;
//     on Linux and macOS it is started through the command timer's python3 launcher
//     (../command/launcher.ts), whose wait4 rusage gives the tool's own CPU (user, system) —
//     `generatorCpu`, since the tool shares the machine with the server. The launcher passes the
//     tool's stdout and stderr straight to files: `<prefix>.stdout.txt`, `<prefix>.stderr.txt`,
//     written under `.partial` names and renamed when the tool has exited 0 (on failure they stay
//     `.partial`, as evidence).
//   - Timeout (default warmup + duration + 30 s, `load_tool.timeout_s`) covers both runs; then
//     and on abort the whole group gets SIGKILL and its exit is awaited. A timeout or an exit code
//     other than 0 is a LoadToolFailed naming the tool, the code and the stderr tail; an abort
//     throws the signal's reason.
//   - Unreadable output is the adapter's UserError, naming the saved stdout file and the line.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { expandTemplate } from '../command/template.ts'
import { resolveProgram } from '../command/program.ts'
import { launcherArgs, parseLauncherReport } from '../command/launcher.ts'
import { awaitGroup } from '../command/run.ts'
import { startProcess } from '../run/processes.ts'
import { PARTIAL_SUFFIX } from '../run/atomic.ts'
import { UserError } from '../errors.ts'
import type { LoadResult } from '../load/types.ts'
import type { Scenario } from './scenario-schema.ts'
import { parseWrk } from './adapters/wrk.ts'
import { parseLoadtestJson, parseLoadtestText } from './adapters/loadtest.ts'

export type LoadTool = NonNullable<Scenario['load_tool']>
export type AdapterName = LoadTool['adapter']

/** Seconds added to warm-up + duration for the default timeout. */
const TIMEOUT_MARGIN_S = 30
const STDERR_TAIL_CHARS = 1000
const launched = process.platform !== 'win32'

export interface AdapterContext {
  source: string
  connections: number
}

const ADAPTERS: Record<AdapterName, (text: string, ctx: AdapterContext) => LoadResult> = {
  wrk: parseWrk,
  'loadtest-text': parseLoadtestText,
  'loadtest-json': parseLoadtestJson,
}

/** The tool ran but did not finish well: non-zero exit, killed, or timed out. */
export class LoadToolFailed extends Error {
  readonly tool: string
  readonly stderrTail: string
  constructor(tool: string, message: string, stderrTail: string) {
    super(`load tool ${tool} ${message}${stderrTail ? `; stderr ends: ${stderrTail}` : ''}`)
    this.name = 'LoadToolFailed'
    this.tool = tool
    this.stderrTail = stderrTail
  }
}

export interface LoadToolOptions {
  scenario: Pick<Scenario, 'load_tool' | 'arrival' | 'connections' | 'warmup_s' | 'duration_s' | 'protocol' | 'requests'>
  /** The scenario file: {file}, and where messages point. */
  file: string
  host: string
  port: number
  /** {url}; default http://host:port + the first request's path (http), else <protocol>://host:port. */
  url?: string
  /** Output folder and {dir}. */
  dir: string
  /** File name prefix of this run's outputs, e.g. `nginx-trial1`. */
  prefix: string
  /** Working directory of the tool (default: this process's). */
  cwd?: string
  signal?: AbortSignal
}

export interface LoadToolRun {
  result: LoadResult
  /** Files written: stdout and stderr of the measured run (and of the warm-up). */
  files: string[]
  argv: string[]
}

function defaultUrl(o: LoadToolOptions): string {
  const s = o.scenario
  if (s.protocol === 'http') return `http://${o.host}:${o.port}${s.requests[0]?.path ?? '/'}`
  return `${s.protocol}://${o.host}:${o.port}`
}

/** The argv of one run of the tool (program resolved). */
function loadToolArgv(tool: LoadTool, o: LoadToolOptions, seconds: number): string[] {
  const field = `${o.file}: load_tool.command`
  const a = o.scenario.arrival
  const vars: Record<string, string> = {
    url: o.url ?? defaultUrl(o),
    host: o.host,
    port: String(o.port),
    seconds: String(seconds),
    connections: String(o.scenario.connections),
    file: o.file,
    dir: o.dir,
    rate: a.model === 'closed' ? '' : String(a.rate),
  }
  if (a.model === 'closed' && /\{rate\}/.test(tool.command)) {
    throw new UserError({ file: o.file, field: 'load_tool.command', message: 'the command uses {rate} but the arrival model is closed, which has no rate', expected: 'an open arrival model (constant, poisson, burst) or a command without {rate}' })
  }
  const argv = expandTemplate(tool.command, vars, field)
  const program = argv[0] === 'node' ? process.execPath : resolveProgram(argv[0]!, field, o.cwd)
  return [program, ...argv.slice(1)]
}

interface OneRun {
  stdoutPath: string
  stderrPath: string
  cpu: { userS: number; systemS: number } | null
}

async function runOnce(tool: LoadTool, argv: string[], base: string, o: LoadToolOptions, deadline: number): Promise<OneRun> {
  const stdoutPath = `${base}.stdout.txt`
  const stderrPath = `${base}.stderr.txt`
  const out = openSync(stdoutPath + PARTIAL_SUFFIX, 'w')
  const err = openSync(stderrPath + PARTIAL_SUFFIX, 'w')
  const [program, args] = launched ? launcherArgs(argv, process.env) : [argv[0]!, argv.slice(1)]
  let proc: ReturnType<typeof startProcess>
  try {
    proc = startProcess(program, args, { stdio: ['ignore', out, err, ...(launched ? (['pipe'] as const) : [])], cwd: o.cwd })
  } finally {
    closeSync(out)
    closeSync(err)
  }
  const { code, stoppedBy, launcherText } = await awaitGroup(proc, { timeoutMs: Math.max(0, deadline - performance.now()), signal: o.signal })
  if (stoppedBy === 'abort') throw o.signal!.reason
  const tail = readFileSync(stderrPath + PARTIAL_SUFFIX, 'utf8').slice(-STDERR_TAIL_CHARS).trim()
  const name = tool.adapter
  if (stoppedBy === 'timeout') throw new LoadToolFailed(name, `timed out (${o.file}: load_tool.timeout_s) and was stopped`, tail)
  const r = launched ? parseLauncherReport(launcherText) : null
  const exit = r ? (r.signal !== null ? `signal ${r.signal}` : r.exitCode) : code
  if (exit !== 0) {
    const stdoutTail = tail ? '' : readFileSync(stdoutPath + PARTIAL_SUFFIX, 'utf8').slice(-STDERR_TAIL_CHARS).trim()
    throw new LoadToolFailed(name, `${typeof exit === 'number' ? `exited with code ${exit}` : `was killed by ${exit}`} (${argv.join(' ')})`, tail || stdoutTail)
  }
  renameSync(stdoutPath + PARTIAL_SUFFIX, stdoutPath)
  renameSync(stderrPath + PARTIAL_SUFFIX, stderrPath)
  return { stdoutPath, stderrPath, cpu: r ? { userS: r.userSeconds, systemS: r.systemSeconds } : null }
}

/** Runs the scenario's load tool (warm-up, then the measured run) and reads its report. */
export async function runLoadTool(o: LoadToolOptions): Promise<LoadToolRun> {
  o.signal?.throwIfAborted()
  const tool = o.scenario.load_tool
  if (!tool) throw new UserError({ file: o.file, field: 'load_tool', message: 'the scenario has no load_tool', expected: 'a [load_tool] table' })
  const s = o.scenario
  const timeoutS = tool.timeout_s ?? s.warmup_s + s.duration_s + TIMEOUT_MARGIN_S
  const deadline = performance.now() + timeoutS * 1000
  const files: string[] = []
  mkdirSync(o.dir, { recursive: true })
  const base = join(o.dir, o.prefix)
  if (s.warmup_s > 0) {
    const w = await runOnce(tool, loadToolArgv(tool, o, s.warmup_s), `${base}.warmup`, o, deadline)
    files.push(w.stdoutPath, w.stderrPath)
  }
  const argv = loadToolArgv(tool, o, s.duration_s)
  const run = await runOnce(tool, argv, base, o, deadline)
  files.push(run.stdoutPath, run.stderrPath)
  const result = ADAPTERS[tool.adapter](readFileSync(run.stdoutPath, 'utf8'), { source: run.stdoutPath, connections: s.connections })
  result.generatorCpu = run.cpu ? { ...run.cpu, cores: availableParallelism() } : null
  return { result, files, argv }
}
