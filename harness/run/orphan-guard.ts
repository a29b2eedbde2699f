// Preloaded (`node --import`) into long-lived helpers the harness starts (Azurite): once the
// process that started the helper is gone — killed before its teardown or exit handlers could
// run, as when a test runner kills its worker on Ctrl-C under load — the helper removes its
// workspace and exits, so nothing outlives the run. On SIGTERM (how the starter's exit handlers
// stop it) it does the same at once. Parent and workspace come from the
// environment (guardEnv below); without them this module does nothing.
import { rmSync } from 'node:fs'

const PARENT = 'BENCHGATE_GUARD_PARENT'
const DIR = 'BENCHGATE_GUARD_DIR'

/** The environment that makes a child started by this process guard itself. */
export function guardEnv(workspace?: string): Record<string, string> {
  return { [PARENT]: String(process.pid), ...(workspace ? { [DIR]: workspace } : {}) }
}

/** The --import argument that loads this guard into a node child. */
export const GUARD_IMPORT = new URL(import.meta.url).href

function parentGone(parent: number): boolean {
  if (process.ppid !== parent) return true // re-parented: the parent has exited (POSIX)
  try {
    process.kill(parent, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EPERM'
  }
}

const parent = Number(process.env[PARENT])
if (Number.isInteger(parent) && parent > 0) {
  const dir = process.env[DIR]
  delete process.env[PARENT]
  delete process.env[DIR]
  const end = () => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  }
  setInterval(() => {
    if (parentGone(parent)) end()
  }, 200).unref()
  // the starter's exit handlers send SIGTERM (not SIGKILL) so that this runs: workspace gone
  // before the process is, whatever happens to the starter next
  process.once('SIGTERM', end)
}
