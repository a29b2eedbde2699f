// ECharts server-side rendering to SVG: one place that turns a chart option into a standalone,
// deterministic SVG document with benchgate's look (white background, one font list, no animation).
import * as echarts from 'echarts'
import type { EChartsOption } from 'echarts'
import type { Verdict } from '../results.ts'
import { installTextMeasure } from './measure.ts'

/** A rendered chart. `svg` is a complete SVG document; width and height are its size in px. */
export interface Chart {
  svg: string
  width: number
  height: number
}

/** Fonts tried in order, in the SVG and by the PNG rasteriser: DejaVu on Linux, Arial elsewhere. */
export const FONT_FAMILY = 'DejaVu Sans, Arial, Helvetica, sans-serif'

export const VERDICT_COLORS: Readonly<Record<Verdict, string>> = {
  regressed: '#d62728',
  improved: '#2ca02c',
  unchanged: '#1f77b4',
  inconclusive: '#e68a00',
}

/** Neutral colour for a baseline (the "base" side). */
export const BASE_COLOR = '#8c8c8c'

/** Series colours for charts without verdicts (distribution, trend). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']

/**
 * Renders `option` with ECharts' SVG renderer in SSR mode (no DOM). ECharts numbers the ids it
 * emits (clip paths, CSS classes) with process-wide counters; they are renumbered from 0 in order
 * of appearance under `idPrefix`, so the same input gives the same bytes on every call.
 */
export function renderSvg(option: EChartsOption, size: { width: number; height: number }, idPrefix: string): Chart {
  installTextMeasure()
  const width = Math.round(size.width)
  const height = Math.round(size.height)
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      color: PALETTE,
      textStyle: { fontFamily: FONT_FAMILY },
      ...option,
    })
    const svg = chart.renderToSVGString()
    return { svg: canonicalIds(svg, idPrefix), width, height }
  } finally {
    chart.dispose()
  }
}

/** Replaces ECharts' counter-based ids (`zr3-c0`, `zr3-cls-17`) by `<prefix>0`, `<prefix>1`, … */
export function canonicalIds(svg: string, prefix: string): string {
  const seen = new Map<string, string>()
  return svg.replace(/\bzr\d+(?:-[a-z]+-?\d+)?\b/g, (token) => {
    let id = seen.get(token)
    if (id === undefined) {
      id = `${prefix}${seen.size}`
      seen.set(token, id)
    }
    return id
  })
}
