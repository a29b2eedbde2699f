// The chaos family's checker: is a run's history (history.jsonl) consistent with a store that keeps
// serializable isolation per key? From the history alone, with writes of unknown outcome (info,
// or never completed) allowed to have taken effect or not:
//
//   no lost update     two acknowledged writes of a key never share a version; a commit never
//                      overwrites an acknowledged write it did not read (chain.ts); a read begun
//                      after every write of the key ended sees the highest acknowledged version
//                      or a newer one (reads.ts)
//   committed values   reads return only values of writes that were acknowledged or of unknown
//                      outcome, with the version that write committed (aborted-read,
//                      garbage-read, inconsistent-read; reads.ts)
//   monotonic reads    a process never reads a key at a lower version than before (reads.ts)
//   real time          a read begun after a write was acknowledged sees it or something newer
//                      (stale-read; reads.ts)
//   serial order       a key's commits sorted by version form a chain in which each read its
//                      predecessor, except where an unknown-outcome write could fill the gap
//                      (lost-update, broken-chain; chain.ts)
//
// Each violation is an Anomaly with one sentence and the smallest set of operations that shows
// it; anomalies.json holds them (at most DEFAULT_CAP per kind, all counted). Cost: one pass to
// pair events into columns (op-table.ts), a counting sort by key, a sort per key by version and by
// end time, one binary search per read. A million operations (a 277 MB file) take about 6 s here,
// file reading included, most of it JSON.parse; up to 13 s while other jobs load the machine
// (benches/chaos/checker-speed.bench.ts gates it at 20 s).
import { writeFileAtomic } from '../../run/atomic.ts'
import type { HistoryEvent } from '../types.ts'
import { analyze, type CheckOptions } from './analyze.ts'
import type { CheckResult } from './anomaly.ts'
import { OpTable } from './op-table.ts'
import { readHistoryFile } from './read-history.ts'

export { ANOMALY_KINDS, DEFAULT_CAP, summarizeCheck, type Anomaly, type AnomalyCounts, type AnomalyKind, type CheckResult, type OpRecord } from './anomaly.ts'
export type { CheckOptions } from './analyze.ts'

/** Checks a history given as events (a header among them is skipped); a malformed event throws, naming its position. */
export function checkHistory(events: Iterable<HistoryEvent>, options: CheckOptions = {}): CheckResult {
  const table = new OpTable()
  let i = 0
  for (const e of events) {
    i++
    if ((e as { type: string }).type === 'header') continue
    const problem = table.add(e)
    if (problem !== null) throw new Error(`history event ${i}: ${problem}`)
  }
  return analyze(table, options).result(table.size, false)
}

/** Checks history.jsonl (or history.partial.jsonl of an interrupted run), streaming it. */
export async function checkHistoryFile(path: string, options: CheckOptions = {}): Promise<CheckResult> {
  const { table, header, partial } = await readHistoryFile(path)
  return analyze(table, options).result(table.size, partial, header)
}

/** Writes anomalies.json (the result without the header) atomically. */
export function writeAnomalies(path: string, result: CheckResult): void {
  const { header: _header, ...rest } = result
  writeFileAtomic(path, JSON.stringify(rest, null, 2) + '\n')
}
