import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createClient } from '@redis/client'
import memjs from 'memjs'
import { afterAll, expect, test } from 'vitest'
import { preload, preloadValue } from './preload.ts'
import { loadScenarioFile } from './scenario.ts'
import type { ScenarioSystem } from './scenario-schema.ts'
import { SystemSchema } from './scenario-schema.ts'
import { startSystem, StartupFailed, systemVersion, type RunningSystem } from './systems.ts'

const REPO = resolve(import.meta.dirname, '../..')
const SCENARIOS = join(REPO, 'fixtures/scenarios/competitive')
const base = mkdtempSync(join(tmpdir(), 'benchgate-systems-test-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

/** Live (not zombie) processes of the group led by `pgid`, from /proc/<pid>/stat's pgrp field. */
function groupMembers(pgid: number): number[] {
  const members: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry))
  }
  return members
}

const KEYS = 2000
const ctx = (name: string) => ({ repo: REPO, dir: join(base, name), logDir: join(base, 'logs', name) })

test.concurrent('the HTTP systems (ours, nginx, fastify) start on free ports, answer, and stop with their whole group', async () => {
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
  for (const r of running) expect([r.name, groupMembers(r.pid)]).toEqual([r.name, []])
})

/** The same checks against ours and the real server: ours must answer as the client expects. */
async function redisChecks(r: RunningSystem, k: string, resp: 2 | 3): Promise<void> {
  const client = createClient({ socket: { host: r.host, port: r.port, reconnectStrategy: false }, RESP: resp, maintNotifications: 'disabled' })
  client.on('error', () => {})
  await client.connect()
  try {
    expect(await client.ping()).toBe('PONG')
    expect(await client.get(`${k}0`)).toBe(preloadValue(0, 100))
    expect((await client.get(`${k}${KEYS - 1}`))?.length).toBe(100)
    expect(await client.get(`${k}${KEYS}`)).toBeNull()
    expect(await client.get('absent')).toBeNull()
    expect(await client.set(`extra-${resp}`, 'x'.repeat(100))).toBe('OK')
    expect(await client.get(`extra-${resp}`)).toBe('x'.repeat(100))
    expect(await client.dbSize()).toBe(KEYS + 1)
    expect(await client.del(`extra-${resp}`)).toBe(1)
  } finally {
    client.destroy()
  }
}

async function memcachedChecks(r: RunningSystem, k: string): Promise<void> {
  const client = memjs.Client.create(`${r.host}:${r.port}`, { retries: 0, timeout: 5, logger: { log() {} } })
  try {
    expect((await client.get(`${k}0`)).value?.toString()).toBe(preloadValue(0, 100))
    expect((await client.get(`${k}${KEYS - 1}`)).value?.toString()).toBe(preloadValue(KEYS - 1, 100))
    expect((await client.get('absent')).value).toBeNull()
    expect(await client.set('extra', Buffer.alloc(100, 'x'), { expires: 0 })).toBe(true)
    expect((await client.get('extra')).value?.toString()).toBe('x'.repeat(100))
    expect(await client.delete('extra')).toBe(true)
    await client.flush()
    expect((await client.get(`${k}0`)).value).toBeNull()
  } finally {
    client.close()
  }
}

test.concurrent('the key-value systems (ours and redis-server, ours and memcached) start, take the preload and answer their clients alike', async () => {
  // 2,000 of the shipped 10,000 keys keep the test quick; the keys and values are the same
  const smaller = (file: string) => {
    const scenario = loadScenarioFile(join(SCENARIOS, file))
    return { ...scenario, preload: { ...scenario.preload, keys: KEYS } }
  }
  const redisScenario = smaller('kv-get-set.toml')
  const memcachedScenario = smaller('kv-memcached.toml')
  const plan = [...redisScenario.systems.map((s) => ({ s, scenario: redisScenario })), ...memcachedScenario.systems.map((s) => ({ s, scenario: memcachedScenario }))]
  const running: RunningSystem[] = []
  try {
    await Promise.all(plan.map(async ({ s, scenario }) => {
      const r = await startSystem(s, { ...ctx(`${scenario.name}-${s.name}`), protocol: scenario.protocol })
      running.push(r)
      await preload(r, scenario)
      if (scenario.protocol === 'redis') {
        expect(r.url).toBe(`redis://127.0.0.1:${r.port}`)
        await redisChecks(r, scenario.key_prefix, 3)
        await redisChecks(r, scenario.key_prefix, 2)
      } else {
        expect(r.url).toBe(`memcached://127.0.0.1:${r.port}`)
        await memcachedChecks(r, scenario.key_prefix)
      }
    }))
  } finally {
    await Promise.all(running.map((r) => r.stop()))
  }
  expect(running).toHaveLength(4)
  for (const r of running) expect([r.name, groupMembers(r.pid)]).toEqual([r.name, []])
})

test.concurrent('a system that exits at once fails after one retry, with its stderr tail and the exit code', async () => {
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

/** A node process that appends its pid to {dir}/pid and never listens. */
const pids = (dir: string) => readFileSync(join(dir, 'pid'), 'utf8').trim().split('\n').map(Number)

const silent = (name: string, readyTimeoutS: number): ScenarioSystem => SystemSchema.parse({
  name, role: 'ours', command: 'node', args: ['-e', 'require("fs").appendFileSync(process.argv[1], process.pid + "\\n"); setInterval(() => {}, 60000)', '{dir}/pid'],
  ready: { kind: 'http', path: '/' }, ready_timeout_s: readyTimeoutS,
})

test.concurrent('a system never ready times out after one retry, its process stopped each time', async () => {
  const error = await startSystem(silent('silent', 0.4), ctx('silent')).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(StartupFailed)
  expect((error as Error).message).toMatch(/attempt 2 of 2: not ready after 0\.4 s \(last check: ECONNREFUSED\)$/)
  const started = pids(join(base, 'silent'))
  expect(started).toHaveLength(2)
  for (const pid of started) expect(groupMembers(pid)).toEqual([])
})

test.concurrent('aborting a start stops the process and rejects with the abort reason, without a retry', async () => {
  const controller = new AbortController()
  const starting = startSystem(silent('aborted', 30), { ...ctx('aborted'), signal: controller.signal })
  const dir = join(base, 'aborted')
  for (let i = 0; i < 200 && !existsSync(join(dir, 'pid')); i++) await new Promise((ok) => setTimeout(ok, 10))
  controller.abort(new Error('interrupted'))
  await expect(starting).rejects.toThrow('interrupted')
  const started = pids(dir)
  expect(started).toHaveLength(1)
  expect(groupMembers(started[0]!)).toEqual([])
  expect(readFileSync(join(base, 'logs', 'aborted', 'aborted.stderr.log'), 'utf8').match(/attempt \d of 2/g)).toEqual(['attempt 1 of 2'])
})

test.concurrent('a file outside {dir} is refused before anything starts', async () => {
  const system = SystemSchema.parse({ name: 'escape', role: 'ours', command: 'node', files: { '../escape.conf': 'x' } })
  await expect(startSystem(system, ctx('escape'))).rejects.toThrow("system 'escape': file '../escape.conf' is outside {dir}")
  expect(existsSync(join(base, 'escape.conf'))).toBe(false)
})
