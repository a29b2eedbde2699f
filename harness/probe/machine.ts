// The machine's facts, read through systeminformation: CPU, RAM, GPUs, NICs with link speed, OS,
// disks and file systems. Each source is read on its own with a time bound; one that fails or
// hangs leaves its part empty and says why in `errors`, so the rest is still recorded.
import si from 'systeminformation'
import type { Machine } from './schema.ts'

const GB = 1e9
const round1 = (v: number) => Math.round(v * 10) / 10

async function read<T>(name: string, fn: () => Promise<T>, fallback: T, errors: string[], timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ])
  } catch (e) {
    errors.push(`${name}: ${(e as Error).message ?? String(e)}`)
    return fallback
  } finally {
    clearTimeout(timer)
  }
}

/** A finite number ≥ 0, else null (systeminformation reports an unknown link speed as -1). */
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null)

/** The machine's facts; never throws (what could not be read is listed in `errors`). */
export async function machineFacts(timeoutMs = 10_000): Promise<Machine> {
  const errors: string[] = []
  const [cpu, mem, graphics, nics, os, disks, blocks, fs] = await Promise.all([
    read('cpu', () => si.cpu(), null, errors, timeoutMs),
    read('mem', () => si.mem(), null, errors, timeoutMs),
    read('graphics', () => si.graphics(), null, errors, timeoutMs),
    read('networkInterfaces', async () => [await si.networkInterfaces()].flat(), [], errors, timeoutMs),
    read('osInfo', () => si.osInfo(), null, errors, timeoutMs),
    read('diskLayout', () => si.diskLayout(), [], errors, timeoutMs),
    read('blockDevices', () => si.blockDevices(), [], errors, timeoutMs),
    read('fsSize', () => si.fsSize(), [], errors, timeoutMs),
  ])
  // diskLayout is empty on many VMs; the block devices of type disk stand in for it then
  const diskList = disks.length
    ? disks.map((d) => ({ name: d.device || d.name, type: d.type || d.interfaceType || 'unknown', size_gb: round1(d.size / GB), model: d.name || d.vendor || '' }))
    : blocks.filter((b) => b.type === 'disk' && b.size > 0).map((b) => ({ name: b.device || b.name, type: b.physical || 'unknown', size_gb: round1(b.size / GB), model: b.model || '' }))
  return {
    cpu: {
      model: cpu ? `${cpu.manufacturer} ${cpu.brand}`.trim() : 'unknown',
      manufacturer: cpu?.manufacturer ?? 'unknown',
      cores: cpu?.cores ?? 0,
      physical_cores: cpu?.physicalCores ?? 0,
      speed_ghz: cpu && cpu.speed > 0 ? cpu.speed : null,
    },
    ram_gb: mem ? round1(mem.total / 2 ** 30) : 0,
    gpus: (graphics?.controllers ?? []).map((g) => ({ model: g.model || 'unknown', vendor: g.vendor || 'unknown', vram_mb: num(g.vram) })),
    nics: nics.map((n) => ({
      name: n.iface,
      type: n.type || 'unknown',
      speed_mbps: num(n.speed),
      state: n.operstate || 'unknown',
      mtu: num(n.mtu),
      internal: n.internal,
      default: n.default,
    })),
    os: {
      platform: os?.platform ?? process.platform,
      distro: os?.distro ?? 'unknown',
      release: os?.release ?? 'unknown',
      kernel: os?.kernel ?? 'unknown',
      arch: os?.arch ?? process.arch,
      hostname: os?.hostname ?? 'unknown',
    },
    disks: diskList,
    filesystems: fs.map((f) => ({ mount: f.mount, type: f.type, size_gb: round1(f.size / GB) })),
    errors,
  }
}
