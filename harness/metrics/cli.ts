// `benchgate metrics`: samples process trees and the system into a CSV from the terminal. The
// agent runs in this process (nothing else competes for its event loop). Progress goes to
// stderr, the summary table to stdout.
//
// The sampling modules are imported only after Node's compile cache is on: it keeps their
// type-stripped form, so from the second run on they load without growing the TypeScript
// stripper's memory (about 25 MB) in a process meant to stay small.
import { enableCompileCache } from 'node:module'
import type { ColumnStats, MetricsSummary } from './summary.ts'

function seconds(ms: number): string {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
}

function fixed(n: number | undefined, scale = 1): string {
  return n === undefined ? '-' : (n / scale).toFixed(2)
}

/** The end-of-run table: mean, p95 and peak of the figures people look at first. */
export function summaryTable(summary: MetricsSummary, file: string): string {
  const lines: [string, ColumnStats | null, number][] = [
    ['cpu %', summary.columns.cpu_pct, 1],
    ['rss MB', summary.columns.rss_mb, 1],
    ['read MB/s', summary.columns.read_bytes_s, 1e6],
    ['write MB/s', summary.columns.write_bytes_s, 1e6],
    ['disk read MB/s', summary.columns.sys_disk_read_mb_s, 1],
    ['disk write MB/s', summary.columns.sys_disk_write_mb_s, 1],
  ]
  const out = [`${summary.rows} rows in ${file}`, `${''.padEnd(16)}${'mean'.padStart(10)}${'p95'.padStart(10)}${'peak'.padStart(10)}`]
  for (const [name, s, scale] of lines) {
    out.push(`${name.padEnd(16)}${fixed(s?.mean, scale).padStart(10)}${fixed(s?.p95, scale).padStart(10)}${fixed(s?.peak, scale).padStart(10)}`)
  }
  return out.join('\n')
}

export async function metricsCommand(argv: string[]): Promise<number> {
  try {
    enableCompileCache()
  } catch {
    // an older Node or an unwritable cache: only costs memory
  }
  const { CLI_FLAGS, METRICS_USAGE, parseMetricsArgs } = await import('./options.ts')
  const { startAgent } = await import('./agent.ts')
  const { summarizeMetrics } = await import('./summary.ts')
  const parsed = parseMetricsArgs(argv)
  if (parsed.help) {
    console.log(METRICS_USAGE)
    return 0
  }
  const tty = process.stderr.isTTY === true
  const durationMs = parsed.options.durationMs
  let lastPrint = 0
  const progress = (rows: number, elapsedMs: number, final = false): void => {
    const now = performance.now()
    if (!final && now - lastPrint < (tty ? 200 : 10_000)) return
    lastPrint = now
    let text = `metrics: ${rows} rows, ${seconds(elapsedMs)} elapsed`
    if (durationMs !== undefined) text += `, ETA ${seconds(Math.max(0, durationMs - elapsedMs))}`
    if (tty) process.stderr.write(`\r${text}\x1b[K${final ? '\n' : ''}`)
    else process.stderr.write(text + '\n')
  }
  const agent = startAgent(parsed.options, {
    stopWhenAllExited: (parsed.options.pids?.length ?? 0) > 0,
    onRows: (rows) => progress(rows, agent.elapsedMs),
  }, CLI_FLAGS)
  const onSignal = (): void => {
    agent.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const result = await agent.done
    progress(result.rows, agent.elapsedMs, true)
    console.log(summaryTable(summarizeMetrics(result.file), result.file))
    return 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
