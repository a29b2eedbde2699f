// baseline.json's schema: the shipped JSON Schema is the one the zod schema generates, a real
// probe record satisfies both, and a broken record is refused (by the schema, and by the writer,
// which then writes nothing).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { makeTempDir } from '../run/cleanup.ts'
import { BASELINE_FILE, SUMMARY_FILE, writeProbeOutputs } from './output.ts'
import { runProbe, type ProbeRun } from './run.ts'
import { ProbeBaselineSchema, type ProbeBaseline } from './schema.ts'
import { Scrubber } from './scrub.ts'
import { lineSink, probeConfig, syntheticBaseline } from './test-support.ts'
import { PROBE_SCHEMA_FILE, probeBaselineJsonSchemaText } from './write-schema.ts'

const work = makeTempDir('benchgate-probe-schema-')
afterAll(() => work.release())

/** The shipped JSON Schema as a validator (zod reads JSON Schema back; no other validator is installed). */
const jsonSchema = z.fromJSONSchema(JSON.parse(readFileSync(PROBE_SCHEMA_FILE, 'utf8')) as z.core.JSONSchema.JSONSchema)

function broken(edit: (b: ProbeBaseline & Record<string, unknown>) => void): unknown {
  const b = structuredClone(syntheticBaseline()) as ProbeBaseline & Record<string, unknown>
  edit(b)
  return b
}

const BROKEN: [string, () => unknown, string][] = [
  ['a negative MB/s', () => broken((b) => (b.blob[0]!.sweep[0]!.MB_s = -1)), 'blob.0.sweep.0.MB_s'],
  ['a missing field', () => broken((b) => delete (b.blob[0] as Partial<ProbeBaseline['blob'][0]>).best), 'blob.0.best'],
  ['an unknown field', () => broken((b) => (b.secret = 'x')), ''],
  ['a wrong format tag', () => broken((b) => ((b as { format: string }).format = 'benchgate-probe/0')), 'format'],
  ['a fractional byte count', () => broken((b) => (b.nas[0]!.reads[0]!.bytes = 1.5)), 'nas.0.reads.0.bytes'],
  ['a cache state that does not exist', () => broken((b) => ((b.nas[0]!.reads[0] as { cache_state: string }).cache_state = 'Hot')), 'nas.0.reads.0.cache_state'],
  ['a non-ISO start time', () => broken((b) => (b.started = 'yesterday')), 'started'],
]

test('fixtures/probe-baseline.schema.json is in sync with the zod schema', () => {
  expect(readFileSync(PROBE_SCHEMA_FILE, 'utf8'), 'fixtures/probe-baseline.schema.json is stale: run `node harness/probe/write-schema.ts`')
    .toBe(probeBaselineJsonSchemaText())
  const schema = JSON.parse(probeBaselineJsonSchemaText()) as Record<string, unknown>
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
  expect(schema.title).toBe('benchgate probe baseline.json')
  expect(schema.additionalProperties).toBe(false)
})

test('the synthetic record the other tests use satisfies both schemas', () => {
  expect(ProbeBaselineSchema.safeParse(syntheticBaseline()).success).toBe(true)
  expect(jsonSchema.safeParse(syntheticBaseline()).success).toBe(true)
})

describe('a broken record is refused', () => {
  test.each(BROKEN)('%s, by the zod schema and by the JSON Schema', (_, make, path) => {
    const record = make()
    const zod = ProbeBaselineSchema.safeParse(record)
    expect(zod.success).toBe(false)
    expect(zod.error!.issues.map((i) => i.path.join('.'))).toContain(path)
    expect(jsonSchema.safeParse(record).success).toBe(false)
  })

  test('writeProbeOutputs refuses it, naming the field, and writes nothing', () => {
    const dir = join(work.path, 'refused')
    const record = broken((b) => (b.blob[0]!.sweep[0]!.MB_s = -1)) as ProbeBaseline
    expect(() => writeProbeOutputs(dir, record, [], new Scrubber())).toThrow(/baseline\.json would break its schema at blob\.0\.sweep\.0\.MB_s/)
    expect(existsSync(join(dir, BASELINE_FILE))).toBe(false)
    expect(existsSync(join(dir, SUMMARY_FILE))).toBe(false)
  })
})

describe('a real probe record (machine facts and the embedded NAS directory)', () => {
  let run: ProbeRun
  beforeAll(async () => {
    const config = probeConfig(join(work.path, 'data'), { file_size_mib: 2, nas_streams: 2 })
    run = await runProbe(config, { outDir: join(work.path, 'out'), parts: { blob: false }, sink: lineSink().sink })
  })

  test('satisfies the zod schema, as returned and as written', () => {
    expect(ProbeBaselineSchema.parse(run.baseline)).toEqual(run.baseline)
    const written = JSON.parse(readFileSync(join(work.path, 'out', BASELINE_FILE), 'utf8')) as unknown
    expect(written).toEqual(run.baseline)
    expect(run.baseline.machine).not.toHaveProperty('skipped')
    expect(run.baseline.nas).toHaveLength(1)
    expect(run.baseline.blob).toEqual([])
  })

  test('satisfies the shipped JSON Schema as written', () => {
    const written = JSON.parse(readFileSync(join(work.path, 'out', BASELINE_FILE), 'utf8')) as unknown
    const checked = jsonSchema.safeParse(written)
    expect(checked.error?.issues ?? []).toEqual([])
  })
})
