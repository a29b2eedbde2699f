// Gates a benchmark task's samples against the same task in a stored baseline. The statistics are
// ../stats/verdict.ts's (bootstrap ratio of medians, each side resampled on its own: a baseline was
// not measured side by side with head). Before any verdict the fingerprints are compared: a
// baseline from another environment warns loudly or refuses, by policy — it never gates silently.
import { UserError } from '../errors.ts'
import type { Comparison } from '../results.ts'
import { compareSamples, type GateRule } from '../stats/verdict.ts'
import { currentRun, thresholdOf } from './current.ts'
import { checkFingerprint, type Fingerprint, type FingerprintPolicy } from './fingerprint.ts'
import type { BaselineTask, BaselineTest, LoadedBaseline } from './format.ts'

export interface BaselineCompareOptions {
  /** Bench file (relative to the repository root) when the test name alone is ambiguous. */
  file?: string
  /** Benchmark group when the task name appears in several groups of the test. */
  benchmark?: string
  /** Name shown in the verdict; default the task name. */
  name?: string
  /** Relative change that counts; default gates.thresholds[name].time, else gates.threshold. */
  threshold?: number
  /** Default gates.rule of the configuration, else 'catch'. */
  rule?: GateRule
  /** Default gates.confidence of the configuration, else 0.95. */
  confidence?: number
  /** Default the configuration's gates.fingerprint ('warn'). */
  policy?: FingerprintPolicy
  /** This run's fingerprint; default this machine and checkout (see ./current.ts). */
  current?: Fingerprint
  /** Where a fingerprint warning goes; default console.warn (once per baseline and process). */
  warn?: (message: string) => void
  /** Default 'head' (or the current commit's short hash). */
  headLabel?: string
  resamples?: number
  seed?: number
}

const HINT = 'the baseline predates this benchmark; write a fresh one with `npm run bench:baseline`'

function testsNamed(baseline: LoadedBaseline, testName: string, file?: string): BaselineTest[] {
  const norm = file?.split('\\').join('/')
  return baseline.data.tests.filter((t) => t.test === testName && (norm === undefined || t.file === norm))
}

/** The baseline's entry for a test's task, or undefined when it has none. Throws when ambiguous. */
export function findBaselineTask(baseline: LoadedBaseline, testName: string, taskName: string, opts: Pick<BaselineCompareOptions, 'file' | 'benchmark'> = {}): BaselineTask | undefined {
  const tests = testsNamed(baseline, testName, opts.file)
  if (tests.length > 1) {
    throw new UserError({
      file: baseline.file,
      field: 'tests',
      message: `test '${testName}' appears in ${tests.length} files (${tests.map((t) => t.file).join(', ')})`,
      expected: 'one test of that name',
      hint: 'pass { file } to say which bench file is meant',
    })
  }
  const tasks = (tests[0]?.benchmarks ?? []).filter((b) => b.task === taskName && (opts.benchmark === undefined || b.benchmark === opts.benchmark))
  if (tasks.length > 1) {
    throw new UserError({
      file: baseline.file,
      field: `tests[${testName}].benchmarks`,
      message: `task '${taskName}' appears in ${tasks.length} benchmark groups`,
      expected: 'one task of that name',
      hint: 'pass { benchmark } to say which group is meant',
    })
  }
  return tasks[0]
}

/** head's samples (ms per iteration) of a test's task against the baseline's: one Comparison. */
export function compareToBaseline(
  baseline: LoadedBaseline,
  testName: string,
  taskName: string,
  headSamples: readonly number[],
  opts: BaselineCompareOptions = {},
): Comparison {
  const entry = findBaselineTask(baseline, testName, taskName, opts)
  if (!entry) {
    const known = testsNamed(baseline, testName, opts.file)[0]
    throw new UserError({
      file: baseline.file,
      field: known ? `tests[${testName}].benchmarks` : 'tests',
      message: known ? `no task '${taskName}' in test '${testName}'` : `no test '${testName}'`,
      expected: known ? `one of ${known.benchmarks.map((b) => `'${b.task}'`).join(', ') || '(none)'}` : 'a baseline written by a run of this test',
      hint: HINT,
    })
  }
  // The configuration and this machine are read only for what the caller did not give.
  const given = opts.current !== undefined && opts.threshold !== undefined && opts.policy !== undefined
  const run = given ? undefined : currentRun()
  const name = opts.name ?? taskName
  const current = opts.current ?? run!.fingerprint
  const threshold = opts.threshold ?? thresholdOf(run!, name)
  const confidence = opts.confidence ?? run?.confidence
  const rule = opts.rule ?? run?.rule
  const fingerprintWarning = checkFingerprint({
    file: baseline.file,
    baseline: baseline.data.fingerprint,
    current,
    policy: opts.policy ?? run!.policy,
    ...(opts.warn ? { warn: opts.warn } : {}),
  })
  const baseCommit = baseline.data.fingerprint.git_commit
  return compareSamples(entry.samples, headSamples, {
    name,
    metric: 'time',
    unit: 'ms',
    better: 'lower',
    threshold,
    ...(rule !== undefined ? { rule } : {}),
    ...(confidence !== undefined ? { confidence } : {}),
    ...(opts.resamples !== undefined ? { resamples: opts.resamples } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    order: 'baseline',
    baseLabel: baseCommit ? `baseline ${baseCommit.slice(0, 7)}` : 'baseline',
    headLabel: opts.headLabel ?? (current.git_commit ? `head ${current.git_commit.slice(0, 7)}` : 'head'),
    ...(fingerprintWarning !== undefined ? { fingerprintWarning } : {}),
  })
}
