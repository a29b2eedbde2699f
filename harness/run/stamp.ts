// One UTC timestamp names a whole `vitest` invocation: every worker and every reporter of the
// run use the same results folder. The first caller in the main process fixes it in the
// environment, which the workers inherit.
const KEY = 'BENCHGATE_RUN_STAMP'

export function formatStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
}

export function runStamp(): string {
  const existing = process.env[KEY]
  if (existing && /^\d{8}T\d{6}Z$/.test(existing)) return existing
  const stamp = formatStamp(new Date())
  process.env[KEY] = stamp
  return stamp
}

/** A file-name-safe slug of a test name. */
export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
  return s || 'test'
}
