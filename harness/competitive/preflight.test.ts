import { chmodSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { startProcess } from '../run/processes.ts'
import { governorCheck, loadCheck, memoryCheck, type PreflightLevels } from './host-checks.ts'
import { formatPreflight, runPreflight, type PreflightLine } from './preflight.ts'
import { freePort } from '../run/ports.ts'
import { probe } from './readiness.ts'

const base = mkdtempSync(join(tmpdir(), 'benchgate-preflight-test-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const LEVELS: PreflightLevels = { disk_warn_gb: 0, disk_fail_gb: 0, memory_warn_gb: 0, memory_fail_gb: 0, load_warn_per_core: 1000 }

function scenario(name: string, systems: string): string {
  return `name = "${name}"\nprotocol = "http"\n[arrival]\nmodel = "constant"\nrate = 10\n[[requests]]\npath = "/"\n${systems}`
}
const system = (name: string, role: string, command: string, extra = '') => `[[systems]]\nname = "${name}"\nrole = "${role}"\ncommand = "${command}"\n${extra}\n`

/** A folder holding `files`, and the pre-flight run on it. */
async function preflightOf(folder: string, files: Record<string, string>, only?: string[]): Promise<PreflightLine[]> {
  const dir = join(base, folder)
  mkdirSync(dir, { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const { lines } = await runPreflight({ settings: { scenariosDir: dir, preflight: LEVELS }, outDir: join(base, folder, 'results', 'run'), ...(only ? { only } : {}) })
  return lines
}
const byName = (lines: PreflightLine[], name: string) => lines.find((l) => l.name === name)

test('a busy fixed port fails, naming the port and the system; two systems of one scenario on one port fail', async () => {
  const busy: Server = createServer()
  await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok))
  const port = (busy.address() as { port: number }).port
  const free = await freePort()
  try {
    const lines = await preflightOf('ports', {
      'a.toml': scenario('a', system('ours', 'ours', 'node', `args = ["x.js"]\nport = ${port}`) + system('web', 'competitor', 'nginx')),
      'b.toml': scenario('b', system('ours', 'ours', 'nginx', `port = ${free}`) + system('twin', 'competitor', 'nginx', `port = ${free}`)),
    })
    expect(byName(lines, `port ${port}`)).toEqual({ name: `port ${port}`, status: 'fail', detail: expect.stringMatching(/^cannot be bound on 127\.0\.0\.1 \(in use\), needed by ours of a; /) })
    const twin = lines.filter((l) => l.name === `port ${free}`)
    expect(twin.map((l) => l.status)).toEqual(['fail', 'pass'])
    expect(twin[0]!.detail).toMatch(/^ours and twin of b both want it/)
    // the rest of the checks ran too
    expect(lines.map((l) => l.name)).toEqual(expect.arrayContaining(['scenarios', 'binary nginx', 'binary node x.js', 'output directory', 'disk space', 'memory', 'CPU frequency governor', 'load average', 'loopback TCP']))
    expect(byName(lines, 'binary node x.js')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^the script x\.js does not exist/) })
    expect(byName(lines, 'loopback TCP')?.status).toBe('pass')
    expect(byName(lines, 'output directory')?.status).toBe('pass')
  } finally {
    busy.close()
  }
})

test('a stray instance of a system under test is reported with its pid and left running', async () => {
  const redisPort = await freePort()
  const script = join(base, 'stray', 'idle.js')
  mkdirSync(join(base, 'stray'), { recursive: true })
  writeFileSync(script, 'setInterval(() => {}, 60_000)\n')
  const redis = startProcess('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''])
  // run by a relative path from its own cwd: the scan resolves it against that cwd
  const idle = startProcess(process.execPath, ['idle.js'], { cwd: join(base, 'stray') })
  try {
    for (let i = 0; i < 100 && ((await probe({ kind: 'redis' }, '127.0.0.1', redisPort)) !== null || readlinkSync(`/proc/${idle.pid}/exe`) !== process.execPath); i++) {
      await new Promise((ok) => setTimeout(ok, 20))
    }
    const lines = await preflightOf('stray', {
      'kv.toml': scenario('kv', system('ours', 'ours', 'node', `args = ["${script}"]`) + system('redis', 'competitor', 'redis-server')),
    })
    const stray = byName(lines, 'stray redis-server')
    expect(stray?.status).toBe('warn')
    expect(stray?.detail).toContain(`pid ${redis.pid} (redis-server `)
    expect(byName(lines, 'stray node idle.js')).toMatchObject({ status: 'warn', detail: expect.stringContaining(`pid ${idle.pid} (`) })
    // reported, never stopped
    expect(() => process.kill(redis.pid, 0)).not.toThrow()
    expect(() => process.kill(idle.pid, 0)).not.toThrow()
  } finally {
    await Promise.all([redis.stop(), idle.stop()])
  }
})

test('scenario problems, an unknown --scenario name, a missing program and a debug build', async () => {
  const debug = join(base, 'debug', 'target', 'debug', 'server')
  mkdirSync(join(debug, '..'), { recursive: true })
  writeFileSync(debug, '#!/bin/sh\n')
  chmodSync(debug, 0o755)
  const lines = await preflightOf('binaries', {
    'a.toml': scenario('a', system('ours', 'ours', debug) + system('them', 'competitor', 'no-such-server-anywhere')),
  })
  expect(byName(lines, `binary ${debug}`)).toMatchObject({ status: 'warn', detail: expect.stringContaining('looks like a debug build') })
  expect(byName(lines, 'binary no-such-server-anywhere')).toMatchObject({ status: 'fail', detail: "'no-such-server-anywhere' is not on PATH (them of a)" })
  const unknown = await preflightOf('binaries', {}, ['a', 'zzz'])
  expect(byName(unknown, 'scenarios')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^no scenario named 'zzz' in .* \(there are: a\)$/) })
  const broken = await preflightOf('broken', { 'a.toml': 'name = "a"\nprotocol = "gopher"\n' })
  expect(byName(broken, 'scenarios')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/a\.toml:2: protocol: not an allowed value/) })
  expect(formatPreflight(broken)).toMatch(/^pre-flight:\n {2}FAIL {2}scenarios {2}[^\n]*a\.toml:1: systems: missing required field[^\n]*\n( {10,}[^\n]*\n)* {10,}[^\n]*a\.toml:2: protocol/)
  expect(formatPreflight(broken).split('\n').at(-1)).toMatch(/^pre-flight: \d+ pass, \d+ warn, [1-9]\d* fail$/)
})

test('host levels: memory, load average and the CPU governor', () => {
  const levels = { ...LEVELS, memory_warn_gb: 2, memory_fail_gb: 0.5, load_warn_per_core: 0.5 }
  expect(memoryCheck(levels, 0.25 * 1024 ** 3).status).toBe('fail')
  expect(memoryCheck(levels, 1 * 1024 ** 3)).toMatchObject({ status: 'warn', detail: '1.0 GB available, below 2 GB' })
  expect(memoryCheck(levels, 8 * 1024 ** 3).status).toBe('pass')
  expect(loadCheck(levels, 1.5, 2)).toMatchObject({ status: 'warn', detail: expect.stringContaining('warn above 1.00') })
  expect(loadCheck(levels, 0.4, 2).status).toBe('pass')
  const cpus = join(base, 'cpu')
  for (const [cpu, governor] of [['cpu0', 'performance'], ['cpu1', 'powersave']] as const) {
    mkdirSync(join(cpus, cpu, 'cpufreq'), { recursive: true })
    writeFileSync(join(cpus, cpu, 'cpufreq', 'scaling_governor'), `${governor}\n`)
  }
  expect(governorCheck(cpus)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^performance × 1, powersave × 1: /) })
  writeFileSync(join(cpus, 'cpu1', 'cpufreq', 'scaling_governor'), 'performance\n')
  expect(governorCheck(cpus)).toEqual({ name: 'CPU frequency governor', status: 'pass', detail: 'performance on all 2 CPUs' })
  expect(governorCheck(join(base, 'no-cpus'))).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^not exposed/) })
})
