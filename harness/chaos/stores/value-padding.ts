// How the postgres and process stores turn a value token into a stored value of `valueSize` bytes
// and back: the token, a `|`, then `.` up to the size (`w1-42-a0|.......`). Tokens never contain
// `|` (harness/chaos/tokens.ts), so reading strips from the last `|`; a stored value without one
// (written by someone else) is returned as it is. A token longer than the size is kept whole, with
// the `|` alone after it: the token is what the checker needs, the size is best effort.

/** The stored form of `token`: padded to `valueSize` bytes (UTF-8), or null for a delete. */
export function padValue(token: string | null, valueSize: number): string | null {
  if (token === null) return null
  const fill = Math.max(0, valueSize - Buffer.byteLength(token) - 1)
  return `${token}|${'.'.repeat(fill)}`
}

/** The token of a stored value (the padding stripped), or null for an absent key. */
export function stripValue(stored: string | null): string | null {
  if (stored === null) return null
  const bar = stored.lastIndexOf('|')
  return bar < 0 ? stored : stored.slice(0, bar)
}
