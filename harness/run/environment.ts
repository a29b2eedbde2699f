// Facts about the machine and the checkout that make a result comparable (or not) with another.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, hostname, platform, release, totalmem, userInfo, arch } from 'node:os'
import { join } from 'node:path'

export interface GitFacts {
  commit: string | null
  branch: string | null
  dirty: boolean | null
}

export interface Environment {
  hostname: string
  operator: string
  git: GitFacts
  os: { platform: string; release: string; arch: string }
  cpu: { model: string; cores: number }
  ram_gb: number
  node: string
  dependencies: Record<string, string>
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim()
  } catch {
    return null
  }
}

export function gitFacts(cwd: string): GitFacts {
  const commit = git(['rev-parse', 'HEAD'], cwd)
  if (commit === null) return { commit: null, branch: null, dirty: null }
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd)
  const status = git(['status', '--porcelain', '--untracked-files=no'], cwd)
  return { commit, branch, dirty: status === null ? null : status.length > 0 }
}

/** Installed versions of the packages that shape a measurement. */
const MEASURING_PACKAGES = ['vitest', 'tinybench', 'vite', 'zod']

function installedVersion(root: string, name: string): string | null {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version ?? null
  } catch {
    return null
  }
}

export function collectEnvironment(root: string): Environment {
  const cores = cpus()
  const dependencies: Record<string, string> = {}
  for (const name of MEASURING_PACKAGES) {
    const v = installedVersion(root, name)
    if (v) dependencies[name] = v
  }
  let operator = process.env.BENCHGATE_OPERATOR ?? ''
  if (!operator) {
    try {
      operator = userInfo().username
    } catch {
      operator = 'unknown'
    }
  }
  return {
    hostname: hostname(),
    operator,
    git: gitFacts(root),
    os: { platform: platform(), release: release(), arch: arch() },
    cpu: { model: cores[0]?.model.trim() ?? 'unknown', cores: cores.length },
    ram_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    dependencies,
  }
}
