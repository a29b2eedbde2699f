// The probe's figures as KPIs, so later runs can gate on them (a KPI with a direction is judged
// against a stored baseline like any benchmark). Names: nas_<share>_<cold|warm>_<streams>st_MB_s,
// nas_<share>_<state>_<streams>st_p99_ms, nas_<share>_rtt_avg_ms, blob_<target>_best_MB_s,
// blob_<target>_best_p99_ms, blob_<target>_best_config, blob_<target>_rtt_avg_ms, and the
// machine's cpu_cores and ram_gb (facts, no direction).
import type { Kpi } from '../results.ts'
import type { ProbeBaseline } from './schema.ts'
import { streamsLabel } from './blob-sweep.ts'

function key(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'target'
}

export function probeKpis(b: ProbeBaseline): Kpi[] {
  const out: Kpi[] = []
  if (!('skipped' in b.machine)) {
    out.push({ name: 'cpu_cores', value: b.machine.cpu.cores, unit: 'cores' }, { name: 'ram_gb', value: b.machine.ram_gb, unit: 'GiB' })
  }
  for (const s of b.nas) {
    const n = `nas_${key(s.name)}`
    if ('avg_ms' in s.rtt && s.rtt.avg_ms !== null) out.push({ name: `${n}_rtt_avg_ms`, value: s.rtt.avg_ms, unit: 'ms', better: 'lower' })
    for (const r of s.reads) {
      const p = `${n}_${r.cache_state.toLowerCase()}_${r.streams}st`
      out.push({ name: `${p}_MB_s`, value: r.MB_s, unit: 'MB/s', better: 'higher' })
      if (r.chunk_ms.p99 !== null) out.push({ name: `${p}_p99_ms`, value: r.chunk_ms.p99, unit: 'ms', better: 'lower' })
    }
  }
  for (const t of b.blob) {
    const n = `blob_${key(t.name)}`
    if ('avg_ms' in t.rtt && t.rtt.avg_ms !== null) out.push({ name: `${n}_rtt_avg_ms`, value: t.rtt.avg_ms, unit: 'ms', better: 'lower' })
    if (t.best) {
      out.push({ name: `${n}_best_MB_s`, value: t.best.MB_s, unit: 'MB/s', better: 'higher' })
      out.push({ name: `${n}_best_config`, value: `${streamsLabel(t.best)}`, unit: '' })
      if (t.best.chunk_p99_ms !== null) out.push({ name: `${n}_best_p99_ms`, value: t.best.chunk_p99_ms, unit: 'ms', better: 'lower' })
    }
  }
  return out
}
