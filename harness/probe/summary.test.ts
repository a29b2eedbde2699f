// The ten-second summary and the KPIs of a probe record, from a synthetic record whose fastest
// sweep point had failed chunks (so the best configuration is the next one).
import { describe, expect, test } from 'vitest'
import { probeKpis } from './kpis.ts'
import { summaryText } from './summary.ts'
import { syntheticBaseline } from './test-support.ts'

describe('summaryText', () => {
  const text = summaryText(syntheticBaseline())
  const lines = text.split('\n')

  test('names the machine, the share figures and the best blob configuration', () => {
    expect(text.endsWith('\n')).toBe(true)
    expect(lines[0]).toBe('benchgate probe  2025-03-04T10:00:00.000Z  90 s')
    expect(lines[1]).toBe('Machine   AMD EPYC 7763, 16 cores, 64 GiB RAM, no GPU; eth0 25000 Mb/s; Ubuntu 24.04 (6.8.0)')
    expect(text).toContain('NAS embedded  /data/nas (ext4)')
    expect(text).toContain('    Cold  1 stream 700 MB/s (p99 4 ms), 4 streams 1400 MB/s (p99 4 ms); OS cache not-requested')
    expect(text).toContain('    Warm  1 stream 3000 MB/s (p99 1 ms), 4 streams 6000 MB/s (p99 1 ms)')
    expect(text).toContain('Blob sas-1  https://acct.blob.core.windows.net/vols/benchgate-probe/probe-64MiB.bin (64 MiB)')
    expect(text).toContain('    RTT (TCP) min 1.5 ms / avg 2 ms / p95 2.45 ms')
    // 4 MiB × 8 was faster but lost chunks: the best is the fastest point without errors
    expect(text).toContain('    best  4 MiB × 4 streams: 812 MB/s, per chunk p50 2.5 ms p95 11.2 ms p99 14 ms; retries 0, throttled 0, errors 0')
    expect(text).toContain('    azcopy not run (azcopy is not on PATH)')
  })

  test('the sweep table marks points with failed chunks and totals the whole sweep', () => {
    const head = lines.findIndex((l) => l.startsWith('    MB/s'))
    expect(lines[head]).toBe('    MB/s          1 st    4 st    8 st')
    expect(lines[head + 1]).toBe('    1 MiB           90     300        ')
    expect(lines[head + 2]).toBe('    4 MiB          150     812    900!')
    expect(lines[head + 3]).toBe("    whole sweep: retries 4, throttled 4, failed chunks 2 ('!' marks points with failed chunks)")
  })

  test("no failures: 'Failures: none' is the last line", () => {
    expect(lines.at(-2)).toBe('Failures: none')
    expect(text).not.toContain('FAILED')
  })

  test('failures: counted, one line each, naming the target and the cause', () => {
    const failed = syntheticBaseline([
      { target: 'blob sas-2 (https://acct.blob.core.windows.net/other)', cause: "SAS signature invalid or expired (blob 'x'; HTTP 403 AuthenticationFailed)" },
      { target: 'nas share (/mnt/nas)', cause: 'share path does not exist (/mnt/nas)' },
    ])
    failed.blob[0]!.ok = false
    failed.blob[0]!.error = 'blob target timed out'
    const out = summaryText(failed).split('\n')
    expect(out.slice(-4)).toEqual([
      'Failures (2):',
      "  blob sas-2 (https://acct.blob.core.windows.net/other): SAS signature invalid or expired (blob 'x'; HTTP 403 AuthenticationFailed)",
      '  nas share (/mnt/nas): share path does not exist (/mnt/nas)',
      '',
    ])
    expect(out).toContain('    FAILED: blob target timed out')
  })

  test('parts not probed say so', () => {
    const b = syntheticBaseline()
    b.machine = { skipped: 'not requested (--no-machine)' }
    b.nas = []
    b.blob = []
    const out = summaryText(b)
    expect(out).toContain('Machine   not probed (not requested (--no-machine))')
    expect(out).toContain('NAS       not probed')
    expect(out).toContain('Blob      not probed')
  })
})

describe('probeKpis', () => {
  const kpis = probeKpis(syntheticBaseline())
  const byName = new Map(kpis.map((k) => [k.name, k]))

  test('names every figure and says which way is better', () => {
    expect(kpis.map((k) => k.name)).toEqual([
      'cpu_cores', 'ram_gb',
      'nas_embedded_cold_1st_MB_s', 'nas_embedded_cold_1st_p99_ms', 'nas_embedded_cold_4st_MB_s', 'nas_embedded_cold_4st_p99_ms',
      'nas_embedded_warm_1st_MB_s', 'nas_embedded_warm_1st_p99_ms', 'nas_embedded_warm_4st_MB_s', 'nas_embedded_warm_4st_p99_ms',
      'blob_sas_1_rtt_avg_ms', 'blob_sas_1_best_MB_s', 'blob_sas_1_best_config', 'blob_sas_1_best_p99_ms',
    ])
    for (const k of kpis) {
      if (k.name.endsWith('_MB_s')) expect(k, k.name).toMatchObject({ unit: 'MB/s', better: 'higher' })
      else if (k.name.endsWith('_ms')) expect(k, k.name).toMatchObject({ unit: 'ms', better: 'lower' })
      else expect(k.better, k.name).toBeUndefined() // facts and the configuration: no direction
    }
  })

  test('values are the record’s figures', () => {
    expect(byName.get('cpu_cores')).toEqual({ name: 'cpu_cores', value: 16, unit: 'cores' })
    expect(byName.get('nas_embedded_warm_4st_MB_s')?.value).toBe(6000)
    expect(byName.get('blob_sas_1_best_MB_s')?.value).toBe(812)
    expect(byName.get('blob_sas_1_best_config')?.value).toBe('4 MiB × 4 streams')
    expect(byName.get('blob_sas_1_best_p99_ms')?.value).toBe(14)
    expect(byName.get('blob_sas_1_rtt_avg_ms')?.value).toBe(2)
  })

  test('nothing measured, nothing claimed: no best, no RTT, no machine', () => {
    const b = syntheticBaseline()
    b.machine = { skipped: 'not requested' }
    b.blob[0]!.best = null
    b.blob[0]!.rtt = { skipped: 'not reached' }
    const names = probeKpis(b).map((k) => k.name)
    expect(names.filter((n) => n.startsWith('blob_'))).toEqual([])
    expect(names).not.toContain('cpu_cores')
  })
})
