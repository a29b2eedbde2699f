// The last line of defence: the Scrubber removes a target's signature in every form and any other
// secret value, plus any sig=… at all; and the search the run tests rely on finds each form.
import { describe, expect, test } from 'vitest'
import { Scrubber } from './scrub.ts'
import { secretLeaks, signatureForms } from './test-support.ts'

// a signature with characters that percent-encoding changes ('+', '/', '=')
const DECODED = 'k3y+Sig/Nature=='
const RAW = encodeURIComponent(DECODED) // as it stands in the URL: k3y%2BSig%2FNature%3D%3D
const TARGET = { containerUrl: 'https://acct.blob.core.windows.net/vols', sas: `sv=2024-11-04&sr=c&sp=r&sig=${RAW}` }
const KEY = 'QWNjb3VudEtleS1PZi1BLVRlc3QtU3RvcmU+Lz0='

function scrubber(): Scrubber {
  const s = new Scrubber()
  s.addTarget(TARGET)
  s.addValue(KEY)
  return s
}

describe('Scrubber', () => {
  test('the signature as in the URL, percent-decoded and re-encoded, anywhere in a text', () => {
    const s = scrubber()
    expect(s.scrub(`url ${TARGET.containerUrl}/b.bin?${TARGET.sas}`)).toBe(`url ${TARGET.containerUrl}/b.bin?sv=2024-11-04&sr=c&sp=r&sig=REDACTED`)
    expect(s.scrub(`decoded: ${DECODED}.`)).toBe('decoded: REDACTED.')
    expect(s.scrub(`in a path /x/${RAW}/y`)).toBe('in a path /x/REDACTED/y')
  })

  test('other secret values as given and percent-encoded; short ones are left alone', () => {
    const s = scrubber()
    s.addValue('short')
    expect(s.scrub(`key=${KEY} enc=${encodeURIComponent(KEY)} short`)).toBe('key=REDACTED enc=REDACTED short')
  })

  test("any sig=… parameter, even of a SAS the run did not know", () => {
    expect(new Scrubber().scrub('GET https://other.blob.core.windows.net/c/b?sv=1&sig=c29tZW9uZSBlbHNl%3D&se=2')).toBe(
      'GET https://other.blob.core.windows.net/c/b?sv=1&sig=REDACTED&se=2',
    )
  })
})

describe('the secret search of the run tests', () => {
  test('knows every form of a signature', () => {
    expect(signatureForms(TARGET.sas).sort()).toEqual([DECODED, RAW].sort())
    expect(signatureForms(`?sv=1&sig=${RAW}`)).toContain(DECODED)
  })

  test('finds each form, the key, and a sig= that is not REDACTED; passes scrubbed text and the hints’ placeholder', () => {
    const secrets = [...signatureForms(TARGET.sas), KEY]
    const found = (text: string, where = 'out.txt') => secretLeaks([{ where, text }], secrets)
    expect(found(`x ${RAW} y`)).toEqual(['out.txt: secret #1'])
    expect(found(`x ${DECODED} y`)).toHaveLength(1)
    expect(found(`x ${KEY} y`)).toEqual(['out.txt: secret #3'])
    expect(found('?sv=1&SIG=abc')).toEqual(["out.txt: 'SIG=abc…'"])
    expect(found(scrubber().scrub(`${TARGET.containerUrl}?${TARGET.sas} ${KEY}`))).toEqual([])
    expect(found('expected https://ACCOUNT.blob.core.windows.net/CONTAINER?sv=…&sig=…')).toEqual([])
    // PNG bytes: only the exact spelling counts
    expect(found('..SIG=x..', 'chart.png')).toEqual([])
    expect(found('..sig=x..', 'chart.png')).toHaveLength(1)
  })
})
