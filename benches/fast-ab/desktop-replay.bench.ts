// Replay timing, proven on a real window: a 30-second recording with moves, clicks, wheel, keys and
// markers (generated, seeded, in the recording format a person's session is saved in) is replayed
// into a Chromium app window on this process's display, while the global hook (uiohook, the
// recorder's own ear) hears what arrives. Each heard event is matched, in order, to the recorded
// event it came from (kind, pixel, button, key and wheel notches must agree — nothing missing,
// nothing extra), and its offset from the replay's start is compared with the recorded t_ms.
//
// The time of a heard event is the hook's own timestamp for it, which libuiohook takes from the X
// server's event (CLOCK_MONOTONIC ms, what the application sees; 1 ms resolution), converted to the
// replayer's performance.now() clock by one reading of both. The bench checks that conversion: no
// event may reach the hook's callback before its timestamp. The callback's own performance.now() is
// printed too; it adds the hook's delivery to the JavaScript thread, which shares that thread with
// the replayer. Gates: every heard event within ±50 ms of its recorded offset, and the recorded
// markers in markers.tsv too. The worst offset and the p99 are printed and kept as KPIs.
import { availableParallelism, getPriority, loadavg, setPriority } from 'node:os'
import { toAbs, type Rect } from '../../harness/desktop/coords.ts'
import { displayUnavailable, useDisplay } from '../../harness/desktop/display.ts'
import { openAppWindow } from '../../harness/desktop/app-window.ts'
import { libnut } from '../../harness/desktop/native.ts'
import { listenInput } from '../../harness/desktop/recorder.ts'
import { replay } from '../../harness/desktop/replayer.ts'
import { keyNameOf, writeRecording, type KeyName, type Recording, type RecordingEvent } from '../../harness/desktop/recording.ts'
import { readMarkers } from '../../harness/run/markers.ts'
import { startProcess } from '../../harness/run/processes.ts'
import { expect, test } from '../../harness/test.ts'

const DURATION_MS = 30_000
const TOLERANCE_MS = 50
const RECT: Rect = { left: 40, top: 40, width: 960, height: 640 }
const BACKGROUND = [20, 120, 200] as const
const PAGE = `data:text/html,${encodeURIComponent(
  `<!doctype html><title>benchgate replay target</title><body style="margin:0;background:rgb(${BACKGROUND.join(',')});height:300vh" oncontextmenu="return false"></body>`,
)}`

/**
 * A seeded 30-s session: a move every 25 ms on a smooth path (each to a new pixel centre, as the
 * recorder writes them), a click every 1.5 s and a wheel notch every 3 s where the pointer is, a key
 * tap every second, and three markers.
 */
export function syntheticRecording(seed = 15): Recording {
  let s = seed >>> 0
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32
  const moves: Extract<RecordingEvent, { kind: 'move' }>[] = []
  const pixel = (t: number) => ({ x: Math.round(480 + 360 * Math.sin(t / 1900)), y: Math.round(360 + 220 * Math.sin(t / 1300 + 1)) })
  for (let t = 100, last = ''; t < DURATION_MS; t += 25) {
    const p = pixel(t)
    if (`${p.x},${p.y}` === last) continue
    last = `${p.x},${p.y}`
    moves.push({ t_ms: t, kind: 'move', x: (p.x + 0.5) / RECT.width, y: (p.y + 0.5) / RECT.height })
  }
  const at = (t: number) => {
    const m = moves.findLast((e) => e.t_ms <= t) ?? moves[0]!
    return { x: m.x, y: m.y }
  }
  const keys: KeyName[] = ['PageDown', 'PageUp', 'A', 'ArrowDown', 'ArrowUp', 'Space', '1', 'Shift']
  const other: RecordingEvent[] = []
  for (let t = 600; t < DURATION_MS - 200; t += 1500) {
    const up = t + 40 + Math.round(rand() * 60)
    other.push({ t_ms: t, kind: 'down', button: 'left', ...at(t) }, { t_ms: up, kind: 'up', button: 'left', ...at(up) })
  }
  for (let t = 1853; t < DURATION_MS; t += 3000) other.push({ t_ms: t, kind: 'wheel', dx: 0, dy: rand() < 0.5 ? 1 : -1, ...at(t) })
  for (let t = 307; t < DURATION_MS - 100; t += 1000) {
    const key = keys[Math.floor(rand() * keys.length)]!
    other.push({ t_ms: t, kind: 'key_down', key }, { t_ms: t + 30 + Math.round(rand() * 50), kind: 'key_up', key })
  }
  other.push(...[5001, 15001, 25001].map((t, i): RecordingEvent => ({ t_ms: t, kind: 'marker', name: `marker_${i + 1}` })))
  const events = [...moves, ...other].sort((a, b) => a.t_ms - b.t_ms) // stable: a move before a click at the same t_ms
  return { version: 2, created: new Date().toISOString(), window: { title: 'benchgate replay target', rect: RECT }, events }
}

interface Heard {
  what: string
  perf: number
  xtime: number
}

/** What the hook heard, in the words `expected` uses. */
function describeHook(e: { type: number; [k: string]: unknown }): string | null {
  switch (e.type) {
    case 9:
    case 10:
      return `move ${e.x},${e.y}`
    case 7:
    case 8:
      return `${e.type === 7 ? 'down' : 'up'} ${['', 'left', 'right', 'middle'][Number(e.button)]} ${e.x},${e.y}`
    case 11:
      return `wheel ${(e.direction as number) === 4 ? `${e.rotation},0` : `0,${e.rotation}`} ${e.x},${e.y}`
    case 4:
    case 5:
      return `${e.type === 4 ? 'key_down' : 'key_up'} ${keyNameOf(e.keycode as number) ?? e.keycode}`
    default:
      return null
  }
}

function expected(e: RecordingEvent, rect: Rect): string | null {
  const at = 'x' in e ? toAbs(rect, e) : null
  switch (e.kind) {
    case 'move':
      return `move ${at!.x},${at!.y}`
    case 'down':
    case 'up':
      return `${e.kind} ${e.button} ${at!.x},${at!.y}`
    case 'wheel':
      return `wheel ${e.dx},${e.dy} ${at!.x},${at!.y}`
    case 'key_down':
    case 'key_up':
      return `${e.kind} ${e.key}`
    case 'marker':
      return null
  }
}

/**
 * Gives the replay the CPU when it is due, as a timing-critical tool on a shared machine must ask
 * for it: the replayer's main thread (threads it starts afterwards, the hook's among them, inherit
 * it) and the display's X server get the real-time FIFO class (`chrt -f 10`; the kernel's RT
 * throttling still leaves others 5 %), else nice −10, else stay as they are. Measured here with
 * other suites running (load 7–10 on 2 CPUs), the replayer at normal priority was scheduled up to
 * 130 ms late, at nice −10 up to 80 ms. Returns what was achieved, for the printout.
 */
async function raisePriority(pids: readonly (number | null)[]): Promise<string> {
  const out: string[] = []
  for (const pid of pids) {
    if (pid === null) continue
    const name = pid === process.pid ? 'replayer' : `X server ${pid}`
    const chrt = startProcess('chrt', ['-f', '-p', '10', String(pid)], { stdio: 'ignore' })
    if ((await chrt.exited.catch(() => 'failed')) === 0) {
      out.push(`${name} SCHED_FIFO 10`)
      continue
    }
    try {
      setPriority(pid, -10)
    } catch {
      // not permitted: stays as it is
    }
    out.push(`${name} nice ${getPriority(pid)}`)
  }
  return out.join(', ')
}

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0
}

async function waitForWindow(nut: Awaited<ReturnType<typeof libnut>>, timeoutMs: number): Promise<void> {
  const x = RECT.left + RECT.width / 2
  const y = RECT.top + RECT.height / 2
  const end = performance.now() + timeoutMs
  for (;;) {
    const img = nut.screen.capture(x, y, 1, 1).image as Buffer // BGRA
    if (Math.abs(img[2]! - BACKGROUND[0]) < 4 && Math.abs(img[1]! - BACKGROUND[1]) < 4 && Math.abs(img[0]! - BACKGROUND[2]) < 4) return
    if (performance.now() > end) throw new Error(`the replay target window did not paint its page at ${x},${y} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test(`desktop replay: a ${DURATION_MS / 1000}-s recording (moves, clicks, wheel, keys, markers) replayed into a real window, every event heard within ±${TOLERANCE_MS} ms of its recorded offset`, { timeout: 120_000 }, async ({ run, kpi, publish }) => {
  const why = displayUnavailable()
  if (why) throw new Error(`no display for the desktop replay bench: ${why}`)
  const display = await useDisplay()
  const priority = await raisePriority([process.pid, display.pid])
  const nut = await libnut()
  const app = await openAppWindow({ url: PAGE, ...RECT })
  try {
    await waitForWindow(nut, 30_000)
    nut.moveMouse(RECT.left + 480, RECT.top + 360)
    const rec = syntheticRecording()
    writeRecording(run.path('recording.json'), rec)
    run.addArtifact('recording.json')

    const heard: Heard[] = []
    const off = await listenInput((e) => {
      const what = describeHook(e as unknown as { type: number })
      if (what) heard.push({ what, perf: performance.now(), xtime: e.time })
    })
    // performance.now() → CLOCK_MONOTONIC ms (the X server's event clock), taken once
    const monoMinusPerf = Number(process.hrtime.bigint()) / 1e6 - performance.now()
    let result
    try {
      result = await replay(rec, { window: { rect: async () => RECT }, markersPath: run.markersPath, label: 'synthetic-30s' })
      await new Promise((r) => setTimeout(r, 200))
    } finally {
      off()
    }
    run.addArtifact('markers.tsv')

    const injected = rec.events.map((e) => ({ e, what: expected(e, result.rect) })).filter((x) => x.what !== null)
    expect(heard.map((h) => h.what), 'the hook heard exactly the replayed events, in order').toEqual(injected.map((x) => x.what))
    const start = result.startedAt
    const lateOf = new Map(result.events.map((r) => [r.t_ms * 1e6 + r.index, r.late_ms]))
    const indexOf = new Map(rec.events.map((e, i) => [e, i]))
    const rows = injected.map((x, i) => ({
      kind: x.e.kind,
      replayer_late_ms: lateOf.get(x.e.t_ms * 1e6 + indexOf.get(x.e)!) ?? Number.NaN,
      t_ms: x.e.t_ms,
      hook_ms: heard[i]!.perf - start - x.e.t_ms,
      xserver_ms: heard[i]!.xtime - (start + monoMinusPerf) - x.e.t_ms,
    }))
    run.writeArtifact('replay-offsets.csv', ['kind,t_ms,hook_offset_ms,xserver_offset_ms,replayer_late_ms', ...rows.map((r) => `${r.kind},${r.t_ms},${r.hook_ms.toFixed(3)},${r.xserver_ms.toFixed(3)},${r.replayer_late_ms.toFixed(3)}`)].join('\n') + '\n')

    const hookAbs = rows.map((r) => Math.abs(r.hook_ms))
    const xAbs = rows.map((r) => Math.abs(r.xserver_ms))
    const worst = rows.reduce((w, r) => (Math.abs(r.xserver_ms) > Math.abs(w.xserver_ms) ? r : w))
    const earliestDelivery = Math.min(...rows.map((r) => r.hook_ms - r.xserver_ms))
    const markers = readMarkers(run.markersPath)
    const startWall = Date.parse(markers.find((m) => m.event === 'replay_start')!.ts)
    const markerOffsets = rec.events.flatMap((e) => {
      if (e.kind !== 'marker') return []
      const m = markers.find((x) => x.event === e.name)
      return [m ? Date.parse(m.ts) - startWall - e.t_ms : Number.POSITIVE_INFINITY]
    })
    const byKind = new Map<string, number>()
    for (const r of rows) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1)
    const counts = [...byKind].map(([k, n]) => `${n} ${k}`).join(', ')
    console.log(
      `desktop replay: ${rows.length} events heard (${counts}) + ${markerOffsets.length} markers over ${(rec.events.at(-1)!.t_ms / 1000).toFixed(1)} s\n` +
        `  hook event time: worst offset ${worst.xserver_ms.toFixed(2)} ms (${worst.kind} at t_ms ${worst.t_ms}), p99 |offset| ${percentile(xAbs, 99).toFixed(2)} ms, p50 ${percentile(xAbs, 50).toFixed(2)} ms (1 ms resolution)\n` +
        `  hook callback:   worst |offset| ${Math.max(...hookAbs).toFixed(2)} ms, p99 ${percentile(hookAbs, 99).toFixed(2)} ms (adds delivery to the JS thread; earliest delivery ${earliestDelivery.toFixed(2)} ms after the event)\n` +
        `  replayer's own lateness: max ${result.lateness.max_ms} ms, p99 ${result.lateness.p99_ms} ms; markers.tsv offsets ${markerOffsets.map((o) => o.toFixed(0)).join(', ')} ms (wall clock, 1 ms resolution)\n` +
        `  machine: ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min) at the end; ${priority}`,
    )
    kpi('replay_worst_offset_ms', Math.max(...xAbs), 'ms', { better: 'lower' })
    kpi('replay_p99_offset_ms', percentile(xAbs, 99), 'ms', { better: 'lower' })
    kpi('replay_callback_worst_offset_ms', Math.max(...hookAbs), 'ms', { better: 'lower' })
    kpi('replay_events', rows.length, 'events')
    await publish()

    expect(rec.events.at(-1)!.t_ms, 'the recording lasts 30 s').toBeGreaterThanOrEqual(DURATION_MS - 100)
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['move', 'down', 'up', 'wheel', 'key_down', 'key_up']))
    expect(markers.map((m) => m.event)).toEqual(['replay_start', 'marker_1', 'marker_2', 'marker_3', 'replay_end'])
    expect(earliestDelivery, 'the hook timestamp clock agrees with performance.now(): no event delivered before it happened').toBeGreaterThanOrEqual(-1.5)
    expect(Math.max(...xAbs), `worst offset ${worst.xserver_ms.toFixed(2)} ms at ${worst.kind} t_ms ${worst.t_ms}`).toBeLessThanOrEqual(TOLERANCE_MS)
    for (const o of markerOffsets) expect(Math.abs(o), 'a recorded marker in markers.tsv').toBeLessThanOrEqual(TOLERANCE_MS)
  } finally {
    await app.close()
  }
})
