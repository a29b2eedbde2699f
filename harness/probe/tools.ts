// Optional external tools the probe uses when present (ping, azcopy, aria2c): found on PATH
// without a shell, so a missing tool is a recorded reason, never a spawn error.
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The full path of `command` on PATH, or null when it is not there (or not executable). */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : ['']
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    for (const ext of exts) {
      const full = join(dir, command + ext)
      try {
        if (!statSync(full).isFile()) continue
        accessSync(full, constants.X_OK)
        return full
      } catch {
        // not here
      }
    }
  }
  return null
}
