// The baseline file: what a run measured, kept so a later run can be gated against it. JSON with
// a kind and a version, validated with zod on the way in; one entry per test holding its KPIs and,
// per benchmark task, the raw latency samples (ms per iteration) and summary statistics, plus the
// fingerprint of the machine and checkout that measured them.
//
//   { "kind": "benchgate-baseline", "version": 1, "created": "2026-…Z",
//     "fingerprint": { "cpu_model", "cores", "os", "node", "config_hash", "git_commit" },
//     "tests": [ { "project", "file", "test", "kpis": [...],
//                  "benchmarks": [ { "benchmark", "task", "unit": "ms", "samples": [...], "stats": {...} } ] } ] }
import * as z from 'zod'
import { UserError } from '../errors.ts'
import { parseJson, validateJson } from '../json-file.ts'

export const BASELINE_KIND = 'benchgate-baseline'
export const BASELINE_VERSION = 1

const finite = () => z.number().refine(Number.isFinite, { message: 'not a finite number' })

export const FingerprintSchema = z.strictObject({
  cpu_model: z.string().describe('CPU model as the OS reports it.'),
  cores: z.number().int().nonnegative().describe('Logical CPU cores.'),
  os: z.string().describe('Platform, kernel release and architecture, e.g. "linux 6.8.0 x64".'),
  node: z.string().describe('Node.js version, e.g. "v24.21.0".'),
  config_hash: z.string().describe('Hash of the redacted benchgate configuration.'),
  git_commit: z.string().nullable().describe('Commit the baseline was measured on; null outside a git checkout.'),
})

const StatsSchema = z.strictObject({
  mean: finite(),
  p50: finite(),
  p75: finite(),
  p99: finite(),
  min: finite(),
  max: finite(),
  sd: finite(),
  rme: finite(),
  samplesCount: z.number().int().nonnegative(),
})

const KpiSchema = z.strictObject({
  name: z.string().min(1),
  value: z.union([finite(), z.string()]),
  unit: z.string(),
  better: z.enum(['lower', 'higher']).optional(),
})

export const BaselineTaskSchema = z.strictObject({
  benchmark: z.string().describe('The benchmark group (Vitest names it after the test).'),
  task: z.string().min(1).describe('The benchmark task, as named in bench(name, fn).'),
  unit: z.literal('ms').describe('Unit of the samples: milliseconds per iteration.'),
  samples: z.array(finite().refine((v) => v >= 0, { message: 'negative sample' })).min(1)
    .describe('Raw latency samples (benchmark.retainSamples), sorted as Tinybench keeps them.'),
  stats: StatsSchema.describe('Tinybench summary statistics of the samples.'),
})

export const BaselineTestSchema = z.strictObject({
  project: z.string(),
  file: z.string().describe('Bench file, relative to the repository root, with / separators.'),
  test: z.string().min(1).describe('Full test name (suites joined with " > ").'),
  kpis: z.array(KpiSchema),
  benchmarks: z.array(BaselineTaskSchema),
})

export const BaselineSchema = z.strictObject({
  kind: z.literal(BASELINE_KIND),
  version: z.literal(BASELINE_VERSION),
  created: z.iso.datetime().describe('When the baseline run ended (UTC).'),
  fingerprint: FingerprintSchema,
  tests: z.array(BaselineTestSchema),
})

export type Fingerprint = z.infer<typeof FingerprintSchema>
export type BaselineTask = z.infer<typeof BaselineTaskSchema>
export type BaselineTest = z.infer<typeof BaselineTestSchema>
export type Baseline = z.infer<typeof BaselineSchema>
export type BaselineStats = BaselineTask['stats']

/** A baseline with the file it came from (named in every message about it). */
export interface LoadedBaseline {
  file: string
  data: Baseline
}

const HINT = 'write a fresh one with `npm run bench:baseline`'

/** Parses a baseline's JSON text; every problem becomes one line naming the file and field. */
export function parseBaseline(text: string, file: string): LoadedBaseline {
  const raw = parseJson(text, file, 'a benchgate baseline file', HINT)
  if (typeof raw !== 'object' || raw === null || (raw as { kind?: unknown }).kind !== BASELINE_KIND) {
    throw new UserError({ file, field: 'kind', message: 'not a benchgate baseline', expected: `"kind": "${BASELINE_KIND}"`, hint: HINT })
  }
  const version = (raw as { version?: unknown }).version
  if (version !== BASELINE_VERSION) {
    throw new UserError({
      file,
      field: 'version',
      message: `unsupported version ${JSON.stringify(version)}`,
      expected: String(BASELINE_VERSION),
      hint: typeof version === 'number' && version > BASELINE_VERSION ? 'update benchgate' : HINT,
    })
  }
  return { file, data: validateJson(raw, BaselineSchema, file, HINT) }
}

/** The baseline as its file's text: indented, each number list on one line, a trailing newline. */
export function serializeBaseline(baseline: Baseline): string {
  const lists: string[] = []
  const token = `@@list-${Math.random().toString(36).slice(2)}-`
  const text = JSON.stringify(
    BaselineSchema.parse(baseline),
    (_key, value: unknown) => {
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number')) return value
      lists.push(JSON.stringify(value))
      return `${token}${lists.length - 1}`
    },
    2,
  )
  return text.replace(new RegExp(`"${token}(\\d+)"`, 'g'), (_, i: string) => lists[Number(i)]!) + '\n'
}
