#!/usr/bin/env node
// `vscsi-helper`: collect ESXi vscsiStats over SSH through a per-user background daemon, and
// analyze what was collected. The commands live in harness/vscsi/daemon/cli.ts.
import { isUserError } from '../../harness/errors.ts'
import { vscsiHelperCommand } from '../../harness/vscsi/daemon/cli.ts'

try {
  process.exitCode = await vscsiHelperCommand(process.argv.slice(2))
} catch (e) {
  if (!isUserError(e)) throw e
  console.error((e as Error).message)
  process.exitCode = 2
}
