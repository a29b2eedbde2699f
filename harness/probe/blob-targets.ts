// The Azure Blob targets a probe measures: the `azure` config section, each SAS URL in
// probe.sas_urls (and --sas-url), or, when none is configured, an embedded Azurite
// (./azurite-blob.ts). A blob SAS URL names its own test blob; otherwise the blob is probe.blob
// (default benchgate-probe/probe-<size>MiB.bin). Readers get a BlobTarget (URL + SAS), never a key.
import type { Config } from '../config/schema.ts'
import { sasContainer } from '../config/sas.ts'
import { targetFromConfig } from '../azure/store.ts'
import { targetFromSasUrl, type BlobTarget } from '../azure/target.ts'

export interface BlobSpec {
  /** Short name used in results and KPI names: azurite, azure, sas-1, sas-2, … */
  name: string
  source: 'azurite' | 'azure' | 'sas_url'
  target: BlobTarget
  blob: string
  /** True when a blob SAS URL named the blob (it is never created then). */
  namedByUrl: boolean
  /** May upload the test blob when it is missing. */
  create: boolean
}

/** The default test blob name for a size. */
export function defaultBlobName(sizeMib: number): string {
  return `benchgate-probe/probe-${sizeMib}MiB.bin`
}

/** The blob a blob SAS URL points at (path after the container), or undefined for a container SAS URL. */
export function blobOfSasUrl(sasUrl: string): string | undefined {
  let url: URL
  try {
    url = new URL(sasUrl)
  } catch {
    return undefined
  }
  const container = sasContainer(sasUrl)
  if (container === undefined) return undefined
  // the container is the first path segment, the second for path-style endpoints (as ../config/sas.ts
  // reads it); searching for its name instead would stop at an account segment of the same name
  const segments = url.pathname.split('/').filter((s) => s !== '')
  const pathStyle = url.hostname === 'localhost' || /^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('[')
  const rest = segments.slice(pathStyle ? 2 : 1).map((s) => decodeURIComponent(s))
  return rest.length ? rest.join('/') : undefined
}

/**
 * The configured targets, in order: the azure section, then probe.sas_urls, then `extraSasUrls`
 * (flags). Empty when none is configured: the caller then starts an embedded Azurite.
 */
export function configuredBlobSpecs(config: Config, extraSasUrls: readonly string[] = []): BlobSpec[] {
  const p = config.probe
  const blob = p.blob ?? defaultBlobName(p.blob_size_mib)
  const specs: BlobSpec[] = []
  const azure = targetFromConfig(config.azure, p.create ? 'rcw' : 'r')
  if (azure) {
    const named = config.azure.sas_url === undefined ? undefined : blobOfSasUrl(config.azure.sas_url)
    specs.push({ name: 'azure', source: 'azure', target: azure, blob: named ?? blob, namedByUrl: named !== undefined, create: p.create && named === undefined })
  }
  const urls = [...p.sas_urls.map((u, i) => [u, `probe.sas_urls[${i}]`] as const), ...extraSasUrls.map((u) => [u, '--sas-url'] as const)]
  urls.forEach(([url, where], i) => {
    const named = blobOfSasUrl(url)
    specs.push({
      name: `sas-${i + 1}`,
      source: 'sas_url',
      target: targetFromSasUrl(url, undefined, where),
      blob: named ?? blob,
      namedByUrl: named !== undefined,
      create: p.create && named === undefined,
    })
  })
  return specs
}
