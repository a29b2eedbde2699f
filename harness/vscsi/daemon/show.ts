// How jobs and hosts look on the terminal: what a storage engineer checks at a glance (progress
// `18/30 samples`, next sample, expected completion, errors, whether vscsiStats -x ran).
import type { VmInfo } from './discover.ts'
import type { Job } from './state.ts'

/** 2026-11-24 16:30:05Z */
export function clock(iso: string | undefined): string {
  if (!iso) return '-'
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** 42 s, 12 min 5 s, 3 h 4 min */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`
  const m = Math.floor(s / 60)
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`
}

const when = (iso: string | undefined, now: number) => {
  if (!iso) return '-'
  const d = Date.parse(iso) - now
  return `${clock(iso)} (${d >= 0 ? `in ${duration(d)}` : `${duration(-d)} ago`})`
}

export const progress = (job: Job) => `${job.samples.length}/${job.profile.samples} samples`

function diskList(job: Job): string {
  if (job.disks?.length) return job.disks.map((d) => `${d.device || '?'} (handleID ${d.handle_id})`).join(', ')
  return job.luns.length ? job.luns.join(', ') : 'all'
}

export function cleanupLine(job: Job): string {
  const c = job.cleanup
  if (c.status === 'done') return `done${c.message ? ` (${c.message})` : c.manual_command ? ` (${c.manual_command} ran ${clock(c.at)})` : ''}`
  if (c.status === 'failed') return `FAILED: ${c.message ?? 'unknown'}; run on the host: ${c.manual_command} (or vscsi-helper cleanup ${job.id})`
  if (job.status === 'running' || job.status === 'pending') return `pending (${c.manual_command ?? 'vscsiStats -x'} runs when the job ends)`
  return `pending: vscsiStats -x has not run; vscsi-helper cleanup ${job.id}${c.manual_command ? ` or on the host: ${c.manual_command}` : ''}`
}

export function statusText(job: Job, now = Date.now()): string {
  const rows: [string, string][] = [
    ['job', job.id],
    ['name', job.name],
    ['status', `${job.status}  ${progress(job)}`],
    ['host', `${job.host} (${job.user}@${job.address})`],
    ['vm', `${job.vm}${job.world_group_id !== undefined ? `  worldGroupID ${job.world_group_id}` : ''}`],
    ['disks', diskList(job)],
    ['profile', `${job.profile.name}: ${job.profile.samples} samples × ${job.profile.interval_s} s (${duration(job.profile.samples * job.profile.interval_s * 1000)})`],
    ['created', clock(job.created)],
    ['started', clock(job.started)],
  ]
  if (job.status === 'running' || job.status === 'pending') {
    rows.push(['next sample', when(job.next_sample_at, now)], ['expected end', when(job.expected_completion, now)])
  } else {
    rows.push(['ended', clock(job.ended)])
  }
  if (job.samples.length) rows.push(['last sample', `#${job.samples.at(-1)!.seq} at ${clock(job.samples.at(-1)!.at)}`])
  if (job.starts.length > 1) {
    rows.push(['-s issued', job.starts.map((s) => `${clock(s.at)} ${s.reason} (after ${s.after_seq})`).join('; ') + ' — each is a new baseline'])
  }
  if (job.resumed.length) rows.push(['resumed', job.resumed.map(clock).join(', ')])
  rows.push(['errors', job.errors.length ? `${job.errors.length}` : 'none'])
  rows.push(['cleanup', cleanupLine(job)])
  const width = Math.max(...rows.map(([k]) => k.length))
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)
  for (const e of job.errors.slice(-10)) lines.push(`  ${clock(e.at)}  ${e.message}`)
  if (job.errors.length > 10) lines.push(`  (${job.errors.length - 10} earlier errors in job.json)`)
  return lines.join('\n')
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')
}

export function listText(jobs: readonly Job[]): string {
  if (!jobs.length) return 'no jobs'
  return table(
    ['JOB', 'STATUS', 'SAMPLES', 'HOST', 'VM', 'PROFILE', 'CREATED', 'ERRORS'],
    jobs.map((j) => [j.id, j.status, `${j.samples.length}/${j.profile.samples}`, j.host, j.vm, j.profile.name, clock(j.created), String(j.errors.length)]),
  )
}

export function discoverText(host: string, address: string, vms: readonly VmInfo[]): string {
  if (!vms.length) return `${host} (${address}): no VM with virtual disks (vscsiStats -l listed none)`
  const rows: string[][] = []
  for (const vm of vms) {
    const disks = vm.disks.length ? vm.disks : [{ handleId: -1, device: '' }]
    disks.forEach((d, i) => rows.push([
      i === 0 ? vm.name : '',
      i === 0 ? String(vm.worldGroupId) : '',
      i === 0 ? (vm.worldId !== undefined ? String(vm.worldId) : '-') : '',
      d.device || '-',
      d.handleId >= 0 ? String(d.handleId) : '-',
      i === 0 ? (vm.configFile ?? '') : '',
    ]))
  }
  return `${host} (${address}): ${vms.length} VM${vms.length === 1 ? '' : 's'}\n` +
    table(['VM', 'WORLDGROUPID', 'WORLD ID', 'DISK', 'HANDLEID', 'CONFIG FILE'], rows)
}
