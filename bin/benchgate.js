#!/usr/bin/env node
// The `benchgate` command as npm links it. In a clone it runs bin/benchgate.ts itself (Node strips
// the types); the npm package has no .ts files and runs the compiled dist/bin/benchgate.js, because
// Node does not strip types under node_modules. (Plain JavaScript: it is not compiled.)
import { existsSync } from 'node:fs'

const ts = new URL('./benchgate.ts', import.meta.url)
await import(existsSync(ts) ? ts.href : new URL('../dist/bin/benchgate.js', import.meta.url).href)
