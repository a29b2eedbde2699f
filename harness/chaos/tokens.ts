// The names the workload gives what it writes, so a history can be read back without the run's
// state: the value token of attempt `a` of logical write `seq` of process `w1` is `w1-42-a0`
// (a0 the first attempt, a1 the first retry, …), its transaction id `t:w1-42-a0`. Both are unique
// in a run (process × seq × attempt); the store pads the token to the value size.

/** The value token of an attempt, e.g. `w1-42-a0`. */
export function valueToken(process: string, seq: number, attempt: number): string {
  return `${process}-${seq}-a${attempt}`
}

/** The transaction id of an attempt, e.g. `t:w1-42-a0`. */
export function txnId(process: string, seq: number, attempt: number): string {
  return `t:${valueToken(process, seq, attempt)}`
}

/** A transaction id's logical write (`t:w1-42`) and attempt (0 = first), or null for an id not of this form. */
export function parseTxn(txn: string): { write: string; attempt: number } | null {
  const m = /^(t:.+-\d+)-a(\d+)$/.exec(txn)
  return m ? { write: m[1]!, attempt: Number(m[2]) } : null
}
