// Programs the command tests and the command bench run: a Python that allocates and touches a
// known number of MiB and holds it long enough for the 20 Hz tree poll to see it.
import { existsSync } from 'node:fs'

export const MIB = 1024 * 1024

/** Debian's python3 (starts in ~20 ms) rather than a pyenv shim on PATH (a bash script, slow). */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

/** Python code that allocates `mib` MiB, writes one byte per page (so it is resident) and holds it `holdS` seconds. */
export function allocatorCode(mib: number, holdS = 0.4): string {
  return `import time\nb = bytearray(${mib} * 1024 * 1024)\nb[::4096] = b'x' * len(b[::4096])\ntime.sleep(${holdS})`
}

/** The argv of that allocator. */
export function allocator(mib: number, holdS = 0.4): string[] {
  return [PYTHON, '-c', allocatorCode(mib, holdS)]
}

/** A shell line quoting one argument for /bin/sh. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`
}
