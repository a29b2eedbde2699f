// The machine's side of the pre-flight (preflight.ts): is this host fit to measure on?
//   output    the results folder can be written: a probe file is created and removed in it, or in
//             its nearest existing parent when it does not exist yet (nothing is left behind)
//   disk      free space of that volume (statfs): fail below disk_fail_gb, warn below disk_warn_gb
//             (defaults 5 and 10 GB, from the configuration)
//   memory    MemAvailable from /proc/meminfo (os.freemem() elsewhere): fail / warn levels likewise
//   governor  /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor: all `performance` passes;
//             another governor (powersave, ondemand, schedutil) warns, since frequency scaling moves
//             latency between trials; no cpufreq (VMs, containers) passes as "not exposed"
//   load      the 1-minute load average: warn above cores × load_warn_per_core (a busy machine)
//   loopback  a TCP listener on 127.0.0.1:0 accepts a connection and echoes a byte (no `ping`,
//             which may be missing or forbidden)
import { existsSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { availableParallelism, freemem, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { LOOPBACK } from '../run/ports.ts'

export type PreflightStatus = 'pass' | 'warn' | 'fail'

export interface PreflightLine {
  name: string
  status: PreflightStatus
  detail: string
}

/** Levels from the configuration's competitive.preflight section. */
export interface PreflightLevels {
  disk_warn_gb: number
  disk_fail_gb: number
  memory_warn_gb: number
  memory_fail_gb: number
  load_warn_per_core: number
}

const GB = 1024 ** 3
const gb = (bytes: number) => `${(bytes / GB).toFixed(1)} GB`

/** `dir`, or its nearest parent that exists. */
function existingAncestor(dir: string): string {
  let d = resolve(dir)
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d)
  return d
}

export function outputCheck(outDir: string): PreflightLine {
  const at = existingAncestor(outDir)
  const probe = join(at, `.benchgate-preflight-${process.pid}`)
  try {
    writeFileSync(probe, '')
    rmSync(probe, { force: true })
    return { name: 'output directory', status: 'pass', detail: `${outDir} is writable${at === resolve(outDir) ? '' : ` (to be created under ${at})`}` }
  } catch (e) {
    return { name: 'output directory', status: 'fail', detail: `cannot write in ${at} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another results folder` }
  }
}

/** Classifies `value` (bytes) against fail and warn levels given in GB. */
function level(name: string, value: number, failGb: number, warnGb: number, what: string): PreflightLine {
  if (value < failGb * GB) return { name, status: 'fail', detail: `${gb(value)} ${what}, below the ${failGb} GB needed` }
  if (value < warnGb * GB) return { name, status: 'warn', detail: `${gb(value)} ${what}, below ${warnGb} GB` }
  return { name, status: 'pass', detail: `${gb(value)} ${what}` }
}

export function diskCheck(outDir: string, levels: PreflightLevels): PreflightLine {
  const at = existingAncestor(outDir)
  try {
    const s = statfsSync(at)
    return level('disk space', s.bavail * s.bsize, levels.disk_fail_gb, levels.disk_warn_gb, `free on the volume of ${at}`)
  } catch (e) {
    return { name: 'disk space', status: 'warn', detail: `cannot tell the free space of ${at} (${(e as NodeJS.ErrnoException).code})` }
  }
}

function availableMemory(meminfo = '/proc/meminfo'): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync(meminfo, 'utf8'))
    if (m) return Number(m[1]) * 1024
  } catch {
    // not Linux
  }
  return freemem()
}

export function memoryCheck(levels: PreflightLevels, available = availableMemory()): PreflightLine {
  return level('memory', available, levels.memory_fail_gb, levels.memory_warn_gb, 'available')
}

export function governorCheck(cpuRoot = '/sys/devices/system/cpu'): PreflightLine {
  const counts = new Map<string, number>()
  let cpus: string[] = []
  try {
    cpus = readdirSync(cpuRoot).filter((d) => /^cpu\d+$/.test(d))
  } catch {
    // no sysfs
  }
  for (const cpu of cpus) {
    try {
      const g = readFileSync(join(cpuRoot, cpu, 'cpufreq/scaling_governor'), 'utf8').trim()
      counts.set(g, (counts.get(g) ?? 0) + 1)
    } catch {
      // this CPU exposes no cpufreq
    }
  }
  const name = 'CPU frequency governor'
  if (counts.size === 0) return { name, status: 'pass', detail: 'not exposed (no cpufreq: a VM or container, frequency not scaled by this OS)' }
  const list = [...counts].map(([g, n]) => `${g} × ${n}`).join(', ')
  if (counts.size === 1 && counts.has('performance')) return { name, status: 'pass', detail: `performance on all ${counts.get('performance')} CPUs` }
  return { name, status: 'warn', detail: `${list}: frequency scaling can move latency between trials (hint: cpupower frequency-set -g performance)` }
}

export function loadCheck(levels: PreflightLevels, load1 = loadavg()[0]!, cores = availableParallelism()): PreflightLine {
  const limit = cores * levels.load_warn_per_core
  const detail = `1-minute load ${load1.toFixed(2)} on ${cores} cores (warn above ${limit.toFixed(2)})`
  return { name: 'load average', status: load1 > limit ? 'warn' : 'pass', detail: load1 > limit ? `${detail}: the machine is busy, figures will be noisy` : detail }
}

export function loopbackCheck(timeoutMs = 2000): Promise<PreflightLine> {
  const name = 'loopback TCP'
  return new Promise((done) => {
    const started = performance.now()
    const server = createServer((s) => s.pipe(s))
    const finish = (line: PreflightLine) => {
      clearTimeout(timer)
      server.close()
      done(line)
    }
    const timer = setTimeout(() => finish({ name, status: 'fail', detail: `no echo from ${LOOPBACK} within ${timeoutMs} ms` }), timeoutMs)
    server.once('error', (e: NodeJS.ErrnoException) => finish({ name, status: 'fail', detail: `cannot listen on ${LOOPBACK} (${e.code ?? e.message})` }))
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as { port: number }
      const socket = createConnection({ host: LOOPBACK, port })
      socket.once('connect', () => socket.write('x'))
      socket.once('data', () => {
        socket.destroy()
        finish({ name, status: 'pass', detail: `${LOOPBACK} connect and echo in ${(performance.now() - started).toFixed(1)} ms` })
      })
      socket.once('error', (e: NodeJS.ErrnoException) => {
        socket.destroy()
        finish({ name, status: 'fail', detail: `cannot connect to ${LOOPBACK}:${port} (${e.code ?? e.message})` })
      })
    })
  })
}
