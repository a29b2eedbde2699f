import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { canonicalJson, loadConfig } from './load.ts'
import { redactConfig, redactText, secretValues } from './redact.ts'
import { redactSignatures, sasContainer } from './sas.ts'
import { ConfigSchema, type Config } from './schema.ts'

const SIG = 'k9Zq7XyW2pL0vB3nM5tR8sD1fG4hJ6uE%2BaC0iO9wQ%3D'
const SAS_URL = `https://acct.blob.core.windows.net/volumes?sv=2022-11-02&sr=c&sp=rl&sig=${SIG}`
const TOKEN = 'sv=2022-11-02&ss=b&srt=co&sp=rl&sig=T0kenS1gnatureValue123%3D'
const KEY = 'QWNjb3VudEtleVZhbHVlRm9yVGVzdHNPbmx5MTIzNDU2Nzg5MA=='
const PASSWORD = 'correct-horse-battery'
const PROBE_SIG = 'UHJvYmVCbG9iU2lnbmF0dXJlMTIzNDU2%2Fx%3D'
const PROBE_SAS_URL = `https://other.blob.core.windows.net/vols/probe.bin?sv=2022-11-02&sr=b&sp=r&sig=${PROBE_SIG}`

function configWithSecrets(): Config {
  return ConfigSchema.parse({
    azure: { account: 'acct', container: 'volumes', sas_url: SAS_URL, sas_token: TOKEN, key: KEY },
    ssh: { hosts: [{ name: 'esx01', host: 'esx01', user: 'root', password: PASSWORD }, { name: 'esx02', host: 'h', user: 'root', key_path: '/k' }] },
    probe: { sas_urls: [PROBE_SAS_URL] },
  })
}

const SECRETS = [SIG, decodeURIComponent(SIG), TOKEN, KEY, PASSWORD, PROBE_SIG, decodeURIComponent(PROBE_SIG)]

describe('redactConfig', () => {
  test('replaces sig, sas_token, key and passwords, keeps everything else', () => {
    const config = configWithSecrets()
    const redacted = redactConfig(config)
    expect(redacted.azure.sas_url).toBe('https://acct.blob.core.windows.net/volumes?sv=2022-11-02&sr=c&sp=rl&sig=REDACTED')
    expect(redacted.azure.sas_token).toBe('REDACTED')
    expect(redacted.azure.key).toBe('REDACTED')
    expect(redacted.ssh.hosts[0]?.password).toBe('REDACTED')
    expect(redacted.ssh.hosts[1]?.password).toBeUndefined()
    expect(redacted.ssh.hosts[1]?.key_path).toBe('/k')
    expect(redacted.azure.account).toBe('acct')
    expect(redacted.probe.sas_urls).toEqual(['https://other.blob.core.windows.net/vols/probe.bin?sv=2022-11-02&sr=b&sp=r&sig=REDACTED'])
    const json = JSON.stringify(redacted)
    for (const secret of SECRETS) expect(json).not.toContain(secret)
    expect(config.azure.key).toBe(KEY) // the original is untouched
  })

  test('redacts other signature parameters and leaves the rest of a URL as written', () => {
    expect(redactSignatures('https://h/b?X-Amz-Signature=abc&X-Amz-Date=1&Signature=x')).toBe(
      'https://h/b?X-Amz-Signature=REDACTED&X-Amz-Date=1&Signature=REDACTED',
    )
    expect(redactSignatures('?sv=1&sp=r%2Cl&sig=a%2Bb')).toBe('?sv=1&sp=r%2Cl&sig=REDACTED')
  })
})

describe('secretValues and redactText', () => {
  test('lists every secret, encoded and decoded', () => {
    const values = secretValues(configWithSecrets())
    for (const secret of SECRETS) expect(values).toContain(secret)
    expect(secretValues(ConfigSchema.parse({}))).toEqual([])
  })

  test('scrubs secrets from free text', () => {
    const config = configWithSecrets()
    const text = `GET ${SAS_URL}\nsig ${decodeURIComponent(SIG)} key=${KEY} pw ${PASSWORD} token ?${TOKEN}`
    const out = redactText(text, config)
    for (const secret of SECRETS) expect(out).not.toContain(secret)
    expect(out).toContain('GET https://acct.blob.core.windows.net/volumes?sv=2022-11-02&sr=c&sp=rl&sig=REDACTED\n')
  })

  test('any sig= parameter is scrubbed even when not in the config; "…" placeholders are kept', () => {
    expect(redactText('see https://x/y?sv=1&sig=abc123 and ?sv=…&sig=…', ConfigSchema.parse({}))).toBe(
      'see https://x/y?sv=1&sig=REDACTED and ?sv=…&sig=…',
    )
  })

  test('short secrets are replaced as whole words only', () => {
    const config = ConfigSchema.parse({ ssh: { hosts: [{ name: 'a', host: 'b', user: 'c', password: 'pw1' }] } })
    expect(redactText('pw1 and pw12 and "pw1"', config)).toBe('REDACTED and pw12 and "REDACTED"')
  })
})

describe('hash', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'benchgate-redact-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const load = (text: string, env: NodeJS.ProcessEnv) => {
    const path = join(dir, 'c.yaml')
    writeFileSync(path, text)
    return loadConfig({ path, env, cwd: dir })
  }
  const file = 'azure:\n  sas_url: https://acct.blob.core.windows.net/volumes?sv=1&sig=${SIG}\n  key: ${KEY}\n'

  test('is computed from the redacted config: secrets change nothing, other fields do', () => {
    const a = load(file, { SIG: 'firstSignatureValue', KEY: 'firstKeyValue' })
    const b = load(file, { SIG: 'secondSignatureValue', KEY: 'secondKeyValue' })
    const c = load(`${file}gates:\n  threshold: 0.1\n`, { SIG: 'firstSignatureValue', KEY: 'firstKeyValue' })
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/)
    expect(b.hash).toBe(a.hash)
    expect(c.hash).not.toBe(a.hash)
    const input = canonicalJson(redactConfig(a.config))
    expect(input).not.toContain('firstSignatureValue')
    expect(input).not.toContain('firstKeyValue')
  })

  test('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}')
  })
})

test('sasContainer reads the container from virtual-host and path-style URLs', () => {
  expect(sasContainer(SAS_URL)).toBe('volumes')
  expect(sasContainer('http://127.0.0.1:10000/devstoreaccount1/vols/a.zgy?sig=x')).toBe('vols')
  expect(sasContainer('https://acct.blob.core.windows.net/?sig=x')).toBeUndefined()
})
