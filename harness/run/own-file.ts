// One of benchgate's own source files, named by its .ts path, as it exists on this install:
// a clone runs the TypeScript itself; the npm package ships the compiled .js beside (Node does not
// strip types under node_modules), so there the same path with .js is returned.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** `ownFile(import.meta.dirname, '../../bin/benchgate.ts')`: that .ts path when it exists, else its .js sibling. */
export function ownFile(dir: string, tsPath: string): string {
  const ts = resolve(dir, tsPath)
  if (!ts.endsWith('.ts') || existsSync(ts)) return ts
  const js = `${ts.slice(0, -3)}.js`
  return existsSync(js) ? js : ts
}

/** The same as a file: URL, for `new Worker(...)` and `import()`: `ownUrl(import.meta.url, './worker.ts')`. */
export function ownUrl(base: string, tsPath: string): URL {
  return pathToFileURL(ownFile(fileURLToPath(new URL('.', base)), tsPath))
}

/**
 * The root of the project whose bench files run: benchgate's own clone (`cloneRoot`, the folder the
 * harness sits in) or, when benchgate is an installed package (under node_modules), the user's
 * project, the working directory Vitest runs in.
 */
export function projectRoot(cloneRoot: string): string {
  return resolve(cloneRoot).split(/[\\/]/).includes('node_modules') ? process.cwd() : resolve(cloneRoot)
}
