// What the checker reports: the anomaly kinds, an anomaly (its kind, key, one human sentence and
// the smallest set of operations that shows it), the result of a check, and the log that collects
// anomalies while the checks run. The log stores at most `cap` anomalies per kind (the first ones
// found; DEFAULT_CAP = 20, enough to read and small enough for anomalies.json of a badly broken
// store) but counts every one, so `counts` is the true number per kind.
import type { HistoryHeader, OpName, Versioned } from '../types.ts'

/** Every kind the checker reports, in the order the result lists them. */
export const ANOMALY_KINDS = [
  'lost-update',
  'broken-chain',
  'aborted-read',
  'garbage-read',
  'inconsistent-read',
  'non-monotonic-read',
  'stale-read',
] as const

/**
 * lost-update: an acknowledged write overwritten by a commit that never read it, or two
 *   acknowledged writes with one version, or not visible to a read begun after every write ended.
 * broken-chain: a commit read a version no write (acknowledged or of unknown outcome) produced.
 * aborted-read: a read returned the value of a write that definitely did not take effect.
 * garbage-read: a read returned a value (or an absent key at a version) no write of the key produced.
 * inconsistent-read: a value read with another version than the one its write committed.
 * non-monotonic-read: a process read a key at a lower version than it had read before.
 * stale-read: a read begun after a write was acknowledged returned an older version.
 */
export type AnomalyKind = (typeof ANOMALY_KINDS)[number]

/** Anomalies found per kind; every kind is present. Indexable by a plain string too (Object.keys). */
export type AnomalyCounts = Record<AnomalyKind, number> & Record<string, number>

/** One operation as an anomaly shows it: the invoke and completion merged. */
export interface OpRecord {
  /** Operation id in the history. */
  op: number
  process: string
  /** How it completed; 'info' also for an invoke without a completion. */
  type: 'ok' | 'fail' | 'info'
  f: OpName
  key: string
  /** Written (null for a delete) or read (ok reads); null when a read returned nothing. */
  value: string | null
  /** ok write: the key's new version; ok read: the version returned. */
  version?: number
  /** ok write: what the transaction read before writing. */
  prev?: Versioned
  txn?: string
  /** Time of the invoke, ms since the run started. */
  start: number
  /** Time of the completion, ms; null when the operation never completed. */
  end: number | null
}

export interface Anomaly {
  kind: AnomalyKind
  key: string
  /** One sentence saying what is wrong. */
  explanation: string
  /** The smallest set of operations that shows it, by start time. */
  ops: OpRecord[]
}

export interface CheckResult {
  /** True when no anomaly was found. */
  valid: boolean
  /** Operations in the history (invokes). */
  ops: number
  /** At most the log's cap per kind, in the order found. */
  anomalies: Anomaly[]
  /** Every anomaly found, per kind (all kinds present, 0 when none). */
  counts: AnomalyCounts
  /** The history was incomplete: its header says partial, or its last line was cut off. */
  partial: boolean
  /** The history's header line, when it had one (checkHistoryFile). */
  header?: HistoryHeader
}

/** Anomalies stored per kind by default. */
export const DEFAULT_CAP = 20

/** Collects anomalies while the checks run: stores up to `cap` per kind, counts all. */
export class AnomalyLog {
  readonly #cap: number
  readonly #counts: AnomalyCounts
  readonly #stored: Anomaly[] = []

  constructor(cap: number = DEFAULT_CAP) {
    this.#cap = cap
    this.#counts = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as AnomalyCounts
  }

  /**
   * Counts one anomaly; when fewer than the cap of its kind are stored, builds and stores it
   * (`explain` and `records` run only then, so a broken store's millions of anomalies stay cheap).
   */
  report(kind: AnomalyKind, key: string, explain: () => string, records: () => OpRecord[]): void {
    const n = this.#counts[kind]++
    if (n >= this.#cap) return
    const ops = records().sort((a, b) => a.start - b.start || a.op - b.op)
    this.#stored.push({ kind, key, explanation: explain(), ops })
  }

  get total(): number {
    let sum = 0
    for (const k of ANOMALY_KINDS) sum += this.#counts[k]
    return sum
  }

  result(ops: number, partial: boolean, header?: HistoryHeader): CheckResult {
    const order = (a: Anomaly) => ANOMALY_KINDS.indexOf(a.kind)
    const anomalies = [...this.#stored].sort((a, b) => order(a) - order(b))
    return { valid: this.total === 0, ops, anomalies, counts: { ...this.#counts }, partial, ...(header ? { header } : {}) }
  }
}

/** One line for logs and CSV verdicts: 'valid (N ops)' or 'lost-update ×3, stale-read ×1 (N ops)'. */
export function summarizeCheck(result: CheckResult): string {
  const found = ANOMALY_KINDS.filter((k) => result.counts[k] > 0).map((k) => `${k} ×${result.counts[k]}`)
  const tail = `${result.ops} ops${result.partial ? ', partial history' : ''}`
  return found.length === 0 ? `valid (${tail})` : `${found.join(', ')} (${tail})`
}
