// Where Node caches compiled (and type-stripped) modules for the processes benchgate starts: the
// user's NODE_COMPILE_CACHE, else one directory under the temp folder, so each TypeScript module is
// stripped and compiled once and not again in every child (sampler agent, reader sessions, the
// processes unit tests start). Node checks each entry against its source, so an edit is never
// served stale.
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function compileCacheDir(): string {
  return process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache')
}
