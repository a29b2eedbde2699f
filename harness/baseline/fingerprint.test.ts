import { describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { checkFingerprint, fingerprintDiff, fingerprintOf, fingerprintPolicy } from './fingerprint.ts'
import { FINGERPRINT } from './test-support.ts'

describe('fingerprint', () => {
  test('fingerprintOf takes CPU, cores, OS (platform release arch), Node, config hash and commit', () => {
    const env = { cpu: { model: 'Xeon', cores: 8 }, os: { platform: 'linux', release: '6.8.0', arch: 'x64' }, node: 'v24.21.0', git: { commit: 'abc', branch: 'main', dirty: false } }
    expect(fingerprintOf(env, 'ffff')).toEqual({ cpu_model: 'Xeon', cores: 8, os: 'linux 6.8.0 x64', node: 'v24.21.0', config_hash: 'ffff', git_commit: 'abc' })
  })

  test('identical environments have no difference; another commit is not a difference', () => {
    expect(fingerprintDiff(FINGERPRINT, { ...FINGERPRINT })).toEqual([])
    expect(fingerprintDiff(FINGERPRINT, { ...FINGERPRINT, git_commit: 'feedbeef' })).toEqual([])
    expect(fingerprintDiff(FINGERPRINT, { ...FINGERPRINT, git_commit: null })).toEqual([])
  })

  test('every compared field that differs is one line, baseline first', () => {
    const other = { ...FINGERPRINT, cpu_model: 'Intel Xeon', cores: 16, os: 'win32 10.0.26100 x64', node: 'v24.22.0', config_hash: 'fedcba9876543210' }
    expect(fingerprintDiff(FINGERPRINT, other)).toEqual([
      'cpu_model: "AMD EPYC 7763 64-Core Processor" (baseline) ≠ "Intel Xeon" (this run)',
      'cores: 4 (baseline) ≠ 16 (this run)',
      'os: "linux 6.8.0-1014-azure x64" (baseline) ≠ "win32 10.0.26100 x64" (this run)',
      'node: "v24.21.0" (baseline) ≠ "v24.22.0" (this run)',
      'config_hash: "0123456789abcdef" (baseline) ≠ "fedcba9876543210" (this run)',
    ])
  })

  test('policy warn: warns loudly (every difference) and returns the text for the Comparison', () => {
    const warnings: string[] = []
    const text = checkFingerprint({ file: 'baselines/main.json', baseline: FINGERPRINT, current: { ...FINGERPRINT, cores: 16 }, policy: 'warn', warn: (m) => warnings.push(m) })
    expect(text).toBe('baseline baselines/main.json was measured in a different environment: cores: 4 (baseline) ≠ 16 (this run)')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('COMPARING AGAINST A BASELINE FROM A DIFFERENT ENVIRONMENT')
    expect(warnings[0]).toContain('cores: 4 (baseline) ≠ 16 (this run)')
  })

  test('policy warn with the same environment: silent, no warning text', () => {
    const warnings: string[] = []
    expect(checkFingerprint({ file: 'b.json', baseline: FINGERPRINT, current: { ...FINGERPRINT, git_commit: 'x' }, policy: 'warn', warn: (m) => warnings.push(m) })).toBeUndefined()
    expect(warnings).toEqual([])
  })

  test('policy refuse: a UserError naming the baseline file, the field and every difference', () => {
    let error: unknown
    try {
      checkFingerprint({ file: 'baselines/main.json', baseline: FINGERPRINT, current: { ...FINGERPRINT, node: 'v26.0.0', cores: 2 }, policy: 'refuse' })
    } catch (e) {
      error = e
    }
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toBe(
      'baselines/main.json: fingerprint: baseline measured in a different environment (cores: 4 (baseline) ≠ 2 (this run); node: "v24.21.0" (baseline) ≠ "v26.0.0" (this run)); ' +
        'expected a baseline from this machine, OS, Node.js and configuration (hint: write a baseline on this machine (`npm run bench:baseline`) or set gates.fingerprint: warn)',
    )
    expect(() => checkFingerprint({ file: 'b.json', baseline: FINGERPRINT, current: FINGERPRINT, policy: 'refuse' })).not.toThrow()
  })

  test('gates.fingerprint is read from the configuration, warn by default', () => {
    expect(fingerprintPolicy({ gates: { threshold: 0.05 } })).toBe('warn')
    expect(fingerprintPolicy({})).toBe('warn')
    expect(fingerprintPolicy({ gates: { fingerprint: 'refuse' } })).toBe('refuse')
    expect(() => fingerprintPolicy({ gates: { fingerprint: 'ignore' } })).toThrow("configuration: gates.fingerprint: invalid value \"ignore\"; expected 'warn' or 'refuse'")
  })
})
