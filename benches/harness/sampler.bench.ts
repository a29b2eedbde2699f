// The metrics sampler holds itself to its budget: ≤ 1 % of one core and ≤ 80 MB peak RSS at 1 Hz
// watching a tree of 10 processes for 60 s, and its rate holds (60 ± 1 rows at 1 Hz over 60 s,
// 100 ± 2 rows at 10 Hz over 10 s). The agent's cost is read from /proc, and so is that of a bare
// Node.js process (the same runtime doing nothing) measured over the same minute, as the peer.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from '../../harness/test.ts'
import { processCost } from '../../harness/metrics/process-cost.ts'
import { treePids } from '../../harness/metrics/procfs.ts'
import { startSampler } from '../../harness/metrics/sampler.ts'

const TREE = 'for i in 1 2 3 4 5 6 7 8 9; do sleep 600 & done; wait' // sh + 9 children = 10 processes

function dataRows(csv: string): string[][] {
  return readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','))
}

async function treeOf(root: number, size: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const pids = treePids(root)
    if (pids.length >= size) return pids
    await sleep(20)
  }
  throw new Error(`process tree of ${root} never reached ${size} processes`)
}

test('sampler overhead: 60 s at 1 Hz watching 10 processes', { timeout: 180_000 }, async ({ run, spawn, kpi, publish }) => {
  const tree = spawn('sh', ['-c', TREE])
  expect(await treeOf(tree.pid, 10)).toHaveLength(10)
  const peer = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'])
  const sampler = await startSampler({ out: run.path('overhead_metrics.csv'), intervalMs: 1000, pids: [tree.pid] })
  run.addArtifact('overhead_metrics.csv')
  run.mark('sampling_start', '1 Hz, 10 processes')
  const t0 = performance.now()
  const agent0 = processCost(sampler.pid)
  const peer0 = processCost(peer.pid)
  await sleep(60_000)
  const seconds = (performance.now() - t0) / 1000
  const agent1 = processCost(sampler.pid)
  const peer1 = processCost(peer.pid)
  const summary = await sampler.stop()
  run.mark('sampling_end')

  const cpuPct = ((agent1.cpuSeconds - agent0.cpuSeconds) / seconds) * 100
  const peerCpuPct = ((peer1.cpuSeconds - peer0.cpuSeconds) / seconds) * 100
  kpi('sampler_cpu_pct', cpuPct, '% of one core', { better: 'lower' })
  kpi('sampler_peak_rss_mb', agent1.peakRssMb, 'MB', { better: 'lower' })
  kpi('bare_node_cpu_pct', peerCpuPct, '% of one core')
  kpi('bare_node_peak_rss_mb', peer1.peakRssMb, 'MB')
  kpi('rows_1hz_60s', summary.rows, 'rows')
  console.log(
    `sampler over ${seconds.toFixed(1)} s at 1 Hz, 10 processes: CPU ${cpuPct.toFixed(3)} % of one core (budget 1 %), ` +
      `peak RSS ${agent1.peakRssMb.toFixed(1)} MB (budget 80 MB); bare Node.js peer: CPU ${peerCpuPct.toFixed(3)} %, ` +
      `peak RSS ${peer1.peakRssMb.toFixed(1)} MB; RSS ratio sampler/peer ${(agent1.peakRssMb / peer1.peakRssMb).toFixed(2)}; rows ${summary.rows}`,
  )

  await publish() // table, KPIs and charts in `vitest --ui` and the HTML report
  const rows = dataRows(sampler.out)
  expect(rows.every((r) => r[1] === String(tree.pid)), 'every row is of the watched tree').toBe(true)
  expect(summary.rows).toBeGreaterThanOrEqual(59)
  expect(summary.rows).toBeLessThanOrEqual(61)
  expect(cpuPct, 'sampler CPU, % of one core').toBeLessThanOrEqual(1)
  expect(agent1.peakRssMb, 'sampler peak RSS, MB').toBeLessThanOrEqual(80)
})

test('sampler rate: 10 Hz for 10 s gives 100 ± 2 rows', { timeout: 60_000 }, async ({ run, spawn, kpi, publish }) => {
  const tree = spawn('sh', ['-c', TREE])
  await treeOf(tree.pid, 10)
  const sampler = await startSampler({ out: run.path('rate_metrics.csv'), intervalMs: 100, pids: [tree.pid] })
  run.addArtifact('rate_metrics.csv')
  await sleep(10_000)
  const summary = await sampler.stop()
  kpi('rows_10hz_10s', summary.rows, 'rows')
  await publish() // table, KPIs and charts in `vitest --ui` and the HTML report
  const ts = dataRows(sampler.out).map((r) => Date.parse(r[0]!))
  const gaps = ts.slice(1).map((t, i) => t - ts[i]!)
  const worstGap = Math.max(...gaps)
  kpi('worst_gap_ms', worstGap, 'ms', { better: 'lower' })
  console.log(`sampler at 10 Hz for 10 s: ${summary.rows} rows, worst gap between rows ${worstGap} ms`)
  expect(summary.rows).toBeGreaterThanOrEqual(98)
  expect(summary.rows).toBeLessThanOrEqual(102)
})

test('process tree discovery: /proc scan versus ps', async ({ bench, kpi, sampler, publish }) => {
  // The sampler re-discovers the watched tree every tick; its peer is what a script would do.
  // The harness's own sampler watches this worker (and the ps processes it starts) meanwhile.
  sampler.watch(process.pid)
  const { execFileSync } = await import('node:child_process')
  const fromPs = () => {
    const lines = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n')
    return lines.length
  }
  const results = await bench.compare(
    bench('procfs treePids', () => {
      treePids(process.pid)
    }),
    bench('ps -e -o pid,ppid', () => {
      fromPs()
    }),
    { iterations: 50, time: 2000 },
  )
  const ours = results.get('procfs treePids').latency.p50
  const peer = results.get('ps -e -o pid,ppid').latency.p50
  kpi('tree_scan_p50_ms', ours, 'ms', { better: 'lower' })
  kpi('tree_scan_speedup_vs_ps', peer / ours, 'x', { better: 'higher' })
  console.log(`tree discovery p50: /proc ${ours.toFixed(3)} ms, ps ${peer.toFixed(3)} ms, ratio ps/ours ${(peer / ours).toFixed(1)}`)
  await publish() // table, KPIs and charts in `vitest --ui` and the HTML report
  expect(ours).toBeLessThan(peer)
})
