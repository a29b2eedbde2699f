// The serial order of one key's commits, checked against what each commit read. The commits are
// the acknowledged writes and deletes, plus the writes of unknown outcome that a read showed took
// effect (at the version it was read with), sorted by version: the store's commit order. In a
// serial order every commit read the state the previous commit left, so for each acknowledged
// commit b (version vb, prev.version p) and its predecessor a (version va):
//
//   va = vb             two commits at one version: both ok → lost-update (one overwrote the other
//                       unseen); one of unknown outcome → inconsistent-read (its value was read at a
//                       version that is another's)
//   p ≥ vb              b read its own version or a later one: broken-chain
//   p < va              b read a state older than a and committed after it: a's update is lost
//                       (lost-update; when a read the same p, both claim to have read the same state
//                       and committed — in a serial order one must have read the other's write)
//   p = va              as it should be; b's prev.value must then be a's value (a delete's: null),
//                       else inconsistent-read
//   va < p < vb, or     b read a version no commit we know of produced: fine when a write of unknown
//   no a and p > 0      outcome that no read saw, invoked before b completed, could have produced
//                       it — one that wrote prev.value (a delete when it is null); else broken-chain
//   no a and p = 0      b read the initial state: prev.value must be null, else inconsistent-read
//
// Gaps between consecutive versions are allowed (a store may number commits globally).
import type { AnomalyLog } from './anomaly.ts'
import type { KeyView } from './key-view.ts'
import { OK, type OpTable } from './op-table.ts'
import type { Observed, Tokens } from './reads.ts'

export function checkChain(t: OpTable, view: KeyView, tokens: Tokens, seen: Observed, log: AnomalyLog): void {
  const key = t.keys[view.k]!
  let rows: ArrayLike<number> = view.byVersion
  let versions: ArrayLike<number> = view.versions
  // the first invoke of an unknown-outcome write no read saw: only one invoked before a commit
  // ended can have produced the version that commit read
  let firstUnseen = Infinity
  let seenUnknown = 0
  for (const u of view.unknown) {
    if (!Number.isNaN(seen.version[u]!)) seenUnknown++
    else if (t.start[u]! < firstUnseen) firstUnseen = t.start[u]!
  }
  if (seenUnknown > 0) [rows, versions] = withSeen(view, seen)
  // an unknown-outcome write shown with the read that showed it took effect
  const shown = (r: number): number[] => (t.status[r] === OK ? [r] : [r, seen.read[r]!])
  const rec = (...rows: number[]) => () => rows.map((r) => t.record(r))
  const name = (r: number) => (t.status[r] === OK ? t.describe(r) : `${t.describe(r)} (outcome unknown, read at version ${seen.version[r]})`)

  for (let j = 0; j < rows.length; j++) {
    const b = rows[j]!
    const vb = versions[j]!
    const a = j > 0 ? rows[j - 1]! : -1
    const va = j > 0 ? versions[j - 1]! : 0
    if (a >= 0 && va === vb) {
      if (t.status[a] === OK && t.status[b] === OK) {
        log.report('lost-update', key, () => `${t.describe(a)} and ${t.describe(b)} of ${key} were both acknowledged at version ${vb}: one overwrote the other unseen`, rec(a, b))
      } else {
        log.report('inconsistent-read', key, () => `${name(a)} and ${name(b)} of ${key} were both read at version ${vb}`, rec(...shown(a), ...shown(b)))
      }
      continue
    }
    if (t.status[b] !== OK) continue
    const p = t.prevVersion[b]!
    if (Number.isNaN(p)) continue
    if (p >= vb) {
      log.report('broken-chain', key, () => `${t.describe(b)} of ${key} committed version ${vb} after reading version ${p}, which is not older`, rec(b))
    } else if (a >= 0 && p < va) {
      const same = t.status[a] === OK && t.prevVersion[a] === p
      log.report(
        'lost-update',
        key,
        () =>
          same
            ? `${t.describe(a)} and ${t.describe(b)} of ${key} both read version ${p} and both committed (versions ${va} and ${vb}): in a serial order one must have read the other's write`
            : `${t.describe(b)} of ${key} read version ${p}, older than ${name(a)} at version ${va}, yet committed after it at version ${vb}: the update of version ${va} is lost`,
        rec(...shown(a), b),
      )
    } else if (p === va && a >= 0) {
      const expected = t.value[a] ?? null
      if ((t.prevValue[b] ?? null) !== expected) {
        log.report('inconsistent-read', key, () => `${t.describe(b)} of ${key} read ${t.prevValue[b]} at version ${p}, but ${name(a)} committed ${expected} at that version`, rec(...shown(a), b))
      }
    } else if (p === 0) {
      if ((t.prevValue[b] ?? null) !== null) {
        log.report('inconsistent-read', key, () => `${t.describe(b)} of ${key} read ${t.prevValue[b]} at version 0, the initial state, which has no value`, rec(b))
      }
    } else if (firstUnseen >= t.end[b]! || !couldHaveWritten(t, view, tokens, seen, t.prevValue[b] ?? null, t.end[b]!)) {
      log.report(
        'broken-chain',
        key,
        () =>
          `${t.describe(b)} of ${key} read version ${p} (${t.prevValue[b] === null ? 'absent' : `value ${t.prevValue[b]}`}), which no write of the key produced` +
          (a >= 0 ? ` (the commit before it is ${name(a)} at version ${va})` : ' (no commit of the key precedes it)'),
        a >= 0 ? rec(...shown(a), b) : rec(b),
      )
    }
  }
}

/** Whether a write of unknown outcome of the key, not seen by reads and invoked before `before`, wrote `value`. */
function couldHaveWritten(t: OpTable, view: KeyView, tokens: Tokens, seen: Observed, value: string | null, before: number): boolean {
  const fits = (u: number) => t.key[u] === view.k && t.unknown(u) && Number.isNaN(seen.version[u]!) && t.start[u]! < before
  if (value !== null) {
    const u = tokens.unsettled(value)
    return u !== undefined && fits(u)
  }
  for (const u of view.unknown) if (t.value[u] === null && fits(u)) return true
  return false
}

/** The acknowledged commits merged with the unknown-outcome writes reads saw, by version. */
function withSeen(view: KeyView, seen: Observed): [Int32Array, Float64Array] {
  const extra = view.unknown.filter((u) => !Number.isNaN(seen.version[u]!))
  const rows = new Int32Array(view.byVersion.length + extra.length)
  rows.set(view.byVersion)
  rows.set(extra, view.byVersion.length)
  const versionOf = (r: number, j: number) => (j < view.byVersion.length ? view.versions[j]! : seen.version[r]!)
  const pairs = Array.from(rows, (r, j) => [versionOf(r, j), r] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1])
  return [Int32Array.from(pairs, (p) => p[1]), Float64Array.from(pairs, (p) => p[0])]
}
