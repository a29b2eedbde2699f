// Container and SAS management (the only code that touches an account key) plus the entry point
// for SAS-only data access. The writer side creates containers and mints container SAS tokens
// with the key through @azure/storage-blob; everything downstream gets a BlobTarget (container
// URL + SAS), never the key. targetFromConfig turns the `azure` config section into that target.
//
// SAS format: a service SAS for the container (sr=c), sv = the SDK's version, no start time unless
// asked (a start time invites clock-skew failures), expiry 12 h ahead unless asked.
import {
  BlobServiceClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob'
import type { Config } from '../config/schema.ts'
import { UserError } from '../errors.ts'
import { targetFromEndpoint, targetFromSasUrl, type BlobTarget } from './target.ts'

export { blobUrl, describeTarget, type BlobTarget } from './target.ts'
export { BlobRequestError } from './blob-error.ts'
export { blobExists, blobSize, getText, putBlob, uploadBlobs, type UploadItem, type UploadOptions, type UploadProgress } from './blob-io.ts'

/** An account reached with its shared key: a running Azurite, or a real account from config. */
export interface SharedKeyAccount {
  /** Account endpoint: http://127.0.0.1:PORT/devstoreaccount1 or https://ACCOUNT.blob.core.windows.net */
  readonly endpoint: string
  readonly account: string
  /** Base64 key. Secret. */
  readonly accountKey: string
}

export interface SasOptions {
  /** Container SAS permission letters in any order, e.g. 'r', 'rl', 'racwl'. */
  permissions: string
  /** Default: 12 hours from now. */
  expiresOn?: Date
  /** Default: none (valid at once). */
  startsOn?: Date
}

const DEFAULT_SAS_HOURS = 12

function credential(account: SharedKeyAccount): StorageSharedKeyCredential {
  return new StorageSharedKeyCredential(account.account, account.accountKey)
}

/** Creates the container if it does not exist yet (idempotent). */
export async function createContainer(account: SharedKeyAccount, name: string): Promise<void> {
  const service = new BlobServiceClient(account.endpoint, credential(account), { retryOptions: { maxTries: 3, tryTimeoutInMs: 30_000 } })
  try {
    await service.getContainerClient(name).createIfNotExists()
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message?: string }
    const first = (err.message ?? String(e)).split('\n')[0]
    throw new Error(`could not create container '${name}' at ${account.endpoint}: ${err.statusCode ?? ''} ${err.code ?? ''} ${first}`.replace(/ +/g, ' '))
  }
}

/** A container SAS made with the account key; the returned target carries the SAS only. */
export function containerSas(account: SharedKeyAccount, name: string, options: SasOptions): BlobTarget {
  let permissions: ContainerSASPermissions
  try {
    permissions = ContainerSASPermissions.parse(options.permissions)
  } catch {
    throw new RangeError(`containerSas: '${options.permissions}' is not a set of container SAS permissions (letters from racwdxltifmeop, e.g. 'rl')`)
  }
  const sas = generateBlobSASQueryParameters(
    {
      containerName: name,
      permissions,
      expiresOn: options.expiresOn ?? new Date(Date.now() + DEFAULT_SAS_HOURS * 3600_000),
      startsOn: options.startsOn,
    },
    credential(account),
  ).toString()
  return targetFromEndpoint(account.endpoint, name, sas)
}

/**
 * The blob target the `azure` config section names: its sas_url, or endpoint (default
 * https://ACCOUNT.blob.core.windows.net) + container + sas_token. With a key and no SAS, a SAS
 * with `permissions` (default 'rl') is minted here so readers still see only a SAS. Null when
 * the section names no account, endpoint or SAS URL: the scenarios then use the embedded Azurite.
 */
export function targetFromConfig(azure: Config['azure'], permissions = 'rl'): BlobTarget | null {
  if (azure.sas_url !== undefined) return targetFromSasUrl(azure.sas_url, azure.container)
  if (azure.account === undefined && azure.endpoint === undefined) return null
  if (azure.container === undefined) {
    throw new UserError({ file: 'config', field: 'azure.container', message: 'missing Azure container',
      expected: 'a container name', hint: 'add container: NAME under azure, or give a container sas_url' })
  }
  const endpoint = azure.endpoint ?? `https://${azure.account}.blob.core.windows.net`
  if (azure.sas_token !== undefined) return targetFromEndpoint(endpoint, azure.container, azure.sas_token)
  if (azure.key !== undefined) {
    if (azure.account === undefined) {
      throw new UserError({ file: 'config', field: 'azure.account', message: 'azure.key given without the account it belongs to',
        expected: 'a storage account name', hint: 'add account: NAME under azure, or give sas_token instead of key' })
    }
    return containerSas({ endpoint, account: azure.account, accountKey: azure.key }, azure.container, { permissions })
  }
  return targetFromEndpoint(endpoint, azure.container)
}
