// The pull-request check's logic, kept apart from .github/dangerfile.ts so it is unit-tested
// offline: read the run's verdicts.json files, post ONE markdown table (benchmark, metric, base,
// head, change, interval, verdict), fail on any `regressed`, warn on fingerprint warnings and
// inconclusive verdicts.
//
// Which files: BENCHGATE_VERDICTS (files or directories, separated by newlines or the platform's
// path delimiter; a directory is searched for verdicts.json files), else the newest
// results/<stamp>/verdicts.json (results dir: BENCHGATE_RESULTS_DIR, default `results`).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path'
import { isUserError } from '../harness/errors.ts'
import { countVerdicts, parseVerdictsFile, type VerdictRow, type VerdictsFile } from '../harness/verdicts/file.ts'
import { formatChange, formatInterval, verdictsMarkdown } from '../harness/verdicts/table.ts'
import { decisionOf } from '../harness/results.ts'

export const VERDICTS_ENV = 'BENCHGATE_VERDICTS'
export const RESULTS_DIR_ENV = 'BENCHGATE_RESULTS_DIR'
const FILE_NAME = 'verdicts.json'

/** The part of danger's DSL the check uses. */
export interface DangerOutput {
  markdown(text: string): void
  fail(text: string): void
  warn(text: string): void
  message(text: string): void
}

export interface VerdictReport {
  markdown: string
  fails: string[]
  warnings: string[]
  messages: string[]
}

function display(full: string, cwd: string): string {
  const rel = relative(cwd, full)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : full
}

function findIn(dir: string, depth = 0): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory() && depth < 8 && e.name !== 'node_modules' && e.name !== '.git') out.push(...findIn(p, depth + 1))
    else if (e.isFile() && e.name === FILE_NAME) out.push(p)
  }
  return out.sort()
}

/** The verdicts.json files to report, as absolute paths; `missing` lists named paths that do not exist. */
export function verdictFiles(env: NodeJS.ProcessEnv, cwd: string): { files: string[]; missing: string[] } {
  const given = (env[VERDICTS_ENV] ?? '').split(/\r?\n/).flatMap((s) => s.split(delimiter)).map((s) => s.trim()).filter(Boolean)
  if (given.length > 0) {
    const files: string[] = []
    const missing: string[] = []
    for (const g of given) {
      const full = resolve(cwd, g)
      if (!existsSync(full)) missing.push(g)
      else if (statSync(full).isDirectory()) files.push(...findIn(full))
      else files.push(full)
    }
    return { files: [...new Set(files)], missing }
  }
  const results = resolve(cwd, env[RESULTS_DIR_ENV] || 'results')
  if (!existsSync(results)) return { files: [], missing: [] }
  // Stamp folders (20261124T101500Z) sort by time: the newest run with verdicts wins.
  const stamps = readdirSync(results).filter((d) => existsSync(join(results, d, FILE_NAME))).sort()
  const newest = stamps.at(-1)
  return { files: newest ? [join(results, newest, FILE_NAME)] : [], missing: [] }
}

/** Builds the comment and the fail/warn lines from parsed verdict files (pure). */
export function verdictReport(files: ReadonlyArray<{ file: string; data: VerdictsFile }>): VerdictReport {
  const rows: VerdictRow[] = files.flatMap((f) => f.data.rows)
  const counts = countVerdicts(rows)
  const fails: string[] = []
  const warnings: string[] = []
  const messages: string[] = []
  const label = (r: VerdictRow) => `\`${r.comparison.name}\` ${r.comparison.metric} (${r.test})`
  for (const r of rows) {
    const c = r.comparison
    const change = `${formatChange(c.ratio.estimate)}, interval ${formatInterval(c.ratio)}, threshold ${Math.round(c.threshold * 1000) / 10} %`
    const decision = decisionOf(c)
    if (decision === 'regressed') fails.push(`${label(r)} regressed: ${change}`)
    else if (decision === 'fails') fails.push(`${label(r)} fails its limit: ${change}`)
    else if (decision === 'inconclusive') warnings.push(`${label(r)} inconclusive: ${change}; measure more rounds to decide`)
  }
  for (const w of new Set(rows.flatMap((r) => (r.comparison.fingerprintWarning ? [r.comparison.fingerprintWarning] : [])))) {
    warnings.push(`different environment: ${w}`)
  }
  if (files.length === 0) warnings.push(`no ${FILE_NAME} found: did the bench run write one (reporters/verdict.ts)?`)
  else if (rows.length === 0) messages.push('benchgate: the bench run made no gate evaluations.')
  const sources = files.map((f) => `\`${f.file}\``).join(', ')
  const markdown = files.length === 0 ? '' : `${verdictsMarkdown(rows, counts)}\n<sub>from ${sources}</sub>\n`
  return { markdown, fails, warnings, messages }
}

/** Reads the files and posts the report through danger's DSL. */
export function runVerdictCheck(dsl: DangerOutput, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): VerdictReport {
  const { files, missing } = verdictFiles(env, cwd)
  const parsed: Array<{ file: string; data: VerdictsFile }> = []
  const problems: string[] = missing.map((m) => `${m}: not found (named in ${VERDICTS_ENV})`)
  for (const f of files) {
    const name = display(f, cwd)
    try {
      parsed.push({ file: name, data: parseVerdictsFile(readFileSync(f, 'utf8'), name) })
    } catch (e) {
      if (!isUserError(e)) throw e
      problems.push(e.message)
    }
  }
  const report = verdictReport(parsed)
  // An unreadable verdicts file is a broken check, not a pass.
  report.fails.push(...problems.map((p) => `benchgate verdicts unreadable: ${p}`))
  if (report.markdown) dsl.markdown(report.markdown)
  for (const f of report.fails) dsl.fail(f)
  for (const w of report.warnings) dsl.warn(w)
  for (const m of report.messages) dsl.message(m)
  return report
}
