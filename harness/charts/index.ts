// Charts for benchmark results, rendered with ECharts (server-side, SVG) and rasterised to PNG
// with resvg: distribution per benchmark, base versus head, and a metric over stored runs.
export { distributionChart, type DistributionOptions, type SampleGroup } from './distribution.ts'
export { baseVsHeadChart, type BaseVsHeadOptions } from './base-vs-head.ts'
export { trendChart, type TrendOptions, type TrendPoint } from './trend.ts'
export { isPng, pngSize, toPng, writeChart, type PngOptions } from './output.ts'
export { VERDICT_COLORS, type Chart } from './render.ts'
export { formatChange, formatNumber, formatValue } from './format.ts'
