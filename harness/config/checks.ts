// Semantic checks the shape alone cannot express. Each is attached to its section with
// `superRefine`, so one section's mistakes do not hide another's. An issue carries its
// `expected` and `hint` in `params`; the loader turns them into a Problem.
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type * as z from 'zod'
import { hasSig, sasContainer } from './sas.ts'
import { FAST_LOG_GROUPS } from '../metrics/fast-log.ts'

type Ctx = z.RefinementCtx
type Path = (string | number)[]

function report(ctx: Ctx, path: Path, message: string, expected?: string, hint?: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: { expected, hint } })
}

export function checkAzure(
  azure: { account?: string; container?: string; sas_url?: string; sas_token?: string },
  ctx: Ctx,
): void {
  if (azure.sas_url !== undefined && !hasSig(azure.sas_url)) {
    report(ctx, ['sas_url'], 'SAS URL has no sig query parameter', 'a SAS URL ending in ?sv=…&sig=…',
      'copy the full SAS URL from the portal, including the ?sv=…&sig=… part')
  }
  if (azure.sas_token !== undefined && !hasSig(azure.sas_token)) {
    report(ctx, ['sas_token'], 'SAS token has no sig parameter', 'a query string such as sv=…&sig=…',
      'copy the whole SAS token from the portal')
  }
  const derived = azure.container ?? (azure.sas_url === undefined ? undefined : sasContainer(azure.sas_url))
  if ((azure.account !== undefined || azure.sas_url !== undefined) && derived === undefined) {
    report(ctx, ['container'], 'missing Azure container', 'azure.container, or a container SAS URL (…/CONTAINER?sv=…)',
      'add container: NAME under azure, or use a SAS URL made for the container')
  }
}

export function checkSasUrls(urls: readonly string[], ctx: Ctx): void {
  urls.forEach((url, i) => {
    if (!hasSig(url)) {
      report(ctx, [i], 'SAS URL has no sig query parameter', 'a container or blob SAS URL ending in ?sv=…&sig=…',
        'copy the full SAS URL, including the ?sv=…&sig=… part')
    }
  })
}

export function checkSshHost(host: { password?: string; key_path?: string }, ctx: Ctx): void {
  if (host.password === undefined && host.key_path === undefined) {
    report(ctx, [], 'SSH host has neither password nor key_path', 'password or key_path',
      'add key_path: ~/.ssh/id_ed25519, or password: ${ESXI_PASSWORD}')
  }
}

/** A copy tool's command template: both {src} and {dst}, no other placeholder. */
export function checkCopyCommand(command: string, ctx: Ctx): void {
  const names = [...command.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!)
  const unknown = names.filter((n) => n !== 'src' && n !== 'dst')
  const missing = ['src', 'dst'].filter((n) => !names.includes(n))
  if (missing.length || unknown.length) {
    report(ctx, [], unknown.length ? `unknown placeholder ${unknown.map((n) => `{${n}}`).join(', ')}` : `the template has no ${missing.map((n) => `{${n}}`).join(' or ')}`,
      'a command with {src} and {dst}', "e.g. 'blit-cli mirror {src} {dst}' or 'rsync -a --delete {src}/ {dst}/'")
  }
}

export function checkVscsi(vscsi: { profiles: Record<string, unknown>; default_profile: string }, ctx: Ctx, builtin: readonly string[] = ['quick', 'standard', 'deep']): void {
  const names = [...new Set([...builtin, ...Object.keys(vscsi.profiles)])]
  if (!names.includes(vscsi.default_profile)) {
    report(ctx, ['default_profile'], `'${vscsi.default_profile}' is not a profile`, `one of ${names.join(', ')}`, 'define the profile under vscsi.profiles or fix the name')
  }
}

export function checkRegex(source: string): boolean {
  try {
    new RegExp(source)
    return true
  } catch {
    return false
  }
}


export function checkLogPattern(pattern: string, ctx: Ctx): void {
  if (!checkRegex(pattern)) return // reported by the regex check itself
  const missing = FAST_LOG_GROUPS.filter((g) => !pattern.includes(`(?<${g}>`))
  if (missing.length) {
    report(ctx, [], `pattern lacks named group${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      `a regex with (?<latency_ms>…), (?<bytes>…) and (?<cache_hit>…)`, 'name the capture groups, e.g. (?<bytes>\\d+)')
  }
}

export interface PathProblem {
  path: Path
  message: string
  expected: string
  hint: string
}

/**
 * NAS shares that are not existing directories. Works on the raw (unvalidated) data so it is
 * reported together with shape mistakes; relative paths resolve against `cwd`.
 */
export function missingShares(raw: unknown, cwd: string): PathProblem[] {
  const shares = (raw as { nas?: { shares?: unknown } } | null)?.nas?.shares
  if (!Array.isArray(shares)) return []
  const problems: PathProblem[] = []
  shares.forEach((share, i) => {
    if (typeof share !== 'string' || share === '') return
    const full = resolve(cwd, share)
    const dir = existsSync(full) && statSync(full).isDirectory()
    if (!dir) {
      problems.push({
        path: ['nas', 'shares', i],
        message: existsSync(full) ? `NAS share '${full}' is not a directory` : `NAS share '${full}' does not exist`,
        expected: 'an existing directory',
        hint: 'mount the share or fix the path',
      })
    }
  })
  return problems
}
