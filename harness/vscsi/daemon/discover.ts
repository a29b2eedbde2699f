// What runs on an ESXi host: its VMs (esxcli vm process list) and their virtual disks with the
// worldGroupID and handle IDs vscsiStats uses (vscsiStats -l), merged by display name.
import type { Remote } from './ssh.ts'
import { parseProcessList, parseVscsiList } from '../format/esxi.ts'

export interface VmInfo {
  name: string
  worldGroupId: number
  worldId?: number
  processId?: number
  cartelId?: number
  configFile?: string
  disks: { handleId: number; device: string }[]
}

export const LIST_COMMAND = 'vscsiStats -l'
export const PROCESS_LIST_COMMAND = 'esxcli vm process list'

const firstLine = (s: string) => s.trim().split('\n')[0]?.trim() ?? ''

/** Runs vscsiStats -l (required) and esxcli vm process list (optional, adds world and process IDs). */
export async function discoverVms(remote: Remote): Promise<VmInfo[]> {
  const list = await remote.exec(LIST_COMMAND)
  if (list.code !== 0) throw new Error(`${LIST_COMMAND} failed (exit ${list.code}): ${firstLine(list.stderr || list.stdout) || 'no message'}`)
  const disks = parseVscsiList(list.stdout, LIST_COMMAND)
  const procs = await remote.exec(PROCESS_LIST_COMMAND).catch(() => null)
  const processes = procs && procs.code === 0 ? parseProcessList(procs.stdout, PROCESS_LIST_COMMAND) : []
  const vms = new Map<number, VmInfo>()
  for (const d of disks) {
    let vm = vms.get(d.worldGroupId)
    if (!vm) {
      vm = { name: d.vm ?? `worldGroupID ${d.worldGroupId}`, worldGroupId: d.worldGroupId, disks: [] }
      vms.set(d.worldGroupId, vm)
    }
    if (d.handleId >= 0 && !vm.disks.some((x) => x.handleId === d.handleId)) vm.disks.push({ handleId: d.handleId, device: d.device })
  }
  for (const vm of vms.values()) {
    const p = processes.find((x) => x.displayName === vm.name || x.vmxCartelId === vm.worldGroupId)
    if (!p) continue
    vm.worldId = p.worldId
    vm.processId = p.processId
    vm.cartelId = p.vmxCartelId
    vm.configFile = p.configFile
    if (vm.name.startsWith('worldGroupID ')) vm.name = p.displayName
  }
  return [...vms.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/** The VM (by display name or worldGroupID) and the requested disks (scsi0:0 or handle ID; none = all). */
export function findVm(vms: readonly VmInfo[], wanted: string, luns: readonly string[], host: string): { vm: VmInfo; disks: VmInfo['disks'] } {
  const vm = vms.find((v) => v.name === wanted) ?? vms.find((v) => String(v.worldGroupId) === wanted)
    ?? vms.find((v) => v.name.toLowerCase() === wanted.toLowerCase())
  if (!vm) {
    const names = vms.map((v) => `${v.name} (${v.worldGroupId})`).join(', ') || 'none'
    throw new Error(`VM '${wanted}' not found on ${host} by vscsiStats -l; VMs there: ${names} (run vscsi-helper discover ${host})`)
  }
  if (luns.length === 0) return { vm, disks: vm.disks }
  const disks: VmInfo['disks'] = []
  for (const lun of luns) {
    const d = vm.disks.find((x) => x.device === lun || String(x.handleId) === lun)
    if (!d) {
      throw new Error(`disk '${lun}' not found on VM ${vm.name}; its disks: ${vm.disks.map((x) => `${x.device} (handleID ${x.handleId})`).join(', ') || 'none'}`)
    }
    disks.push(d)
  }
  return { vm, disks }
}
