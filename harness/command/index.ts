// Timing whole commands: one run (runCommand), a benchmark of one command (benchmarkCommand), a
// command as a side of the interleaved `compare` fixture (commandSide), and the pieces a family
// builds its commands from (expandTemplate, resolveProgram). The method is in ./run.ts.
export { CommandFailed, type CommandRun, type CommandSpec } from './spec.ts'
export { runCommand } from './run.ts'
export { launcherPython } from './launcher.ts'
export { resolveProgram } from './program.ts'
export { expandTemplate, splitWords } from './template.ts'
export { commandSide, type CommandSideHooks } from './side.ts'
export { benchmarkCommand, summarize, type BenchmarkOptions, type BenchmarkResult } from './benchmark.ts'
export { TREE_POLL_MS } from './tree-rss.ts'
