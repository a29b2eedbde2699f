// First pixel and settle on a real Chromium app window (probe-page.ts) under this file's Xvfb:
// nothing happening times out, a change only within the ignored margins or outside the region is
// not a first pixel, a real change is, after its trigger and within a few polls of the page
// drawing it.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { displayUnavailable } from './display.ts'
import { FirstPixelTimeout, settle, watchFirstPixel, type Fractions } from './first-pixel.ts'
import { pressChord } from './keys.ts'
import { BASE, near, openProbe, type ProbeWindow, type Rgb } from './probe-page.ts'

let probe: ProbeWindow
let client: Fractions

beforeAll(async () => {
  const why = displayUnavailable()
  if (why) throw new Error(`no display for the desktop tests: ${why}`)
  probe = await openProbe({ title: 'first-pixel-probe', border: 6 })
  client = probe.clientRegion
  await probe.focus()
  await settle({ window: probe.window, region: client, quietMs: 500, timeoutMs: 10_000 })
}, 60_000)

afterAll(async () => {
  await probe?.close()
})

const YELLOW: Rgb = [0xf0, 0xc0, 0x00]
const PINK: Rgb = [0xc0, 0x40, 0x80] // 'd', 300 ms after the key

/** Back to the first colour, on screen at every probe point. */
const reset = () => probe.reset()

describe('first pixel on a real window', () => {
  test('nothing happens: the wait times out after polling (it cannot pass on a still view)', async () => {
    await reset()
    const w = await watchFirstPixel({ window: probe.window, region: client, intervalMs: 20 })
    const err = await w.wait({ timeoutMs: 800 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FirstPixelTimeout)
    expect((err as FirstPixelTimeout).polls).toBeGreaterThan(10)
    expect((err as FirstPixelTimeout).maxChangedFraction).toBe(0)
    expect(String(err)).toMatch(/did not change within 800 ms/)
  })

  test('a change within the ignored margins is not a first pixel; without margins the same change is', async () => {
    await reset()
    const inMargins = await watchFirstPixel({ window: probe.window, region: client, marginPx: 8 })
    await pressChord('B') // repaints a 6 px border along the page's edges
    await expect(inMargins.wait({ timeoutMs: 800 })).rejects.toThrow(FirstPixelTimeout)
    const painted = await probe.waitForColours((c) => near(c.border, YELLOW), 'the border') // it did change, and was ignored
    expect(near(painted.right, BASE)).toBe(true)

    await reset()
    const noMargins = await watchFirstPixel({ window: probe.window, region: client, marginPx: 0 })
    await pressChord('B')
    const fp = await noMargins.wait({ timeoutMs: 5000 })
    // the border's share of the page: 6 px along each side
    const { width, height } = probe.inner
    const share = 1 - ((width - 12) * (height - 12)) / (width * height)
    expect(fp.changedFraction).toBeCloseTo(share, 2)
  })

  test('a change outside the view region is not a first pixel', async () => {
    await reset()
    const right = { left: client.left + client.width / 2, top: client.top, width: client.width / 2, height: client.height }
    const w = await watchFirstPixel({ window: probe.window, region: right })
    await pressChord('L') // repaints the left half only
    await expect(w.wait({ timeoutMs: 800 })).rejects.toThrow(FirstPixelTimeout)
    await probe.waitForColours((c) => near(c.left, YELLOW) && near(c.right, BASE), 'the left half alone') // it did change, outside the region
    const left = await watchFirstPixel({ window: probe.window, region: { ...right, left: client.left } })
    await reset() // the left half goes back: a change in that region
    expect((await left.wait({ timeoutMs: 5000 })).changedFraction).toBeGreaterThan(0.9)
  })

  test('a real change is detected after its trigger, within a few polls of the page drawing it', async () => {
    await reset()
    const w = await watchFirstPixel({ window: probe.window, region: client, intervalMs: 20 })
    const trigger = performance.now()
    await pressChord('D') // the page repaints 300 ms after the key
    const fp = await w.wait({ timeoutMs: 5000 })
    const seen = await probe.colours()
    const after = fp.t.ms - trigger
    console.log(
      `first pixel: ${after.toFixed(1)} ms after the key (the page draws 300 ms after it), previous poll ${(fp.t.ms - fp.previous.ms).toFixed(1)} ms before; ` +
        `${fp.polls} polls, observed interval ${fp.observedIntervalMs.toFixed(2)} ms; ${fp.area.width}×${fp.area.height} px grab p50 ${fp.grabMs.p50.toFixed(2)} ms ` +
        `(max ${fp.grabMs.max.toFixed(2)}), compare p50 ${fp.compareMs.p50.toFixed(2)} ms; changed ${(fp.changedFraction * 100).toFixed(1)} %`,
    )
    expect(fp.changedFraction).toBeGreaterThan(0.9)
    expect(near(seen.right, PINK), `the page's delayed colour on screen, saw ${JSON.stringify(seen)}`).toBe(true)
    expect(fp.previous.ms).toBeLessThan(fp.t.ms)
    expect(fp.previous.ms).toBeGreaterThanOrEqual(w.armedAt.ms)
    // not before the page drew it (300 ms after the key), and not long after: loose, a unit test
    expect(after).toBeGreaterThanOrEqual(300)
    expect(after).toBeLessThan(300 + 1000)
    expect(Date.parse(fp.t.wall)).toBeGreaterThanOrEqual(Date.parse(w.armedAt.wall))
  })

  test('an immediate change is seen on the first polls after the key', async () => {
    await reset()
    const w = await watchFirstPixel({ window: probe.window, region: client, intervalMs: 20 })
    const trigger = performance.now()
    await pressChord('C')
    const fp = await w.wait({ timeoutMs: 5000 })
    console.log(`first pixel of an immediate repaint: ${(fp.t.ms - trigger).toFixed(1)} ms after the key, ${fp.polls} polls`)
    expect(fp.t.ms).toBeGreaterThan(trigger)
    expect(fp.t.ms - trigger).toBeLessThan(1000)
  })
})

describe('settle on a real window', () => {
  test('a series of repaints settles after the last one', async () => {
    await reset()
    const keys: number[] = []
    const settling = settle({ window: probe.window, region: client, quietMs: 400, timeoutMs: 10_000 })
    for (let i = 0; i < 5; i++) {
      await sleep(60)
      keys.push(performance.now())
      await pressChord('PageDown')
    }
    const s = await settling
    expect(s.settled).toBe(true)
    expect(s.changes).toBeGreaterThanOrEqual(3)
    expect(s.lastChange!.ms).toBeGreaterThan(keys[4]!)
    expect(s.end.ms - s.lastChange!.ms).toBeGreaterThanOrEqual(400)
  })

  test('a still view: settles at once, or with requireChange does not settle and has no last change', async () => {
    await reset()
    const still = await settle({ window: probe.window, region: client, quietMs: 200, timeoutMs: 5000 })
    expect(still.settled).toBe(true)
    expect(still.lastChange).toBeNull()
    const waiting = await settle({ window: probe.window, region: client, quietMs: 200, timeoutMs: 700, requireChange: true })
    expect(waiting.settled).toBe(false)
    expect(waiting.lastChange).toBeNull()
    expect(waiting.end.ms - waiting.start.ms).toBeGreaterThanOrEqual(700)
  })
})
