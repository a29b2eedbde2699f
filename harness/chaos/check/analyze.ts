// Runs every check over a paired history (an OpTable): the reads and the chain key by key (after
// one counting sort by key), then the monotonic-read pass over all rows. Reads go first on each
// key, so the chain knows which writes of unknown outcome reads showed to have taken effect.
import { AnomalyLog, DEFAULT_CAP } from './anomaly.ts'
import { checkChain } from './chain.ts'
import { groupByKey, keyView } from './key-view.ts'
import type { OpTable } from './op-table.ts'
import { checkMonotonic, checkReads, observed, Tokens } from './reads.ts'

export interface CheckOptions {
  /** Anomalies stored per kind (all are counted); default DEFAULT_CAP (20). */
  cap?: number
}

export function analyze(t: OpTable, options: CheckOptions = {}): AnomalyLog {
  const log = new AnomalyLog(options.cap ?? DEFAULT_CAP)
  const groups = groupByKey(t)
  const tokens = new Tokens(t)
  const seen = observed(t.size)
  for (let k = 0; k < t.keys.length; k++) {
    const view = keyView(t, groups, k)
    checkReads(t, view, tokens, seen, log)
    checkChain(t, view, tokens, seen, log)
  }
  checkMonotonic(t, log)
  return log
}
