// The JSON Schema of baseline.json, generated from the zod schema in ./schema.ts, for tools that
// read the probe's output without TypeScript. Regenerate after changing the schema:
//   node harness/probe/write-schema.ts
// (harness/probe/schema.test.ts fails while the shipped file is stale).
import { resolve } from 'node:path'
import * as z from 'zod'
import { writeFileAtomic } from '../run/atomic.ts'
import { ProbeBaselineSchema } from './schema.ts'

export const PROBE_SCHEMA_FILE = resolve(import.meta.dirname, '../../fixtures/probe-baseline.schema.json')

/** The schema file's text: draft-07, titled, 2-space JSON with a trailing newline. */
export function probeBaselineJsonSchemaText(): string {
  const { $schema, ...rest } = z.toJSONSchema(ProbeBaselineSchema, { io: 'output', target: 'draft-07' }) as Record<string, unknown>
  return `${JSON.stringify({ $schema, title: 'benchgate probe baseline.json', ...rest }, null, 2)}\n`
}

if (import.meta.main) {
  writeFileAtomic(PROBE_SCHEMA_FILE, probeBaselineJsonSchemaText())
  console.log(`wrote ${PROBE_SCHEMA_FILE}`)
}
