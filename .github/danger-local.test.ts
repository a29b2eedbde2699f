// `danger local` runs the real dangerfile against a local branch, offline: a temp git repository
// with a base branch and a head branch, the fixture verdicts, and danger's own CLI. On Linux the
// run happens in a fresh network namespace (`unshare -rn`: no interface but a downed loopback),
// which proves it needs no network; elsewhere it simply runs.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const REPO = resolve(import.meta.dirname, '..')
const DANGER = join(REPO, 'node_modules/danger/distribution/commands/danger.js')
const DANGERFILE = join(REPO, '.github/dangerfile.ts')
const FIXTURES = join(REPO, 'fixtures/verdicts')
const TABLE_HEAD = '| benchmark | metric | base | head | change | interval | verdict |'

let repo: string

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=benchgate', '-c', 'user.email=benchgate@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'ignore' })
}

/** `unshare -rn` when this machine allows an unprivileged network namespace, else nothing. */
function offlinePrefix(): string[] {
  if (process.platform !== 'linux') return []
  const probe = spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' })
  return probe.status === 0 ? ['unshare', '-rn'] : []
}

/** The environment without anything that could point danger at a real CI or token. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(DANGER_|GITHUB_|GITLAB_|BITBUCKET_|CI$|CI_|TRAVIS|CIRCLE|BUILDKITE|JENKINS|TEAMCITY|BENCHGATE_)/.test(k)) continue
    env[k] = v
  }
  return { ...env, ...extra }
}

function dangerLocal(verdicts: string) {
  const prefix = offlinePrefix()
  const args = [...prefix, process.execPath, DANGER, 'local', '--failOnErrors', '--dangerfile', DANGERFILE, '--base', 'main']
  const r = spawnSync(args[0]!, args.slice(1), {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    // DANGER_DISABLE_TSC: see .github/dangerfile.ts (TypeScript 7 has no transpileModule).
    env: cleanEnv({ DANGER_DISABLE_TSC: 'true', BENCHGATE_VERDICTS: verdicts, NO_COLOR: '1', FORCE_COLOR: '0' }),
  })
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, offline: prefix.length > 0 }
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'bg-danger-local-'))
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo })
  writeFileSync(join(repo, 'README.md'), 'base\n')
  git('add', '.')
  git('commit', '-qm', 'base')
  git('checkout', '-qb', 'feature')
  writeFileSync(join(repo, 'README.md'), 'base\nhead\n')
  git('commit', '-qam', 'head')
})

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true })
})

describe('danger local with the real dangerfile', () => {
  test('a regressed fixture: the table is printed and danger exits non-zero', () => {
    const r = dangerLocal(join(FIXTURES, 'regressed/verdicts.json'))
    console.log(`danger local (regressed fixture, ${r.offline ? 'in a network namespace without network' : 'network not isolated on this machine'}): exit ${r.status}\n${r.out.trim()}`)
    expect(r.out).toContain('Failing the build')
    expect(r.out).toContain(TABLE_HEAD)
    expect(r.out).toContain('| copy many-small | time (ms), lower is better | 812.5 ms (rsync, n=20) | 920.6 ms (blit, n=20) | +13.3 % |')
    expect(r.out).toContain('`copy many-small` time (copy many-small) regressed: +13.3 %')
    expect(r.status).toBe(1)
  })

  test('a clean fixture: the table is printed and danger exits 0', () => {
    const r = dangerLocal(join(FIXTURES, 'clean/verdicts.json'))
    expect(r.out).not.toContain('Failing the build')
    expect(r.out).toContain(TABLE_HEAD)
    expect(r.out).toContain('🚀 improved')
    expect(r.status).toBe(0)
  })
})
