// blit-parity: may the new copy tool replace the old one? GO only when, on every workload, the
// candidate reaches at least blitParity.at_least (95 %) of the baseline's throughput with at most
// blitParity.memory_at_most (110 %) of its peak memory, and every copy it made is correct.
//
// Per workload and cache state: the candidate and the baseline in interleaved rounds on the same
// generated tree, each run from a fresh destination (or the exact incremental starting state),
// Cold runs after a page-cache drop that fails closed, every copy checked against the source.
// The third peer (cp -a by default) is measured against the baseline the same way and reported.
// The last test writes decision.md, parity.csv and the charts, and ends with the GO/NO-GO line.
import { loadConfig } from '../../harness/config/load.ts'
import { decide, decideWorkload, decisionLine, type Thresholds } from '../../harness/copy/decision.ts'
import { writeDecision } from '../../harness/copy/report.ts'
import { destinationRoot, enabledWorkloads, parityTools, workloadTrees, type WorkloadOutcome, runWorkload } from '../../harness/copy/scenario.ts'
import { defaultConfidence } from '../../harness/gates/thresholds.ts'
import { expect, test } from '../../harness/test.ts'

const { config } = loadConfig()
const bp = config.blitParity
const thresholds = (): Thresholds => ({ atLeast: bp.at_least, memoryAtMost: bp.memory_at_most, confidence: defaultConfidence() })
const outcomes: WorkloadOutcome[] = []
const log = (line: string) => process.stderr.write(`blit-parity ${line}\n`)
let tools: ReturnType<typeof parityTools> | undefined

for (const cacheState of bp.cache) {
  for (const workload of enabledWorkloads(bp.workloads)) {
    test(`${workload} · ${cacheState}`, async ({ compare, kpi, run, publish }) => {
      tools ??= parityTools(bp) // a missing binary or bad template: one line naming the field
      let shown = -1
      const trees = await workloadTrees(workload, bp, (done, total) => {
        const pct = Math.floor((done / total) * 10) * 10
        if (pct !== shown) log(`${workload}: generating the source tree, ${(shown = pct)} %`)
      })
      run.set({ workload, cache_state: cacheState, tree: { files: trees.source.files, bytes: trees.source.bytes, key: trees.source.key, cached: trees.source.cached, seconds: trees.source.seconds }, ...(trees.change ? { change: trees.change } : {}) })
      const o = await runWorkload({ compare, trees, cacheState, rounds: bp.rounds, maxRounds: bp.max_rounds, dstRoot: destinationRoot(bp.cache_dir), tools, log })
      outcomes.push(o)
      const w = decideWorkload(o, thresholds())
      run.set({ cache_achieved: o.coldAchieved ?? 'Warm: one unmeasured run of each tool first', gates: w.gates })
      run.writeArtifact('runs.json', JSON.stringify({ candidate: o.candidate.runs, baseline: o.baseline.runs, third: o.third?.outcome.runs ?? null, cold: [...o.candidate.cold, ...o.baseline.cold] }, null, 1) + '\n')
      for (const t of w.tools) {
        kpi(`${t.name}.MB_s`, t.MBps, 'MB/s', { better: 'higher' })
        kpi(`${t.name}.files_s`, t.filesPerSecond, 'files/s', { better: 'higher' })
        kpi(`${t.name}.cpu_s`, t.cpuSeconds, 's', { better: 'lower' })
        kpi(`${t.name}.peak_tree_MB`, t.peakTreeMB, 'MB', { better: 'lower' })
        kpi(`${t.name}.peak_process_MB`, t.peakProcessMB, 'MB', { better: 'lower' })
      }
      kpi('throughput_ratio', w.throughput.estimate, '×', { better: 'higher' })
      kpi('memory_ratio', w.memoryRatio, '×', { better: 'lower' })
      await publish()

      const [cand, base] = [tools.candidate.name, tools.baseline.name]
      expect(o.candidate.wrong, `${cand} copies ${workload} correctly`).toBeUndefined()
      if (o.coldAchieved) expect(o.coldAchieved.cold, `${workload} · Cold: ${o.coldAchieved.detail ?? ''}`).toBe(true)
      expect(o.result.head).toHoldParity(o.result.base, { atLeast: bp.at_least, name: `${workload} · ${cacheState}: ${cand} ≥ ${bp.at_least}× ${base}` })
      expect(w.memoryRatio).toBeAtMost(bp.memory_at_most, `× ${base}'s peak memory (${cand} ${w.tools[0]!.peakTreeMB.toFixed(1)} MB, ${base} ${w.tools[1]!.peakTreeMB.toFixed(1)} MB)`)
    })
  }
}

test('decision: decision.md, parity.csv and charts, then GO or NO-GO', async ({ run, environment, publish }) => {
  const d = decide(outcomes, thresholds())
  const t = tools ?? parityTools(bp)
  const files = writeDecision(run.dir, d, { environment, tools: [t.candidate, t.baseline, ...(t.third ? [t.third] : [])], rounds: bp.rounds, seed: bp.seed, generatedAt: new Date().toISOString() })
  for (const f of files) run.addArtifact(f)
  run.set({ decision: d.go ? 'GO' : 'NO-GO', failing: d.failing })
  await publish()
  process.stdout.write(`\n${decisionLine(d)}\n→ ${run.path('decision.md')}\n`)
  expect(d.workloads.length, 'workloads measured').toBe(bp.cache.length * enabledWorkloads(bp.workloads).length)
  expect(d.go, decisionLine(d)).toBe(true)
})
