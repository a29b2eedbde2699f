// Stand-in for ESXi's `vscsiStats` and `esxcli` on the test sshd (harness/vscsi/daemon/test-sshd.ts
// puts shell wrappers named vscsiStats and esxcli first on the session's PATH; they run
//   node stub/esxi.ts <vscsiStats|esxcli> ARGS…
// with BENCHGATE_ESXI_STUB=<dir>). It prints the real formats through the format helpers, with
// cumulative histograms that grow with the time since the last `-s` (synth.captureAt):
//   vscsiStats -l                      every VM's disks
//   vscsiStats -s -w WGID              records the start time in <dir>/state.json
//   vscsiStats -p all -c -w WGID [-i H] the cumulative capture now (nothing if not started, or
//                                      after host.json's auto_stop_s, like the 30-minute limit)
//   vscsiStats -x -w WGID              forgets the start (fails when host.json says fail_x)
//   esxcli vm process list             the VM blocks
// <dir>/host.json describes the VMs; every call is appended to <dir>/calls.log.
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from '../../../run/atomic.ts'
import { renderCapture } from '../../format/capture.ts'
import { renderProcessList, renderVscsiList } from '../../format/esxi.ts'
import { captureAt, EXAMPLE_WORKLOAD, type WorkloadSpec } from '../../synth.ts'
import type { DiskId } from '../../types.ts'

export interface StubVm {
  name: string
  worldGroupId: number
  worldId: number
  disks: { handleId: number; device: string }[]
}

export interface StubHost {
  vms: StubVm[]
  seed: number
  /** Spacing of the synthetic workload's intervals, seconds. */
  interval_s: number
  /** Collection stops by itself this long after -s (ESXi: about 1800 s). */
  auto_stop_s?: number
  /** vscsiStats -x exits 1 (to test a failed cleanup). */
  fail_x?: boolean
  workload?: Partial<WorkloadSpec>
}

type StubState = { started: Record<string, number> }

function main(argv: string[]): number {
  const dir = process.env.BENCHGATE_ESXI_STUB
  if (!dir) {
    process.stderr.write('stub: BENCHGATE_ESXI_STUB is not set\n')
    return 3
  }
  const host = JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8')) as StubHost
  const statePath = join(dir, 'state.json')
  const state: StubState = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as StubState) : { started: {} }
  const [tool, ...args] = argv
  appendFileSync(join(dir, 'calls.log'), `${new Date().toISOString()} ${tool} ${args.join(' ')}\n`)
  const out = (s: string) => process.stdout.write(s)
  const disksOf = (vm: StubVm): DiskId[] => vm.disks.map((d) => ({ worldGroupId: vm.worldGroupId, handleId: d.handleId, device: d.device, vm: vm.name }))

  if (tool === 'esxcli') {
    if (args.join(' ') !== 'vm process list') {
      process.stderr.write(`Error: Unknown command or namespace ${args.join(' ')}\n`)
      return 1
    }
    out(renderProcessList(host.vms.map((v) => ({ worldId: v.worldId, processId: 0, vmxCartelId: v.worldGroupId, displayName: v.name, configFile: `/vmfs/volumes/datastore1/${v.name}/${v.name}.vmx` }))))
    return 0
  }
  if (tool !== 'vscsiStats') {
    process.stderr.write(`stub: unknown tool ${tool}\n`)
    return 127
  }
  const flag = (f: string) => args.includes(f)
  const value = (f: string) => {
    const i = args.indexOf(f)
    return i >= 0 ? args[i + 1] : undefined
  }
  if (flag('-l')) {
    out(renderVscsiList(host.vms.flatMap(disksOf)))
    return 0
  }
  const wgid = value('-w')
  const vm = host.vms.find((v) => String(v.worldGroupId) === wgid)
  if (!vm) {
    process.stderr.write(`vscsiStats: worldGroupID ${wgid ?? '(none)'} not found\n`)
    return 1
  }
  const handles = vm.disks.map((d) => `handleID ${d.handleId} (${d.device})`)
  if (flag('-s')) {
    state.started[vm.worldGroupId] = Date.now()
    writeFileAtomic(statePath, JSON.stringify(state))
    out(handles.map((h) => `vscsiStats: Starting Vscsi stats collection for worldGroup ${vm.worldGroupId}, ${h}\n`).join('') + 'Success.\n')
    return 0
  }
  if (flag('-x')) {
    if (host.fail_x) {
      process.stderr.write(`vscsiStats: Failed to stop collection for worldGroup ${vm.worldGroupId}: Busy\n`)
      return 1
    }
    delete state.started[vm.worldGroupId]
    writeFileAtomic(statePath, JSON.stringify(state))
    out(handles.map((h) => `vscsiStats: Stopping all Vscsi Stats collection for worldGroup ${vm.worldGroupId}, ${h}\n`).join('') + 'Success.\n')
    return 0
  }
  if (flag('-p')) {
    const started = state.started[vm.worldGroupId]
    const elapsed = started === undefined ? NaN : (Date.now() - started) / 1000
    if (started === undefined || (host.auto_stop_s !== undefined && elapsed > host.auto_stop_s)) return 0
    const only = value('-i')
    const disks = disksOf(vm).filter((d) => only === undefined || String(d.handleId) === only)
    const workload = { ...EXAMPLE_WORKLOAD, ...host.workload }
    const capture = captureAt({ disks, intervalS: host.interval_s, seed: host.seed, start: new Date(started), workload: () => workload }, elapsed)
    out(renderCapture(capture.disks))
    return 0
  }
  process.stderr.write('usage: vscsiStats [-l] [-s|-x|-p all -c] [-w worldGroupID] [-i handleID]\n')
  return 1
}

process.exitCode = main(process.argv.slice(2))
