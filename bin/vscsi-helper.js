#!/usr/bin/env node
// The `vscsi-helper` command of the npm package (in a clone the packages/vscsi-helper workspace
// links it): packages/vscsi-helper/vscsi-helper.ts when it is there, else the compiled dist/ copy.
import { existsSync } from 'node:fs'

const ts = new URL('../packages/vscsi-helper/vscsi-helper.ts', import.meta.url)
await import(existsSync(ts) ? ts.href : new URL('../dist/packages/vscsi-helper/vscsi-helper.js', import.meta.url).href)
