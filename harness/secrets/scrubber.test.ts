// The output scrubber: secrets known by value in all their forms, secrets known by shape (a SAS
// signature, an account key, connection strings, authorization values, PEM keys) whoever's, in
// text, bytes, data, flatted reports and compressed files; what holds no secret is left as it was.
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { scrubFileBytes } from './files.ts'
import { AZURITE_WELL_KNOWN_KEY, OutputScrubber, secretForms } from './scrubber.ts'
import { base64Secret, sasUrl } from './test-support.ts'

const SIG = base64Secret(32) // 44 characters, as an HMAC-SHA256 in base64
const RAW = encodeURIComponent(SIG)
const KEY = base64Secret(64)
const s = new OutputScrubber()

describe('secrets known by shape', () => {
  test('any signature parameter, raw, percent-encoded and percent-decoded, in URLs and escaped text', () => {
    const url = `https://acct.blob.core.windows.net/c/b?sv=1&sig=${RAW}&se=2`
    expect(s.text(url)).toBe('https://acct.blob.core.windows.net/c/b?sv=1&sig=REDACTED&se=2')
    expect(s.text(decodeURIComponent(url))).toBe('https://acct.blob.core.windows.net/c/b?sv=1&sig=REDACTED&se=2')
    expect(s.text(encodeURIComponent(url))).toBe(encodeURIComponent('https://acct.blob.core.windows.net/c/b?sv=1&').concat('sig%3DREDACTED%26se%3D2'))
    expect(s.text(`a &amp;sig=${RAW} \\u0026sig=${RAW} X-Amz-Signature=abc123`)).toBe('a &amp;sig=REDACTED \\u0026sig=REDACTED X-Amz-Signature=REDACTED')
  })

  test('a bare SAS signature and a bare account key, raw and percent-encoded, as whole tokens', () => {
    expect(s.text(`share-${RAW}-2 ${SIG}.`)).toBe('share-REDACTED-2 REDACTED.')
    expect(s.text(`["${KEY}"] key=${encodeURIComponent(KEY)}&`)).toBe('["REDACTED"] key=REDACTED&')
    expect(s.text(AZURITE_WELL_KNOWN_KEY)).toBe('REDACTED')
    // part of a longer base64 run is not a key: left alone
    const long = `${KEY.slice(0, -2)}AAAA==`
    expect(s.text(long)).toBe(long)
  })

  test('connection strings, SharedKey and Bearer authorization, PEM private keys', () => {
    expect(s.text(`DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${KEY};EndpointSuffix=core.windows.net`))
      .toBe('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=core.windows.net')
    expect(s.text('Authorization: SharedKey acct:c2lnbmF0dXJl and Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc'))
      .toBe('Authorization: SharedKey acct:REDACTED and Bearer REDACTED')
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'
    expect(s.text(JSON.stringify({ key: pem }))).toBe('{"key":"-----BEGIN OPENSSH PRIVATE KEY-----REDACTED-----END OPENSSH PRIVATE KEY-----"}')
  })

  test("the start of a secret cut short by allure-vitest's step arguments or Vitest's messages", () => {
    expect(s.text(`expect(["nas share-${RAW.slice(0, 30)}... <truncated>).toEqual(…)`)).toBe('expect(["nas share-REDACTED... <truncated>).toEqual(…)')
    expect(s.text('If there are... <truncated> restarted... <truncated>')).toBe('If there are... <truncated> restarted... <truncated>')
    expect(s.text(`expected '${KEY.slice(0, 37)}…' to have a length of 3`)).toBe("expected 'REDACTED…' to have a length of 3")
    expect(Buffer.from(s.bytes(Buffer.from(`'${KEY.slice(0, 37)}…'`))).toString()).toBe("'REDACTED…'")
    expect(s.text("expected 'https://acct.blob.core.windows.n…' and ?sv=…&sig=…")).toBe("expected 'https://acct.blob.core.windows.n…' and ?sv=…&sig=…")
  })

  test('text without secrets is left exactly as it was', () => {
    const text = 'p99 12.5 ms; sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709; signature verified; base64 QUJD; REDACTED'
    expect(s.text(text)).toBe(text)
  })
})

describe('secrets known by value', () => {
  test('each value as given, decoded, encoded, double-encoded and JSON-escaped; short ones as whole words', () => {
    const password = 'pa"ss wörd/1'
    expect(secretForms(password)).toEqual(expect.arrayContaining([password, encodeURIComponent(password), 'pa\\"ss wörd/1']))
    const known = new OutputScrubber([password, 'abc12'])
    for (const form of secretForms(password)) expect(known.text(`<${form}>`)).toBe('<REDACTED>')
    expect(known.text('abc12 xabc12 abc12y')).toBe('REDACTED xabc12 abc12y')
  })

  test('bytes: a match is replaced, UTF-8 around it kept; bytes without a secret are the same array', () => {
    const known = new OutputScrubber(['wörd-secret'])
    const bytes = Buffer.from('é wörd-secret ü', 'utf8')
    expect(Buffer.from(known.bytes(bytes)).toString('utf8')).toBe('é REDACTED ü')
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255])
    expect(known.bytes(png)).toBe(png)
  })

  test('the test-only switch off: nothing is touched', () => {
    const off = new OutputScrubber([KEY], { off: true })
    expect(off.text(sasUrl('https://a.blob.core.windows.net/c'))).toContain('sig=')
    expect(off.text(KEY)).toBe(KEY)
  })
})

describe('data, reports and files', () => {
  test('data: strings and keys, cycles kept, attachment bodies in base64 decoded and scrubbed', () => {
    const data: Record<string, unknown> = { name: `expect("${KEY}")`, [`share-${RAW}`]: 1, n: 3, body: Buffer.from(`sig=${RAW}`).toString('base64'), bodyEncoding: 'base64' }
    data.self = data
    const out = s.value(data) as Record<string, unknown>
    expect(out.name).toBe('expect("REDACTED")')
    expect(Object.keys(out)).toContain('share-REDACTED')
    expect(Buffer.from(out.body as string, 'base64').toString()).toBe('sig=REDACTED')
    expect(out.self).toBe(out)
  })

  test("flatted text (Vitest's blob and HTML data): values and keys scrubbed, references kept", () => {
    // flatted.stringify({ a: 'x', [KEY]: ['y', 1, 12], body: …, bodyEncoding: 'base64' }) by hand
    const body = Buffer.from(`key ${KEY}`).toString('base64')
    const text = JSON.stringify([{ a: '1', [KEY]: '2', body: '4', bodyEncoding: '5' }, `x ${SIG}`, ['3', 1, 12], 'y', body, 'base64'])
    const out = JSON.parse(s.flatted(text)) as unknown[]
    expect(out[0]).toEqual({ a: '1', REDACTED: '2', body: '4', bodyEncoding: '5' })
    expect(out.slice(1, 4)).toEqual(['x REDACTED', ['3', 1, 12], 'y'])
    expect(Buffer.from(out[4] as string, 'base64').toString()).toBe('key REDACTED')
  })

  test('a gzip file is decompressed, scrubbed and compressed again; one without secrets keeps its bytes', () => {
    const gz = gzipSync(`GET ${sasUrl('https://a.blob.core.windows.net/c')}`)
    expect(gunzipSync(scrubFileBytes('request.log.gz', gz, s)).toString()).toMatch(/&sig=REDACTED$/)
    const clean = gzipSync('nothing to see')
    expect(scrubFileBytes('x.json.gz', clean, s)).toBe(clean)
  })
})
