// `benchgate record` and `benchgate replay` as an operator runs them: each CLI is its own process
// (bin/benchgate.ts) on this test file's display (Xvfb; useDisplay() sets DISPLAY, the child inherits
// it and uses it as the operator's `existing` display), attached to a real Chromium app window
// found by its title. The page reports every key and button it receives, so a replay is proven to
// have reached the window, not just the X server. Recording is driven by XTest input injected from
// this process (libnut), heard by the child's global hook. Every child carries a unique tag in its
// environment; after each test no process with the tag (the CLI or its window helper) is left.
// Without a display every test fails with the reason.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { isAlive, makeTempDir } from '../run/cleanup.ts'
import { readMarkers } from '../run/markers.ts'
import { startProcess, type Started } from '../run/processes.ts'
import { openAppWindow, type AppWindow } from './app-window.ts'
import { toRel, type Point, type Rect } from './coords.ts'
import { displayUnavailable, useDisplay } from './display.ts'
import { libnut } from './native.ts'
import { loadRecording } from './recording.ts'
import { findAppWindow } from './window.ts'

const BIN = resolve(import.meta.dirname, '../../bin/benchgate.ts')
const SAMPLE = resolve(import.meta.dirname, '../../fixtures/recordings/sample.json')
const TITLE = 'Record Replay CLI Target'
const RECT: Rect = { left: 40, top: 40, width: 960, height: 640 } // the sample's recorded rectangle
const TAG = `benchgate-record-replay-cli-${process.pid}-${Date.now()}`
const dir = makeTempDir('benchgate-record-replay-cli-')
const why = displayUnavailable()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let server: Server
let app: AppWindow | undefined
let rect: Rect
/** What the page received, by the page's sequence number: "key PageDown", "key 1 alt", "down 0", … */
let reports: { i: number; v: string }[] = []
const received = () => [...reports].sort((a, b) => a.i - b.i).map((r) => r.v)

const html = `<!doctype html><title>${TITLE}</title><body style="margin:0;background:#234;height:100vh">
<script>
let i = 0
const say = (v) => fetch('/r?i=' + (i++) + '&v=' + encodeURIComponent(v))
addEventListener('keydown', (e) => say('key ' + e.key + (e.altKey ? ' alt' : '') + (e.ctrlKey ? ' ctrl' : '')))
addEventListener('mousedown', (e) => say('down ' + e.button))
addEventListener('wheel', (e) => say('wheel ' + Math.sign(e.deltaY)))
</script></body>`

async function waitFor<T>(what: string, f: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v) return v
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

beforeAll(async () => {
  if (why) return
  await useDisplay()
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/r') {
      reports.push({ i: Number(url.searchParams.get('i')), v: url.searchParams.get('v') ?? '' })
      res.writeHead(204).end()
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    }
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  app = await openAppWindow({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, ...RECT })
  const w = await waitFor('the target window', () => findAppWindow(new RegExp(`^${TITLE}$`)))
  rect = await w.rect()
  await w.foreground()
}, 60_000)

afterAll(async () => {
  await app?.close()
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)))
  await dir.release()
})

function requireDisplay(): void {
  if (why) throw new Error(`no display for the record/replay CLI tests: ${why}`)
}

interface Cli {
  readonly p: Started
  out(): string
  err(): string
  /** Waits for the exit (at most timeoutMs) and returns the code. */
  code(timeoutMs?: number): Promise<number | string>
}

const started: Cli[] = []

/** `benchgate ARGS` as its own process on this display, tagged so that whatever it starts can be found. */
function cli(args: string[]): Cli {
  const p = startProcess(process.execPath, [BIN, ...args], {
    env: { ...process.env, BENCHGATE_CLI_TEST_TAG: TAG },
    cwd: dir.path,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  p.child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  p.child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  const c: Cli = {
    p,
    out: () => out,
    err: () => err,
    async code(timeoutMs = 30_000) {
      const timer = sleep(timeoutMs).then(() => 'timeout' as const)
      const code = await Promise.race([p.exited, timer])
      if (code === 'timeout') throw new Error(`benchgate ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`)
      await new Promise((r) => setImmediate(r)) // the pipes' last chunks
      return code
    },
  }
  started.push(c)
  return c
}

/** Pids of live (non-zombie) processes whose environment carries this file's tag. */
function tagged(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      if (!readFileSync(`/proc/${d}/environ`, 'latin1').includes(`BENCHGATE_CLI_TEST_TAG=${TAG}`)) return []
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? [] : [Number(d)]
    } catch {
      return []
    }
  })
}

afterEach(async () => {
  const all = started.splice(0)
  await Promise.all(all.map((c) => c.p.stop()))
  for (const c of all) expect(isAlive(c.p.pid), `benchgate child ${c.p.pid}`).toBe(false)
  // the CLIs' window helpers end with them (stdin closed / group stopped at exit)
  await waitFor('no tagged process left', () => tagged().length === 0 || null, 5_000).catch(() => undefined)
  expect(tagged()).toEqual([])
})

/** One line on stderr, no stack frames. */
function expectOneCleanLine(stderr: string): void {
  expect(stderr.trim().split('\n'), stderr).toHaveLength(1)
  expect(stderr).not.toMatch(/^\s+at /m)
  expect(stderr).not.toMatch(/Error:|\.ts:\d+:\d+/)
}

async function nut() {
  const n = await libnut()
  n.moveMouse(640, 400) // away from the failsafe corner
  return n
}

describe('benchgate replay', () => {
  test('the sample replayed into the window exits 0, the window receives its keys and clicks, markers.tsv gets replay_start, the markers and replay_end', async () => {
    requireDisplay()
    await nut()
    reports = []
    const markers = join(dir.path, 'replay-markers.tsv')
    const c = cli(['replay', SAMPLE, '--window', `^${TITLE}$`, '--markers', markers])
    expect(await c.code(), c.err()).toBe(0)
    expect(c.err()).toBe('')
    const line = c.out().trim()
    expect(line.split('\n')).toHaveLength(1)
    expect(line).toMatch(new RegExp(`^replayed 42 events of .*sample\\.json into "${TITLE}" \\(960×640 at 40,40\\) in \\d+\\.\\d s; worst lateness \\d+\\.\\d ms \\(p99 \\d+\\.\\d ms\\); markers: ${markers.replace(/[.]/g, '\\.')}$`))
    expect(readMarkers(markers).map((m) => m.event)).toEqual(['replay_start', 'marker_1', 'marker_2', 'marker_3', 'replay_end'])
    expect(readMarkers(markers).at(-1)!.comment).toMatch(/events=42 late_max_ms=/)
    // what the page saw, in order: the click, five PageDown, two wheel notches down, Alt+1, the right
    // click (its context menu takes the Escape that follows, so the page never sees it)
    const expected = ['down 0', ...Array<string>(5).fill('key PageDown'), 'wheel 1', 'wheel 1', 'key Alt alt', 'key 1 alt', 'down 2']
    await waitFor('the page reports', () => received().length >= expected.length || null, 5_000).catch(() => undefined)
    await sleep(200) // nothing more arrives
    expect(received()).toEqual(expected)
  })

  test('with the mouse in the top-left corner the failsafe aborts: one line on stderr, exit 3, replay_aborted; --no-failsafe replays anyway', async () => {
    requireDisplay()
    const n = await nut()
    const rec = join(dir.path, 'hold.json')
    writeFileSync(rec, JSON.stringify({
      version: 2, created: new Date().toISOString(), window: { title: TITLE, rect: RECT },
      events: [{ t_ms: 0, kind: 'key_down', key: 'Shift' }, { t_ms: 30, kind: 'key_up', key: 'Shift' }],
    }))
    const markers = join(dir.path, 'abort-markers.tsv')
    n.moveMouse(0, 0)
    try {
      const c = cli(['replay', rec, '--window', `^${TITLE}$`, '--markers', markers])
      expect(await c.code(), c.out() + c.err()).toBe(3)
      expectOneCleanLine(c.err())
      expect(c.err()).toMatch(/^benchgate replay: aborted by the failsafe \(mouse in the top-left corner\) after 0 of 2 events; released nothing \(nothing was held\); replay_aborted written to .*abort-markers\.tsv\n$/)
      expect(readMarkers(markers).map((m) => m.event)).toEqual(['replay_start', 'replay_aborted'])

      const ok = cli(['replay', rec, '--window', `^${TITLE}$`, '--markers', markers, '--no-failsafe'])
      expect(await ok.code(), ok.err()).toBe(0)
      expect(ok.out()).toMatch(/^replayed 2 events of /)
      expect(readMarkers(markers).map((m) => m.event)).toEqual(['replay_start', 'replay_aborted', 'replay_start', 'replay_end'])
    } finally {
      n.moveMouse(640, 400)
    }
  })

  test('a malformed recording exits 2 with the file, the field and the event named on one line, no stack trace, nothing replayed', async () => {
    requireDisplay()
    const bad = join(dir.path, 'bad.json')
    const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { events: Record<string, unknown>[] }
    sample.events[3]!.x = 'left'
    writeFileSync(bad, JSON.stringify(sample, null, 2))
    const markers = join(dir.path, 'bad-markers.tsv')
    const c = cli(['replay', bad, '--window', `^${TITLE}$`, '--markers', markers])
    expect(await c.code()).toBe(2)
    expectOneCleanLine(c.err())
    expect(c.err()).toContain(bad)
    expect(c.err()).toMatch(/events\[3\]\.x: .*expected number.*\(event 3 move at t_ms [\d.]+\)/)
    expect(c.out()).toBe('')
    expect(existsSync(markers)).toBe(false)
  })

  test('no window matching: exit 2 naming the pattern and listing the titles seen (the target among them)', async () => {
    requireDisplay()
    const c = cli(['replay', SAMPLE, '--window', 'No Such Application'])
    expect(await c.code()).toBe(2)
    expectOneCleanLine(c.err())
    expect(c.err()).toMatch(/^benchgate replay: --window: no window whose title matches \/No Such Application\/ is open on display :\d+; .*\(hint: titles seen: .*"Record Replay CLI Target"/)
  })
})

describe('benchgate record', () => {
  const p1: Point = { x: RECT.left + 100, y: RECT.top + 80 }
  const p2: Point = { x: RECT.left + 700, y: RECT.top + 500 }
  const frac = (p: Point) => {
    const f = toRel(rect, p)
    return { x: Math.round(f.x * 1e6) / 1e6, y: Math.round(f.y * 1e6) / 1e6 }
  }
  const tap = (n: Awaited<ReturnType<typeof libnut>>, key: string) => {
    n.keyToggle(key, 'down')
    n.keyToggle(key, 'up')
  }

  test('F9, moves, a key, a click, F6, F12 from XTest: the file loads and holds those events and the named marker, hotkeys left out; one summary line', async () => {
    requireDisplay()
    const n = await nut()
    const out = join(dir.path, 'rec.json')
    const c = cli(['record', '--window', `^${TITLE}$`, '--out', out, '--marker-names', 'start_here,second'])
    await waitFor('the hotkeys line', () => c.out().includes('F9 start/pause') || (c.p.child.exitCode !== null && Promise.reject(new Error(c.err()))))
    expect(c.out().split('\n')[0]).toBe(
      `recording "${TITLE}" (960×640 at 40,40 on ${process.env.DISPLAY}): F9 start/pause, F12 stop and save, F6 start_here, F7 second, F8 marker_3 markers; Ctrl-C saves ${out}.partial`,
    )
    tap(n, 'f9')
    await waitFor('recording state', () => c.out().includes('recording at 0.0 s'))
    n.moveMouse(p1.x, p1.y)
    await sleep(30)
    n.moveMouse(p2.x, p2.y)
    await sleep(30)
    tap(n, 'a')
    n.mouseToggle('down', 'left')
    n.mouseToggle('up', 'left')
    await sleep(30)
    tap(n, 'f6')
    await sleep(30)
    tap(n, 'f12')
    expect(await c.code(), c.err()).toBe(0)
    expect(c.err()).toBe('')

    const rec = loadRecording(out)
    expect(rec.window).toEqual({ title: TITLE, rect })
    const moves = rec.events.filter((e) => e.kind === 'move').map(({ x, y }) => ({ x, y }))
    expect(moves).toEqual([frac(p1), frac(p2)])
    expect(rec.events.map((e) => e.kind)).toEqual(['move', 'move', 'key_down', 'key_up', 'down', 'up', 'marker'])
    expect(rec.events.filter((e) => e.kind === 'key_down' || e.kind === 'key_up').map((e) => 'key' in e && e.key)).toEqual(['A', 'A'])
    expect(rec.events.filter((e) => e.kind === 'down' || e.kind === 'up').map((e) => ('button' in e ? [e.button, e.x, e.y] : null))).toEqual([['left', frac(p2).x, frac(p2).y], ['left', frac(p2).x, frac(p2).y]])
    expect(rec.events.at(-1)).toMatchObject({ kind: 'marker', name: 'start_here' })
    expect(rec.events.at(-1)!.t_ms).toBeGreaterThan(rec.events[0]!.t_ms)
    const lines = c.out().trim().split('\n')
    expect(lines.slice(1, -1)).toEqual([expect.stringMatching(/^recording at 0\.0 s$/), expect.stringMatching(/^stopped at \d+\.\d s$/)])
    expect(lines.at(-1)).toMatch(new RegExp(`^saved ${out.replace(/[.]/g, '\\.')}: 7 events \\(2 moves, 1 clicks, 0 wheel, 1 keys, 1 markers\\), \\d+\\.\\d s, markers: start_here at \\d+\\.\\d s$`))
    expect(existsSync(`${out}.partial`)).toBe(false)
  })

  test('Ctrl-C before F12: what was recorded is saved as FILE.partial (valid, the Ctrl+C chord dropped, held keys released), FILE untouched, exit 130', async () => {
    requireDisplay()
    const n = await nut()
    const out = join(dir.path, 'interrupted.json')
    const c = cli(['record', '--window', `^${TITLE}$`, '--out', out])
    await waitFor('the hotkeys line', () => c.out().includes('F9 start/pause') || (c.p.child.exitCode !== null && Promise.reject(new Error(c.err()))))
    tap(n, 'f9')
    await waitFor('recording state', () => c.out().includes('recording at 0.0 s'))
    n.moveMouse(p1.x, p1.y)
    n.keyToggle('shift', 'down') // still held when interrupted
    tap(n, 'b')
    n.keyToggle('control', 'down') // the operator's Ctrl-C, as the hook hears it
    n.keyToggle('c', 'down')
    await sleep(150) // the hook has delivered them to the child
    process.kill(c.p.pid, 'SIGINT')
    expect(await c.code(), c.out() + c.err()).toBe(130)
    n.keyToggle('c', 'up')
    n.keyToggle('control', 'up')
    n.keyToggle('shift', 'up')

    expect(existsSync(out)).toBe(false)
    const rec = loadRecording(`${out}.partial`)
    const shown = rec.events.map((e) => ('key' in e ? `${e.kind} ${e.key}` : e.kind))
    expect(shown).toEqual(['move', 'key_down Shift', 'key_down B', 'key_up B', 'key_up Shift'])
    expect(c.out().trim().split('\n').at(-1)).toMatch(/^partial recording \(SIGINT before F12\) saved to .*interrupted\.json\.partial: 5 events \(1 moves, 0 clicks, 0 wheel, 2 keys, 0 markers\), \d+\.\d s, markers: none$/)
  })

  test('no window matching: exit 2 naming the pattern and the titles seen, nothing written', async () => {
    requireDisplay()
    const out = join(dir.path, 'never.json')
    const c = cli(['record', '--window', '^Petrel 2099', '--out', out])
    expect(await c.code()).toBe(2)
    expectOneCleanLine(c.err())
    expect(c.err()).toMatch(/^benchgate record: --window: no window whose title matches \/\^Petrel 2099\/ is open on display :\d+; .*titles seen: .*"Record Replay CLI Target"/)
    expect(existsSync(out)).toBe(false)
    expect(existsSync(`${out}.partial`)).toBe(false)
  })
})
