// The command timer (harness/command) against hyperfine, and its memory figures against a known
// allocation, on this machine in one run.
//
// 1. Wall time. The same short commands (`sleep 0.1`; a CPU-bound `sh` loop of ~95 ms) timed by
//    hyperfine -N (no shell, --warmup 3 --runs 30, --export-json) and by benchmarkCommand (3
//    warm-ups, 30 runs), in alternating blocks (hyperfine, ours, hyperfine, ours, …) so drift
//    falls on both. Our timer starts the command with one posix_spawn from a small python3
//    launcher and reads CLOCK_MONOTONIC around spawn and wait4, as hyperfine -N does
//    (harness/command/run.ts), so nothing is subtracted: the gate is on the RAW figures,
//    |median over blocks of (ours / hyperfine) − 1| ≤ 2 % per command. The ratio of the pooled
//    medians is printed too, and `true` is timed the same way for information only: ours − hyperfine
//    on `true` is the remaining constant cost of our spawn path (~0.3–0.5 ms here), printed and
//    recorded. Why ~100 ms rather than 50 ms / 40 ms: with the launcher's warm-up spawn `sleep 0.05`
//    was within 0.3 %, but the 40 ms CPU loop on this 2-CPU machine under another bench's load
//    read 1–67 % over hyperfine block by block (CPU contention, our 20 Hz /proc poll included),
//    median 4 %; at ~100 ms a constant and a few ms of contention weigh half as much. Longer
//    commands, not subtraction.
// 2. Memory. Python touching 256 MiB and the same Python touching 0 (its own baseline), in
//    alternation, each holding its memory 0.4 s so the 20 Hz tree poll sees it: peakRssBytes (wait4
//    ru_maxrss) and treePeakRssBytes (the /proc poll) each within 5 % of 256 MiB + that figure's
//    baseline.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '../../harness/test.ts'
import { benchmarkCommand, runCommand } from '../../harness/command/index.ts'
import { allocator, MIB } from '../../harness/command/test-support.ts'
import { median } from '../../harness/stats/quantile.ts'

const BLOCKS = 5
const WARMUPS = 3
const RUNS = 30
const ALLOC_MIB = 256
const MEMORY_ROUNDS = 3

const COMMANDS: { name: string; argv: string[]; hyperfine: string; gated: boolean }[] = [
  { name: 'true', argv: ['true'], hyperfine: 'true', gated: false },
  { name: 'sleep 0.1', argv: ['sleep', '0.1'], hyperfine: 'sleep 0.1', gated: true },
  {
    name: 'sh loop',
    gated: true,
    argv: ['sh', '-c', 'i=0; while [ $i -lt 110000 ]; do i=$((i+1)); done'],
    hyperfine: `sh -c 'i=0; while [ $i -lt 110000 ]; do i=$((i+1)); done'`,
  },
]

/** hyperfine -N's run times of one command, in seconds. */
function hyperfineTimes(command: string, json: string): number[] {
  execFileSync('hyperfine', ['-N', '--style', 'none', '--warmup', String(WARMUPS), '--runs', String(RUNS), '--export-json', json, '--', command], { stdio: 'ignore', timeout: 120_000 })
  return (JSON.parse(readFileSync(json, 'utf8')) as { results: { times: number[] }[] }).results[0]!.times
}

const ms = (s: number) => (s * 1000).toFixed(3)
const pct = (r: number) => `${((r - 1) * 100).toFixed(2)} %`

test('command timer: wall time against hyperfine, peak RSS against a known allocation', { timeout: 300_000 }, async ({ tempDir, kpi, publish }) => {
  // 1. wall time, alternating blocks
  const hf = new Map<string, number[]>(COMMANDS.map((c) => [c.name, []]))
  const ours = new Map<string, number[]>(COMMANDS.map((c) => [c.name, []]))
  const blockRatios = new Map<string, number[]>(COMMANDS.map((c) => [c.name, []]))
  for (let b = 0; b < BLOCKS; b++) {
    for (const c of COMMANDS) {
      const h = hyperfineTimes(c.hyperfine, join(tempDir, 'hyperfine.json'))
      const r = await benchmarkCommand({ spec: { argv: c.argv, field: `command.bench.${c.name}` }, warmups: WARMUPS, runs: RUNS })
      const o = r.runs.map((x) => x.wallSeconds)
      hf.get(c.name)!.push(...h)
      ours.get(c.name)!.push(...o)
      blockRatios.get(c.name)!.push(median(o) / median(h))
    }
  }
  const med = (m: Map<string, number[]>, name: string) => median(m.get(name)!)
  const overhead = med(ours, 'true') - med(hf, 'true')
  console.log(`\`true\` (information, not gated): hyperfine ${ms(med(hf, 'true'))} ms, ours ${ms(med(ours, 'true'))} ms: our spawn path costs ${ms(overhead)} ms more (pooled medians of ${BLOCKS} alternating blocks of ${RUNS} runs each; per block ours/hyperfine ${blockRatios.get('true')!.map(pct).join(', ')})`)
  kpi('true_overhead_ms', overhead * 1000, 'ms', { better: 'lower' })
  const ratios = new Map<string, number>()
  for (const c of COMMANDS.filter((x) => x.gated)) {
    const h = med(hf, c.name)
    const o = med(ours, c.name)
    const ratio = median(blockRatios.get(c.name)!)
    ratios.set(c.name, ratio)
    console.log(`${c.name}: hyperfine ${ms(h)} ms, ours ${ms(o)} ms raw, pooled ${pct(o / h)}; ours/hyperfine per block ${blockRatios.get(c.name)!.map(pct).join(', ')}: median ${pct(ratio)} from hyperfine`)
    kpi(`${c.name} hyperfine_ms`, h * 1000, 'ms')
    kpi(`${c.name} ours_ms`, o * 1000, 'ms')
    kpi(`${c.name} ours_vs_hyperfine`, ratio, '×')
  }

  // 2. memory against a known allocation, the interpreter's baseline measured alongside
  const base = { peak: [] as number[], tree: [] as number[] }
  const alloc = { peak: [] as number[], tree: [] as number[] }
  for (let i = 0; i < MEMORY_ROUNDS; i++) {
    for (const [into, mib] of [[base, 0], [alloc, ALLOC_MIB]] as const) {
      const run = await runCommand({ argv: allocator(mib), field: `command.bench.alloc${mib}` })
      into.peak.push(run.peakRssBytes)
      into.tree.push(run.treePeakRssBytes)
    }
  }
  const mem = {
    peak: { base: median(base.peak), alloc: median(alloc.peak) },
    tree: { base: median(base.tree), alloc: median(alloc.tree) },
  }
  const mib = (b: number) => (b / MIB).toFixed(1)
  const memRatio = (f: { base: number; alloc: number }) => f.alloc / (f.base + ALLOC_MIB * MIB)
  for (const [name, f] of Object.entries(mem)) {
    console.log(`${name === 'peak' ? 'peakRssBytes (wait4 ru_maxrss)' : 'treePeakRssBytes (/proc, 20 Hz)'}: python touching ${ALLOC_MIB} MiB ${mib(f.alloc)} MiB; touching 0 ${mib(f.base)} MiB; expected ${mib(f.base + ALLOC_MIB * MIB)} MiB: ${pct(memRatio(f))} (medians of ${MEMORY_ROUNDS})`)
    kpi(`${name}_rss_alloc_MiB`, f.alloc / MIB, 'MiB')
    kpi(`${name}_rss_baseline_MiB`, f.base / MIB, 'MiB')
    kpi(`${name}_rss_vs_expected`, memRatio(f), '×')
  }
  await publish()

  for (const [name, ratio] of ratios) expect(Math.abs(ratio - 1), `${name}: ours (raw) within 2 % of hyperfine`).toBeLessThanOrEqual(0.02)
  expect(Math.abs(memRatio(mem.peak) - 1), 'peakRssBytes within 5 % of the allocation + baseline').toBeLessThanOrEqual(0.05)
  expect(Math.abs(memRatio(mem.tree) - 1), 'treePeakRssBytes within 5 % of the allocation + baseline').toBeLessThanOrEqual(0.05)
})
