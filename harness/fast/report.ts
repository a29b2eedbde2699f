// What a fast-ab run leaves behind besides Vitest's tables: the session records each A/B test
// stores (sessions.json), the analysis over them (./analyze.ts) and one short summary printed at
// the end: per workflow and cache state the A and B medians, the B/A ratio with its interval, and
// the gate verdicts.
import type { SessionRecord } from './analyze.ts'
import { analyzeSessions, type Analysis } from './analyze.ts'
import type { AbOutcome } from './scenario.ts'
import type { Session } from './sessions.ts'
import { WORKFLOW_SPANS } from './workflows.ts'

/** One finished session (its KPIs computed) as sessions.json holds it. */
export function sessionRecord(s: Session): SessionRecord {
  return {
    ...s.kpis!,
    n: s.n,
    warmup: s.warmup,
    cold: s.cold,
    workflow_kpi: WORKFLOW_SPANS[s.workflow].kpi,
    fast_latencies_ms: s.mode === 'B' ? s.summary.reads.map((r) => Number(r[2].toFixed(3))) : [],
  }
}

/** The records of one A/B test's sessions, as sessions.json holds them. */
export function sessionRecords(ab: AbOutcome): SessionRecord[] {
  return ab.all.map(sessionRecord)
}

export function analyzeFastAb(outcomes: readonly AbOutcome[], dir: string): Analysis {
  return analyzeSessions(outcomes.flatMap(sessionRecords), dir)
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3)
}

/** The gate verdicts of one outcome, as the bench file asserts them. */
export function gateVerdicts(ab: AbOutcome): { data: boolean; source: boolean; ratio: boolean } {
  const c = ab.result.comparison
  return {
    data: ab.checksums.A.length === 1 && ab.checksums.B.length === 1 && ab.checksums.A[0] === ab.checksums.B[0],
    source: ab.observed.A.join() === 'NAS_ZGY' && ab.observed.B.join() === 'FAST_VZGY_AzureVDS',
    // parity fails only when the whole interval of B/A lies beyond the allowed ratio
    ratio: !(c.ratio.lo > ab.maxRatio),
  }
}

export function abSummary(outcomes: readonly AbOutcome[]): string {
  const head = ['workflow', 'cache', 'A s', 'B s', 'B/A', '95 % interval', 'data', 'source', `ratio`]
  const rows = outcomes.map((ab) => {
    const c = ab.result.comparison
    const g = gateVerdicts(ab)
    const ok = (b: boolean) => (b ? 'pass' : 'FAIL')
    return [ab.workflow, ab.cache_state, seconds(c.base.median), seconds(c.head.median), `${c.ratio.estimate.toFixed(2)}×`,
      `${c.ratio.lo.toFixed(2)}–${c.ratio.hi.toFixed(2)}`, ok(g.data), ok(g.source), `${ok(g.ratio)} (≤ ${ab.maxRatio}×)`]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return ['', 'fast-ab summary: mode A (NAS .zgy) vs mode B (Azure Blob via FAST), medians of the measured sessions', line(head), ...rows.map(line)].join('\n')
}
