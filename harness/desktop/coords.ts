// Window-relative coordinates. A recording stores positions as fractions of the window (0–1 from
// its left and top edges), so it replays into the same window wherever it sits and at whatever
// size. A pixel is addressed by its centre: toRel(x) = (x − left + ½) / width, and toAbs takes the
// pixel whose span holds the fraction, floor(left + f × width). The round trip pixel → fraction →
// pixel is exact for every pixel of the window (the centre is never on a boundary); fractions
// outside 0–1 (a position outside the window) map to pixels outside it the same way.

export interface Rect {
  left: number
  top: number
  width: number
  height: number
}

export interface Point {
  x: number
  y: number
}

function assertRect(r: Rect): void {
  if (!(r.width > 0 && r.height > 0)) throw new Error(`window rectangle has no area: ${JSON.stringify(r)}`)
}

/** Screen pixel → fractions of the window. */
export function toRel(rect: Rect, p: Point): Point {
  assertRect(rect)
  return { x: (p.x - rect.left + 0.5) / rect.width, y: (p.y - rect.top + 0.5) / rect.height }
}

/** Fractions of the window → the screen pixel that holds them. */
export function toAbs(rect: Rect, f: Point): Point {
  assertRect(rect)
  return { x: Math.floor(rect.left + f.x * rect.width), y: Math.floor(rect.top + f.y * rect.height) }
}

export function sameRect(a: Rect, b: Rect): boolean {
  return a.left === b.left && a.top === b.top && a.width === b.width && a.height === b.height
}
