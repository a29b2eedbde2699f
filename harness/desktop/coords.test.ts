import { describe, expect, test } from 'vitest'
import { toAbs, toRel } from './coords.ts'

describe('window coordinates', () => {
  test('pixel → fraction → pixel is exact for every pixel of odd, even and offset windows', () => {
    for (const rect of [{ left: 0, top: 0, width: 1, height: 1 }, { left: 37, top: 11, width: 641, height: 479 }, { left: -8, top: 1200, width: 1920, height: 1080 }]) {
      let wrong = 0
      for (let x = rect.left; x < rect.left + rect.width; x++) {
        for (const y of [rect.top, rect.top + Math.floor(rect.height / 2), rect.top + rect.height - 1]) {
          const f = toRel(rect, { x, y })
          expect(f.x).toBeGreaterThan(0)
          expect(f.x).toBeLessThan(1)
          const back = toAbs(rect, f)
          if (back.x !== x || back.y !== y) wrong++
        }
      }
      expect(wrong).toBe(0)
    }
  })

  test('a fraction replays into a moved and resized window at the same relative place', () => {
    const recorded = { left: 100, top: 50, width: 800, height: 600 }
    const f = toRel(recorded, { x: 499, y: 349 }) // the middle pixel
    expect(toAbs({ left: 300, top: 200, width: 400, height: 300 }, f)).toEqual({ x: 499, y: 349 })
    expect(toAbs({ left: 0, top: 0, width: 1600, height: 1200 }, f)).toEqual({ x: 799, y: 599 })
  })

  test('a rectangle without area is refused', () => {
    expect(() => toRel({ left: 0, top: 0, width: 0, height: 10 }, { x: 0, y: 0 })).toThrow(/no area/)
  })
})
