// A command as one side of the `compare` fixture (interleaved ABBA rounds, ../compare): before
// each iteration `prepare` runs untimed (e.g. empty the destination), the timed part runs the
// command and reports its wall seconds × 1000 as the sample (timing 'reported', so the hooks and
// Node's bookkeeping never count), and after it `verify(run)` runs untimed (e.g. check the copy).
// Every run is kept in `runs`; the first `warmups` (the compare's warm-up rounds × iterations,
// default DEFAULT_WARMUP_ROUNDS) are flagged `warmup: true`.
import { DEFAULT_WARMUP_ROUNDS, type Side } from '../compare/options.ts'
import { runCommand } from './run.ts'
import type { CommandRun, CommandSpec } from './spec.ts'

export interface CommandSideHooks {
  /** Untimed, before every run (warm-ups too). */
  prepare?: () => unknown
  /** Untimed, after every run, given that run. */
  verify?: (run: CommandRun) => unknown
  /** How many of the first runs are warm-ups: the compare's warmupRounds × iterations; default DEFAULT_WARMUP_ROUNDS. */
  warmups?: number
  signal?: AbortSignal
}

export function commandSide(label: string, spec: CommandSpec | (() => CommandSpec), hooks: CommandSideHooks = {}): Side & { runs: CommandRun[] } {
  const runs: CommandRun[] = []
  const warmups = hooks.warmups ?? DEFAULT_WARMUP_ROUNDS
  const specOf = typeof spec === 'function' ? spec : () => spec
  const prepare = hooks.prepare
  const verify = hooks.verify
  const side: Side & { runs: CommandRun[] } = {
    label,
    timing: 'reported',
    runs,
    fn: async () => {
      const run = await runCommand(specOf(), hooks.signal ? { signal: hooks.signal } : {})
      if (runs.length < warmups) run.warmup = true
      runs.push(run)
      return run.wallSeconds * 1000
    },
  }
  if (prepare) side.beforeEach = () => prepare()
  if (verify) side.afterEach = () => verify(runs.at(-1)!)
  return side
}
