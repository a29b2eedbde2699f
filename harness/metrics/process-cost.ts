// What one process has cost so far, read from /proc: CPU seconds (user + system) and peak
// resident memory (VmHWM). Used to hold the sampler (or any tool) to an overhead budget.
import { readFileSync } from 'node:fs'
import { machine } from './procfs.ts'

export interface ProcessCost {
  cpuSeconds: number
  peakRssMb: number
}

export function processCost(pid: number): ProcessCost {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is state (stat field 3); utime and stime are stat fields 14 and 15
  const ticks = Number(fields[11]) + Number(fields[12])
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return { cpuSeconds: ticks / machine().clockTicks, peakRssMb: hwm ? (Number(hwm[1]) * 1024) / 1e6 : Number.NaN }
}
