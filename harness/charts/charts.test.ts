// The charts render with ECharts and resvg for real: valid SVG that names every series, a PNG of
// the expected size, the same bytes for the same input, and one clear error for unusable input.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import { afterAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import type { Comparison } from '../results.ts'
import { baseVsHeadChart } from './base-vs-head.ts'
import { distributionChart } from './distribution.ts'
import { isPng, pngSize, rasterise, toPng, writeChart } from './output.ts'
import { canonicalIds, VERDICT_COLORS, type Chart } from './render.ts'
import { trendChart } from './trend.ts'

const scratch = mkdtempSync(join(tmpdir(), 'bg-charts-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Deterministic pseudo-random samples around `mu`. */
function samples(mu: number, n: number, seed: number): number[] {
  let s = seed
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647
  return Array.from({ length: n }, () => mu * (1 + 0.1 * (rnd() + rnd() - 1)) + (rnd() < 0.05 ? mu : 0))
}

function comparison(name: string, estimate: number, verdict: Comparison['verdict'], unit = 'ms'): Comparison {
  return {
    name,
    metric: 'time',
    unit,
    better: 'lower',
    base: { label: 'main', median: 10, n: 30 },
    head: { label: 'pr', median: 10 * estimate, n: 30 },
    ratio: { estimate, lo: estimate - 0.02, hi: estimate + 0.02, confidence: 0.95 },
    threshold: 0.05,
    verdict,
    rounds: 30,
    order: 'interleaved',
    method: 'bootstrap ratio of medians',
  }
}

/** An SVG document that resvg (a real XML and SVG parser) accepts, of the chart's size. */
function expectValidSvg(chart: Chart): void {
  expect(chart.svg.startsWith('<svg')).toBe(true)
  expect(chart.svg.trimEnd().endsWith('</svg>')).toBe(true)
  expect(chart.svg).toContain(`width="${chart.width}" height="${chart.height}"`)
  const parsed = new Resvg(chart.svg)
  expect(parsed.width).toBe(chart.width)
  expect(parsed.height).toBe(chart.height)
}

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected an error')
}

const groups = [
  { name: 'JSON.parse & reviver', samples: samples(10, 200, 7) },
  { name: 'hand-written parser', samples: samples(14, 120, 11) },
]
const comparisons = [comparison('copy 1 GiB', 1.08, 'regressed'), comparison('parse capture', 0.99, 'unchanged'), comparison('list blobs', 1.03, 'inconclusive')]
const runs = ['20261120T101500Z', '20261121T101500Z', '20261122T101500Z']
const points = runs.flatMap((run, i) => [
  { run, name: 'copy 1 GiB', value: 800 + 10 * i },
  ...(i === 1 ? [] : [{ run, name: 'rsync 1 GiB', value: 760 + 5 * i }]),
])

describe('distributionChart', () => {
  const chart = distributionChart(groups, { title: 'Parse latency', unit: 'ms' })

  test('is an SVG naming each benchmark (escaped), its sample count, the title and the unit', () => {
    expectValidSvg(chart)
    expect(chart.svg).toContain('JSON.parse &amp; reviver (n=200)')
    expect(chart.svg).toContain('hand-written parser (n=120)')
    expect(chart.svg).toContain('Parse latency')
    expect(chart.svg).toContain('>ms<')
    expect(chart.svg).toContain('outliers')
  })

  test('grows with the number of groups', () => {
    const three = distributionChart([...groups, { name: 'third', samples: [1, 2, 3] }], { title: 't', unit: 'ms' })
    expect(three.height).toBeGreaterThan(chart.height)
    expect(three.width).toBe(800)
  })

  test('refuses groups without samples or with non-finite samples, naming them', () => {
    const e = catchError(() => distributionChart([{ name: 'empty', samples: [] }, { name: 'bad', samples: [1, NaN] }], { title: 't', unit: 'ms' }))
    expect(isUserError(e)).toBe(true)
    expect((e as Error).message).toContain('groups[0] (empty): has no samples')
    expect((e as Error).message).toContain('retainSamples')
    expect((e as Error).message).toContain('groups[1] (bad).samples[1]: is NaN')
    expect(isUserError(catchError(() => distributionChart([], { title: 't', unit: 'ms' })))).toBe(true)
  })
})

describe('baseVsHeadChart', () => {
  const chart = baseVsHeadChart(comparisons)

  test('is an SVG with a row per comparison, both medians, the change and the verdict in its colour', () => {
    expectValidSvg(chart)
    for (const c of comparisons) expect(chart.svg).toContain(`${c.name} · time`)
    expect(chart.svg).toContain('10 ms → 10.8 ms')
    expect(chart.svg).toContain('+8.0 % regressed')
    expect(chart.svg).toContain('-1.0 % unchanged')
    expect(chart.svg).toContain('+3.0 % inconclusive')
    expect(chart.svg).toContain('[+6.0 %, +10.0 %]')
    expect(chart.svg.toLowerCase()).toContain(VERDICT_COLORS.regressed)
    expect(chart.svg).toContain('head: regressed')
    expect(chart.svg).not.toContain('head: improved') // only verdicts present are in the legend
    expect(chart.svg).toContain('base (= 1)')
  })

  test('refuses an interval that does not hold its estimate', () => {
    const bad = { ...comparison('x', 1.1, 'regressed'), ratio: { estimate: 1.1, lo: 1.2, hi: 1.3, confidence: 0.95 } }
    const e = catchError(() => baseVsHeadChart([bad]))
    expect(isUserError(e)).toBe(true)
    expect((e as Error).message).toContain('comparisons[0] (x · time).ratio')
  })
})

describe('trendChart', () => {
  const chart = trendChart(points, { title: 'copy time over runs', unit: 'ms' })

  test('is an SVG with a line per benchmark and every run labelled', () => {
    expectValidSvg(chart)
    expect(chart.svg).toContain('copy 1 GiB')
    expect(chart.svg).toContain('rsync 1 GiB')
    for (const run of runs) expect(chart.svg).toContain(run)
    expect(chart.svg).toContain('copy time over runs')
  })

  test('slants run labels that would not fit side by side', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ run: `202611${10 + i}T101500Z`, name: 'a', value: i }))
    const slanted = trendChart(many, { title: 't', unit: 'ms' })
    expectValidSvg(slanted)
    expect(slanted.height).toBeGreaterThan(chart.height)
    for (const p of many) expect(slanted.svg).toContain(p.run)
  })

  test('refuses two values for one benchmark in one run', () => {
    const e = catchError(() => trendChart([...points, { run: runs[0]!, name: 'copy 1 GiB', value: 1 }], { title: 't', unit: 'ms' }))
    expect(isUserError(e)).toBe(true)
    expect((e as Error).message).toContain("second value for 'copy 1 GiB' in run '20261120T101500Z'")
  })
})

describe('determinism', () => {
  test('the same input gives the same bytes, whatever was rendered before', () => {
    const a = distributionChart(groups, { title: 'Parse latency', unit: 'ms' }).svg
    baseVsHeadChart(comparisons) // advances ECharts' process-wide id counters
    trendChart(points, { title: 'x', unit: 'ms' })
    expect(distributionChart(groups, { title: 'Parse latency', unit: 'ms' }).svg).toBe(a)
    expect(baseVsHeadChart(comparisons).svg).toBe(baseVsHeadChart(comparisons).svg)
    expect(trendChart(points, { title: 'x', unit: 'ms' }).svg).toBe(trendChart(points, { title: 'x', unit: 'ms' }).svg)
    expect(a).not.toMatch(/\bzr\d+/)
  })

  test('canonicalIds renumbers consistently, keeping references intact', () => {
    const svg = '<g clip-path="url(#zr7-c0)" class="zr7-cls-41"><clipPath id="zr7-c0"/></g><style>.zr7-cls-41{}</style>'
    expect(canonicalIds(svg, 'p')).toBe('<g clip-path="url(#p0)" class="p1"><clipPath id="p0"/></g><style>.p1{}</style>')
  })

  test('the same SVG gives the same PNG', () => {
    const svg = trendChart(points, { title: 'x', unit: 'ms' }).svg
    expect(toPng(svg).equals(toPng(svg))).toBe(true)
  })
})

describe('PNG', () => {
  test('has the PNG signature and the chart size times the scale', () => {
    const chart = baseVsHeadChart(comparisons)
    const png = toPng(chart.svg)
    expect(isPng(png)).toBe(true)
    expect(pngSize(png)).toEqual({ width: chart.width * 2, height: chart.height * 2 })
    expect(pngSize(toPng(chart.svg, { scale: 1 }))).toEqual({ width: chart.width, height: chart.height })
  })

  test('has text drawn: a chart with a title has more ink than the same chart without', () => {
    // resvg draws no text at all when it finds no font; this catches a machine without fonts.
    const ink = (svg: string) => {
      const pixels = rasterise(svg, { scale: 1 }).pixels // RGBA; the getter copies, so read it once
      let dark = 0
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 128) dark++
      return dark
    }
    const withTitle = trendChart(points, { title: 'A TITLE WITH MANY LETTERS IN IT', unit: 'ms' }).svg
    const without = trendChart(points, { title: '', unit: 'ms' }).svg
    expect(ink(withTitle) - ink(without)).toBeGreaterThan(500)
  })

  test('writeChart writes name.svg and name.png, complete and nothing else', () => {
    const dir = join(scratch, 'out')
    const chart = distributionChart(groups, { title: 'Parse latency', unit: 'ms' })
    const paths = writeChart(dir, 'parse-latency', chart.svg)
    expect(paths).toEqual({ svg: join(dir, 'parse-latency.svg'), png: join(dir, 'parse-latency.png') })
    expect(readFileSync(paths.svg, 'utf8')).toBe(chart.svg)
    expect(isPng(readFileSync(paths.png))).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['parse-latency.png', 'parse-latency.svg'])
  })

  test('writeChart refuses a name that is not a plain file name', () => {
    for (const name of ['../up', 'a b', '', 'x/y']) {
      const e = catchError(() => writeChart(scratch, name, '<svg/>'))
      expect(isUserError(e), name).toBe(true)
    }
    expect(existsSync(join(scratch, 'up.svg'))).toBe(false)
  })
})
