// Which blob targets a probe measures, in which order and under which names, and which blob a
// blob SAS URL names (a container SAS URL names none).
import { describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { blobOfSasUrl, configuredBlobSpecs, defaultBlobName } from './blob-targets.ts'
import { probeConfig } from './test-support.ts'

const SAS = 'sv=2024-11-04&sr=c&sp=rl&se=2030-01-01T00%3A00%3A00Z&sig=c2lnbmF0dXJlLW9uZQ%3D%3D'

describe('blobOfSasUrl', () => {
  test.each([
    ['a container SAS URL', `https://acct.blob.core.windows.net/vols?${SAS}`, undefined],
    ['a container SAS URL with a trailing slash', `https://acct.blob.core.windows.net/vols/?${SAS}`, undefined],
    ['a blob SAS URL', `https://acct.blob.core.windows.net/vols/probe.bin?${SAS}`, 'probe.bin'],
    ['a blob in a virtual directory, percent-encoded', `https://acct.blob.core.windows.net/vols/dir/a%20b%23c.bin?${SAS}`, 'dir/a b#c.bin'],
    ['a blob path that repeats the container name', `https://acct.blob.core.windows.net/vols/vols/x.bin?${SAS}`, 'vols/x.bin'],
    ['a path-style (Azurite) container SAS URL', `http://127.0.0.1:10000/devstoreaccount1/vols?${SAS}`, undefined],
    ['a path-style blob SAS URL', `http://127.0.0.1:10000/devstoreaccount1/vols/d/x.bin?${SAS}`, 'd/x.bin'],
    ['a path-style container named like its account', `http://127.0.0.1:10000/devstoreaccount1/devstoreaccount1?${SAS}`, undefined],
    ['a path-style blob in a container named like its account', `http://127.0.0.1:10000/devstoreaccount1/devstoreaccount1/x.bin?${SAS}`, 'x.bin'],
    ['an account SAS URL', `https://acct.blob.core.windows.net/?${SAS}`, undefined],
    ['not a URL', 'acct/vols?sig=x', undefined],
  ])('%s', (_, url, blob) => {
    expect(blobOfSasUrl(url)).toBe(blob)
  })
})

describe('configuredBlobSpecs', () => {
  const azureSas = `https://acct.blob.core.windows.net/main?${SAS}`
  const configured = [`https://acct2.blob.core.windows.net/other?${SAS}`, `https://acct3.blob.core.windows.net/vols/probe/fixed.bin?${SAS}`]
  const flag = `http://127.0.0.1:10000/devstoreaccount1/local?${SAS}`

  test('none configured: no targets (the caller starts an embedded Azurite)', () => {
    expect(configuredBlobSpecs(probeConfig('/tmp/x'))).toEqual([])
  })

  test('the azure section, then probe.sas_urls, then --sas-url, named azure, sas-1, sas-2, …', () => {
    const config = probeConfig('/tmp/x', { sas_urls: configured, blob_size_mib: 64 }, { azure: { sas_url: azureSas } })
    const specs = configuredBlobSpecs(config, [flag])
    expect(specs.map((s) => [s.name, s.source])).toEqual([['azure', 'azure'], ['sas-1', 'sas_url'], ['sas-2', 'sas_url'], ['sas-3', 'sas_url']])
    expect(specs.map((s) => s.target.containerUrl)).toEqual([
      'https://acct.blob.core.windows.net/main',
      'https://acct2.blob.core.windows.net/other',
      'https://acct3.blob.core.windows.net/vols',
      'http://127.0.0.1:10000/devstoreaccount1/local',
    ])
    expect(specs.every((s) => s.target.sas === SAS)).toBe(true)
    // a blob SAS URL names its own blob; the others read the default test blob
    expect(defaultBlobName(64)).toBe('benchgate-probe/probe-64MiB.bin')
    expect(specs.map((s) => [s.blob, s.namedByUrl])).toEqual([
      ['benchgate-probe/probe-64MiB.bin', false],
      ['benchgate-probe/probe-64MiB.bin', false],
      ['probe/fixed.bin', true],
      ['benchgate-probe/probe-64MiB.bin', false],
    ])
  })

  test('probe.blob names the test blob; probe.create lets every target but a named blob upload it', () => {
    const config = probeConfig('/tmp/x', { sas_urls: configured, blob: 'my/test.bin', create: true })
    const specs = configuredBlobSpecs(config)
    expect(specs.map((s) => [s.name, s.blob, s.create])).toEqual([['sas-1', 'my/test.bin', true], ['sas-2', 'probe/fixed.bin', false]])
  })

  test('an azure section with an account key gets a minted SAS (read, or read-create-write with probe.create), never the key', () => {
    const key = Buffer.from('not-a-real-account-key-but-long-enough').toString('base64')
    for (const [create, sp] of [[false, 'r'], [true, 'rcw']] as const) {
      const config = probeConfig('/tmp/x', { create }, { azure: { account: 'acct', container: 'vols', key } })
      const [spec] = configuredBlobSpecs(config)
      expect(spec!.name).toBe('azure')
      expect(spec!.target.containerUrl).toBe('https://acct.blob.core.windows.net/vols')
      expect(new URLSearchParams(spec!.target.sas).get('sp')).toBe(sp)
      expect(JSON.stringify(spec)).not.toContain(key)
    }
  })

  test('a --sas-url that is not a URL: a user error naming the flag', () => {
    let error: unknown
    try {
      configuredBlobSpecs(probeConfig('/tmp/x'), ['acct/vols?sv=1&sig=abc'])
    } catch (e) {
      error = e
    }
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toMatch(/^config: --sas-url: not a URL/)
    expect((error as Error).message).not.toContain('sig=abc')
  })
})
