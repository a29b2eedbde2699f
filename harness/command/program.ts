// Finding a command's program before it runs, so a missing tool is one message naming the field
// it came from, not a spawn error or the launcher's "cannot run" with exit code 127.
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { UserError } from '../errors.ts'

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    if (process.platform !== 'win32') accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Where Debian and others install daemons (nginx is /usr/sbin/nginx), which a non-root PATH often lacks. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin']

/**
 * The full path of `program`: as given when it names a path (absolute, or relative to `cwd`), else
 * the first executable of that name on PATH (with PATHEXT on Windows), then, off Windows, in the
 * sbin directories PATH does not list. Throws a UserError naming `field` when there is none.
 */
export function resolveProgram(program: string, field: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (program === '') throw new UserError({ file: field, message: 'the command is empty', expected: 'a program and its arguments' })
  const isPath = program.includes('/') || (process.platform === 'win32' && program.includes('\\'))
  if (isPath) {
    const full = isAbsolute(program) ? program : resolve(cwd, program)
    if (executable(full)) return full
    throw new UserError({ file: field, message: `'${program}' is not an executable file`, hint: 'check the path, or give a program on PATH' })
  }
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : ['']
  const path = (env.PATH ?? '').split(delimiter)
  const dirs = process.platform === 'win32' ? path : [...path, ...SBIN.filter((d) => !path.includes(d))]
  for (const dir of dirs) {
    if (dir === '') continue
    for (const ext of exts) {
      const full = join(dir, program + ext)
      if (executable(full)) return full
    }
  }
  throw new UserError({ file: field, message: `'${program}' is not on PATH`, hint: 'install it or give its full path' })
}
