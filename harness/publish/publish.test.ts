// publishResults against a real test context: what it annotates (in order), the markdown it
// attaches, the tables it leaves in task.meta, the chart files it writes and the artifact it
// records. The live UI and the HTML report are looked at in ui.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test, type TestAnnotation, type TestAttachment, type TestContext } from 'vitest'
import { distributionChart } from '../charts/distribution.ts'
import { isPng } from '../charts/output.ts'
import { isUserError } from '../errors.ts'
import type { BenchgateMeta, Comparison, Kpi } from '../results.ts'
import { benchmarkLine, publishResults, resultsReport, type PublishContext } from './publish.ts'
import type { BenchmarkRow } from './table.ts'

const scratch = mkdtempSync(join(tmpdir(), 'bg-publish-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const latency = (mean: number): BenchmarkRow['latency'] => ({ mean, p50: mean, p75: mean * 1.1, p99: mean * 1.5, min: mean * 0.9, max: mean * 2, sd: mean * 0.1, rme: 1.25, samplesCount: 50 })
const benchmarks: BenchmarkRow[] = [
  { name: 'base: copy', latency: latency(812.4) },
  { name: 'head: copy', latency: latency(879.8) },
]
const kpis: Kpi[] = [
  { name: 'copy_MB_s', value: 1260.4, unit: 'MB/s', better: 'higher' },
  { name: 'source', value: 'NAS', unit: '' },
]
const comparison: Comparison = {
  name: 'copy 1 GiB',
  metric: 'time',
  unit: 'ms',
  better: 'lower',
  base: { label: 'main', median: 812.4, n: 30 },
  head: { label: 'pr', median: 879.8, n: 30 },
  ratio: { estimate: 1.083, lo: 1.061, hi: 1.102, confidence: 0.95 },
  threshold: 0.05,
  verdict: 'regressed',
  rounds: 30,
  order: 'interleaved',
  method: 'bootstrap ratio of medians',
}
const chart = distributionChart([{ name: 'copy', samples: [1, 2, 3, 4, 50] }], { title: 'copy time', unit: 'ms' })

/** The context's real annotate, with every call also kept for the test to read. */
function recording(ctx: Pick<TestContext, 'annotate' | 'task'>) {
  const calls: { message: string; type?: string; attachment?: TestAttachment }[] = []
  const annotate = ((message: string, type?: string | TestAttachment, attachment?: TestAttachment) => {
    if (typeof type === 'string') calls.push({ message, type, ...(attachment ? { attachment } : {}) })
    else calls.push({ message, ...(type ? { attachment: type } : {}) })
    return (ctx.annotate as (m: string, t?: string, a?: TestAttachment) => Promise<TestAnnotation>)(message, type as string, attachment)
  }) as TestContext['annotate']
  return { calls, context: { annotate, task: ctx.task } satisfies PublishContext }
}

describe('publishResults', () => {
  test('annotates the summary, each benchmark, KPI, verdict and chart, in that order', async ({ annotate, task }) => {
    const { calls, context } = recording({ annotate, task })
    const dir = join(scratch, 'order')
    const published = await publishResults(context, { title: 'Copy 1 GiB', benchmarks, kpis, comparisons: [comparison], charts: [{ name: 'copy-time', caption: 'Copy time', svg: chart.svg }], dir })

    expect(calls.map((c) => c.type)).toEqual(['results', 'benchmark', 'benchmark', 'KPI', 'KPI', 'verdict: regressed', 'chart'])
    expect(calls[0]!.message).toBe('Copy 1 GiB: 2 benchmarks, 2 KPIs, verdicts: 1 regressed (tables under Test Meta › benchgateResults)')
    expect(calls[1]!.message).toBe(benchmarkLine(benchmarks[0]!))
    expect(calls[1]!.message).toMatch(/^base: copy: mean 812.4 ms, p50 812.4 ms, p75 893.6 ms, p99 1219 ms, min 731.2 ms, max 1625 ms, sd 81.24 ms, ±1.25 %, 50 samples, 1.231 ops\/s$/)
    expect(calls[3]!.message).toBe('copy_MB_s = 1260 MB/s (higher is better)')
    expect(calls[4]!.message).toBe('source = NAS')
    expect(calls[5]!.message).toMatch(/^copy 1 GiB · time: regressed, \+8.3 % \[\+6.1 %, \+10.2 %\] at 95 % confidence/)

    // The summary carries the whole report as markdown; the chart its SVG, inline. (Vitest
    // encodes a Uint8Array body to base64 in place, as the UI's data: URLs want it.)
    const body = (a: TestAttachment | undefined) => (typeof a?.body === 'string' ? Buffer.from(a.body, 'base64').toString('utf8') : new TextDecoder().decode(a?.body))
    expect(calls[0]!.attachment?.contentType).toBe('text/markdown')
    expect(body(calls[0]!.attachment)).toBe(published.markdown)
    expect(calls[6]!.message).toBe('Copy time')
    expect(calls[6]!.attachment?.contentType).toBe('image/svg+xml')
    expect(body(calls[6]!.attachment)).toBe(chart.svg)

    // Vitest recorded them on the test, where the UI and the HTML reporter read them.
    expect(task.annotations.map((a) => a.type)).toEqual(calls.map((c) => c.type))
    expect(task.annotations.at(-1)?.attachment?.body).toBeTypeOf('string') // base64, as the UI expects
  })

  test('leaves the text tables in task.meta, appending on a second call', async ({ annotate, task }) => {
    const { context } = recording({ annotate, task })
    const first = await publishResults(context, { title: 'First', benchmarks, kpis: [], comparisons: [] })
    expect(task.meta.benchgateResults).toBe(first.text)
    expect(first.text).toContain('First\n=====')
    expect(first.text).toMatch(/benchmark\s+unit\s+mean\s+p50\s+p99/)
    expect(first.text).not.toContain('KPIs:')
    const second = await publishResults(context, { title: 'Second', benchmarks: [], kpis, comparisons: [comparison] })
    expect(task.meta.benchgateResults).toBe(`${first.text}\n${second.text}`)
    expect(second.text).toMatch(/copy_MB_s\s+1260 MB\/s\s+higher is better/)
    expect(second.text).toMatch(/copy 1 GiB\s+time\s+regressed\s+\+8.3 %/)
  })

  test('writes each chart as SVG and PNG into the run directory, registered as artifacts', async ({ annotate, task }) => {
    const { context } = recording({ annotate, task })
    const runDir = join(scratch, 'run')
    const added: string[] = []
    const published = await publishResults(
      { ...context, run: { dir: runDir, addArtifact: (name) => added.push(name) } },
      { title: 'Charts', benchmarks: [], kpis: [], comparisons: [], charts: [{ name: 'copy-time', svg: chart.svg }] },
    )
    expect(published.files).toEqual([join(runDir, 'copy-time.svg'), join(runDir, 'copy-time.png')])
    expect(readFileSync(join(runDir, 'copy-time.svg'), 'utf8')).toBe(chart.svg)
    expect(isPng(readFileSync(join(runDir, 'copy-time.png')))).toBe(true)
    expect(added).toEqual(['copy-time.svg', 'copy-time.png'])

    const artifact = task.artifacts.find((a) => a.type === 'benchgate:results')
    expect(artifact).toMatchObject({ type: 'benchgate:results', title: 'Charts', charts: [{ name: 'copy-time', svg: published.files[0], png: published.files[1] }] })
  })

  test('defaults to the KPIs and comparisons the harness recorded for the test', async ({ annotate, task }) => {
    const { calls, context } = recording({ annotate, task })
    const meta: BenchgateMeta = { runDir: join(scratch, 'meta-run'), project: 'unit', kpis, artifacts: [], comparisons: [comparison] }
    task.meta.benchgate = meta
    try {
      const published = await publishResults(context, { title: 'Defaults', benchmarks: [], charts: [{ name: 'c', svg: chart.svg }] })
      expect(calls.filter((c) => c.type === 'KPI')).toHaveLength(2)
      expect(calls.filter((c) => c.type === 'verdict: regressed')).toHaveLength(1)
      expect(published.files[0]).toBe(join(scratch, 'meta-run', 'c.svg'))
    } finally {
      delete task.meta.benchgate // keep the project's reporters from seeing a made-up run
    }
  })

  test('with charts but nowhere to write them, says how to fix it; without charts needs no directory', async ({ annotate, task }) => {
    const { context } = recording({ annotate, task })
    const error = await publishResults(context, { title: 'Nowhere', benchmarks: [], kpis: [], comparisons: [], charts: [{ name: 'c', svg: chart.svg }] }).catch((e: unknown) => e)
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toContain("publishResults('Nowhere').charts: there is no directory to write the charts to")
    expect((error as Error).message).toContain('run fixture')
    await expect(publishResults(context, { title: 'Text only', benchmarks, kpis: [], comparisons: [] })).resolves.toMatchObject({ files: [] })
    expect(existsSync(join(scratch, 'c.svg'))).toBe(false)
  })
})

test('resultsReport in markdown has a heading per section and every statistic', () => {
  const md = resultsReport({ title: 'T', benchmarks, kpis, comparisons: [comparison] }, 'markdown')
  expect(md).toMatch(/^## T\n\n### Benchmarks\n\n\| benchmark \| unit \| mean \| p50 \| p75 \| p99 \| min \| max \| sd \| rme \| samples \| ops\/s \|/)
  expect(md).toContain('### KPIs')
  expect(md).toContain('### Verdicts')
})
