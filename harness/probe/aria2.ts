// aria2c (Debian's aria2), the multi-connection downloader the probe is measured against: one
// download of a blob with N connections (`-x N -s N`) and the same chunk size (`-k`,
// `--min-split-size`), written into a directory and checked for size. The SAS URL goes in on
// stdin (`-i -`), never on the command line, and aria2c's output is scrubbed before it is kept.
//
// How aria2c uses the chunk size: it splits the file into N segments of size/N (at least the
// chunk size) and fetches each with one long ranged GET per connection, where the probe sends
// one ranged GET per chunk. Same connections and chunk size, different request pattern.
//
// CPU: where GNU time is installed (Debian package `time`), aria2c runs under
// `time -f '%U %S' -o FILE`, which reports the user and system CPU seconds of aria2c (its rusage
// when reaped) and nothing of ours; without it `cpuSeconds` is null.
import { readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { blobUrl, scrubSecrets, type BlobTarget } from '../azure/target.ts'
import { startProcess } from '../run/processes.ts'
import { findOnPath } from './tools.ts'

export interface Aria2Result {
  bytes: number
  ms: number
  MB_s: number
  /** aria2c's user + system CPU seconds (GNU time), or null where GNU time is not installed. */
  cpuSeconds: number | null
}

/** GNU time (Linux), or null. */
export function gnuTime(): string | null {
  return process.platform === 'linux' ? findOnPath('time') : null
}

const TIMES = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/

/** User + system seconds from GNU time's `-f '%U %S'` output (its last line), or null. */
export function parseTimes(text: string): number | null {
  const m = TIMES.exec(text.trim().split('\n').at(-1)?.trim() ?? '')
  return m ? Number(m[1]) + Number(m[2]) : null
}

export const ARIA2_MISSING = 'aria2c is not installed (Debian package aria2): run `bash scripts/install-debian-packages.sh`'

/** The aria2c arguments for N connections and a chunk size, reading the URI list from stdin. */
export function aria2Args(connections: number, chunkBytes: number, dir: string): string[] {
  if (connections < 1 || connections > 16) throw new RangeError(`aria2c allows 1 to 16 connections per server, got ${connections}`)
  const k = `${Math.max(1, Math.round(chunkBytes / 1048576))}M` // aria2c takes 1M…1024M
  return [
    `--max-connection-per-server=${connections}`, `--split=${connections}`, `--min-split-size=${k}`,
    '--file-allocation=none', '--allow-overwrite=true', '--auto-file-renaming=false', '--continue=false',
    '--console-log-level=warn', '--summary-interval=0', '--download-result=hide', '--no-conf=true',
    `--dir=${dir}`, '--input-file=-',
  ]
}

/** Downloads `blob` with aria2c into `dir` (the file is removed afterwards); throws with a scrubbed cause. */
export async function aria2Download(target: BlobTarget, blob: string, expectedBytes: number, connections: number, chunkBytes: number, dir: string, timeoutMs = 300_000): Promise<Aria2Result> {
  const exe = findOnPath('aria2c')
  if (!exe) throw new Error(ARIA2_MISSING)
  const out = 'aria2-download.bin'
  const path = join(dir, out)
  const timesPath = join(dir, 'aria2-times.txt')
  rmSync(path, { force: true })
  rmSync(timesPath, { force: true })
  const time = gnuTime()
  const args = aria2Args(connections, chunkBytes, dir)
  const t0 = performance.now()
  const proc = time
    ? startProcess(time, ['-f', '%U %S', '-o', timesPath, exe, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    : startProcess(exe, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  proc.child.stdout!.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-4000)))
  proc.child.stderr!.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-4000)))
  proc.child.stdin!.end(`${blobUrl(target, blob)}\n  out=${out}\n`)
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([proc.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))])
  clearTimeout(timer)
  const ms = performance.now() - t0
  await proc.stop()
  try {
    if (code !== 0) {
      const last = scrubSecrets(output, target).trim().split('\n').filter((l) => l.trim()).slice(-3).join(' | ')
      throw new Error(`aria2c ${code === 'timeout' ? `did not finish within ${timeoutMs / 1000} s` : `exited ${code}`}: ${last || 'no output'}`)
    }
    const bytes = statSync(path).size
    if (bytes !== expectedBytes) throw new Error(`aria2c wrote ${bytes} bytes, expected ${expectedBytes}`)
    const cpuSeconds = time ? parseTimes(readFileSync(timesPath, 'utf8')) : null
    if (time && cpuSeconds === null) throw new Error(`${time} wrote no '%U %S' line to ${timesPath}`)
    return { bytes, ms, MB_s: bytes / 1e6 / (ms / 1000), cpuSeconds }
  } finally {
    rmSync(path, { force: true })
    rmSync(timesPath, { force: true })
  }
}
