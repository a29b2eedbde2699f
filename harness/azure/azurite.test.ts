// The embedded Azurite: it starts on a free port with an empty workspace, answers, keeps its key
// out of printed output, and leaves no process or directory behind after stop(), a failed start,
// or Ctrl-C in a real child Vitest run.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { isAlive, liveResources } from '../run/cleanup.ts'
import { startAzurite } from './azurite.ts'
import { groupMembers } from './test-support.ts'

const repo = join(import.meta.dirname, '../..')
const scratch: string[] = []
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })))

const linux = process.platform === 'linux'
// Process groups are read from /proc: on other systems only the Azurite process itself is checked.
const members = (pid: number) => (linux ? groupMembers(pid) : [])

async function gone(pid: number, location: string): Promise<void> {
  for (let i = 0; i < 100 && (members(pid).length || isAlive(pid) || existsSync(location)); i++) {
    await new Promise((r) => setTimeout(r, 50))
  }
  expect(members(pid), 'Azurite processes').toEqual([])
  expect(isAlive(pid), 'Azurite process').toBe(false)
  expect(existsSync(location), 'Azurite workspace').toBe(false)
}

test('Azurite starts on a free loopback port, answers, and stop() leaves no process or workspace', async () => {
  const before = liveResources()
  const azurite = await startAzurite()
  expect(azurite.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/)
  expect(azurite.account).toBe('devstoreaccount1')
  expect(existsSync(azurite.location)).toBe(true)
  expect(isAlive(azurite.pid)).toBe(true)
  // the blob service answers (an unsigned request is refused, which proves it is Azurite talking)
  const res = await fetch(`${azurite.endpoint}/nothing?restype=container`)
  expect(res.status).toBe(403)
  expect(res.headers.get('x-ms-error-code')).toBe('AuthorizationFailure')
  // a fresh random key per instance, never the well-known emulator key, and not printed
  expect(Buffer.from(azurite.accountKey, 'base64').length).toBe(64)
  expect(azurite.accountKey.startsWith('Eby8vdM02xNO')).toBe(false)
  expect(JSON.stringify(azurite)).not.toContain(azurite.accountKey)
  expect(inspect(azurite, { depth: 5 })).not.toContain(azurite.accountKey)
  await azurite.stop()
  await azurite.stop() // a second stop is harmless
  await gone(azurite.pid, azurite.location)
  expect(liveResources()).toBe(before)
})

test('a start that fails names the cause from Azurite output and releases everything', async () => {
  const busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  const port = (busy.address() as { port: number }).port
  const before = liveResources()
  try {
    await expect(startAzurite({ port })).rejects.toThrow(/exited \(\d+\) before listening[\s\S]*EADDRINUSE/)
  } finally {
    busy.close()
  }
  expect(liveResources(), 'registered processes and directories').toBe(before)
})

// Ctrl-C is sent to a POSIX process group; Windows has no such thing.
if (!linux) console.warn(`azurite.test.ts: the Ctrl-C release test is skipped on ${process.platform} (it signals a POSIX process group)`)
test.skipIf(!linux)('Ctrl-C during a Vitest run that holds Azurite leaves no Azurite process or workspace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bg-azurite-interrupt-'))
  scratch.push(dir)
  const report = join(dir, 'held.json')
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', BG_AZURITE_REPORT: report }
  delete env.VITEST
  delete env.VITEST_WORKER_ID
  delete env.VITEST_POOL_ID
  const child = spawn(
    process.execPath,
    [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'harness/azure/selftest/vitest.config.ts'],
    { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  try {
    for (let i = 0; i < 600 && !existsSync(report); i++) await new Promise((r) => setTimeout(r, 50))
    expect(existsSync(report), output).toBe(true)
    const held = JSON.parse(readFileSync(report, 'utf8')) as { pid: number; location: string }
    expect(isAlive(held.pid)).toBe(true)
    expect(existsSync(held.location)).toBe(true)
    process.kill(-child.pid!, 'SIGINT') // what Ctrl-C sends to the terminal's foreground group
    await exited
    await gone(held.pid, held.location)
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})

test('a starter killed with SIGKILL (no teardown, no exit handler): Azurite ends itself and removes its workspace', async () => {
  const code = `import { startAzurite } from ${JSON.stringify(join(import.meta.dirname, 'azurite.ts'))}
const a = await startAzurite()
process.stdout.write(JSON.stringify({ pid: a.pid, location: a.location }) + '\\n')
setInterval(() => {}, 1000)`
  const env = { ...process.env }
  for (const k of ['VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID']) delete env[k]
  const starter = spawn(process.execPath, ['--input-type=module', '-e', code], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  const started = await new Promise<{ pid: number; location: string }>((resolve, reject) => {
    starter.stdout.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { pid: number; location: string })
    })
    starter.once('exit', (c) => reject(new Error(`starter exited ${c} before Azurite was up: ${out}`)))
  })
  expect(isAlive(started.pid)).toBe(true)
  expect(existsSync(started.location)).toBe(true)
  starter.kill('SIGKILL')
  await gone(started.pid, started.location)
}, 60_000)
