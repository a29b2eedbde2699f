// Number formatting shared by chart labels and result tables: short, unit-aware, stable.

/** `value` with 4 significant digits, no exponent between 0.001 and 1e15, no trailing zeros. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs < 0.001) return value.toExponential(2)
  if (abs >= 10_000) return Math.round(value).toString()
  return Number(value.toPrecision(4)).toString()
}

/** `value` and its unit, e.g. '12.34 ms', '812 MB/s', '42' (no unit). */
export function formatValue(value: number, unit: string): string {
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value)
}

/** A ratio as a signed change in percent with one decimal, e.g. 1.0653 → '+6.5 %'. */
export function formatChange(ratio: number): string {
  const pct = (ratio - 1) * 100
  const text = Math.abs(pct).toFixed(1)
  if (text === '0.0') return '0.0 %'
  return `${pct > 0 ? '+' : '-'}${text} %`
}

/** Cuts `text` to at most `max` characters, ending with '…' when cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
