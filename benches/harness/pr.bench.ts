// `benchgate pr` proven end to end on a throwaway git repository the test makes
// (harness/pr/demo-repo.ts: one bench file hashing a fixed number of bytes set in work.json),
// with the defaults a user gets (6 interleaved rounds plus 1 warm-up, more up to 18 while
// inconclusive; threshold 5 %, rule catch):
//   A/A   10 PR runs whose head is an empty commit: every one green (exit 0);
//   +5 %  10 PR runs whose head hashes 5 % more bytes: at least 9 red (exit 1).
// The two kinds alternate, so a load that comes and goes falls on both. Printed: both counts,
// every run's change and interval, and the time one PR run takes.
import { makeDemoRepo } from '../../harness/pr/demo-repo.ts'
import { DEFAULT_PR_ROUNDS, DEFAULT_PR_WARMUP, PR_MAX_ROUNDS_FACTOR, runPr, type PrResult } from '../../harness/pr/run.ts'
import { median } from '../../harness/stats/quantile.ts'
import { formatChange } from '../../harness/verdicts/table.ts'
import { expect, test } from '../../harness/test.ts'

const RUNS = 10

test('benchgate pr: 10 A/A PR runs all green, 10 with a 5 % slower head at least 9 red', { timeout: 60 * 60_000 }, async ({ kpi, publish, tempDir }) => {
  // 150 samples of the fixed work per bench run (the unit test's demo takes 60): each run's median
  // then spans about 1.5 s of whatever load the machine carries, so a load that comes and goes
  // moves base and head alike.
  const demo = makeDemoRepo(tempDir, { iterations: 150 }) // removed afterwards, on failure and Ctrl-C too
  const results: Record<'aa' | 'slow', PrResult[]> = { aa: [], slow: [] }
  for (let i = 0; i < RUNS; i++) {
    for (const kind of i % 2 === 0 ? (['aa', 'slow'] as const) : (['slow', 'aa'] as const)) {
      const branch = `${kind}-${i + 1}`
      demo.commitHead(branch, kind === 'aa' ? 1 : 1.05)
      const r = await runPr({
        cwd: demo.dir, base: 'main', head: branch, projects: ['demo'], filters: [],
        rounds: DEFAULT_PR_ROUNDS, maxRounds: PR_MAX_ROUNDS_FACTOR * DEFAULT_PR_ROUNDS, warmupRounds: DEFAULT_PR_WARMUP,
        install: 'npm ci --no-audit --no-fund', progress: () => {}, print: () => {},
      })
      const c = r.paired.rows[0]!.comparison
      console.log(`PR run ${kind === 'aa' ? 'A/A ' : '+5 % '} ${i + 1}: exit ${r.exitCode}, ${c.verdict}, ${formatChange(c.ratio.estimate)} [${formatChange(c.ratio.lo)}, ${formatChange(c.ratio.hi)}], ${r.rounds} rounds, ${r.seconds.toFixed(1)} s`)
      results[kind].push(r)
    }
  }
  const green = results.aa.filter((r) => r.exitCode === 0).length
  const red = results.slow.filter((r) => r.exitCode === 1).length
  const seconds = median([...results.aa, ...results.slow].map((r) => r.seconds))
  const perRun = median([...results.aa, ...results.slow].flatMap((r) => r.runSeconds))
  console.log(`benchgate pr: A/A ${green} of ${RUNS} green; +5 % ${red} of ${RUNS} red; one PR run takes ${seconds.toFixed(1)} s (median; ${perRun.toFixed(1)} s per bench run)`)
  kpi('pr_aa_green', green, `of ${RUNS}`, { better: 'higher' })
  kpi('pr_slow5_red', red, `of ${RUNS}`, { better: 'higher' })
  kpi('pr_run_s', seconds, 's', { better: 'lower' })
  await publish()
  expect(green, 'A/A PR runs that stayed green').toBe(RUNS)
  expect(red, 'PR runs with a 5 % slower head that failed').toBeGreaterThanOrEqual(9)
})
