import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, test } from 'vitest'
import { configJsonSchema, configJsonSchemaText } from './json-schema.ts'
import { loadConfig } from './load.ts'
import { SCHEMA_FILE } from './write-schema.ts'

const SAMPLE = resolve(import.meta.dirname, '../../fixtures/benchgate.sample.yaml')

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; additionalProperties?: JsonSchema | boolean }

/** Every property name in the schema (sections, fields, list item and record value fields). */
function propertyNames(schema: JsonSchema, into = new Set<string>()): Set<string> {
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    into.add(name)
    propertyNames(sub, into)
  }
  if (schema.items) propertyNames(schema.items, into)
  if (typeof schema.additionalProperties === 'object') propertyNames(schema.additionalProperties, into)
  return into
}

test('fixtures/benchgate.schema.json is in sync with the zod schema', () => {
  const committed = readFileSync(SCHEMA_FILE, 'utf8')
  expect(committed, 'fixtures/benchgate.schema.json is stale: run `node harness/config/write-schema.ts`').toBe(
    configJsonSchemaText(),
  )
})

test('the JSON Schema is the input side: titled, strict, nothing with a default is required', () => {
  const schema = configJsonSchema() as JsonSchema & Record<string, unknown>
  expect(schema.$schema).toMatch(/json-schema\.org/)
  expect(schema.title).toBe('benchgate configuration')
  expect(schema.additionalProperties).toBe(false)
  expect(schema.required).toBeUndefined()
  expect(schema.properties?.blitParity?.properties?.at_least).toMatchObject({ default: 0.95, description: expect.any(String) })
})

test('every field has a description', () => {
  const missing: string[] = []
  const walk = (schema: JsonSchema & { description?: string }, path: string) => {
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      if (!(sub as { description?: string }).description) missing.push(`${path}${name}`)
      walk(sub, `${path}${name}.`)
    }
    if (schema.items) walk(schema.items, `${path}[].`)
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}*.`)
  }
  walk(configJsonSchema() as JsonSchema, '')
  expect(missing).toEqual([])
})

test('the sample validates with its variables set', () => {
  const share = mkdtempSync(join(tmpdir(), 'benchgate-share-'))
  try {
    const env = {
      AZURE_SAS_URL: 'https://acct.blob.core.windows.net/volumes?sv=2022-11-02&sr=c&sp=rl&sig=c2FtcGxlU2lnbmF0dXJl%3D',
      ESXI_PASSWORD: 'sample-password',
      NAS_SHARE: share,
    }
    const { config, source } = loadConfig({ path: SAMPLE, env, cwd: resolve(import.meta.dirname, '../..') })
    expect(source).toBe(SAMPLE)
    expect(config.nas).toEqual({ host: 'nas01.example.com', shares: [share] })
    expect(config.ssh.hosts[0]).toMatchObject({ name: 'esx01', port: 22, password: 'sample-password' })
    expect(config.vscsi.profiles.burst).toEqual({ samples: 10, interval_s: 1 })
  } finally {
    rmSync(share, { recursive: true, force: true })
  }
})

test('the sample points at the schema and documents every field with a comment', () => {
  const lines = readFileSync(SAMPLE, 'utf8').split('\n')
  expect(lines[0]).toBe('# yaml-language-server: $schema=./benchgate.schema.json')
  const undocumented: string[] = []
  for (const name of propertyNames(configJsonSchema() as JsonSchema)) {
    const at = lines.findIndex((line) => new RegExp(`(^|[\\s{,#-])${name}:`).test(line))
    const commented = at >= 0 && [lines[at], lines[at - 1], lines[at - 2]].some((l) => l?.includes('#'))
    if (!commented) undocumented.push(name)
  }
  expect(undocumented, 'fields missing from fixtures/benchgate.sample.yaml or without a comment').toEqual([])
})
