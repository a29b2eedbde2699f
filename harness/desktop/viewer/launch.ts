// Starting `benchgate viewer` as its own process (own process group, ../../run/processes.ts), the
// way the desktop driver and the tests do: flags from a typed object, the mode B SAS in the
// environment only, the URL from the viewer's first stdout line. quit() asks it to end (POST
// /quit) and returns the summary it wrote; stop() sends SIGTERM (it writes its summary then too).
import { readFileSync } from 'node:fs'
import { SAS_ENV } from '../../fast/reader-cli.ts'
import type { WorkflowContext } from '../../fast/workflows.ts'
import { compileCacheDir } from '../../run/compile-cache.ts'
import { startProcess, type Started } from '../../run/processes.ts'
import type { ViewerActionName } from './hotkeys.ts'
import { decodeFrame } from './server.ts'
import type { Frame, ViewerSummary } from './session.ts'
import { ownFile } from '../../run/own-file.ts'

const BIN = ownFile(import.meta.dirname, '../../../bin/benchgate.ts')

export interface ViewerLaunch {
  mode: 'A' | 'B'
  out: string
  zgy?: string
  /** Mode B: the SAS goes into $BENCHGATE_SAS of the viewer, never onto its command line. */
  blob?: { containerUrl: string; sas: string; prefix: string; cacheDir: string; mountRoot?: string; fastLog?: string }
  params?: Partial<WorkflowContext['params']>
  hotkeys?: Record<string, string>
  exportDir?: string
  markers?: string
  label?: string
  title?: string
  titlePrefix?: string
  reader?: { cacheMb?: number; concurrency?: number; timeoutMs?: number; retries?: number }
  /** Seconds to wait for the viewer's first line (default 30). */
  startTimeoutS?: number
}

export interface ViewerProcess {
  readonly url: string
  readonly pid: number
  readonly process: Started
  /** The viewer's stdout and stderr so far (first 16 KiB each). */
  stdout(): string
  stderr(): string
  /** Runs one action through the API (no window), as a key of the page would. */
  run(action: ViewerActionName): Promise<Frame>
  /** The summary so far, without ending the viewer. */
  summary(): Promise<ViewerSummary>
  /** POST /quit, waits for the exit, returns the summary written. */
  quit(): Promise<ViewerSummary>
  /** SIGTERM (then SIGKILL after the grace period) and waits for the exit; returns the summary if written. */
  stop(): Promise<ViewerSummary | null>
}

export function viewerArgs(o: ViewerLaunch): string[] {
  const args = [BIN, 'viewer', '--mode', o.mode, '--out', o.out]
  const add = (flag: string, v: string | number | undefined): void => {
    if (v !== undefined) args.push(`--${flag}`, String(v))
  }
  add('zgy', o.zgy)
  if (o.blob) {
    add('container-url', o.blob.containerUrl)
    add('prefix', o.blob.prefix)
    add('cache-dir', o.blob.cacheDir)
    add('mount-root', o.blob.mountRoot)
    add('fast-log', o.blob.fastLog)
  }
  if (o.params) add('params', JSON.stringify(o.params))
  if (o.hotkeys) add('hotkeys', JSON.stringify(o.hotkeys))
  add('export-dir', o.exportDir)
  add('markers', o.markers)
  add('label', o.label)
  add('title', o.title)
  add('title-prefix', o.titlePrefix)
  add('cache-mb', o.reader?.cacheMb)
  add('concurrency', o.reader?.concurrency)
  add('timeout-ms', o.reader?.timeoutMs)
  add('retries', o.reader?.retries)
  return args
}

export async function startViewer(o: ViewerLaunch): Promise<ViewerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: compileCacheDir() }
  delete env[SAS_ENV]
  if (o.blob) env[SAS_ENV] = o.blob.sas
  const p = startProcess(process.execPath, viewerArgs(o), { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  p.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 16384) stderr += d
  })
  const timeoutMs = (o.startTimeoutS ?? 30) * 1000
  let stdout = ''
  let url: string
  try {
    url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`benchgate viewer printed no URL within ${timeoutMs / 1000} s: ${stderr.trim() || 'no message'}`)), timeoutMs)
      p.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        if (stdout.length < 16384) stdout += d
        const line = /^viewer listening on (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(stdout)
        if (line) {
          clearTimeout(timer)
          resolveUrl(line[1]!)
        }
      })
      void p.exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`benchgate viewer exited with ${code} before listening: ${stderr.trim() || 'no message'}`))
      })
    })
  } catch (e) {
    await p.stop()
    throw e
  }
  const written = (): ViewerSummary | null => {
    try {
      return JSON.parse(readFileSync(o.out, 'utf8')) as ViewerSummary
    } catch {
      return null
    }
  }
  return {
    url,
    pid: p.pid,
    process: p,
    stdout: () => stdout,
    stderr: () => stderr,
    async run(action) {
      const r = await fetch(`${url}api/run?action=${action}`, { method: 'POST' })
      if (!r.ok) throw new Error(`viewer: ${action}: HTTP ${r.status} ${await r.text()}`)
      return decodeFrame(new Uint8Array(await r.arrayBuffer()))
    },
    async summary() {
      return (await (await fetch(`${url}api/summary`)).json()) as ViewerSummary
    },
    async quit() {
      await fetch(`${url}quit`, { method: 'POST' })
      const code = await p.exited
      if (code !== 0) throw new Error(`benchgate viewer exited with ${code}: ${stderr.trim() || 'no message'}`)
      const s = written()
      if (!s) throw new Error(`benchgate viewer wrote no summary to ${o.out}`)
      return s
    },
    async stop() {
      await p.stop()
      return written()
    },
  }
}
