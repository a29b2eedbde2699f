import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { loadScenarioFile } from './scenario.ts'
import type { ScenarioSystem } from './scenario-schema.ts'
import { SystemSchema } from './scenario-schema.ts'
import { startSystem, StartupFailed, systemVersion, type RunningSystem } from './systems.ts'

const REPO = resolve(import.meta.dirname, '../..')
const SCENARIOS = join(REPO, 'fixtures/scenarios/competitive')
const base = mkdtempSync(join(tmpdir(), 'benchgate-systems-test-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

/** True while any process of the group led by `pid` exists. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const ctx = (name: string) => ({ repo: REPO, dir: join(base, name), logDir: join(base, 'logs', name) })

test('the HTTP systems (ours, nginx, fastify) start on free ports, answer, and stop with their whole group', async () => {
  const scenario = loadScenarioFile(join(SCENARIOS, 'http-plaintext.toml'))
  const running: RunningSystem[] = await Promise.all(scenario.systems.map((s) => startSystem(s, { ...ctx(`plaintext-${s.name}`), protocol: 'http' })))
  try {
    expect(new Set(running.map((r) => r.port)).size).toBe(running.length)
    for (const r of running) {
      expect(r.url).toBe(`http://127.0.0.1:${r.port}`)
      const plain = await fetch(`${r.url}/plaintext`)
      expect([r.name, plain.status, await plain.text()]).toEqual([r.name, 200, 'Hello, World!'])
      const json = await fetch(`${r.url}/json`)
      expect([r.name, await json.json()]).toEqual([r.name, { message: 'Hello, World!' }])
    }
    // nginx got its templated config: the listen line holds the chosen port
    expect(readFileSync(join(base, 'plaintext-nginx', 'nginx.conf'), 'utf8')).toContain(`listen 127.0.0.1:${running[1]!.port};`)
    const versions = await Promise.all(scenario.systems.map((s) => systemVersion(s, REPO)))
    expect(versions[0]).toMatch(/^benchgate-http-server /)
    expect(versions[1]).toMatch(/^nginx version: nginx\//)
    expect(versions[2]).toMatch(/^fastify \d/)
  } finally {
    await Promise.all(running.map((r) => r.stop()))
  }
  for (const r of running) expect([r.name, groupAlive(r.pid)]).toEqual([r.name, false])
})

test('a system that exits at once fails after one retry, with its stderr tail and the exit code', async () => {
  const system: ScenarioSystem = SystemSchema.parse({
    name: 'broken', role: 'ours', command: 'node', args: ['-e', 'console.error("cannot open {port}: no such thing"); process.exit(3)'],
    ready: { kind: 'tcp' },
  })
  const started = Date.now()
  const error = await startSystem(system, ctx('broken')).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(StartupFailed)
  const message = (error as StartupFailed).message
  expect(message).toMatch(/^system 'broken' \(node -e .*\) on 127\.0\.0\.1:\d+, attempt 2 of 2: exited \(code 3\) before it was ready/)
  expect((error as StartupFailed).stderrTail).toMatch(/^cannot open \d+: no such thing$/)
  // both attempts' stderr is kept, each after its marker line
  const log = readFileSync(join(base, 'logs', 'broken', 'broken.stderr.log'), 'utf8')
  expect(log.match(/attempt \d of 2/g)).toEqual(['attempt 1 of 2', 'attempt 2 of 2'])
  expect(log.match(/no such thing/g)).toHaveLength(2)
  expect(Date.now() - started).toBeLessThan(5000)
})
