// The ESXi listings discovery reads: `esxcli vm process list` and `vscsiStats -l`.
//
// esxcli vm process list — one block per running VM, separated by blank lines:
//
//   vm01
//      World ID: 2099980
//      Process ID: 0
//      VMX Cartel ID: 2099979
//      UUID: 56 4d 8e 1a 2b 3c 4d 5e-6f 70 81 92 a3 b4 c5 d6
//      Display Name: vm01
//      Config File: /vmfs/volumes/datastore1/vm01/vm01.vmx
//
// vscsiStats -l — one line per VM, then one line per virtual disk, then a closing brace:
//
//   Virtual Machine worldGroupID: 2099979, Virtual Machine Display Name: vm01, Virtual Machine Config File: /vmfs/volumes/datastore1/vm01/vm01.vmx, {
//    Virtual SCSI Disk handleID: 8194 (scsi0:0)
//    Virtual SCSI Disk handleID: 8195 (scsi0:1)
//   }
//
// Both parsers are lenient about extra fields, spacing, CRLF and banner lines; what they cannot
// use (a field with a non-number, a disk outside any VM, a block without World ID) is a
// VscsiFormatError naming the file and line.

import type { DiskId } from '../types.ts'
import { VscsiFormatError } from './capture.ts'

export interface VmProcess {
  worldId: number
  processId: number
  vmxCartelId: number
  displayName: string
  configFile: string
  /** The block's first (unindented) line. */
  name: string
  /** The BIOS UUID as printed, when present. */
  uuid?: string
}

const PROCESS_FIELDS: Record<string, keyof VmProcess> = {
  'world id': 'worldId',
  'process id': 'processId',
  'vmx cartel id': 'vmxCartelId',
  uuid: 'uuid',
  'display name': 'displayName',
  'config file': 'configFile',
}
const NUMERIC = new Set<keyof VmProcess>(['worldId', 'processId', 'vmxCartelId'])

function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)
}

/** Parses `esxcli vm process list`. Process ID and Config File default to 0 and ''. */
export function parseProcessList(text: string, file: string): VmProcess[] {
  const lines = splitLines(text)
  const out: VmProcess[] = []
  let cur: { p: Partial<VmProcess>; line: number; indent: number } | undefined
  const close = () => {
    if (!cur) return
    for (const need of ['worldId', 'vmxCartelId'] as const) {
      if (cur.p[need] === undefined) {
        throw new VscsiFormatError({
          file,
          line: cur.line,
          field: need === 'worldId' ? 'World ID' : 'VMX Cartel ID',
          message: `VM '${cur.p.name}' has no ${need === 'worldId' ? 'World ID' : 'VMX Cartel ID'} line`,
          expected: 'an indented `World ID: N` and `VMX Cartel ID: N` under the VM name',
          hint: 'check that the file is unmodified output of `esxcli vm process list`',
        })
      }
    }
    const p = cur.p
    out.push({
      worldId: p.worldId!,
      processId: p.processId ?? 0,
      vmxCartelId: p.vmxCartelId!,
      displayName: p.displayName ?? p.name!,
      configFile: p.configFile ?? '',
      name: p.name!,
      ...(p.uuid !== undefined ? { uuid: p.uuid } : {}),
    })
    cur = undefined
  }
  lines.forEach((rawLine, i) => {
    const line = rawLine.replace(/\s+$/, '')
    if (line === '') return
    const indent = line.length - line.trimStart().length
    const m = /^\s*([A-Za-z][A-Za-z ]*?)\s*:\s?(.*)$/.exec(line)
    const key = m ? PROCESS_FIELDS[m[1]!.toLowerCase()] : undefined
    if (cur && m && (key || indent > cur.indent)) {
      if (!key) return // an extra field this parser does not use
      const value = m[2]!.trim()
      if (NUMERIC.has(key)) {
        if (!/^\d+$/.test(value)) {
          throw new VscsiFormatError({ file, line: i + 1, field: m[1]!, message: `'${value}' is not a number`, expected: 'an integer', hint: 'check that the file is unmodified output of `esxcli vm process list`' })
        }
        ;(cur.p as Record<string, unknown>)[key] = Number(value)
      } else {
        ;(cur.p as Record<string, unknown>)[key] = value
      }
      return
    }
    if (!cur && key && indent > 0) {
      throw new VscsiFormatError({ file, line: i + 1, field: m![1]!, message: `'${m![1]}' before any VM name line`, expected: 'a VM name line, then its indented fields', hint: 'check that the file is unmodified output of `esxcli vm process list`' })
    }
    // A new block: the VM's name at the left margin.
    close()
    cur = { p: { name: line.trim() }, line: i + 1, indent }
  })
  close()
  return out
}

/** Writes `esxcli vm process list` as ESXi prints it. */
export function renderProcessList(vms: readonly (Omit<VmProcess, 'name'> & { name?: string })[]): string {
  return vms
    .map((v) =>
      [
        v.name ?? v.displayName,
        `   World ID: ${v.worldId}`,
        `   Process ID: ${v.processId}`,
        `   VMX Cartel ID: ${v.vmxCartelId}`,
        `   UUID: ${v.uuid ?? fakeUuid(v.worldId)}`,
        `   Display Name: ${v.displayName}`,
        `   Config File: ${v.configFile}`,
        '',
      ].join('\n'),
    )
    .join('\n')
}

function fakeUuid(n: number): string {
  const hex = (n >>> 0).toString(16).padStart(8, '0')
  const b = `564d0000${hex}0000000000000000`.slice(0, 32).match(/../g)!
  return `${b.slice(0, 8).join(' ')}-${b.slice(8).join(' ')}`
}

/** Parses `vscsiStats -l` leniently into its disks (each with the VM's display name). */
export function parseVscsiList(text: string, file: string): DiskId[] {
  const out: DiskId[] = []
  let vm: { worldGroupId: number; name?: string } | undefined
  splitLines(text).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '') return
    const wg = /worldGroupID\s*:\s*([^,\s{]*)/i.exec(line)
    if (wg) {
      if (!/^\d+$/.test(wg[1]!)) {
        throw new VscsiFormatError({ file, line: i + 1, field: 'worldGroupID', message: `'${wg[1]}' is not a number`, expected: 'an integer', hint: 'check that the file is unmodified output of `vscsiStats -l`' })
      }
      const name = /Display Name\s*:\s*(.*?)\s*(?:,\s*Virtual Machine Config File\s*:|,\s*\{\s*$|\{\s*$|$)/i.exec(line)
      vm = { worldGroupId: Number(wg[1]), ...(name && name[1] ? { name: name[1] } : {}) }
    }
    const h = /handleID\s*:\s*([^\s(,]*)\s*(?:\(([^)]*)\))?/i.exec(line)
    if (h) {
      if (!/^\d+$/.test(h[1]!)) {
        throw new VscsiFormatError({ file, line: i + 1, field: 'handleID', message: `'${h[1]}' is not a number`, expected: 'an integer', hint: 'check that the file is unmodified output of `vscsiStats -l`' })
      }
      if (!vm) {
        throw new VscsiFormatError({ file, line: i + 1, field: 'handleID', message: 'a virtual disk before any `Virtual Machine worldGroupID:` line', expected: 'the VM line first', hint: 'check that the file is unmodified output of `vscsiStats -l`' })
      }
      out.push({ worldGroupId: vm.worldGroupId, handleId: Number(h[1]), device: h[2]?.trim() ?? '', ...(vm.name !== undefined ? { vm: vm.name } : {}) })
      return
    }
    if (line === '}') vm = undefined
  })
  return out
}

/**
 * Writes `vscsiStats -l` as ESXi prints it, grouping disks by worldGroupID in first-seen order.
 * `configFiles` maps worldGroupID to the .vmx path (default /vmfs/volumes/datastore1/<vm>/<vm>.vmx).
 */
export function renderVscsiList(disks: readonly DiskId[], configFiles: Readonly<Record<number, string>> = {}): string {
  const groups = new Map<number, DiskId[]>()
  for (const d of disks) {
    const g = groups.get(d.worldGroupId)
    if (g) g.push(d)
    else groups.set(d.worldGroupId, [d])
  }
  const out: string[] = []
  for (const [wg, ds] of groups) {
    const name = ds.find((d) => d.vm)?.vm ?? `vm-${wg}`
    const config = configFiles[wg] ?? `/vmfs/volumes/datastore1/${name}/${name}.vmx`
    out.push(`Virtual Machine worldGroupID: ${wg}, Virtual Machine Display Name: ${name}, Virtual Machine Config File: ${config}, {`)
    for (const d of ds) out.push(` Virtual SCSI Disk handleID: ${d.handleId}${d.device ? ` (${d.device})` : ''}`)
    out.push('}')
  }
  return out.join('\n') + (out.length ? '\n' : '')
}
