// harness/copy: the blit-parity family's source trees (generate, cache, verify) and copy
// correctness. The parity decision and report live beside it (decision*.ts, report*.ts).
export { DEFAULT_SIZES, WORKLOAD_NAMES, workloadSpec, type WorkloadName, type WorkloadSizes } from './workloads.ts'
export { treeKey, type TreeSpec } from './tree-spec.ts'
export { ensureTree, manifestOf, type EnsureOptions, type GeneratedTree } from './trees.ts'
export { ensureIncrementalSource, type IncrementalChange } from './incremental.ts'
export { freshDestination, mirrorState } from './mirror.ts'
export { compareTrees, describeDiff, MTIME_TOLERANCE_MS, type CompareOptions, type TreeDiff } from './compare.ts'
