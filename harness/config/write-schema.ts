// Regenerates fixtures/benchgate.schema.json from the zod schema:
//   node harness/config/write-schema.ts
import { renameSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { configJsonSchemaText } from './json-schema.ts'

export const SCHEMA_FILE = resolve(import.meta.dirname, '../../fixtures/benchgate.schema.json')

if (import.meta.main) {
  const temp = `${SCHEMA_FILE}.${process.pid}.tmp`
  writeFileSync(temp, configJsonSchemaText())
  renameSync(temp, SCHEMA_FILE)
  console.log(`wrote ${SCHEMA_FILE}`)
}
