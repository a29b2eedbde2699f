// Entry of the background daemon process (started detached by the CLI):
//   node harness/vscsi/daemon/main.ts --state DIR
// Its stdout and stderr go to <state>/daemon.log; SIGTERM and SIGINT shut it down, leaving running
// jobs `running` on disk for the next daemon to resume.
import { parseArgs } from 'node:util'
import { Daemon } from './daemon.ts'

const { values } = parseArgs({ args: process.argv.slice(2), options: { state: { type: 'string' }, 'idle-exit-s': { type: 'string' } } })
if (!values.state) {
  console.error('usage: node harness/vscsi/daemon/main.ts --state DIR')
  process.exit(2)
}
const daemon = new Daemon({ state: values.state, idleExitS: values['idle-exit-s'] ? Number(values['idle-exit-s']) : undefined })
if (!(await daemon.start())) {
  console.error(`vscsi daemon: another daemon holds ${values.state}/daemon.pid; exiting`)
  process.exit(0)
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    daemon.log(`${signal} received`)
    void daemon.shutdown()
  })
}
await daemon.closed
process.exit(0)
