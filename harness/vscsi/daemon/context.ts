// From a configuration to what a job needs: the SSH target (by ssh.hosts[].name or host), the
// profile (built-in quick/standard/deep or vscsi.profiles), and the retry and re-issue settings.
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../config/load.ts'
import { BUILTIN_VSCSI_PROFILES, ConfigSchema, type Config } from '../../config/schema.ts'
import { UserError } from '../../errors.ts'
import type { SshTarget } from './ssh.ts'

/** The configuration a job names (an absolute path), or the defaults when it names none. */
export function jobConfig(path: string | null, env: NodeJS.ProcessEnv = process.env): Config {
  return path === null ? ConfigSchema.parse({}) : loadConfig({ path, env }).config
}

/**
 * The environment variables a configuration file refers to (`${VAR}`), with their values in `env`.
 * The CLI hands them to the daemon, which may have been started from another shell; the daemon
 * keeps them in memory only.
 */
export function referencedEnv(path: string | null, env: NodeJS.ProcessEnv): Record<string, string> {
  if (path === null) return {}
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return {}
  }
  const out: Record<string, string> = {}
  for (const m of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const v = env[m[1]!]
    if (v !== undefined) out[m[1]!] = v
  }
  return out
}

export function profiles(config: Config): Record<string, { samples: number; interval_s: number }> {
  return { ...BUILTIN_VSCSI_PROFILES, ...config.vscsi.profiles }
}

export function findProfile(config: Config, name: string | undefined, source: string | null): { name: string; samples: number; interval_s: number } {
  const all = profiles(config)
  const chosen = name ?? config.vscsi.default_profile
  const p = all[chosen]
  if (!p) {
    throw new UserError({ file: 'vscsi-helper start', field: '--profile', message: `'${chosen}' is not a profile`,
      expected: `one of ${Object.keys(all).join(', ')}`, hint: `define it under vscsi.profiles in ${source ?? 'the configuration file'}` })
  }
  return { name: chosen, samples: p.samples, interval_s: p.interval_s }
}

export function findHost(config: Config, wanted: string, source: string | null, flag = '--host'): SshTarget {
  const hosts = config.ssh.hosts
  const h = hosts.find((x) => x.name === wanted) ?? hosts.find((x) => x.host === wanted)
  if (!h) {
    throw new UserError({ file: 'vscsi-helper', field: flag, message: `'${wanted}' is not in ssh.hosts of ${source ?? 'the configuration (none was found)'}`,
      expected: hosts.length ? `one of ${hosts.map((x) => x.name).join(', ')}` : 'a host defined under ssh.hosts',
      hint: source ? 'add it under ssh.hosts (name, host, user, password or key_path)' : 'pass --config FILE or set BENCHGATE_CONFIG' })
  }
  const t: SshTarget = { name: h.name, host: h.host, port: h.port, user: h.user }
  if (h.password !== undefined) t.password = h.password
  if (h.key_path !== undefined) t.key_path = h.key_path
  if (h.host_key_fingerprint !== undefined) t.host_key_fingerprint = h.host_key_fingerprint
  return t
}
