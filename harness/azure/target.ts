// Where blobs live as a reader sees it: a container URL plus a SAS query, nothing else (no key).
// Formats: containerUrl is `https://ACCOUNT.blob.core.windows.net/CONTAINER` or, path style
// (Azurite, emulators), `http://127.0.0.1:PORT/ACCOUNT/CONTAINER`, never with a query; sas is the
// query without '?' (`sv=…&se=…&sp=…&sig=…`), or '' for anonymous access.
// Everything printable goes through describeTarget / scrubSecrets, which redact the signature.
import { UserError } from '../errors.ts'
import { redactSignatures, sasContainer, signatureValues } from '../config/sas.ts'

export interface BlobTarget {
  /** Container URL without query or trailing slash. */
  containerUrl: string
  /** SAS query without the leading '?'; may be ''. Secret: its sig is never printed. */
  sas: string
}

/** The URL of a blob: the name's path segments are percent-encoded, '/' separators kept. */
export function blobUrl(target: BlobTarget, name: string): string {
  const path = name.split('/').map(encodeURIComponent).join('/')
  return `${target.containerUrl}/${path}${target.sas ? `?${target.sas}` : ''}`
}

/**
 * The container URL, safe to print and to append `/BLOB` to: no SAS query (any signature that
 * found its way into the URL itself is redacted). Error messages add the SAS facts that matter
 * (expiry `se`, permissions `sp`), never its signature.
 */
export function describeTarget(target: BlobTarget): string {
  return scrubSecrets(redactSignatures(target.containerUrl.split('?')[0] ?? ''), target)
}

/** Text with every form of the target's signature (raw and percent-decoded) replaced by REDACTED. */
export function scrubSecrets(text: string, target: BlobTarget): string {
  let out = text
  for (const raw of signatureValues(target.sas)) {
    let decoded = raw
    try {
      decoded = decodeURIComponent(raw)
    } catch {
      // a malformed escape: the raw form is all there is
    }
    for (const form of new Set([raw, decoded, encodeURIComponent(decoded)])) {
      if (form.length >= 4) out = out.split(form).join('REDACTED')
    }
  }
  return out
}

/** The value of one SAS parameter (`se`, `st`, `sp`, …), decoded; undefined when absent. */
export function sasParam(target: BlobTarget, name: string): string | undefined {
  for (const part of target.sas.split('&')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq) === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1))
      } catch {
        return part.slice(eq + 1)
      }
    }
  }
  return undefined
}

function isPathStyle(url: URL): boolean {
  return url.hostname === 'localhost' || /^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('[')
}

/**
 * The target a SAS URL names. A container SAS URL (…/CONTAINER?sv=…) names its container; a blob
 * SAS URL (…/CONTAINER/BLOB?sv=…) is cut back to its container; an account SAS URL (…/?sv=…)
 * needs `container`. `where` names the config field for error messages.
 */
export function targetFromSasUrl(sasUrl: string, container?: string, where = 'azure.sas_url'): BlobTarget {
  let url: URL
  try {
    url = new URL(sasUrl)
  } catch {
    throw new UserError({ file: 'config', field: where, message: 'not a URL', expected: 'https://ACCOUNT.blob.core.windows.net/CONTAINER?sv=…&sig=…' })
  }
  const fromUrl = sasContainer(sasUrl)
  const name = container ?? fromUrl
  if (container !== undefined && fromUrl !== undefined && container !== fromUrl) {
    throw new UserError({ file: 'config', field: 'azure.container', message: `'${container}' differs from the container '${fromUrl}' that ${where} names`,
      hint: 'drop azure.container, or use a SAS URL made for that container' })
  }
  if (name === undefined) {
    throw new UserError({ file: 'config', field: 'azure.container', message: 'missing Azure container',
      expected: 'azure.container, or a container SAS URL (…/CONTAINER?sv=…)', hint: 'add container: NAME under azure' })
  }
  const segments = url.pathname.split('/').filter((s) => s !== '')
  const account = isPathStyle(url) && segments[0] !== undefined ? `/${segments[0]}` : ''
  return { containerUrl: `${url.origin}${account}/${encodeURIComponent(name)}`, sas: url.search.replace(/^\?/, '') }
}

/** The target for an endpoint (no trailing slash needed), a container and a SAS token (with or without '?'). */
export function targetFromEndpoint(endpoint: string, container: string, sasToken = ''): BlobTarget {
  return { containerUrl: `${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(container)}`, sas: sasToken.replace(/^\?/, '') }
}

/** x-ms-version sent with every data request (SAS-authorized requests may send any supported version). */
export const API_VERSION = '2024-11-04'
