// The sampler the test fixtures use: the metrics agent in its own process, so sampling goes on
// while a benchmark loop blocks this process's event loop. The agent exits with its parent (IPC
// disconnect), and the channel is unref'd while idle so a forgotten sampler never keeps a
// process alive.
//
// Memory: Node strips TypeScript types with a WebAssembly compiler that, once loaded, adds about
// 25 MB to the process. The agent therefore runs with Node's compile cache (NODE_COMPILE_CACHE),
// which also caches the stripped sources, and a short warm-up process fills that cache once per
// parent process, so the agent itself never loads the stripper and stays near 60 MB.
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { UserError, type Problem } from '../errors.ts'
import { compileCacheDir } from '../run/compile-cache.ts'
import { AGENT_OPTIONS_ENV, type AgentReply, type AgentRequest } from './agent.ts'
import { API_FIELDS, checkPid, resolveOptions, toSamplerOptions, type SamplerOptions } from './options.ts'
import { summarizeMetrics, type MetricsSummary } from './summary.ts'
import { ownFile } from '../run/own-file.ts'

export type { SamplerOptions } from './options.ts'
export type { MetricsSummary, ColumnStats } from './summary.ts'

export interface Sampler {
  /** The agent process's pid. */
  readonly pid: number
  /** The CSV being written (absolute; `<out>.partial` until stopped). */
  readonly out: string
  /** Adds the process tree rooted at `pid` (a process that already exited is ignored). */
  watch(pid: number): void
  unwatch(pid: number): void
  /** Stops the agent (SIGKILL if it does not finish in time) and summarizes the CSV. Idempotent. */
  stop(): Promise<MetricsSummary>
}

const AGENT_PATH = ownFile(import.meta.dirname, './agent.ts')
const READY_TIMEOUT_MS = 15_000
const WARM_UP_TIMEOUT_MS = 15_000

let warmedUp: Promise<void> | undefined

/** Loads the agent's modules once in a throw-away process so the compile cache holds them. */
function warmUp(): Promise<void> {
  warmedUp ??= new Promise<void>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(AGENT_PATH).href)})`], {
      env: { ...process.env, NODE_COMPILE_CACHE: compileCacheDir() },
      stdio: 'ignore',
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), WARM_UP_TIMEOUT_MS)
    const done = (): void => {
      clearTimeout(timer)
      resolve() // a failed warm-up only costs memory: the agent strips its sources itself
    }
    child.once('exit', done)
    child.once('error', done)
  })
  return warmedUp
}

export async function startSampler(opts: SamplerOptions): Promise<Sampler> {
  const options = resolveOptions(opts, API_FIELDS)
  await warmUp()
  const child = fork(AGENT_PATH, [], {
    execPath: process.execPath,
    execArgv: [],
    env: { ...process.env, NODE_COMPILE_CACHE: compileCacheDir(), [AGENT_OPTIONS_ENV]: JSON.stringify(toSamplerOptions(options)) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 8192) stderr += s
  })
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  try {
    await waitReady(child, exited, () => stderr)
  } catch (e) {
    child.kill('SIGKILL')
    await exited
    throw e
  }
  const channel = child.channel as { ref(): void; unref(): void } | null | undefined
  channel?.unref()
  child.unref()
  ;(child.stderr as { unref?: () => void } | null)?.unref?.()

  const send = (msg: AgentRequest): void => {
    if (child.connected) child.send(msg, (e) => void e) // a closed channel means the agent is gone
  }
  let stopping: Promise<MetricsSummary> | null = null
  const stopTimeoutMs = Math.max(5000, 3 * options.intervalMs)

  return {
    pid: child.pid!,
    out: options.out,
    watch(pid) {
      send({ type: 'watch', pid: checkPid(pid) })
    },
    unwatch(pid) {
      send({ type: 'unwatch', pid: checkPid(pid) })
    },
    stop() {
      stopping ??= (async () => {
        channel?.ref()
        child.ref()
        send({ type: 'stop' })
        let timer: NodeJS.Timeout | undefined
        const killed = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL')
            resolve()
          }, stopTimeoutMs)
        })
        await Promise.race([exited, killed])
        clearTimeout(timer)
        await exited
        const file = existsSync(options.out) ? options.out : `${options.out}.partial`
        return summarizeMetrics(file)
      })()
      return stopping
    },
  }
}

function waitReady(child: ChildProcess, exited: Promise<void>, stderr: () => string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      done()
      reject(new Error(`metrics agent did not start within ${READY_TIMEOUT_MS / 1000} s${stderr() ? `: ${stderr().trim()}` : ''}`))
    }, READY_TIMEOUT_MS)
    const onMessage = (m: AgentReply): void => {
      if (m?.type === 'ready') {
        done()
        resolve()
      } else if (m?.type === 'error') {
        done()
        reject(Array.isArray(m.problems) ? new UserError(m.problems as Problem[]) : new Error(`metrics agent: ${m.message}`))
      }
    }
    const done = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
    }
    child.on('message', onMessage)
    void exited.then(() => {
      done()
      reject(new Error(`metrics agent exited before it started (code ${child.exitCode ?? child.signalCode})${stderr() ? `: ${stderr().trim()}` : ''}`))
    })
  })
}
