// Optional cross-check: when azcopy is on PATH, `azcopy bench --mode=Download` on the test blob
// itself, recorded beside our figure. In download mode azcopy reads whatever already exists at the
// URL it is given to the null device (it generates and uploads data only in upload mode), so it is
// pointed at the one test blob, never at the container (it would read the whole container), and a
// read SAS suffices. azcopy's logs and job plans go to a temp directory removed afterwards; its
// output is scrubbed before it is kept. The URL has to be on azcopy's command line (it takes no
// other way), so the SAS is visible to `ps` while it runs.
import { redactText } from '../config/redact.ts'
import { redactSignatures } from '../config/sas.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { startProcess } from '../run/processes.ts'
import { blobUrl, scrubSecrets, type BlobTarget } from '../azure/target.ts'
import type { AzcopyResult } from './schema.ts'
import { findOnPath } from './tools.ts'

export interface AzcopyOptions {
  /** The test blob azcopy downloads. */
  blob: string
  timeoutMs: number
  env?: NodeJS.ProcessEnv
}

const SUMMARY = /^\s*(Elapsed Time|Throughput|Total|Number of|Final Job Status|TotalBytes|Job .* summary)/i

/**
 * MB/s from azcopy's job summary: `Total Number of Bytes Transferred` (older: `TotalBytesTransferred`)
 * over `Elapsed Time (Minutes)`, the sustained figure of the whole job. azcopy prints no overall
 * throughput line; only its progress lines carry `2-sec Throughput (Mb/s)` (megabits, the last two
 * seconds), so the last of those stands in only when the summary lacks bytes or time.
 */
export function parseAzcopySummary(text: string): { MB_s: number | null; lines: string[]; completed: boolean | null } {
  const lines = text.split(/\r?\n/).filter((l) => SUMMARY.test(l)).map((l) => l.trim())
  const status = /Final Job Status:\s*(\w+)/i.exec(text)?.[1]
  const completed = status === undefined ? null : /^Completed$/i.test(status)
  const bytes = /(?:TotalBytesTransferred|Total Number of Bytes Transferred):\s*(\d+)/i.exec(text)
  const minutes = /Elapsed Time \(Minutes\):\s*([\d.]+)/i.exec(text)
  if (bytes && minutes && Number(minutes[1]) > 0) return { MB_s: Number(bytes[1]) / 1e6 / (Number(minutes[1]) * 60), lines, completed }
  const tput = [...text.matchAll(/Throughput \(Mb\/s\):\s*([\d.]+)/gi)].at(-1)
  if (tput) return { MB_s: Number(tput[1]) / 8, lines, completed }
  return { MB_s: null, lines, completed }
}

/** Runs azcopy bench on the target's test blob, or says why not. */
export async function azcopyBench(target: BlobTarget, o: AzcopyOptions): Promise<AzcopyResult> {
  const env = o.env ?? process.env
  const exe = findOnPath('azcopy', env)
  if (!exe) return { skipped: 'azcopy is not on PATH' }
  const url = blobUrl(target, o.blob)
  const args = ['bench', url, '--mode=Download']
  const command = ['azcopy', ...args].map((a) => (a === url ? `'${redactSignatures(a)}'` : a)).join(' ')
  const dir = makeTempDir('benchgate-azcopy-')
  let output = ''
  try {
    const proc = startProcess(exe, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, AZCOPY_LOG_LOCATION: dir.path, AZCOPY_JOB_PLAN_LOCATION: dir.path },
    })
    proc.child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
    proc.child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
    let timer: NodeJS.Timeout | undefined
    const code = await Promise.race([
      proc.exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), o.timeoutMs))),
    ])
    clearTimeout(timer)
    await proc.stop()
    const clean = scrubSecrets(redactText(output, null), target)
    const parsed = parseAzcopySummary(clean)
    const ok = code === 0 && parsed.MB_s !== null && parsed.completed !== false
    const result: AzcopyResult = { command, ok, MB_s: parsed.MB_s, summary: parsed.lines }
    if (!ok) {
      const last = clean.trim().split('\n').filter((l) => l.trim()).slice(-1)[0]?.trim() ?? 'no output'
      result.error = code === 'timeout' ? `azcopy did not finish within ${Math.round(o.timeoutMs / 1000)} s` : `azcopy exited ${code}: ${last}`
    }
    return result
  } finally {
    await dir.release()
  }
}
