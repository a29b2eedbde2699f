// The metrics agent: the sampling loop, and its process entry point.
//
// Loop: tick n runs at start + n·interval on the monotonic clock (drift-corrected; if the loop
// falls more than one interval behind, missed ticks are skipped, not bunched). Tick 0 only takes
// the baseline the rates need, so the first row comes one interval after start. Each row is
// appended to `<out>.partial` as it is taken; a clean stop renames the file to `<out>`.
//
// As a process (`node harness/metrics/agent.ts`): options come from the JSON in the environment
// variable BENCHGATE_METRICS_AGENT (the SamplerOptions shape), else from the same flags as
// `benchgate metrics`. With an IPC channel it takes {type:'watch', pid}, {type:'unwatch', pid}
// and {type:'stop'}; it sends {type:'ready', pid} once sampling and {type:'stopped', rows} when
// done. Only the parent's stop finishes the file: a signal (Ctrl-C reaching the whole process
// group, a cleanup kill) or the parent going away (IPC disconnect) means the run did not finish,
// so the agent exits at once and leaves the file marked partial.
import { UserError, isUserError } from '../errors.ts'
import { PartialFile } from '../run/atomic.ts'
import { emptyRow, type MetricRow } from './columns.ts'
import { CSV_HEADER, formatRow } from './csv.ts'
import { FastLogTail } from './fast-log.ts'
import { pathMatcher } from './glob.ts'
import { GpuMonitor } from './gpu.ts'
import { API_FIELDS, CLI_FLAGS, checkPid, METRICS_USAGE, parseMetricsArgs, resolveOptions, type ResolvedOptions, type SamplerOptions } from './options.ts'
import { ProcessTable, ProcReader } from './procfs.ts'
import { SystemCounters } from './system.ts'
import { TreeTracker } from './tree.ts'

/** Environment variable carrying the agent's options as JSON. */
export const AGENT_OPTIONS_ENV = 'BENCHGATE_METRICS_AGENT'

export interface AgentResult {
  rows: number
  /** The finished CSV, or the `.partial` file when the run was abandoned. */
  file: string
  partial: boolean
}

export interface AgentHooks {
  /** After each row batch is written. */
  onRows?(rows: number): void
  /** Stop (cleanly) in the tick where the last watched process tree is found gone. */
  stopWhenAllExited?: boolean
}

/** Messages the agent process takes and sends over IPC. */
export type AgentRequest = { type: 'watch'; pid: number } | { type: 'unwatch'; pid: number } | { type: 'stop' }
export type AgentReply =
  | { type: 'ready'; pid: number }
  | { type: 'stopped'; rows: number }
  | { type: 'error'; message: string; problems?: unknown }

export class MetricsAgent {
  readonly options: ResolvedOptions
  readonly done: Promise<AgentResult>
  #hooks: AgentHooks
  #reader = new ProcReader()
  #table = new ProcessTable(this.#reader)
  #trees = new Map<number, TreeTracker>()
  #system = new SystemCounters()
  #match: (path: string) => boolean
  #gpu: GpuMonitor | null = null
  #fast: FastLogTail | null = null
  #file: PartialFile | null = null
  #timer: NodeJS.Timeout | null = null
  #startAt = 0
  #tick = 0
  #lastTick: number
  #rows = 0
  #result: AgentResult | null = null
  #settle!: (r: AgentResult) => void
  #fail!: (e: unknown) => void

  constructor(options: ResolvedOptions, hooks: AgentHooks = {}) {
    this.options = options
    this.#hooks = hooks
    this.#match = pathMatcher(options.zgyPattern)
    this.#lastTick = options.durationMs === null ? Infinity : Math.max(1, Math.round(options.durationMs / options.intervalMs))
    this.done = new Promise<AgentResult>((resolve, reject) => {
      this.#settle = resolve
      this.#fail = reject
    })
    this.done.catch(() => {}) // a caller that never awaits must not see an unhandled rejection
  }

  get rows(): number {
    return this.#rows
  }

  /** Milliseconds since start (0 before). */
  get elapsedMs(): number {
    return this.#startAt === 0 ? 0 : performance.now() - this.#startAt
  }

  get running(): boolean {
    return this.#file !== null && this.#result === null
  }

  /** Opens the output, takes the baseline sample and starts ticking. */
  start(): void {
    if (this.#file !== null) return
    try {
      this.#file = new PartialFile(this.options.out)
      this.#file.append(CSV_HEADER + '\n')
    } catch (e) {
      throw new UserError({
        file: this.options.out,
        message: `cannot write the metrics file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        expected: 'a path in a writable directory',
        hint: 'choose another --out / out path',
      })
    }
    if (this.options.fastLog !== null) this.#fast = new FastLogTail(this.options.fastLog.path, this.options.fastLog.pattern)
    this.#gpu = new GpuMonitor(this.options.intervalMs)
    for (const pid of this.options.pids) this.#trees.set(pid, new TreeTracker(pid, this.#reader))
    this.#startAt = performance.now()
    this.#sample(this.#startAt, false)
    this.#schedule()
  }

  /** Adds a process tree; its baseline is taken now so its first row has rates. */
  watch(pid: number): void {
    checkPid(pid)
    if (this.#trees.has(pid) || !this.running) return
    const tree = new TreeTracker(pid, this.#reader)
    this.#table.refresh()
    if (tree.sample(this.#table, performance.now(), this.#match) !== null) this.#trees.set(pid, tree)
  }

  unwatch(pid: number): void {
    this.#trees.delete(pid)
  }

  /** Watched roots still running. */
  get watching(): number[] {
    return [...this.#trees.keys()]
  }

  /** Stops sampling and renames `<out>.partial` to `<out>`. Idempotent. */
  stop(): AgentResult {
    return this.#end(true)
  }

  /** Stops sampling and leaves the file marked partial (the run did not finish). */
  abandon(): AgentResult {
    return this.#end(false)
  }

  #end(finish: boolean): AgentResult {
    if (this.#result !== null) return this.#result
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#gpu?.stop()
    this.#fast?.close()
    const file = this.#file
    let partial = !finish
    if (file !== null) {
      if (finish) {
        try {
          file.finish()
        } catch {
          file.abandon()
          partial = true
        }
      } else file.abandon()
    }
    this.#result = { rows: this.#rows, file: partial ? `${this.options.out}.partial` : this.options.out, partial }
    this.#settle(this.#result)
    return this.#result
  }

  #schedule(): void {
    const interval = this.options.intervalMs
    let next = this.#tick + 1
    const now = performance.now()
    const behind = now - (this.#startAt + next * interval)
    if (behind > interval) next += Math.floor(behind / interval)
    if (next > this.#lastTick) next = Math.max(this.#tick + 1, this.#lastTick)
    const delay = Math.max(0, this.#startAt + next * interval - now)
    this.#timer = setTimeout(() => this.#onTick(next), delay)
  }

  #onTick(index: number): void {
    this.#timer = null
    if (this.#result !== null) return
    this.#tick = index
    try {
      this.#sample(performance.now(), true)
    } catch (e) {
      this.#end(false)
      this.#fail(e)
      return
    }
    if (this.#result !== null) return
    if (this.#tick >= this.#lastTick) this.stop()
    else this.#schedule()
  }

  #sample(now: number, emit: boolean): void {
    const ts = new Date().toISOString()
    const rows: MetricRow[] = []
    const hadTrees = this.#trees.size > 0
    if (hadTrees) this.#table.refresh()
    for (const [pid, tree] of this.#trees) {
      const s = tree.sample(this.#table, now, this.#match)
      if (s === null) {
        this.#trees.delete(pid)
        continue
      }
      const row = emptyRow(ts, pid)
      row.cpu_pct = s.cpuPct
      row.rss_mb = s.rssMb
      row.vms_mb = s.vmsMb
      row.threads = s.threads
      row.read_bytes_s = s.readBytesS
      row.write_bytes_s = s.writeBytesS
      row.read_cnt_s = s.readCntS
      row.write_cnt_s = s.writeCntS
      row.open_zgy_paths = s.openPaths
      rows.push(row)
    }
    const sys = this.#system.sample(now)
    const gpu = this.#gpu?.latest(now) ?? null
    const fast = this.#fast?.drain() ?? null
    if (!emit) return
    if (hadTrees && rows.length === 0 && this.#hooks.stopWhenAllExited) {
      this.stop()
      return
    }
    if (rows.length === 0) rows.push(emptyRow(ts, null))
    let text = ''
    for (const row of rows) {
      row.sys_disk_read_mb_s = sys.diskReadMbS
      row.sys_disk_write_mb_s = sys.diskWriteMbS
      row.sys_net_recv_mb_s = sys.netRecvMbS
      row.sys_net_sent_mb_s = sys.netSentMbS
      row.sys_net_lo_mb_s = sys.netLoMbS
      if (gpu !== null) {
        row.gpu_util_pct = gpu.utilPct
        row.gpu_mem_used_mb = gpu.memUsedMb
        row.gpu_mem_total_mb = gpu.memTotalMb
      }
      if (fast !== null) {
        row.fast_req_latency_ms = fast.latencyMs
        row.fast_req_bytes = fast.bytes
        row.fast_req_cache_hit = fast.cacheHit
      }
      text += formatRow(row)
    }
    this.#file!.append(text)
    this.#rows += rows.length
    this.#hooks.onRows?.(this.#rows)
  }
}

/** Resolves options and starts an agent in this process. */
export function startAgent(options: SamplerOptions, hooks: AgentHooks = {}, names = API_FIELDS): MetricsAgent {
  const agent = new MetricsAgent(resolveOptions(options, names), hooks)
  agent.start()
  return agent
}

function readOptions(): SamplerOptions | null {
  const json = process.env[AGENT_OPTIONS_ENV]
  if (json === undefined) {
    const parsed = parseMetricsArgs(process.argv.slice(2))
    if (parsed.help) {
      console.log(METRICS_USAGE)
      return null
    }
    return parsed.options
  }
  try {
    return JSON.parse(json) as SamplerOptions
  } catch (e) {
    throw new UserError({ file: AGENT_OPTIONS_ENV, message: `not JSON (${(e as Error).message})`, expected: 'the SamplerOptions object as JSON' })
  }
}

/** The agent as a process: options, IPC, signals. */
async function runAgentProcess(): Promise<number> {
  const send = (msg: AgentReply, then?: () => void): void => {
    if (process.send && process.connected) process.send(msg, undefined, {}, () => then?.())
    else then?.()
  }
  let agent: MetricsAgent
  try {
    const options = readOptions()
    if (options === null) return 0
    agent = startAgent(options, {}, process.env[AGENT_OPTIONS_ENV] === undefined ? CLI_FLAGS : API_FIELDS)
  } catch (e) {
    if (!isUserError(e)) throw e
    console.error(e.message)
    send({ type: 'error', message: e.message, problems: e.problems }, () => process.disconnect?.())
    return 2
  }
  let finished = false
  const onMessage = (raw: unknown): void => {
    const m = raw as Partial<AgentRequest> | null
    try {
      if (m?.type === 'watch') agent.watch(m.pid as number)
      else if (m?.type === 'unwatch') agent.unwatch(m.pid as number)
      else if (m?.type === 'stop') agent.stop()
    } catch (e) {
      send({ type: 'error', message: (e as Error).message })
    }
  }
  const onDisconnect = (): void => {
    if (!finished) agent.abandon() // the parent is gone: the run did not finish
  }
  const onSignal = (): void => {
    if (!finished) agent.abandon() // interrupted: the run did not finish
  }
  process.on('message', onMessage)
  process.on('disconnect', onDisconnect)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  send({ type: 'ready', pid: process.pid })
  let code = 0
  try {
    const result = await agent.done
    finished = true
    await new Promise<void>((resolve) => send({ type: 'stopped', rows: result.rows }, resolve))
  } catch (e) {
    finished = true
    console.error(`benchgate metrics agent: ${(e as Error).stack ?? e}`)
    send({ type: 'error', message: (e as Error).message })
    code = 1
  }
  process.off('message', onMessage)
  process.off('disconnect', onDisconnect)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  if (process.connected) process.disconnect()
  return code
}

if (import.meta.main) process.exitCode = await runAgentProcess()
