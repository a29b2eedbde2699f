// A job's saved samples as captures for analysis. Each sample file is the verbatim output of
// `vscsiStats -p all -c`; its time comes from job.json. Every `vscsiStats -s` the daemon issued
// (start, re-issue before the ~30-minute self-stop, resume) restarted the cumulative counters, so
// the captures are split into runs at those points and each run is differenced on its own, from
// a zero baseline at its -s: N samples give N intervals, and no interval spans a restart.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { intervalSamples, parseCapture } from '../format/capture.ts'
import type { Capture, DiskHistograms, IntervalSample } from '../types.ts'
import { readJob, type Job } from './state.ts'

/** Parses a capture as it arrives; returns how many disks it holds (throws VscsiFormatError). */
export function checkCapture(text: string, file: string): number {
  return parseCapture(text, file).length
}

function keep(job: Job): (d: DiskHistograms) => boolean {
  if (!job.luns.length || !job.disks?.length) return () => true
  const handles = new Set(job.disks.map((d) => d.handle_id))
  return (d) => d.disk.worldGroupId === job.world_group_id && handles.has(d.disk.handleId)
}

/** Every saved sample of the job, parsed, in order (only the chosen disks when --lun was given). */
export function loadJobCaptures(dir: string): Capture[] {
  return loadJobRuns(dir).flatMap((run) => run.captures)
}

export interface CaptureRun {
  /** When the -s that started this run was issued (null: unknown, e.g. a job.json without starts). */
  started: string | null
  captures: Capture[]
}

/** The saved samples grouped by the `vscsiStats -s` they follow. */
export function loadJobRuns(dir: string): CaptureRun[] {
  const job = readJob(dir)
  const wanted = keep(job)
  const starts = [...job.starts].sort((a, b) => a.after_seq - b.after_seq)
  const runs: CaptureRun[] = []
  let current: CaptureRun | undefined
  let startIndex = -1
  for (const s of job.samples) {
    let i = startIndex
    while (i + 1 < starts.length && starts[i + 1]!.after_seq < s.seq) i++
    if (!current || i !== startIndex) {
      startIndex = i
      current = { started: i >= 0 ? starts[i]!.at : null, captures: [] }
      runs.push(current)
    }
    const file = join(dir, s.file)
    const disks = parseCapture(readFileSync(file, 'utf8'), file).filter(wanted)
    current.captures.push({ at: s.at, disks })
  }
  return runs
}

/** A capture with the same disks and histograms, every figure zero: the state right after -s. */
export function zeroCapture(like: Capture, at: string): Capture {
  return {
    at,
    disks: like.disks.map((d) => ({
      disk: { ...d.disk },
      histograms: d.histograms.map((h) => ({ ...h, count: 0, min: 0, max: 0, mean: 0, buckets: h.buckets.map((b) => ({ limit: b.limit, frequency: 0 })) })),
    })),
  }
}

/** The job's per-interval samples: each run differenced from a zero baseline at its -s. */
export function jobIntervalSamples(dir: string): IntervalSample[] {
  const out: IntervalSample[] = []
  for (const run of loadJobRuns(dir)) {
    const first = run.captures[0]
    if (!first) continue
    const base = run.started !== null && Date.parse(run.started) < Date.parse(first.at) ? [zeroCapture(first, run.started)] : []
    out.push(...intervalSamples([...base, ...run.captures]))
  }
  return out
}
