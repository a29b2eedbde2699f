// A chart's files: the SVG as rendered and a PNG rasterised from it with resvg (no browser).
import { join } from 'node:path'
import { Resvg, type RenderedImage } from '@resvg/resvg-js'
import { UserError } from '../errors.ts'
import { writeFileAtomic } from '../run/atomic.ts'
import { FONT_FAMILY } from './render.ts'

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export interface PngOptions {
  /** Pixels per SVG unit; 2 (the default) gives sharp images on high-density screens. */
  scale?: number
}

/**
 * Rasterises an SVG with resvg. Text needs a font: the system's fonts are loaded and the first
 * family of FONT_FAMILY that is installed is used (on Debian, fonts-dejavu-core).
 */
export function rasterise(svg: string, options: PngOptions = {}): RenderedImage {
  const [first] = FONT_FAMILY.split(',')
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: first!.trim(), sansSerifFamily: first!.trim() },
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: '#ffffff',
    logLevel: 'off',
  })
  return resvg.render()
}

/** Rasterises an SVG to PNG (see rasterise). */
export function toPng(svg: string, options: PngOptions = {}): Buffer {
  return rasterise(svg, options).asPng()
}

/** True when `data` starts with the PNG file signature. */
export function isPng(data: Uint8Array): boolean {
  return data.length >= 8 && PNG_SIGNATURE.equals(Buffer.from(data.subarray(0, 8)))
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(data: Uint8Array): { width: number; height: number } {
  if (!isPng(data) || data.length < 24) throw new Error('not a PNG file')
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

/** Chart file names: letters, digits, `.`, `_` and `-`; no path separators. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * Writes `<dir>/<name>.svg` and `<dir>/<name>.png`, each atomically, and returns their paths.
 */
export function writeChart(dir: string, name: string, svg: string, options: PngOptions = {}): { svg: string; png: string } {
  if (!NAME.test(name)) {
    throw new UserError({
      file: join(dir, name),
      field: 'chart name',
      message: `'${name}' is not a usable file name`,
      expected: 'letters, digits, ".", "_" or "-" (no spaces or slashes)',
      hint: "name charts like 'latency-distribution'",
    })
  }
  const paths = { svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) }
  const png = toPng(svg, options)
  writeFileAtomic(paths.svg, svg)
  writeFileAtomic(paths.png, png)
  return paths
}
