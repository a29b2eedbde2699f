// Reading competitive scenarios: one TOML file a scenario, parsed with smol-toml and validated with
// ScenarioSchema (scenario-schema.ts). Every mistake of a file — and, for a folder, of every file —
// is collected into one UserError, a line per problem: `file:line: field: what; expected …
// (hint: …)`. Unknown keys are errors (strict objects), each named with its own line and the
// closest valid key; a TOML syntax error gives smol-toml's line. Lines of data paths come from
// toml-locate.ts, the zod issue wording from config/issues.ts (shared with the YAML config).
//
// Beyond the schema: a {name} in args, env, cwd or version that is not one of the placeholders
// ({port} {host} {dir} {repo}) is reported, since it would reach the system verbatim.
// A folder: every *.toml in it (not below it), sorted by name; scenario names must be unique across
// the folder (a duplicate names both files); `expectedCount` checks how many there are.
import { readdirSync, readFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { parse, TomlError } from 'smol-toml'
import { UserError, fieldName, isUserError, type Problem } from '../errors.ts'
import { issueProblems } from '../config/issues.ts'
import { ScenarioSchema, type Scenario } from './scenario-schema.ts'
import { PLACEHOLDERS, unknownPlaceholders } from './templates.ts'
import { tomlLocator, type TomlPath } from './toml-locate.ts'

export interface LoadedScenario {
  /** The file as given (absolute when the folder was). */
  file: string
  scenario: Scenario
}

/** The file name as messages show it: relative to cwd when inside it. */
function displayName(full: string): string {
  const rel = relative(process.cwd(), full)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : full
}

/** Placeholder typos in the systems' templates. */
function placeholderProblems(scenario: Scenario, file: string, lineOf: (p: TomlPath) => number | undefined): Problem[] {
  const problems: Problem[] = []
  const check = (text: string, path: TomlPath) => {
    for (const name of unknownPlaceholders(text)) {
      problems.push({ file, line: lineOf(path), field: fieldName(path), message: `{${name}} is not a placeholder`,
        expected: `only ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`, hint: 'check the spelling' })
    }
  }
  scenario.systems.forEach((s, i) => {
    s.args.forEach((a, j) => check(a, ['systems', i, 'args', j]))
    for (const [k, v] of Object.entries(s.env)) check(v, ['systems', i, 'env', k])
    if (s.cwd !== undefined) check(s.cwd, ['systems', i, 'cwd'])
    s.version?.forEach((a, j) => check(a, ['systems', i, 'version', j]))
  })
  return problems
}

type Checked = { scenario?: Scenario; problems: Problem[]; lineOf?: (p: TomlPath) => number | undefined }

/** The problems of one file's text (empty when it is a valid scenario); a valid one also gives its line finder. */
function textProblems(text: string, file: string): Checked {
  let data: unknown
  try {
    data = parse(text)
  } catch (e) {
    if (!(e instanceof TomlError)) throw e
    const message = e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')
    return { problems: [{ file, line: e.line, message: `TOML syntax error: ${message}`, hint: 'check quotes, brackets and `key = value` on this line' }] }
  }
  const lineOf = tomlLocator(text)
  const result = ScenarioSchema.safeParse(data)
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => issueProblems(issue, ScenarioSchema, data, file, lineOf))
    return { problems }
  }
  return { scenario: result.data, problems: placeholderProblems(result.data, file, lineOf), lineOf }
}

function fail(problems: Problem[]): never {
  throw new UserError([...problems].sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : a.file < b.file ? -1 : 1)))
}

function readProblems(full: string): Checked {
  const file = displayName(full)
  let text: string
  try {
    text = readFileSync(full, 'utf8')
  } catch (e) {
    return { problems: [{ file, message: `cannot read the scenario file (${(e as NodeJS.ErrnoException).code ?? 'read error'})`, expected: 'a readable TOML file' }] }
  }
  return textProblems(text, file)
}

/** Parses and validates one scenario file; throws a UserError listing every problem. */
export function loadScenarioFile(path: string): Scenario {
  const { scenario, problems } = readProblems(resolve(path))
  if (problems.length || !scenario) fail(problems)
  return scenario
}

/** Validates scenario text (for tests and tools); `file` is the name messages give. */
export function parseScenarioText(text: string, file: string): Scenario {
  const { scenario, problems } = textProblems(text, file)
  if (problems.length || !scenario) fail(problems)
  return scenario
}

/** Every *.toml in `dir`, sorted, all valid with unique names; one UserError for all problems. */
export function loadScenarios(dir: string, opts: { expectedCount?: number } = {}): LoadedScenario[] {
  const shown = displayName(resolve(dir))
  let names: string[]
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.toml')).map((e) => e.name).sort()
  } catch (e) {
    throw new UserError({ file: shown, message: `cannot read the scenario folder (${(e as NodeJS.ErrnoException).code ?? 'read error'})`, expected: 'a folder of *.toml scenario files' })
  }
  const problems: Problem[] = []
  const loaded: LoadedScenario[] = []
  const byName = new Map<string, string>()
  for (const name of names) {
    const file = join(dir, name)
    const { scenario, problems: own, lineOf } = readProblems(resolve(file))
    problems.push(...own)
    if (!scenario || own.length) continue
    const first = byName.get(scenario.name)
    if (first !== undefined) {
      problems.push({ file: displayName(resolve(file)), line: lineOf?.(['name']), field: 'name',
        message: `scenario name '${scenario.name}' is also used by ${displayName(resolve(first))}`, expected: 'a name unique in the folder' })
      continue
    }
    byName.set(scenario.name, file)
    loaded.push({ file, scenario })
  }
  if (names.length === 0) problems.push({ file: shown, message: 'no scenario files (*.toml) in the folder' })
  else if (opts.expectedCount !== undefined && names.length !== opts.expectedCount) {
    problems.push({ file: shown, message: `found ${names.length} scenario file${names.length === 1 ? '' : 's'}`, expected: `${opts.expectedCount}, as configured`,
      hint: 'add or remove scenario files, or change the expected count' })
  }
  if (problems.length) fail(problems)
  return loaded
}

/** Problems of a folder as a list instead of an error (for the pre-flight line). */
export function scenarioFolderProblems(dir: string, opts: { expectedCount?: number } = {}): { scenarios: LoadedScenario[]; problems: readonly Problem[] } {
  try {
    return { scenarios: loadScenarios(dir, opts), problems: [] }
  } catch (e) {
    if (isUserError(e)) return { scenarios: [], problems: e.problems }
    throw e
  }
}
