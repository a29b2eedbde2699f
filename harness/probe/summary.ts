// baseline_summary.txt: the probe's result as a person reads it in ten seconds. The machine on
// one line, each share's Cold and Warm MB/s, each blob target's best configuration and its
// MB/s table (chunk size × streams), then the failures. Figures only as measured; what was not
// measured says why.
import { formatNumber } from '../charts/format.ts'
import { streamsLabel } from './blob-sweep.ts'
import type { BlobTargetResult, IcmpRtt, NasShare, ProbeBaseline, Skipped, TcpRtt } from './schema.ts'

const mb = (v: number | null | undefined) => (v === null || v === undefined ? '-' : formatNumber(Math.round(v)))
const msText = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${formatNumber(v)} ms`)

function rttText(rtt: TcpRtt | IcmpRtt | Skipped): string {
  if ('skipped' in rtt) return `n/a (${rtt.skipped})`
  if ('available' in rtt && !rtt.available) return `n/a (${rtt.reason ?? 'unavailable'})`
  if (rtt.avg_ms === null) return `failed (${'errors' in rtt ? rtt.errors.join('; ') : 'no reply'})`
  return `min ${msText(rtt.min_ms)} / avg ${msText(rtt.avg_ms)} / p95 ${msText(rtt.p95_ms)}`
}

function machineLine(b: ProbeBaseline): string {
  const m = b.machine
  if ('skipped' in m) return `Machine   not probed (${m.skipped})`
  const gpus = m.gpus.length ? m.gpus.map((g) => g.model).join(', ') : 'no GPU'
  const nics = m.nics.filter((n) => !n.internal).map((n) => `${n.name} ${n.speed_mbps === null ? 'speed unknown' : `${n.speed_mbps} Mb/s`}`).join(', ') || 'no NIC'
  return `Machine   ${m.cpu.model}, ${m.cpu.cores} cores, ${m.ram_gb} GiB RAM, ${gpus}; ${nics}; ${m.os.distro} ${m.os.release} (${m.os.kernel})`
}

function nasLines(s: NasShare): string[] {
  const head = `NAS ${s.name}  ${s.path}${s.fs_type ? ` (${s.fs_type})` : ''}`
  const rtt = 'skipped' in s.rtt && 'skipped' in s.icmp && s.rtt.skipped === s.icmp.skipped
    ? `    RTT n/a (${s.rtt.skipped})` // a local directory: no host to time
    : `    RTT (TCP ${'port' in s.rtt ? s.rtt.port : '-'}) ${rttText(s.rtt)}; ICMP ${rttText(s.icmp)}`
  const out = [head, rtt]
  for (const state of ['Cold', 'Warm'] as const) {
    const reads = s.reads.filter((r) => r.cache_state === state)
    if (!reads.length) continue
    const figures = reads.map((r) => `${r.streams} stream${r.streams > 1 ? 's' : ''} ${mb(r.MB_s)} MB/s (p99 ${msText(r.chunk_ms.p99)})`).join(', ')
    const cold = reads.find((r) => r.cold)?.cold
    out.push(`    ${state.padEnd(5)} ${figures}${cold ? `; OS cache ${cold.os_cache}` : ''}`)
  }
  if (s.error) out.push(`    FAILED: ${s.error}`)
  return out
}

function sweepTable(t: BlobTargetResult): string[] {
  const streams = [...new Set(t.sweep.map((p) => p.streams))].sort((a, b) => a - b)
  const chunks = [...new Set(t.sweep.map((p) => p.chunk_mib))]
  if (!streams.length) return []
  const cell = (s: string) => s.padStart(8)
  const rows = [`    ${'MB/s'.padEnd(10)}${streams.map((s) => cell(`${s} st`)).join('')}`]
  for (const c of chunks) {
    const values = streams.map((s) => {
      const p = t.sweep.find((q) => q.chunk_mib === c && q.streams === s)
      return cell(p ? `${mb(p.MB_s)}${p.errors ? '!' : ''}` : '')
    })
    rows.push(`    ${`${c} MiB`.padEnd(10)}${values.join('')}`)
  }
  return rows
}

function blobLines(t: BlobTargetResult): string[] {
  const out = [`Blob ${t.name}  ${t.container}/${t.blob}${t.blob_bytes === null ? '' : ` (${formatNumber(t.blob_bytes / 1048576)} MiB)`}`]
  out.push(`    RTT (TCP) ${rttText(t.rtt)}`)
  if (t.best) {
    const best = t.sweep.find((p) => p.chunk_mib === t.best!.chunk_mib && p.streams === t.best!.streams)!
    const throttled = best.throttled['429'] + best.throttled['500'] + best.throttled['503']
    out.push(`    best  ${streamsLabel(t.best)}: ${mb(t.best.MB_s)} MB/s, per chunk p50 ${msText(best.chunk_ms.p50)} p95 ${msText(best.chunk_ms.p95)} p99 ${msText(best.chunk_ms.p99)}; retries ${best.retries}, throttled ${throttled}, errors ${best.errors}`)
  }
  const retries = t.sweep.reduce((n, p) => n + p.retries, 0)
  const errors = t.sweep.reduce((n, p) => n + p.errors, 0)
  const throttled = t.sweep.reduce((n, p) => n + p.throttled['429'] + p.throttled['500'] + p.throttled['503'], 0)
  if (t.sweep.length) out.push(...sweepTable(t), `    whole sweep: retries ${retries}, throttled ${throttled}, failed chunks ${errors}${errors ? " ('!' marks points with failed chunks)" : ''}`)
  const az = t.azcopy
  out.push(`    azcopy ${'skipped' in az ? `not run (${az.skipped})` : az.ok ? `${mb(az.MB_s)} MB/s (${az.command})` : `failed: ${az.error}`}`)
  if (t.error) out.push(`    FAILED: ${t.error}`)
  return out
}

/** The summary text (ends with a newline). */
export function summaryText(b: ProbeBaseline): string {
  const lines = [
    `benchgate probe  ${b.started}  ${formatNumber(b.duration_s)} s`,
    machineLine(b),
    '',
    ...(b.nas.length ? b.nas.flatMap((s) => [...nasLines(s), '']) : ['NAS       not probed', '']),
    ...(b.blob.length ? b.blob.flatMap((t) => [...blobLines(t), '']) : ['Blob      not probed', '']),
    b.failures.length ? `Failures (${b.failures.length}):` : 'Failures: none',
    ...b.failures.map((f) => `  ${f.target}: ${f.cause}`),
  ]
  return `${lines.join('\n')}\n`
}
