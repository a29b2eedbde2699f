import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { closestKey } from './issues.ts'
import { loadConfig } from './load.ts'
import { ConfigSchema } from './schema.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'benchgate-config-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function write(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** Loads `text` as a config file and returns the UserError's message (fails if it loads). */
function failure(text: string, env: NodeJS.ProcessEnv = {}): string {
  const path = write('bad.yaml', text)
  try {
    loadConfig({ path, env, cwd: dir })
  } catch (e) {
    expect(isUserError(e), String(e)).toBe(true)
    const message = (e as Error).message
    expect(message).not.toMatch(/^\s+at /m)
    return message
  }
  throw new Error('expected the configuration to be rejected')
}

const SAS = 'https://acct.blob.core.windows.net/volumes?sv=2022-11-02&sr=c&sp=rl&sig=s3cr3tS1g%2Babc%3D'

describe('defaults', () => {
  test('no file gives the complete default config and source null', () => {
    const loaded = loadConfig({ env: {}, cwd: dir })
    expect(loaded.source).toBeNull()
    expect(loaded.config).toEqual(ConfigSchema.parse({}))
    expect(loaded.config.petrel.launch_timeout_s).toBe(180)
    expect(loaded.config.cache.policy).toEqual(['Cold', 'Warm'])
    expect(loaded.config.blitParity.candidate.name).toBe('rclone')
    expect(loaded.config.gates.threshold).toBe(0.05)
    expect(loaded.config.output.results_dir).toBe('results')
    expect(loaded.config.azure.endpoint).toBeUndefined()
    expect(loaded.hash).toMatch(/^[0-9a-f]{16}$/)
  })

  test('an empty file and empty sections give the defaults', () => {
    const empty = loadConfig({ path: write('empty.yaml', '# nothing\n'), env: {}, cwd: dir })
    const sections = loadConfig({ path: write('sections.yaml', 'azure:\npetrel:\n  # launch_timeout_s: 5\n'), env: {}, cwd: dir })
    expect(empty.config).toEqual(ConfigSchema.parse({}))
    expect(sections.config).toEqual(empty.config)
    expect(sections.hash).toBe(empty.hash)
  })

  test('a given value overrides only its field', () => {
    const { config } = loadConfig({ path: write('c.yaml', 'petrel:\n  launch_timeout_s: 60\n'), env: {}, cwd: dir })
    expect(config.petrel.launch_timeout_s).toBe(60)
    expect(config.petrel.window_title).toBe('Petrel')
  })
})

describe('path resolution', () => {
  test('opts.path wins over BENCHGATE_CONFIG, which wins over ./benchgate.config.yaml', () => {
    const fromPath = write('a.yaml', 'gates:\n  threshold: 0.1\n')
    const fromEnv = write('b.yaml', 'gates:\n  threshold: 0.2\n')
    const local = write('benchgate.config.yaml', 'gates:\n  threshold: 0.3\n')
    const env = { BENCHGATE_CONFIG: fromEnv }
    expect(loadConfig({ path: fromPath, env, cwd: dir })).toMatchObject({ source: fromPath, config: { gates: { threshold: 0.1 } } })
    expect(loadConfig({ env, cwd: dir })).toMatchObject({ source: fromEnv, config: { gates: { threshold: 0.2 } } })
    expect(loadConfig({ env: {}, cwd: dir })).toMatchObject({ source: local, config: { gates: { threshold: 0.3 } } })
  })

  test('a relative BENCHGATE_CONFIG resolves against cwd and source is absolute', () => {
    const full = write('rel.yaml', 'gates:\n  threshold: 0.4\n')
    expect(loadConfig({ env: { BENCHGATE_CONFIG: 'rel.yaml' }, cwd: dir }).source).toBe(full)
  })

  test('BENCHGATE_CONFIG naming a missing file is an error, not the defaults', () => {
    expect(() => loadConfig({ env: { BENCHGATE_CONFIG: join(dir, 'nope.yaml') }, cwd: dir })).toThrow(
      /nope\.yaml: configuration file not found \(from BENCHGATE_CONFIG\).*hint: fix BENCHGATE_CONFIG/,
    )
  })
})

describe('environment substitution', () => {
  test('${VAR} and ${VAR:-default} are replaced in string values', () => {
    const path = write('env.yaml', 'nas:\n  host: ${NAS_HOST}\noutput:\n  results_dir: ${OUT:-out/runs}\nmetrics:\n  zgy_pattern: ${EMPTY:-*.vds}\n')
    const { config } = loadConfig({ path, env: { NAS_HOST: 'nas01', EMPTY: '' }, cwd: dir })
    expect(config.nas.host).toBe('nas01')
    expect(config.output.results_dir).toBe('out/runs')
    expect(config.metrics.zgy_pattern).toBe('*.vds')
  })

  test('$${ writes a literal ${', () => {
    const { config } = loadConfig({ path: write('lit.yaml', 'output:\n  results_dir: a$${B}\n'), env: {}, cwd: dir })
    expect(config.output.results_dir).toBe('a${B}')
  })

  test('an unset variable names file, line, field and variable', () => {
    const message = failure('gates:\n  threshold: 0.1\nnas:\n  host: ${NAS_HOST}\n')
    expect(message).toMatch(/bad\.yaml:4: nas\.host: environment variable NAS_HOST is not set/)
    expect(message).toContain('hint: export NAS_HOST')
  })
})

describe('error messages', () => {
  test('unknown key names the closest valid key', () => {
    const message = failure('petrel:\n  launch_timeout: 30\nblit_parity: {}\n')
    const lines = message.split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^bad\.yaml:2: petrel\.launch_timeout: unknown key; expected one of .*launch_timeout_s.*\(hint: did you mean 'launch_timeout_s'\?\)$/)
    expect(lines[1]).toMatch(/^bad\.yaml:3: blit_parity: unknown key; .*did you mean 'blitParity'\?/)
  })

  test('a copy command template without {dst}, or with an unknown placeholder, names file, line and field', () => {
    const message = failure('blitParity:\n  candidate:\n    name: blit\n    command: blit-cli mirror {src}\n  baseline:\n    name: rsync\n    command: rsync -a {src}/ {dest}/\n')
    const lines = message.split('\n')
    expect(lines[0]).toMatch(/^bad\.yaml:4: blitParity\.candidate\.command: the template has no \{dst\}; expected a command with \{src\} and \{dst\}/)
    expect(lines[1]).toMatch(/^bad\.yaml:7: blitParity\.baseline\.command: unknown placeholder \{dest\}/)
  })

  test('an unknown key far from any valid one gets no guess', () => {
    expect(failure('zzzzzz: 1\n')).toMatch(/bad\.yaml:1: zzzzzz: unknown key; .*hint: remove it or check the spelling/)
    expect(closestKey('zzzzzz', ['azure', 'nas'])).toBeUndefined()
  })

  test('wrong type names the expected type and echoes a non-secret value', () => {
    expect(failure('workflows:\n  scrub_count: many\n')).toBe(
      'bad.yaml:2: workflows.scrub_count: wrong type, got a string "many"; expected number',
    )
  })

  test('a missing required field points at the parent mapping', () => {
    const message = failure('ssh:\n  hosts:\n    - name: esx01\n      user: root\n      key_path: /k\n')
    expect(message).toBe('bad.yaml:3: ssh.hosts[0].host: missing required field; expected string')
  })

  test('ssh host without password or key_path', () => {
    expect(failure('ssh:\n  hosts:\n    - name: esx01\n      host: h\n      user: root\n')).toMatch(
      /^bad\.yaml:3: ssh\.hosts\[0\]: SSH host has neither password nor key_path; expected password or key_path \(hint: /,
    )
  })

  test('missing Azure container', () => {
    expect(failure('azure:\n  account: contoso\n  key: abc\n')).toMatch(/^bad\.yaml:1: azure\.container: missing Azure container; expected .*\(hint: /)
    const accountSas = 'https://contoso.blob.core.windows.net/?sv=1&sig=abc'
    expect(failure(`azure:\n  sas_url: ${accountSas}\n`)).toMatch(/azure\.container: missing Azure container/)
  })

  test('the container may come from the SAS URL, also path-style (Azurite)', () => {
    const azurite = 'http://127.0.0.1:10000/devstoreaccount1/vols?sv=1&sig=abc'
    for (const url of [SAS, azurite]) {
      expect(loadConfig({ path: write('ok.yaml', `azure:\n  sas_url: ${url}\n`), env: {}, cwd: dir }).config.azure.sas_url).toBe(url)
    }
    expect(() => loadConfig({ path: write('x.yaml', `azure:\n  sas_url: http://127.0.0.1:10000/devstoreaccount1?sig=a\n`), env: {}, cwd: dir }))
      .toThrow(/missing Azure container/)
  })

  test('SAS URL without sig', () => {
    const message = failure('azure:\n  container: vols\n  sas_url: https://acct.blob.core.windows.net/vols?sv=2022-11-02&sp=r\n')
    expect(message).toMatch(/^bad\.yaml:3: azure\.sas_url: SAS URL has no sig query parameter; .*hint: copy the full SAS URL from the portal, including the \?sv=…&sig=… part\)$/)
  })

  test('missing NAS share names the path', () => {
    mkdirSync(join(dir, 'present'))
    const message = failure('nas:\n  shares:\n    - present\n    - absent/share\n')
    expect(message).toBe(
      `bad.yaml:4: nas.shares[1]: NAS share '${join(dir, 'absent/share')}' does not exist; expected an existing directory (hint: mount the share or fix the path)`,
    )
  })

  test('YAML syntax error gives a line and no excerpt', () => {
    const message = failure('gates:\n  threshold: 0.1\n bad indent: [1\n')
    expect(message).toMatch(/^bad\.yaml:\d+: YAML syntax error: /)
    for (const line of message.split('\n')) expect(line).toMatch(/^bad\.yaml:[34]: YAML syntax error: [^\n]+\(hint: /)
  })

  test('an alias bomb is refused with a message, not a crash', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`)]
    expect(failure(`${bomb.join('\n')}\n`)).toMatch(/^bad\.yaml: cannot expand the YAML: .*\(hint: check the anchors/)
  })

  test('a file that is not a mapping', () => {
    expect(failure('- a\n- b\n')).toMatch(/^bad\.yaml:1: the file holds a list; expected a mapping of sections/)
  })

  test('all problems are collected, one line each, in file order', () => {
    const message = failure('cache:\n  policy: [Hot]\nchaos:\n  sweep:\n    parallel: 0\nvscsi:\n  default_profile: huge\nfast:\n  log_pattern: "(?<bytes>\\\\d+)"\n')
    expect(message.split('\n')).toEqual([
      'bad.yaml:2: cache.policy[0]: not an allowed value, got a string "Hot"; expected one of Cold, Warm',
      'bad.yaml:5: chaos.sweep.parallel: too small, got a number 0; expected a number > 0',
      "bad.yaml:7: vscsi.default_profile: 'huge' is not a profile; expected one of quick, standard, deep (hint: define the profile under vscsi.profiles or fix the name)",
      expect.stringMatching(/^bad\.yaml:9: fast\.log_pattern: pattern lacks named groups latency_ms, cache_hit; /),
    ])
  })

  test('vscsi: -s re-issued before the 30-minute stop, a whole-second fio runtime, a gate with a bound', () => {
    expect(failure('vscsi:\n  restart_before_s: 1900\n  fio_runtime_s: 1.5\n  gates:\n    read_lat_p99_ms: {}\n').split('\n')).toEqual([
      'bad.yaml:2: vscsi.restart_before_s: too big, got a number 1900; expected a number <= 1790',
      'bad.yaml:3: vscsi.fio_runtime_s: wrong type, got a number 1.5; expected int',
      'bad.yaml:5: vscsi.gates.read_lat_p99_ms: a gate needs max, min or both',
    ])
  })

  test('a file outside cwd is named by its absolute path', () => {
    const path = write('abs.yaml', 'gates:\n  threshold: x\n')
    expect(() => loadConfig({ path, env: {}, cwd: '/' })).toThrow(`${path.slice(1)}:2: gates.threshold`)
    expect(() => loadConfig({ path, env: {}, cwd: join(dir, 'sub') })).toThrow(`${path}:2: gates.threshold`)
  })
})

describe('secrets in error messages', () => {
  test('a wrong secret value is never echoed', () => {
    const message = failure('azure:\n  container: vols\n  sas_url: not-a-url-hunter2\n  key: 42\nssh:\n  hosts:\n    - { name: a, host: b, user: c, password: [hunter2] }\n')
    expect(message).toMatch(/azure\.sas_url: .*got a string;/)
    expect(message).toMatch(/ssh\.hosts\[0\]\.password: wrong type, got a list; expected string/)
    expect(message).not.toContain('hunter2')
    expect(message).not.toContain('42')
  })

  test('a secret pasted into a non-secret field is scrubbed too', () => {
    const text = 'azure:\n  sas_url: https://a.blob.core.windows.net/v?sv=1&sig=${SIG}\nmetrics:\n  interval_s: ${SIG}\n'
    const message = failure(text, { SIG: 's3cr3tS1g' })
    expect(message).toBe('bad.yaml:4: metrics.interval_s: wrong type, got a string "REDACTED"; expected number')
  })
})
