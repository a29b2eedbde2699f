// Ctrl-C in the middle of a timed command (a copy tool mid-run, say) leaves no process of it
// running: the command's process group is registered with ../run/cleanup.ts and killed on
// SIGINT before the runner dies of the signal.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { isAlive } from '../run/cleanup.ts'

const dir = mkdtempSync(join(tmpdir(), 'bg-cmd-int-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('SIGINT to the process running a command stops the command and its children, and the process dies of SIGINT', async () => {
  const pidFile = join(dir, 'pids')
  const script = `import { runCommand } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))}
await runCommand({ argv: ['/bin/sh', '-c', 'sleep 60 & echo $$ $! > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; wait'], field: 'test' })`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<NodeJS.Signals | number | null>((ok) => child.once('exit', (code, signal) => ok(signal ?? code)))
  const deadline = Date.now() + 20_000
  while (!existsSync(pidFile) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20))
  expect(existsSync(pidFile), `the command never started: ${stderr}`).toBe(true)
  const [shell, sleeper] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number]
  expect(isAlive(shell) && isAlive(sleeper)).toBe(true)
  child.kill('SIGINT')
  expect(await exited).toBe('SIGINT')
  const gone = Date.now() + 5000
  while ((isAlive(shell) || isAlive(sleeper)) && Date.now() < gone) await new Promise((ok) => setTimeout(ok, 20))
  expect({ shell: isAlive(shell), sleeper: isAlive(sleeper) }).toEqual({ shell: false, sleeper: false })
}, 30_000)
