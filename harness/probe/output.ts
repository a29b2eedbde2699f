// Writes a probe's results into its output directory, each file atomically:
//   baseline.json          validated against ProbeBaselineSchema before it is written
//   baseline_summary.txt   ./summary.ts
//   charts/<name>.svg/.png ./charts.ts
// Every text passes through the run's Scrubber first, so no SAS signature or key reaches a file.
import { join } from 'node:path'
import { writeChart } from '../charts/output.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import type { NamedChart } from './charts.ts'
import { ProbeBaselineSchema, type ProbeBaseline } from './schema.ts'
import type { Scrubber } from './scrub.ts'
import { summaryText } from './summary.ts'

export const BASELINE_FILE = 'baseline.json'
export const SUMMARY_FILE = 'baseline_summary.txt'
export const CHARTS_DIR = 'charts'

/** Writes the files; returns their paths, baseline.json first. Throws if the record breaks its own schema. */
export function writeProbeOutputs(outDir: string, baseline: ProbeBaseline, charts: readonly NamedChart[], scrubber: Scrubber): string[] {
  const checked = ProbeBaselineSchema.safeParse(baseline)
  if (!checked.success) {
    const first = checked.error.issues[0]
    throw new Error(`probe: baseline.json would break its schema at ${first?.path.join('.') ?? '?'}: ${first?.message ?? checked.error.message}`)
  }
  const files = [join(outDir, BASELINE_FILE), join(outDir, SUMMARY_FILE)]
  writeFileAtomic(files[0]!, scrubber.scrub(`${JSON.stringify(checked.data, null, 2)}\n`))
  writeFileAtomic(files[1]!, scrubber.scrub(summaryText(checked.data)))
  for (const c of charts) {
    const p = writeChart(join(outDir, CHARTS_DIR), c.name, scrubber.scrub(c.chart.svg))
    files.push(p.svg, p.png)
  }
  return files
}
