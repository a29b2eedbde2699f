// Cold caches for a copy run, failing closed. Before every measured Cold run the page cache is
// dropped: on Linux `sync`, then /proc/sys/vm/drop_caches ← 3 (root); without that right the
// source and destination trees are evicted file by file with `vmtouch -e` (Debian vmtouch,
// posix_fadvise DONTNEED in one process, no privilege needed); on Windows ps1/Clear-StandbyList.ps1
// (administrator). Then what is still resident of the source is measured (`vmtouch`), so a run
// records the cache state it really had. A run whose drop did not happen, or whose source stayed
// more than RESIDENT_LIMIT resident, is not Cold: it is marked, and the workload's Cold gate fails
// — never silently warm.
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'

export type DropMethod = 'drop_caches' | 'vmtouch' | 'standby-list' | 'none'

export interface ColdRun {
  /** True when the drop happened and the source was (almost) not resident afterwards. */
  cold: boolean
  method: DropMethod
  /** Fraction of the source's pages resident after the drop (null: not measurable here). */
  resident: number | null
  /** Why it is not Cold, when it is not. */
  detail?: string
}

/** At most this fraction of the source may stay resident for a run to count as Cold. */
export const RESIDENT_LIMIT = 0.02

const PS1 = resolve(import.meta.dirname, '../../ps1/Clear-StandbyList.ps1')

/** Fraction of the pages of the files under `dirs` in the page cache (vmtouch), or null. */
export function residentFraction(dirs: readonly string[]): number | null {
  const r = spawnSync('vmtouch', ['-f', ...dirs], { encoding: 'utf8' })
  if (r.status !== 0 || r.error) return null
  const m = /Resident Pages:\s+(\d+)\/(\d+)/.exec(r.stdout)
  if (!m) return null
  const total = Number(m[2])
  return total === 0 ? 0 : Number(m[1]) / total
}

function drop(dirs: readonly string[]): { method: DropMethod; detail?: string } {
  if (process.platform === 'win32') {
    if (!existsSync(PS1)) return { method: 'none', detail: `${PS1} is missing` }
    const r = spawnSync('powershell.exe', ['-NoProfile', '-ExecutionPolicy', 'Bypass', '-File', PS1], { encoding: 'utf8' })
    return r.status === 0 ? { method: 'standby-list' } : { method: 'none', detail: (r.stderr || r.stdout || String(r.error)).trim().split('\n')[0] }
  }
  if (process.platform !== 'linux') return { method: 'none', detail: `no cache-dropping method on ${process.platform}` }
  spawnSync('sync')
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3')
    return { method: 'drop_caches' }
  } catch (e) {
    const why = `/proc/sys/vm/drop_caches: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`
    const r = spawnSync('vmtouch', ['-e', '-q', ...dirs.filter((d) => existsSync(d))], { encoding: 'utf8' })
    if (r.status === 0 && !r.error) return { method: 'vmtouch', detail: `${why}; evicted the trees with vmtouch -e` }
    const vm = r.error ? 'vmtouch is not installed (run `bash scripts/install-debian-packages.sh`)' : `vmtouch -e failed: ${r.stderr.trim().split('\n')[0]}`
    return { method: 'none', detail: `${why}; ${vm}` }
  }
}

/** Drops the page cache for a run that reads `source` and writes `dirs`; says what it achieved. */
export function makeCold(source: string, dirs: readonly string[] = []): ColdRun {
  const d = drop([source, ...dirs])
  const resident = process.platform === 'linux' ? residentFraction([source]) : null
  if (d.method === 'none') return { cold: false, method: d.method, resident, detail: d.detail ?? 'the cache was not dropped' }
  if (resident !== null && resident > RESIDENT_LIMIT) {
    return { cold: false, method: d.method, resident, detail: `${(resident * 100).toFixed(1)} % of the source stayed in the page cache after ${d.method}` }
  }
  return { cold: true, method: d.method, resident, ...(d.detail ? { detail: d.detail } : {}) }
}

/** What a workload's Cold runs achieved, for run.json and the decision. */
export function coldSummary(runs: readonly ColdRun[]): { cold: boolean; runs: number; not_cold: number; methods: DropMethod[]; max_resident: number | null; detail?: string } {
  const notCold = runs.filter((r) => !r.cold)
  const resident = runs.map((r) => r.resident).filter((r): r is number => r !== null)
  return {
    cold: runs.length > 0 && notCold.length === 0,
    runs: runs.length,
    not_cold: notCold.length,
    methods: [...new Set(runs.map((r) => r.method))],
    max_resident: resident.length ? Math.max(...resident) : null,
    ...(notCold[0]?.detail ? { detail: notCold[0].detail } : {}),
  }
}
