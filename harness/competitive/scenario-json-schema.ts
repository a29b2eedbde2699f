// The scenario TOML's JSON Schema, for editors (Taplo / Even Better TOML read the
// `#:schema ./scenario.schema.json` line each shipped scenario starts with). Input side, so fields
// with defaults are not required; draft-07, the draft editors support best. Regenerate with
//   node harness/competitive/scenario-json-schema.ts
// (a unit test fails while the committed file is stale).
import { resolve } from 'node:path'
import * as z from 'zod'
import { writeFileAtomic } from '../run/atomic.ts'
import { ScenarioSchema } from './scenario-schema.ts'

export const SCENARIO_SCHEMA_FILE = resolve(import.meta.dirname, '../../fixtures/scenarios/competitive/scenario.schema.json')

function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(ScenarioSchema, { io: 'input', target: 'draft-07', unrepresentable: 'any' }) as Record<string, unknown>
  return { $schema, title: 'benchgate competitive scenario', ...rest }
}

/** The schema file's text: 2-space JSON with a trailing newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`
}

if (import.meta.main) {
  writeFileAtomic(SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText())
  console.log(`wrote ${SCENARIO_SCHEMA_FILE}`)
}
