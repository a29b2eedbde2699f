// The configuration's JSON Schema, for editor completion and checking of benchgate.config.yaml
// (`# yaml-language-server: $schema=…`). Input side, so fields with defaults are not required.
// Draft-07 because it is the draft YAML editors support best.
import * as z from 'zod'
import { ConfigSchema } from './schema.ts'

export const SCHEMA_TITLE = 'benchgate configuration'

/** A string that is a `${VAR}` reference, substituted before validation. */
const ENV_REFERENCE = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}' }

/** Lets a string field with a format or pattern also hold a `${VAR}` reference, so editors accept it. */
function allowEnvReference(json: Record<string, unknown>): void {
  if (json.type !== 'string' || (json.format === undefined && json.pattern === undefined)) return
  const { type, format, pattern } = json
  delete json.type
  delete json.format
  delete json.pattern
  const strict = Object.fromEntries(Object.entries({ type, format, pattern }).filter(([, v]) => v !== undefined))
  json.anyOf = [strict, ENV_REFERENCE]
}

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, {
    io: 'input',
    target: 'draft-07',
    override: (ctx) => allowEnvReference(ctx.jsonSchema as Record<string, unknown>),
  }) as Record<string, unknown>
  const { $schema, ...rest } = schema
  return { $schema, title: SCHEMA_TITLE, ...rest }
}

/** The schema file's text: 2-space JSON with a trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`
}
