// Containers, SAS and SAS-only data access against a real Azurite: what each SAS may do, and the
// clear, signature-free errors for a missing SAS, an expired one, a missing permission, a missing
// blob and an unreachable host. Also the targets a config section names.
import { inspect } from 'node:util'
import { describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { hasSig, signatureValues } from '../config/sas.ts'
import type { Config } from '../config/schema.ts'
import type { Azurite } from './azurite.ts'
import {
  BlobRequestError,
  blobExists,
  blobSize,
  blobUrl,
  containerSas,
  createContainer,
  describeTarget,
  getText,
  putBlob,
  targetFromConfig,
  uploadBlobs,
  type BlobTarget,
  type UploadProgress,
} from './store.ts'
import { closedPort, useAzurite } from './test-support.ts'

const CONTAINER = 'store-test'
let azurite: Azurite
let write: BlobTarget
useAzurite(CONTAINER, (s) => ({ azurite, write } = s))

/** The error a promise rejects with, checked to be a BlobRequestError that carries no secret. */
async function blobError(p: Promise<unknown>, target: BlobTarget): Promise<BlobRequestError> {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(BlobRequestError)
  const err = e as BlobRequestError
  for (const text of [err.message, err.stack ?? '', String(err), inspect(err), JSON.stringify(err)]) {
    for (const sig of signatureValues(target.sas)) {
      expect(text).not.toContain(sig)
      expect(text).not.toContain(decodeURIComponent(sig))
    }
    expect(text).not.toContain(azurite.accountKey)
  }
  return err
}

describe('targets', () => {
  test('blobUrl encodes each name segment and keeps the separators; describeTarget shows no SAS', () => {
    const t = { containerUrl: 'https://acct.blob.core.windows.net/vols', sas: 'sv=2024-11-04&sp=r&sig=abc%2Bdef%3D' }
    expect(blobUrl(t, 'a dir/b#1?.bin')).toBe('https://acct.blob.core.windows.net/vols/a%20dir/b%231%3F.bin?sv=2024-11-04&sp=r&sig=abc%2Bdef%3D')
    expect(blobUrl({ ...t, sas: '' }, 'x/y')).toBe('https://acct.blob.core.windows.net/vols/x/y')
    expect(describeTarget(t)).toBe('https://acct.blob.core.windows.net/vols')
    expect(describeTarget({ containerUrl: 'https://a.blob.core.windows.net/c?sig=secret1234', sas: '' })).not.toContain('secret1234')
  })

  test('the config names a target by SAS URL, by endpoint + container + token, or by key; none → null (Azurite)', () => {
    const azure = (a: Partial<Config['azure']>) => a as Config['azure']
    expect(targetFromConfig(azure({}))).toBeNull()
    expect(targetFromConfig(azure({ container: 'vols' }))).toBeNull()
    expect(targetFromConfig(azure({ sas_url: 'https://acct.blob.core.windows.net/vols?sv=1&sig=S' })))
      .toEqual({ containerUrl: 'https://acct.blob.core.windows.net/vols', sas: 'sv=1&sig=S' })
    // a blob SAS URL is cut back to its container; a path-style URL keeps its account segment
    expect(targetFromConfig(azure({ sas_url: 'https://acct.blob.core.windows.net/vols/a/b.bin?sv=1&sig=S' }))!.containerUrl)
      .toBe('https://acct.blob.core.windows.net/vols')
    expect(targetFromConfig(azure({ sas_url: 'http://127.0.0.1:10000/devstoreaccount1/vols?sv=1&sig=S' }))!.containerUrl)
      .toBe('http://127.0.0.1:10000/devstoreaccount1/vols')
    // an account SAS URL needs the container
    expect(targetFromConfig(azure({ sas_url: 'https://acct.blob.core.windows.net/?sv=1&sig=S', container: 'vols' }))!.containerUrl)
      .toBe('https://acct.blob.core.windows.net/vols')
    expect(targetFromConfig(azure({ account: 'acct', container: 'vols', sas_token: '?sv=1&sig=S' })))
      .toEqual({ containerUrl: 'https://acct.blob.core.windows.net/vols', sas: 'sv=1&sig=S' })
    expect(targetFromConfig(azure({ endpoint: 'http://10.0.0.5:10000/devstoreaccount1/', container: 'vols', sas_token: 'sv=1&sig=S' })))
      .toEqual({ containerUrl: 'http://10.0.0.5:10000/devstoreaccount1/vols', sas: 'sv=1&sig=S' })
    // with a key and no SAS, a read/list SAS is minted: the target still carries no key
    const minted = targetFromConfig(azure({ account: 'acct', container: 'vols', key: Buffer.alloc(64, 7).toString('base64') }))!
    expect(minted.containerUrl).toBe('https://acct.blob.core.windows.net/vols')
    expect(hasSig(minted.sas)).toBe(true)
    expect(minted.sas).toContain('sp=rl')
    expect(Object.keys(minted).sort()).toEqual(['containerUrl', 'sas'])
  })

  test('a config naming two different containers, or none, is a user error naming the field', () => {
    const azure = (a: Partial<Config['azure']>) => a as Config['azure']
    for (const [a, field] of [
      [{ sas_url: 'https://acct.blob.core.windows.net/vols?sv=1&sig=S', container: 'other' }, 'azure.container'],
      [{ account: 'acct', sas_token: 'sv=1&sig=S' }, 'azure.container'],
      [{ endpoint: 'https://x.example', container: 'vols', key: 'a2V5' }, 'azure.account'],
    ] as const) {
      let caught: unknown
      try {
        targetFromConfig(azure(a))
      } catch (e) {
        caught = e
      }
      expect(isUserError(caught), JSON.stringify(a)).toBe(true)
      expect((caught as Error).message).toContain(field)
      expect((caught as Error).message).not.toContain('sig=S')
    }
  })
})

describe('SAS-only data access against Azurite', () => {
  test('createContainer is idempotent and containerSas returns only a URL and a SAS', async () => {
    await createContainer(azurite, CONTAINER)
    await createContainer(azurite, CONTAINER)
    const read = containerSas(azurite, CONTAINER, { permissions: 'r' })
    expect(Object.keys(read).sort()).toEqual(['containerUrl', 'sas'])
    expect(read.containerUrl).toBe(`${azurite.endpoint}/${CONTAINER}`)
    expect(read.sas).toContain('sp=r&')
    expect(read.sas).not.toContain(azurite.accountKey)
    expect(() => containerSas(azurite, CONTAINER, { permissions: 'rz' })).toThrow(/'rz' is not a set of container SAS permissions/)
  })

  test('uploads through a write SAS (lazily made bytes, async source, progress) read back through a read SAS', async () => {
    const made: string[] = []
    async function* items() {
      for (let i = 0; i < 12; i++) {
        yield { name: `up/part ${i}.bin`, bytes: () => (made.push(`part ${i}`), Buffer.alloc(1000 + i, i)) }
      }
    }
    const progress: UploadProgress[] = []
    const done = await uploadBlobs(write, items(), { concurrency: 3, onProgress: (p) => progress.push(p) })
    expect(done).toEqual({ blobs: 12, bytes: 12 * 1000 + 66 })
    expect(made).toHaveLength(12)
    expect(progress.map((p) => p.blobs)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    expect(progress.at(-1)!.bytes).toBe(done.bytes)
    await putBlob(write, 'up/note.txt', 'héllo wörld', 'text/plain; charset=utf-8')
    const read = containerSas(azurite, CONTAINER, { permissions: 'r' })
    expect(await getText(read, 'up/note.txt')).toBe('héllo wörld')
    expect(await blobExists(read, 'up/part 3.bin')).toBe(true)
    expect(await blobExists(read, 'up/absent.bin')).toBe(false)
  })

  test('blobSize: the size of a blob, 0 when empty, null when missing; a missing container or expired SAS throws', async () => {
    await putBlob(write, 'size/seven.bin', Buffer.alloc(7_000_123, 1))
    await putBlob(write, 'size/empty.bin', Buffer.alloc(0))
    const read = containerSas(azurite, CONTAINER, { permissions: 'r' })
    expect(await blobSize(read, 'size/seven.bin')).toBe(7_000_123)
    expect(await blobSize(read, 'size/empty.bin')).toBe(0)
    expect(await blobSize(read, 'size/none.bin')).toBeNull()
    const other = containerSas(azurite, 'never-made', { permissions: 'r' })
    expect((await blobError(blobSize(other, 'x'), other)).reason).toMatch(/not found \(no such container\)/)
    const expired = containerSas(azurite, CONTAINER, { permissions: 'r', expiresOn: new Date(Date.now() - 60_000) })
    expect((await blobError(blobSize(expired, 'size/seven.bin'), expired)).reason).toMatch(/^SAS signature invalid or expired \(it expired at/)
  })

  test('a read-only SAS reads but cannot write: SAS lacks the needed permission', async () => {
    await putBlob(write, 'ro/a.txt', 'a')
    const read = containerSas(azurite, CONTAINER, { permissions: 'r' })
    expect(await getText(read, 'ro/a.txt')).toBe('a')
    const err = await blobError(putBlob(read, 'ro/b.txt', 'b'), read)
    expect(err.status).toBe(403)
    expect(err.code).toBe('AuthorizationPermissionMismatch')
    expect(err.message).toContain("PUT 'ro/b.txt' in " + `${azurite.endpoint}/${CONTAINER}`)
    expect(err.message).toContain('SAS lacks the needed permission')
    expect(err.message).toContain('sp=r;')
    const upload = await blobError(uploadBlobs(read, [{ name: 'ro/c.txt', bytes: Buffer.from('c') }]), read)
    expect(upload.reason).toBe('SAS lacks the needed permission')
  })

  test('no SAS at all: 403 with a clear message', async () => {
    await putBlob(write, 'open/a.txt', 'a')
    const anonymous = { containerUrl: `${azurite.endpoint}/${CONTAINER}`, sas: '' }
    const err = await blobError(getText(anonymous, 'open/a.txt'), anonymous)
    expect(err.status).toBe(403)
    expect(err.message).toMatch(/no SAS given: the store refused the unsigned request/)
  })

  test('an expired SAS: SAS signature invalid or expired, without the signature', async () => {
    await putBlob(write, 'exp/a.txt', 'a')
    const expired = containerSas(azurite, CONTAINER, { permissions: 'r', expiresOn: new Date(Date.now() - 60_000) })
    const err = await blobError(getText(expired, 'exp/a.txt'), expired)
    expect(err.status).toBe(403)
    expect(err.message).toMatch(/SAS signature invalid or expired \(it expired at \d{4}-\d\d-\d\dT/)
    expect(err.message).toContain("GET 'exp/a.txt'")
  })

  test('a SAS with a wrong signature: refused with a clear message, signature not shown', async () => {
    const good = containerSas(azurite, CONTAINER, { permissions: 'r' })
    const forged = { ...good, sas: good.sas.replace(/sig=[^&]+/, `sig=${encodeURIComponent(Buffer.alloc(32, 1).toString('base64'))}`) }
    const err = await blobError(getText(forged, 'exp/a.txt'), forged)
    expect(err.status).toBe(403)
    expect(err.reason).toMatch(/SAS lacks the needed permission|SAS signature invalid or expired/)
  })

  test('a missing blob and a missing container: not found', async () => {
    const read = containerSas(azurite, CONTAINER, { permissions: 'r' })
    const blob = await blobError(getText(read, 'nope/missing.bin'), read)
    expect(blob.status).toBe(404)
    expect(blob.code).toBe('BlobNotFound')
    expect(blob.message).toContain("GET 'nope/missing.bin'")
    expect(blob.message).toContain('not found')
    const other = containerSas(azurite, 'never-made', { permissions: 'r' })
    const container = await blobError(getText(other, 'x'), other)
    expect(container.status).toBe(404)
    expect(container.reason).toMatch(/not found/)
  })

  test('an unreachable host: host unreachable, no retry storm, no signature', async () => {
    const read = containerSas(azurite, CONTAINER, { permissions: 'r' })
    const port = await closedPort()
    const down = { ...read, containerUrl: `http://127.0.0.1:${port}/devstoreaccount1/${CONTAINER}` }
    const err = await blobError(getText(down, 'a.txt'), down)
    expect(err.status).toBe(0)
    expect(err.code).toBe('ECONNREFUSED')
    expect(err.message).toContain('host unreachable')
  })
})
