// Azure SAS URL helpers shared by the config checks and the redaction: which query parameters
// carry a signature, and which container a SAS URL names.

/** Query parameters whose value is a signature (Azure `sig`, and the S3/GCS/generic spellings). */
export const SIGNATURE_PARAMS: readonly string[] = ['sig', 'signature', 'x-amz-signature', 'x-goog-signature']

function isSignatureParam(name: string): boolean {
  return SIGNATURE_PARAMS.includes(name.toLowerCase())
}

function splitQuery(query: string): string[] {
  return query.replace(/^\?/, '').split('&').filter((part) => part !== '')
}

/** The raw (still percent-encoded) values of the signature parameters in a URL or a bare query. */
export function signatureValues(urlOrQuery: string): string[] {
  const at = urlOrQuery.indexOf('?')
  const query = at >= 0 ? urlOrQuery.slice(at + 1) : urlOrQuery
  const values: string[] = []
  for (const part of splitQuery(query.split('#')[0] ?? '')) {
    const eq = part.indexOf('=')
    if (eq > 0 && isSignatureParam(part.slice(0, eq)) && eq + 1 < part.length) values.push(part.slice(eq + 1))
  }
  return values
}

/** True when a URL or bare query carries a non-empty `sig` parameter. */
export function hasSig(urlOrQuery: string): boolean {
  return signatureValues(urlOrQuery).length > 0
}

/** The URL or bare query with every signature value replaced by `REDACTED`; other parameters untouched. */
export function redactSignatures(urlOrQuery: string, mark = 'REDACTED'): string {
  return urlOrQuery.replace(/([?&]|^)([^=&?#]+)=([^&#]*)/g, (whole, lead: string, name: string) =>
    isSignatureParam(name) ? `${lead}${name}=${mark}` : whole,
  )
}

/**
 * The container a SAS URL names: the first path segment, or the second for path-style endpoints
 * (Azurite and other emulators: `http://127.0.0.1:10000/devstoreaccount1/container`).
 * Undefined for an account SAS (`https://acct.blob.core.windows.net/?sv=…`) or an unparsable URL.
 */
export function sasContainer(sasUrl: string): string | undefined {
  let url: URL
  try {
    url = new URL(sasUrl)
  } catch {
    return undefined
  }
  const segments = url.pathname.split('/').filter((s) => s !== '')
  const pathStyle = url.hostname === 'localhost' || /^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('[')
  const container = pathStyle ? segments[1] : segments[0]
  return container ? decodeURIComponent(container) : undefined
}
