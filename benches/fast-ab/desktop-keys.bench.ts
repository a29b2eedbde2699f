// The desktop driver's key timing, as the application sees it: W_scrub100 (100 PageDown, 40 ms
// apart, after Ctrl+O and its first pixel) into a real Chromium app window under Xvfb that logs
// each keydown with the page's performance.now() (harness/desktop/probe-page.ts) and repaints like
// a viewer on each key. Gates: exactly 100 PageDown keydowns and nothing else, the median gap
// between consecutive keydowns within ±5 ms of 40 ms, and every gap within ±20 ms. The spacing as
// sent (the driver's own clock) is kept beside it, so a miss shows whether the sender or the
// X server / browser was late.
import { expect, test } from '../../harness/test.ts'
import { displayUnavailable } from '../../harness/desktop/display.ts'
import { settle } from '../../harness/desktop/first-pixel.ts'
import { openProbe } from '../../harness/desktop/probe-page.ts'
import { runScripted, spacingOf } from '../../harness/desktop/scripted.ts'

const DELAY_MS = 40

test('desktop keys: W_scrub100 arrives as 100 PageDown, 40 ms apart (median ±5 ms, each ±20 ms)', { timeout: 180_000 }, async ({ run, kpi }) => {
  const why = displayUnavailable()
  if (why) throw new Error(`no display for the desktop driver: ${why}`)
  const probe = await openProbe({ title: 'desktop-keys-bench' })
  try {
    await probe.focus()
    await settle({ window: probe.window, region: probe.clientRegion, quietMs: 500, timeoutMs: 10_000 })
    probe.clear()
    const result = await runScripted({
      workflow: 'scrub-100', window: probe.window, markersPath: run.markersPath, label: 'desktop-keys',
      scrubCount: 100, scrubDelayMs: DELAY_MS, firstPixel: { region: probe.clientRegion },
    })
    run.addArtifact('markers.tsv')
    const downs = (await probe.waitForKeys(102)).filter((k) => k.type === 'keydown')
    const pgdn = downs.slice(2)
    const received = spacingOf(pgdn.map((k) => k.t), DELAY_MS)!
    const sent = result.step!.keys.spacing!
    console.log(
      `desktop keys: ${pgdn.length} PageDown received; gaps median ${received.medianMs.toFixed(2)} ms, worst deviation from ${DELAY_MS} ms ` +
        `${received.worstDeviationMs.toFixed(2)} ms (min ${received.minMs.toFixed(2)}, max ${received.maxMs.toFixed(2)}); as sent: median ` +
        `${sent.medianMs.toFixed(3)} ms, worst ${sent.worstDeviationMs.toFixed(3)} ms (latest send ${result.step!.keys.lateMs.toFixed(2)} ms behind schedule; ` +
        `a press took p50 ${result.step!.keys.pressMs.p50.toFixed(2)} ms, max ${result.step!.keys.pressMs.max.toFixed(2)} ms); open_time_s ${result.spans.open_time_s!.toFixed(3)} ` +
        `(first-pixel resolution ${result.resolution.firstPixelMs} ms, grab p50 ${result.resolution.grabMs.p50.toFixed(2)} ms), scrub_time_s ${result.spans.scrub_time_s!.toFixed(3)}`,
    )
    kpi('key_gap_median_ms', received.medianMs, 'ms')
    kpi('key_gap_worst_deviation_ms', received.worstDeviationMs, 'ms', { better: 'lower' })
    kpi('key_send_worst_deviation_ms', sent.worstDeviationMs, 'ms', { better: 'lower' })
    kpi('key_press_max_ms', result.step!.keys.pressMs.max, 'ms', { better: 'lower' })
    kpi('first_pixel_grab_p50_ms', result.resolution.grabMs.p50, 'ms', { better: 'lower' })

    expect(downs.slice(0, 2).map((k) => k.key)).toEqual(['Control', 'o'])
    expect(pgdn.map((k) => k.key)).toEqual(Array(100).fill('PageDown'))
    expect(Math.abs(received.medianMs - DELAY_MS), 'median gap − 40 ms').toBeLessThanOrEqual(5)
    expect(received.worstDeviationMs, 'worst |gap − 40 ms|').toBeLessThanOrEqual(20)
  } finally {
    await probe.close()
  }
})
