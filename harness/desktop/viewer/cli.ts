// `benchgate viewer`: the seismic viewer, a desktop application of ours that the desktop driver
// launches and drives like Petrel. It serves its page on 127.0.0.1 (shown in a Chromium app
// window, ../app-window.ts), opens the volume on the open hotkey through mode A (the .zgy file)
// or mode B (the chunked volume in Azure Blob through the FAST cache), draws inlines and runs the
// headless reader's workflows on its keys, and keeps the volume's files open until it ends, so a
// sampler watching its pid sees which path served it.
//
// Its first line on stdout is `viewer listening on http://127.0.0.1:PORT/` (and --ready-file gets
// {url, port, pid, title} atomically). On SIGTERM, SIGINT or POST /quit it writes its summary
// (--out, atomically; ./session.ts ViewerSummary) and exits 0.
//
// The SAS for mode B is read from BENCHGATE_SAS, as the reader's (never from the command line).
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { UserError } from '../../errors.ts'
import { SAS_ENV, VOLUME_FLAGS_USAGE } from '../../fast/reader-cli.ts'
import type { WorkflowContext } from '../../fast/workflows.ts'
import { writeFileAtomic } from '../../run/atomic.ts'
import { startViewerServer } from './server.ts'
import { ViewerSession } from './session.ts'

export const VIEWER_USAGE = `usage: benchgate viewer --mode A|B --out FILE [options]

  --mode A|B            A: the .zgy file on the NAS share; B: the chunked volume in Azure Blob via the FAST cache
${VOLUME_FLAGS_USAGE}
  --params JSON         workflow parameters, as the reader's: {"scrub_count":100,"open":{"inline":…},"attribute":{…},…}
  --hotkeys JSON        action → chord, e.g. {"open":"Ctrl+O","next":"PgDn","attribute":"Alt+1","horizon":"Alt+2","export":"Alt+3"}
  --out FILE            JSON summary written when the viewer ends
  --export-dir DIR      where the export action writes (default: the --out file's folder)
  --markers FILE        markers.tsv to append the viewer's own markers to
  --label TEXT          comment written with every marker
  --title TEXT          the window title (default: "<title-prefix> — mode A (NAS .zgy)" / "… — mode B (Azure Blob via FAST)")
  --title-prefix TEXT   (default "Seismic Viewer")
  --port N              port on 127.0.0.1 (default 0: a free one)
  --ready-file FILE     written with {url, port, pid, title} once the viewer listens
  --cache-mb N          in-memory brick cache (default 64)
  --concurrency N       bricks/chunks fetched at once (default 8)
  --timeout-ms N        per-request timeout, mode B (default 30000)
  --retries N           retries per request on 429/500/503/timeouts, mode B (default 5)`

const MODE_LABEL = { A: 'mode A (NAS .zgy)', B: 'mode B (Azure Blob via FAST)' } as const

const STRING_FLAGS = ['mode', 'zgy', 'container-url', 'prefix', 'cache-dir', 'mount-root', 'fast-log', 'params', 'hotkeys', 'out', 'export-dir', 'markers', 'label',
  'title', 'title-prefix', 'port', 'ready-file', 'cache-mb', 'concurrency', 'timeout-ms', 'retries']

function flagError(flag: string, message: string, expected: string): UserError {
  return new UserError({ file: 'benchgate viewer', field: `--${flag}`, message, expected, hint: 'benchgate viewer --help' })
}

function int(values: Record<string, string | undefined>, flag: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[flag]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw flagError(flag, `invalid value ${JSON.stringify(raw)}`, `an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`)
  return n
}

function need(values: Record<string, string | undefined>, flag: string, why: string): string {
  const v = values[flag]
  if (typeof v !== 'string' || v === '') throw flagError(flag, 'missing', why)
  return v
}

function jsonObject(values: Record<string, string | undefined>, flag: string, what: string): Record<string, unknown> {
  const raw = values[flag]
  if (raw === undefined) return {}
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch (e) {
    throw flagError(flag, `not JSON (${(e as Error).message})`, what)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw flagError(flag, 'not a JSON object', what)
  return v as Record<string, unknown>
}

export async function viewerCommand(argv: string[]): Promise<number> {
  const values: Record<string, string | undefined> = {}
  let help = false
  try {
    const options = Object.fromEntries([...STRING_FLAGS.map((f) => [f, { type: 'string' as const }]), ['help', { type: 'boolean' as const }]])
    for (const [k, v] of Object.entries(parseArgs({ args: argv, strict: true, options }).values)) {
      if (k === 'help') help = v === true
      else if (typeof v === 'string') values[k] = v
    }
  } catch (e) {
    throw new UserError({ file: 'benchgate viewer', message: (e as Error).message.split('\n')[0] ?? 'bad arguments', expected: 'the flags benchgate viewer --help lists' })
  }
  if (help) {
    console.log(VIEWER_USAGE)
    return 0
  }
  const mode = values.mode
  if (mode !== 'A' && mode !== 'B') throw flagError('mode', `invalid value ${JSON.stringify(mode ?? '')}`, 'A (NAS .zgy) or B (Azure Blob via FAST)')
  const out = resolve(need(values, 'out', 'the JSON summary file'))
  const params = { scrub_count: 100, scrub_delay_ms: 40, ...jsonObject(values, 'params', 'a JSON object of workflow parameters') } as WorkflowContext['params']
  if (!Number.isInteger(params.scrub_count) || params.scrub_count < 1) throw flagError('params', `scrub_count ${JSON.stringify(params.scrub_count)}`, 'an integer ≥ 1')
  const hotkeys = jsonObject(values, 'hotkeys', 'a JSON object of action → key chord') as Record<string, string>
  const concurrency = int(values, 'concurrency', 8, 1)
  let zgy: string | undefined
  let blob: ConstructorParameters<typeof ViewerSession>[0]['blob']
  if (mode === 'A') {
    zgy = resolve(need(values, 'zgy', 'the .zgy file on the NAS share'))
    if (!existsSync(zgy)) throw flagError('zgy', `${zgy} does not exist`, 'the path of a .zgy file')
  } else {
    const containerUrl = need(values, 'container-url', `the container URL (the SAS comes from $${SAS_ENV})`)
    const cacheDir = resolve(need(values, 'cache-dir', 'the FAST cache directory'))
    blob = {
      target: { containerUrl, sas: (process.env[SAS_ENV] ?? '').replace(/^\?/, '') },
      prefix: values.prefix ?? '',
      cacheDir,
      mountRoot: values['mount-root'] ? resolve(values['mount-root']) : `${cacheDir}/mount`,
      fastLog: values['fast-log'] && resolve(values['fast-log']),
      timeoutMs: int(values, 'timeout-ms', 30_000, 1),
      retries: int(values, 'retries', 5, 0),
    }
  }
  const session = new ViewerSession({
    mode, zgy, blob, concurrency, params,
    cacheMb: int(values, 'cache-mb', 64, 0),
    exportDir: values['export-dir'] ? resolve(values['export-dir']) : dirname(out),
    label: values.label ?? `mode=${mode} viewer`,
    markers: values.markers && resolve(values.markers),
  })
  const title = values.title ?? `${values['title-prefix'] ?? 'Seismic Viewer'} — ${MODE_LABEL[mode]}`

  let end: (why: string) => void = () => undefined
  const ended = new Promise<string>((r) => (end = r))
  const server = await startViewerServer({ session, title, hotkeys, port: int(values, 'port', 0, 0, 65535), onQuit: () => end('quit') })
  const onSignal = (signal: NodeJS.Signals): void => end(signal)
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  process.stdout.write(`viewer listening on ${server.url}\n`)
  if (values['ready-file']) writeFileAtomic(resolve(values['ready-file']), JSON.stringify({ url: server.url, port: server.port, pid: process.pid, title }) + '\n')

  const why = await ended
  process.off('SIGTERM', onSignal)
  process.off('SIGINT', onSignal)
  await server.close()
  await session.close()
  session.mark('session_end', `ended_by=${why}`)
  writeFileAtomic(out, JSON.stringify(session.summary({ title, url: server.url, ended_by: why, keylog: server.keylog })) + '\n')
  return 0
}
