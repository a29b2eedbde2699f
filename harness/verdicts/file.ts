// verdicts.json: every gate evaluation (Comparison) of a run with the test it was made in, written
// by reporters/verdict.ts and read by the pull-request check (.github/danger-verdicts.ts).
//
//   { "kind": "benchgate-verdicts", "version": 1, "created": "…Z", "stamp": "20261124T101500Z",
//     "counts": { "regressed": 0, "improved": 1, "unchanged": 3, "inconclusive": 0, "holds": 2, "fails": 0 },
//     "rows": [ { "project", "file", "test", "comparison": { …Comparison } } ] }
import * as z from 'zod'
import { parseJson, validateJson } from '../json-file.ts'
import { decisionOf, DECISIONS, type Comparison, type Decision, type Verdict } from '../results.ts'

export const VERDICTS_KIND = 'benchgate-verdicts'
export const VERDICTS_VERSION = 1
export const VERDICTS = ['regressed', 'improved', 'unchanged', 'inconclusive'] as const satisfies readonly Verdict[]

const finite = () => z.number().refine(Number.isFinite, { message: 'not a finite number' })
const side = z.strictObject({ label: z.string(), median: finite(), n: z.number().int().nonnegative() })

export const ComparisonSchema = z.strictObject({
  name: z.string(),
  metric: z.string(),
  unit: z.string(),
  better: z.enum(['lower', 'higher']),
  base: side,
  head: side,
  ratio: z.strictObject({ estimate: finite(), lo: finite(), hi: finite(), confidence: finite() }),
  threshold: finite(),
  rule: z.enum(['catch', 'conservative']).optional(),
  kind: z.enum(['comparison', 'limit']).optional(),
  verdict: z.enum(VERDICTS),
  rounds: z.number().int().nonnegative(),
  order: z.string(),
  method: z.string(),
  fingerprintWarning: z.string().optional(),
})

export const VerdictRowSchema = z.strictObject({
  project: z.string(),
  file: z.string(),
  test: z.string(),
  comparison: ComparisonSchema,
})

export const VerdictsFileSchema = z.strictObject({
  kind: z.literal(VERDICTS_KIND),
  version: z.literal(VERDICTS_VERSION),
  created: z.string(),
  stamp: z.string(),
  // holds/fails (limits) were added later; a file without them counted limits as verdicts
  counts: z.strictObject({ regressed: z.number(), improved: z.number(), unchanged: z.number(), inconclusive: z.number(), holds: z.number().default(0), fails: z.number().default(0) }),
  rows: z.array(VerdictRowSchema),
})

export interface VerdictRow {
  project: string
  file: string
  test: string
  comparison: Comparison
}

/** Comparisons by verdict, limits by holds / fails. */
export type VerdictCounts = Record<Decision, number>

export interface VerdictsFile {
  kind: typeof VERDICTS_KIND
  version: typeof VERDICTS_VERSION
  created: string
  stamp: string
  counts: VerdictCounts
  rows: VerdictRow[]
}

export function countVerdicts(rows: readonly VerdictRow[]): VerdictCounts {
  const counts = Object.fromEntries(DECISIONS.map((d) => [d, 0])) as VerdictCounts
  for (const r of rows) counts[decisionOf(r.comparison)]++
  return counts
}

export function verdictsFile(rows: readonly VerdictRow[], stamp: string, created: Date = new Date()): VerdictsFile {
  return { kind: VERDICTS_KIND, version: VERDICTS_VERSION, created: created.toISOString(), stamp, counts: countVerdicts(rows), rows: [...rows] }
}

/** Parses a verdicts.json text; a problem is one line naming the file and the field. */
export function parseVerdictsFile(text: string, file: string): VerdictsFile {
  const hint = 'it is written by reporters/verdict.ts at the end of a bench run'
  return validateJson(parseJson(text, file, 'a benchgate verdicts.json', hint), VerdictsFileSchema, file, hint) as VerdictsFile
}
