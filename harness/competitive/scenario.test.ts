import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'smol-toml'
import { afterAll, expect, test } from 'vitest'
import { isUserError, type UserError } from '../errors.ts'
import { loadScenarioFile, loadScenarios, parseScenarioText } from './scenario.ts'
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from './scenario-json-schema.ts'
import { tomlLocator } from './toml-locate.ts'

const SHIPPED = resolve(import.meta.dirname, '../../fixtures/scenarios/competitive')
const base = mkdtempSync(join(tmpdir(), 'benchgate-scenario-test-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const VALID = `name = "demo"
protocol = "http"

[arrival]
model = "constant"
rate = 100

[[requests]]
path = "/"

[[systems]]
name = "ours"
role = "ours"
command = "node"

[[systems]]
name = "other"
role = "competitor"
command = "nginx"
`

function problemsOf(run: () => unknown): UserError['problems'] {
  try {
    run()
  } catch (e) {
    if (isUserError(e)) return e.problems
    throw e
  }
  throw new Error('expected a UserError')
}

test('the four shipped scenarios parse, with unique names, ours first', () => {
  const loaded = loadScenarios(SHIPPED, { expectedCount: 4 })
  expect(loaded.map((l) => l.scenario.name)).toEqual(['http-json', 'http-plaintext', 'kv-get-set', 'kv-memcached'])
  for (const { scenario } of loaded) {
    expect(scenario.systems.filter((s) => s.role === 'ours').map((s) => s.name)).toEqual(['ours'])
    expect(scenario.systems.every((s) => s.version !== undefined)).toBe(true)
    expect(scenario.arrival.model).toBe('constant')
  }
  const kv = loaded.find((l) => l.scenario.name === 'kv-get-set')!.scenario
  expect(kv).toMatchObject({ protocol: 'redis', key_prefix: 'kv-get-set:', preload: { keys: 10000, value_bytes: 100 } })
  expect(loaded.find((l) => l.scenario.name === 'kv-memcached')!.scenario.key_prefix).toBe('kv-memcached:')
  expect(parseScenarioText(VALID.replace('protocol = "http"', 'protocol = "http"\nkey_prefix = "bench:"'), 'p.toml').key_prefix).toBe('bench:')
  expect(kv.operations.map((o) => [o.op, o.weight, o.key_space])).toEqual([['get', 9, 10000], ['set', 1, 10000]])
})

test('an unknown key names its file, line and field, with the closest valid key', () => {
  const text = VALID.replace('command = "nginx"', 'command = "nginx"\ncomand = "nginx -g x"').replace('rate = 100', 'rate = 100\nburst = 2')
  const problems = problemsOf(() => parseScenarioText(text, 'x.toml'))
  expect(problems.map((p) => `${p.file}:${p.line}: ${p.field}: ${p.message} (${p.hint})`)).toEqual([
    "x.toml:7: arrival.burst: unknown key (remove it or check the spelling)",
    "x.toml:21: systems[1].comand: unknown key (did you mean 'command'?)",
  ])
})

test('a wrong type in [[systems]] index 1 names that item and its line; every problem of the file is listed', () => {
  const text = VALID.replace('command = "nginx"', 'command = "nginx"\nport = "8080"\nready = { kind = "http", status = "ok" }')
  const problems = problemsOf(() => loadScenarioFile(writeTo('wrong-type.toml', text)))
  expect(problems.map((p) => [p.line, p.field, p.message, p.expected])).toEqual([
    [20, 'systems[1].port', 'wrong type, got a string "8080"', 'number'],
    [21, 'systems[1].ready.status', 'wrong type, got a string "ok"', 'number'],
  ])
  expect(problems[0]!.file).toMatch(/wrong-type\.toml$/)
})

test('a TOML syntax error gives file and line from the parser', () => {
  const text = VALID.replace('rate = 100', 'rate = 100\nmodel = "twice"').replace('path = "/"', 'path = "/')
  const problems = problemsOf(() => parseScenarioText(text, 'bad.toml'))
  expect(problems).toHaveLength(1)
  expect(problems[0]).toMatchObject({ file: 'bad.toml', line: expect.any(Number) })
  expect(problems[0]!.message).toMatch(/^TOML syntax error: /)
  expect([7, 10]).toContain(problems[0]!.line) // the duplicate key, or the unterminated string, whichever the parser meets first
})

test('semantic problems: not exactly one ours, an unknown competitor in a ratio, a placeholder typo, a bad ready kind', () => {
  const text = VALID.replace('role = "competitor"', 'role = "ours"')
    .replace('command = "node"', 'command = "node"\nargs = ["server.js", "--port", "{prot}"]')
    + '\n[thresholds]\n[[thresholds.ratios]]\ncompetitor = "nobody"\nmetric = "throughput"\nat_least = 1\n'
  const problems = problemsOf(() => parseScenarioText(text, 's.toml'))
  expect(problems.map((p) => [p.line, p.field, p.message])).toEqual([
    [11, 'systems', 'exactly one system must have role = "ours" (found 2)'],
    [24, 'thresholds.ratios[0].competitor', "'nobody' is not a competitor of this scenario"],
  ])
  const typo = problemsOf(() => parseScenarioText(VALID.replace('command = "node"', 'command = "node"\nargs = ["--port", "{prot}"]'), 't.toml'))
  expect(typo.map((p) => [p.line, p.field, p.message])).toEqual([[15, 'systems[0].args[1]', '{prot} is not a placeholder']])
  const kind = problemsOf(() => parseScenarioText(VALID.replace('command = "nginx"', 'command = "nginx"\nready = { kind = "ping" }'), 'k.toml'))
  expect(kind.map((p) => [p.line, p.field])).toEqual([[20, 'systems[1].ready.kind']])
  expect(kind[0]!.expected ?? kind[0]!.message).toMatch(/http.*tcp.*redis.*memcached/)
})

test('a folder: problems of every file collected, duplicate names naming both files, the expected count', () => {
  const dir = join(base, 'suite')
  rmSync(dir, { recursive: true, force: true })
  writeTo('suite/a.toml', VALID)
  writeTo('suite/b.toml', VALID)
  writeTo('suite/c.toml', VALID.replace('name = "demo"', 'name = "other"').replace('rate = 100', 'rate = -1'))
  writeTo('suite/notes.txt', 'not a scenario')
  const problems = problemsOf(() => loadScenarios(dir, { expectedCount: 2 }))
  const lines = problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ?? ''}: ${p.message}`.replaceAll('\\', '/').replaceAll(`${base.replaceAll('\\', '/')}/`, ''))
  expect(lines).toEqual([
    `suite: : found 3 scenario files`,
    `suite/b.toml:1: name: scenario name 'demo' is also used by suite/a.toml`,
    `suite/c.toml:6: arrival.rate: too small, got a number -1`,
  ])
  expect(problemsOf(() => loadScenarios(join(base, 'nowhere')))[0]!.message).toMatch(/^cannot read the scenario folder \(ENOENT\)/)
}, 10_000)

test('the locator: inline tables, arrays of inline tables, dotted and quoted keys, nested arrays of tables, multi-line strings', () => {
  const text = [
    'name = "x"', //                                     1
    'a.b.c = 1', //                                      2
    'list = [', //                                       3
    '  { p = "/one" },', //                              4
    '  { p = "/two", q = [1, 2] },', //                  5
    ']', //                                              6
    '[[systems]]', //                                    7
    'name = "s0"', //                                    8
    '[systems.files]', //                                9
    '"nginx.conf" = """', //                             10
    '[not_a_table]', //                                  11
    'key = 1 # "" still inside, as is [[systems]]', //  12
    '"""', //                                            13
    '[[systems]] # second', //                           14
    "ready = { kind = 'http', path = '/x' }", //         15
    '[[thresholds.ratios]]', //                          16
    'competitor = "a"', //                               17
    '[[thresholds.ratios]]', //                          18
    'competitor = "b"', //                               19
  ].join('\n')
  expect(() => parse(text)).not.toThrow()
  const lineOf = tomlLocator(text)
  expect(lineOf(['a', 'b', 'c'])).toBe(2)
  expect(lineOf(['list', 1, 'p'])).toBe(5)
  expect(lineOf(['list', 1, 'q', 1])).toBe(5)
  expect(lineOf(['systems', 0, 'files', 'nginx.conf'])).toBe(10)
  expect(lineOf(['not_a_table'])).toBe(1) // inside a string: not defined, falls back to the first line
  expect(lineOf(['systems', 1])).toBe(14)
  expect(lineOf(['systems', 1, 'ready', 'path'])).toBe(15)
  expect(lineOf(['systems', 1, 'missing'])).toBe(14)
  expect(lineOf(['thresholds', 'ratios', 1, 'competitor'])).toBe(19)
})

test('fixtures/scenarios/competitive/scenario.schema.json is in sync with the zod schema', () => {
  expect(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8'), 'stale: run `node harness/competitive/scenario-json-schema.ts`').toBe(scenarioJsonSchemaText())
  for (const name of ['http-plaintext', 'http-json', 'kv-get-set', 'kv-memcached']) {
    expect(readFileSync(join(SHIPPED, `${name}.toml`), 'utf8').split('\n')[0]).toBe('#:schema ./scenario.schema.json')
  }
})

function writeTo(name: string, text: string): string {
  const path = join(base, name)
  mkdirSync(resolve(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}
