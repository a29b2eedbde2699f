// The regression gate's own proof on this machine, with the defaults a bench file gets (threshold
// 5 %, rule 'catch', 30 rounds and up to 90 while inconclusive), each case over 200 evaluations:
//   A/A          identical workloads: at most 1 % `regressed` (and at most 1 % `improved`);
//   tolerance    a true +2 % slowdown, below the threshold: at most 10 % `regressed`;
//   power        a true +5 % slowdown: at least 90 % `regressed`; +10 %: at least 99 %;
//   by name      the old rule ('conservative': the whole interval beyond 1 + t) on the same +5 %,
//                printed for the record: what a user asking for it gets;
//   interleaving under 4 CPU hogs that start at a random point of each trial, the spread of the
//                measured ratio of identical workloads with interleaved rounds is at most half
//                of the spread with sequential order.
// Every rate is printed, with the rounds used. The workload is deterministic and CPU-bound
// (SHA-256 of 2 MiB, about 1.2 ms uncontended); a head hashing 1.05 × the bytes is a +5 % slowdown.
import { compareInterleaved, DEFAULT_ROUNDS, type CompareOptions } from '../../harness/compare/interleave.ts'
import type { Verdict } from '../../harness/results.ts'
import type { Started } from '../../harness/run/processes.ts'
import { iqr, median } from '../../harness/stats/quantile.ts'
import { seededRandom } from '../../harness/stats/random.ts'
import { DEFAULT_RULE, DEFAULT_THRESHOLD } from '../../harness/stats/verdict.ts'
import { expect, test } from '../../harness/test.ts'
import { hashBytes, WORKLOAD_BYTES } from './workload.ts'

const EVALUATIONS = 200

interface Tally {
  verdicts: Record<Verdict, number>
  /** Rounds each evaluation measured (planned rounds plus any extra for an inconclusive result). */
  rounds: number[]
  /** Median ms per iteration of the base side, per evaluation. */
  baseMs: number[]
}

/** `EVALUATIONS` gate evaluations of base (the workload) against head (`factor` × the work). */
async function evaluate(factor: number, options: CompareOptions = {}): Promise<Tally> {
  const headBytes = Math.round(WORKLOAD_BYTES * factor)
  const tally: Tally = { verdicts: { regressed: 0, improved: 0, unchanged: 0, inconclusive: 0 }, rounds: [], baseMs: [] }
  for (let e = 0; e < EVALUATIONS; e++) {
    const { comparison } = await compareInterleaved(
      { label: 'base', fn: () => hashBytes(WORKLOAD_BYTES) },
      { label: `head ×${factor}`, fn: () => hashBytes(headBytes) },
      options,
    )
    tally.verdicts[comparison.verdict]++
    tally.rounds.push(comparison.rounds)
    tally.baseMs.push(comparison.base.median)
  }
  return tally
}

const rate = (n: number) => n / EVALUATIONS
const pct = (n: number) => `${(rate(n) * 100).toFixed(1)} %`
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const defaults = `threshold ${DEFAULT_THRESHOLD * 100} %, rule ${DEFAULT_RULE}`

function describe(t: Tally): string {
  const v = t.verdicts
  return (
    `regressed ${pct(v.regressed)}, unchanged ${pct(v.unchanged)}, inconclusive ${pct(v.inconclusive)}, improved ${pct(v.improved)} ` +
    `of ${EVALUATIONS}; rounds: ${DEFAULT_ROUNDS} planned, mean ${mean(t.rounds).toFixed(1)} and max ${Math.max(...t.rounds)} used; ` +
    `base ${median(t.baseMs).toFixed(3)} ms per iteration`
  )
}

test('A/A: identical workloads give at most 1 % regressed (and 1 % improved) in 200 evaluations', { timeout: 300_000 }, async ({ kpi, publish }) => {
  const aa = await evaluate(1)
  console.log(`A/A, ${defaults}: ${describe(aa)}`)
  kpi('aa_regressed_rate', rate(aa.verdicts.regressed) * 100, '%', { better: 'lower' })
  kpi('aa_improved_rate', rate(aa.verdicts.improved) * 100, '%', { better: 'lower' })
  kpi('aa_unchanged_rate', rate(aa.verdicts.unchanged) * 100, '%', { better: 'higher' })
  kpi('aa_mean_rounds', mean(aa.rounds), 'rounds', { better: 'lower' })
  await publish() // table, KPIs and charts in `vitest --ui` and the HTML report
  expect(rate(aa.verdicts.regressed), 'A/A evaluations found regressed').toBeLessThanOrEqual(0.01)
  expect(rate(aa.verdicts.improved), 'A/A evaluations found improved').toBeLessThanOrEqual(0.01)
})

test('tolerance: a true +2 % slowdown, below the 5 % threshold, is regressed in at most 10 % of 200 evaluations', { timeout: 300_000 }, async ({ kpi, publish }) => {
  const two = await evaluate(1.02)
  console.log(`+2 % slowdown, ${defaults}: ${describe(two)}`)
  kpi('slow2_regressed_rate', rate(two.verdicts.regressed) * 100, '%', { better: 'lower' })
  kpi('slow2_mean_rounds', mean(two.rounds), 'rounds', { better: 'lower' })
  await publish()
  expect(rate(two.verdicts.regressed), '+2 % slowdowns found regressed').toBeLessThanOrEqual(0.1)
})

test('power: a true +5 % slowdown is regressed in at least 90 % of 200 evaluations, +10 % in at least 99 %', { timeout: 600_000 }, async ({ kpi, publish }) => {
  const five = await evaluate(1.05)
  console.log(`+5 % slowdown, ${defaults}: ${describe(five)}`)
  const ten = await evaluate(1.1)
  console.log(`+10 % slowdown, ${defaults}: ${describe(ten)}`)
  // For the record, not a gate: the old rule, which a user can still ask for by name.
  const conservative = await evaluate(1.05, { rule: 'conservative' })
  console.log(`for the record, +5 % slowdown, threshold ${DEFAULT_THRESHOLD * 100} %, rule conservative: ${describe(conservative)}`)
  kpi('slow5_regressed_rate', rate(five.verdicts.regressed) * 100, '%', { better: 'higher' })
  kpi('slow10_regressed_rate', rate(ten.verdicts.regressed) * 100, '%', { better: 'higher' })
  kpi('slow5_regressed_rate_conservative', rate(conservative.verdicts.regressed) * 100, '%')
  kpi('slow5_mean_rounds', mean(five.rounds), 'rounds', { better: 'lower' })
  kpi('slow10_mean_rounds', mean(ten.rounds), 'rounds', { better: 'lower' })
  await publish()
  expect(rate(five.verdicts.regressed), '+5 % slowdowns found regressed').toBeGreaterThanOrEqual(0.9)
  expect(rate(ten.verdicts.regressed), '+10 % slowdowns found regressed').toBeGreaterThanOrEqual(0.99)
})

test('interleaving halves (at least) the spread of the ratio under a load that changes mid-run', { timeout: 240_000 }, async ({ spawn, kpi, publish }) => {
  const TRIALS = 16
  const ROUNDS = 40
  const WARMUP = 2
  // Four busy-looping processes on this 2-core machine. Two are not enough to move a median here:
  // the scheduler then gives the measured process long uninterrupted runs, so most iterations
  // see no wait at all; with four, nearly every iteration does (about 2.7 × slower).
  const HOGS = 4
  const random = seededRandom(2026)
  const ratios = { interleaved: [] as number[], sequential: [] as number[] }
  for (let trial = 0; trial < TRIALS; trial++) {
    // Stratified start points: trial k starts the load somewhere in the k-th slice of the
    // measured calls, so the trials cover the whole run; both orders get the same point.
    const measured = 2 * ROUNDS
    const startAt = 2 * WARMUP + Math.floor(((trial + random.next()) / TRIALS) * measured)
    const orders = trial % 2 === 0 ? (['interleaved', 'sequential'] as const) : (['sequential', 'interleaved'] as const)
    for (const order of orders) {
      let calls = 0
      const hogs: Started[] = []
      const maybeLoad = () => {
        if (calls++ === startAt) for (let h = 0; h < HOGS; h++) hogs.push(spawn(process.execPath, ['-e', 'for(;;){}']))
      }
      try {
        const { comparison } = await compareInterleaved(
          { label: 'A', beforeEach: maybeLoad, fn: () => hashBytes(2 * WORKLOAD_BYTES) },
          { label: 'A′', beforeEach: maybeLoad, fn: () => hashBytes(2 * WORKLOAD_BYTES) },
          { rounds: ROUNDS, warmupRounds: WARMUP, maxRounds: ROUNDS, order },
        )
        ratios[order].push(comparison.ratio.estimate)
      } finally {
        await Promise.all(hogs.map((h) => h.stop()))
      }
    }
  }
  const spread = (xs: number[]) => ({ std: Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2))), iqr: iqr(xs), min: Math.min(...xs), max: Math.max(...xs) })
  const inter = spread(ratios.interleaved)
  const seq = spread(ratios.sequential)
  const show = (s: ReturnType<typeof spread>) => `std ${s.std.toFixed(4)}, IQR ${s.iqr.toFixed(4)}, range ${s.min.toFixed(3)}–${s.max.toFixed(3)}`
  const list = (xs: number[]) => [...xs].sort((a, b) => a - b).map((x) => x.toFixed(3)).join(' ')
  console.log(`ratio of identical workloads under ${HOGS} CPU hogs starting mid-run, ${TRIALS} trials of ${ROUNDS} rounds:`)
  console.log(`  interleaved: ${show(inter)}\n    ${list(ratios.interleaved)}`)
  console.log(`  sequential:  ${show(seq)}\n    ${list(ratios.sequential)}`)
  console.log(`  spread interleaved / sequential: std ${(inter.std / seq.std).toFixed(3)}, IQR ${(inter.iqr / seq.iqr).toFixed(3)}`)
  kpi('ratio_std_interleaved', inter.std, 'ratio', { better: 'lower' })
  kpi('ratio_std_sequential', seq.std, 'ratio')
  kpi('ratio_iqr_interleaved', inter.iqr, 'ratio', { better: 'lower' })
  kpi('ratio_iqr_sequential', seq.iqr, 'ratio')
  kpi('spread_interleaved_over_sequential', inter.std / seq.std, 'x', { better: 'lower' })
  // The spread is the standard deviation: with the load starting at a random point, sequential
  // ratios fall in two clusters (near 1 when the load covers both medians or neither, far from 1
  // otherwise), and an IQR can land inside one cluster; the standard deviation sees both.
  await publish() // table, KPIs and charts in `vitest --ui` and the HTML report
  expect(inter.std, 'std of the ratio, interleaved, against half of sequential').toBeLessThanOrEqual(seq.std / 2)
})
