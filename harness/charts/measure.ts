// Text measurement for ECharts' layout in Node. Without a canvas ECharts guesses text widths
// from Helvetica-like metrics, but our SVG is drawn (by resvg or a browser) with DejaVu Sans,
// which is wider, so long axis labels were cut off and legend entries overlapped. These are
// DejaVu Sans advance widths (hundredths of an em, characters 32–126, read from the Debian
// fonts-dejavu-core TTFs); Arial, the fallback elsewhere, is narrower, so layouts only get slack.
import * as echarts from 'echarts'

// prettier-ignore
const REGULAR = [32,40,46,84,64,95,78,27,39,39,50,84,32,36,32,34,64,64,64,64,64,64,64,64,64,64,34,34,84,84,84,53,100,68,69,70,77,63,58,77,75,29,29,66,56,86,75,79,60,79,69,63,61,73,68,99,69,61,69,39,34,39,84,50,50,61,63,55,63,62,35,63,63,28,28,58,28,97,63,61,63,63,41,52,39,63,59,82,59,59,52,64,34,64,84]
// prettier-ignore
const BOLD = [35,46,52,84,70,100,87,31,46,46,52,84,38,42,38,37,70,70,70,70,70,70,70,70,70,70,40,40,84,84,84,58,100,77,76,73,83,68,68,82,84,37,37,77,64,100,84,85,73,85,77,72,68,81,77,110,77,72,73,46,37,46,84,50,50,67,72,59,72,68,44,72,71,34,34,67,34,104,71,69,72,72,49,60,48,71,65,92,65,65,58,71,37,71,84]
/** Width of characters outside ASCII (·, →, ±, µ …), in hundredths of an em. */
const OTHER = 75

/** Width in px of `text` set in `font` (a CSS font shorthand such as 'bold 15px DejaVu Sans'). */
export function textWidth(text: string, font = '12px sans-serif'): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12)
  const table = /\bbold(?:er)?\b|\b[6-9]00\b/.test(font) ? BOLD : REGULAR
  let hundredths = 0
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    hundredths += code >= 32 && code < 127 ? table[code - 32]! : OTHER
  }
  return (hundredths * size) / 100
}

let installed = false

/** Makes ECharts measure text with `textWidth`. Idempotent; affects ECharts in this process only. */
export function installTextMeasure(): void {
  if (installed) return
  installed = true
  echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: textWidth(text, font) }) as TextMetrics })
}
