// Makes a bench test's results visible where people browse test results: in `vitest --ui` and in
// the static HTML report (`vitest --reporter=html`). Vitest's UI shows no benchmark data by itself,
// but it does show a test's annotations (a bold type, a one-line message, and an <img> for an
// image attachment) and its metadata (a string value in a <pre> block). So:
//   - one annotation per benchmark (its statistics), per KPI, per verdict and per chart (the SVG
//     attached inline as image/svg+xml, so the UI shows the chart itself),
//   - a 'results' annotation summing up, with the whole report attached as markdown (Download),
//   - the aligned text tables in task.meta.benchgateResults (shown under "Test Meta"),
//   - a 'benchgate:results' artifact carrying the same data and the chart files' paths, for reporters.
import { recordArtifact, type TestArtifactBase, type TestAttachment, type TestContext } from 'vitest'
import { writeChart } from '../charts/output.ts'
import { formatNumber } from '../charts/format.ts'
import { UserError } from '../errors.ts'
import { decisionOf, type Comparison, type Decision, type Kpi } from '../results.ts'
import { kpiTable, kpiValue, resultTable, timeUnit, verdictSentence, verdictTable, type BenchmarkRow, type TableFormat } from './table.ts'

export interface ChartToPublish {
  /** File name without extension, e.g. 'latency-distribution'. */
  name: string
  svg: string
  /** Shown above the chart; defaults to `name`. */
  caption?: string
}

export interface PublishInput {
  title: string
  /** Defaults to every benchmark the test ran (`task.benchmarks`). */
  benchmarks?: readonly BenchmarkRow[]
  /** Defaults to the KPIs recorded with the `kpi` fixture. */
  kpis?: readonly Kpi[]
  /** Defaults to the comparisons recorded in the test's benchgate metadata. */
  comparisons?: readonly Comparison[]
  charts?: readonly ChartToPublish[]
  /** Where chart files go; defaults to the test's run directory. */
  dir?: string
}

/** The parts of a test context publishResults uses; pass the test's context (with `run` if used). */
export interface PublishContext {
  annotate: TestContext['annotate']
  task: TestContext['task']
  run?: { dir: string; addArtifact(name: string): void }
}

export interface Published {
  /** The tables as aligned text (also in task.meta.benchgateResults). */
  text: string
  /** The same as markdown (also attached to the summary annotation). */
  markdown: string
  /** Chart files written (SVG and PNG). */
  files: string[]
}

export interface BenchgateResultsArtifact extends TestArtifactBase {
  type: 'benchgate:results'
  title: string
  benchmarks: BenchmarkRow[]
  kpis: Kpi[]
  comparisons: Comparison[]
  /** The charts and the files written for them (absolute paths, on the machine that ran the test). */
  charts: { name: string; svg: string; png: string }[]
}

declare module 'vitest' {
  interface TaskMeta {
    /** Aligned text tables of the test's benchmarks, KPIs and verdicts (publishResults). */
    benchgateResults?: string
  }
  interface TestArtifactRegistry {
    'benchgate:results': BenchgateResultsArtifact
  }
}

/** The report as text (compact statistics) or markdown (every statistic): title, then the tables that have rows. */
export function resultsReport(input: { title: string; benchmarks: readonly BenchmarkRow[]; kpis: readonly Kpi[]; comparisons: readonly Comparison[] }, format: TableFormat): string {
  const heading = (s: string, level: number) => (format === 'markdown' ? `${'#'.repeat(level)} ${s}` : level === 2 ? `${s}\n${'='.repeat(s.length)}` : `${s}:`)
  const parts = [heading(input.title, 2)]
  if (input.benchmarks.length) parts.push(heading('Benchmarks', 3), resultTable(input.benchmarks, format, { compact: format === 'text' }))
  if (input.kpis.length) parts.push(heading('KPIs', 3), kpiTable(input.kpis, format))
  if (input.comparisons.length) parts.push(heading('Verdicts', 3), verdictTable(input.comparisons, format))
  return parts.join('\n\n') + '\n'
}

/** One benchmark's statistics on one line. */
export function benchmarkLine(r: BenchmarkRow): string {
  const { unit, perMs } = timeUnit(r.latency.mean)
  const l = r.latency
  const t = (ms: number) => `${formatNumber(ms * perMs)} ${unit}`
  const ops = r.throughput?.mean ?? (l.mean > 0 ? 1000 / l.mean : NaN)
  return (
    `${r.name}: mean ${t(l.mean)}, p50 ${t(l.p50)}, p75 ${t(l.p75)}, p99 ${t(l.p99)}, min ${t(l.min)}, max ${t(l.max)}, ` +
    `sd ${t(l.sd)}, ±${l.rme.toFixed(2)} %, ${l.samplesCount} samples${Number.isFinite(ops) ? `, ${formatNumber(ops)} ops/s` : ''}`
  )
}

function verdictCounts(comparisons: readonly Comparison[]): string {
  const order: Decision[] = ['regressed', 'fails', 'inconclusive', 'improved', 'unchanged', 'holds']
  return order
    .map((v) => [v, comparisons.filter((c) => decisionOf(c) === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`)
    .join(', ')
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** Publishes a bench test's table, KPIs, verdicts and charts to the Vitest UI and HTML report. */
export async function publishResults(context: PublishContext, input: PublishInput): Promise<Published> {
  const { task, annotate } = context
  const meta = task.meta.benchgate
  const benchmarks = [...(input.benchmarks ?? task.benchmarks.flatMap((b) => b.tasks))]
  const kpis = [...(input.kpis ?? meta?.kpis ?? [])]
  const comparisons = [...(input.comparisons ?? meta?.comparisons ?? [])]
  const charts = input.charts ?? []
  const report = { title: input.title, benchmarks, kpis, comparisons }
  const text = resultsReport(report, 'text')
  const markdown = resultsReport(report, 'markdown')

  const files: string[] = []
  const written: BenchgateResultsArtifact['charts'] = []
  if (charts.length) {
    const dir = input.dir ?? context.run?.dir ?? meta?.runDir
    if (!dir) {
      throw new UserError({
        file: task.file.filepath,
        field: `publishResults('${input.title}').charts`,
        message: 'there is no directory to write the charts to',
        hint: "use the harness's run fixture (destructure `run` and pass it in the context) or pass { dir }",
      })
    }
    for (const chart of charts) {
      const paths = writeChart(dir, chart.name, chart.svg)
      if (context.run && dir === context.run.dir) {
        context.run.addArtifact(`${chart.name}.svg`)
        context.run.addArtifact(`${chart.name}.png`)
      }
      files.push(paths.svg, paths.png)
      written.push({ name: chart.name, ...paths })
    }
  }

  task.meta.benchgateResults = task.meta.benchgateResults ? `${task.meta.benchgateResults}\n${text}` : text

  const counts = [plural(benchmarks.length, 'benchmark'), plural(kpis.length, 'KPI'), comparisons.length ? `verdicts: ${verdictCounts(comparisons)}` : 'no verdicts']
  const summary: TestAttachment = { contentType: 'text/markdown', body: new TextEncoder().encode(markdown) }
  await annotate(`${input.title}: ${counts.join(', ')} (tables under Test Meta › benchgateResults)`, 'results', summary)
  for (const row of benchmarks) await annotate(benchmarkLine(row), 'benchmark')
  for (const kpi of kpis) await annotate(`${kpi.name} = ${kpiValue(kpi)}${kpi.better ? ` (${kpi.better} is better)` : ''}`, 'KPI')
  for (const c of comparisons) await annotate(verdictSentence(c), `verdict: ${c.verdict}`)
  for (const chart of charts) {
    // Inline (not a path): the UI then needs no file access (the live UI serves only files Vite
    // may serve), and the chart travels inside blob reports merged from other machines.
    await annotate(chart.caption ?? chart.name, 'chart', { body: new TextEncoder().encode(chart.svg), contentType: 'image/svg+xml' })
  }

  await recordArtifact(task, {
    type: 'benchgate:results',
    title: input.title,
    benchmarks: benchmarks.map(({ name, latency, throughput }) => ({ name, latency: stripSamples(latency), ...(throughput ? { throughput: { mean: throughput.mean } } : {}) })),
    kpis,
    comparisons,
    // Paths, not attachments: Vitest would copy attached files into its attachments directory.
    charts: written,
  })
  return { text, markdown, files }
}

/** The statistics without the raw samples (which can be millions of numbers). */
function stripSamples(latency: BenchmarkRow['latency']): BenchmarkRow['latency'] {
  const { mean, p50, p75, p99, min, max, sd, rme, samplesCount } = latency
  return { mean, p50, p75, p99, min, max, sd, rme, samplesCount }
}
