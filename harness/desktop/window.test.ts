// Attach on real windows: Chromium app windows (their title the page's <title>) on this file's own
// Xvfb display, served by a loopback HTTP server whose pages report their geometry and keys back.
// With no display to be had, every test fails with the reason.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { isAlive, makeTempDir } from '../run/cleanup.ts'
import { openAppWindow, type AppWindow } from './app-window.ts'
import { displayUnavailable } from './display.ts'
import { libnut } from './native.ts'
import { attachWindow, chooseAppWindow, findAppWindow, listWindows, petrelAttachOptions, WINDOW_SKIP_RULES, type WindowInfo } from './window.ts'
import { ConfigSchema } from '../config/schema.ts'
import { windowSystem } from './window-system.ts'

const CHROMIUM = '/usr/bin/chromium'
const FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--password-store=basic']

let server: Server
let base = ''
const titles = new Map<string, string>() // page id → title
const reports: { id: string; kind: string; value: string }[] = []

/** A page (by id, so the URL Chromium shows before loading names no title) that reports geometry and keys. */
function page(id: string, title: string): string {
  titles.set(id, title)
  return `${base}/w/${id}`
}

const html = (id: string, title: string) => `<!doctype html><title>${title}</title>
<body style="margin:0;background:#246">${title}<script>
const say = (kind, value) => fetch('/r/${id}/' + kind + '?v=' + encodeURIComponent(value))
let last = ''
const geo = () => { const g = [screenX, screenY, outerWidth, outerHeight].join(','); if (g !== last) say('geometry', last = g) }
addEventListener('load', geo); setInterval(geo, 50)
addEventListener('keydown', (e) => say('key', e.key))
</script></body>`

/** Members of a process group that are not zombies, from /proc. */
function liveInGroup(pgid: number): string[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return Number(group) === pgid && state !== 'Z' ? [`${d} (${state})`] : []
    } catch {
      return [] // ended while we looked
    }
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitFor<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v) return v
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

const windowTitled = (title: string) => waitFor(`a window titled ${JSON.stringify(title)}`, async () => (await listWindows()).find((w) => w.title === title))

beforeAll(async () => {
  const why = displayUnavailable()
  if (why) throw new Error(`no display for the window tests: ${why}`)
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const [, kind, id, what] = url.pathname.split('/')
    if (kind === 'w' && id && titles.has(id)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(id, titles.get(id)!))
    } else if (kind === 'r' && id && what) {
      reports.push({ id, kind: what, value: url.searchParams.get('v') ?? '' })
      res.writeHead(204).end()
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((ok) => server?.close(ok))
})

const opened: AppWindow[] = []
async function open(id: string, title: string, rect: { left: number; top: number; width: number; height: number }): Promise<AppWindow> {
  const w = await openAppWindow({ url: page(id, title), ...rect })
  opened.push(w)
  return w
}
async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((w) => w.close()))
}

describe('the skip rules (titles alone)', () => {
  const skipped = (title: string) => WINDOW_SKIP_RULES.find((r) => r.title.test(title))?.name ?? null
  test('explorer windows, file dialogs and message boxes are skipped, the application and its projects are not', () => {
    expect(skipped('File Explorer')).toBe('file explorer')
    expect(skipped('Petrel projects - File Explorer')).toBe('file explorer')
    expect(skipped('C:\\Petrel - Windows Explorer')).toBe('file explorer')
    expect(skipped('northsea - Explorer')).toBe('file explorer')
    expect(skipped('Open')).toBe('dialog')
    expect(skipped('Open Petrel project')).toBe('dialog')
    expect(skipped('Save As')).toBe('dialog')
    expect(skipped('Select Petrel project folder')).toBe('dialog')
    expect(skipped('Petrel - Save As')).toBe('dialog')
    expect(skipped('Warning: Petrel license expires')).toBe('message box')
    expect(skipped('About Petrel')).toBe('message box')
    for (const title of ['Petrel', 'Petrel 2024', 'Petrel 2024 - northsea.pet', 'Petrel 2024 - Open day demo', 'Petrel 2024 - Error analysis', 'Petrel Explorer demo - Petrel 2024']) {
      expect(skipped(title), title).toBeNull()
    }
  })

  test('of the matches left, the largest visible window wins; tiny and area-less ones are skipped, a minimised one ranks last', () => {
    const w = (handle: number, title: string, left: number, top: number, width: number, height: number): WindowInfo => ({ handle, title, rect: { left, top, width, height } })
    const choice = chooseAppWindow([
      w(1, 'Petrel 2024 - a', 0, 0, 400, 300),
      w(2, 'Petrel 2024 - b', 0, 0, 800, 600),
      w(3, 'Petrel', 10, 10, 10, 10),
      w(4, 'Petrel', 0, 0, 0, 0),
      w(5, 'Petrel 2024 - c', -32000, -32000, 160, 28),
      w(6, 'Open Petrel project', 0, 0, 1600, 1000),
      w(7, 'Word', 0, 0, 1920, 1080),
    ], /Petrel/)
    expect(choice.chosen?.handle).toBe(2)
    expect(choice.candidates.map((c) => c.handle)).toEqual([2, 1, 5])
    expect(choice.skipped.map((s) => [s.window.handle, s.reason])).toEqual([[3, 'smaller than 200×150'], [4, 'no area'], [6, 'dialog']])
    expect(chooseAppWindow([w(5, 'Petrel 2024 - c', -32000, -32000, 160, 28)], 'Petrel').chosen?.handle).toBe(5)
  })

  test('the configuration section maps onto the attach options', () => {
    const petrel = ConfigSchema.parse({ petrel: { executable: 'C:\\Petrel\\Petrel.exe', project: 'D:\\p\\northsea.pet' } }).petrel
    expect(petrelAttachOptions(petrel, 'benchgate.yaml')).toEqual({
      pattern: 'Petrel', launchTimeoutS: 180, executable: 'C:\\Petrel\\Petrel.exe', project: 'D:\\p\\northsea.pet', source: 'benchgate.yaml',
    })
  })
})

describe('attach on real windows', () => {
  test('finds the main window among a larger "File Explorer" and a larger "Open" dialog whose titles match too', async () => {
    try {
      await open('explorer', 'Petrel projects - File Explorer', { left: 0, top: 0, width: 1000, height: 700 })
      await open('dialog', 'Open Petrel project', { left: 100, top: 80, width: 900, height: 650 })
      await open('main', 'Petrel 2024 - northsea', { left: 300, top: 200, width: 640, height: 480 })
      const main = await windowTitled('Petrel 2024 - northsea')
      await windowTitled('Petrel projects - File Explorer')
      await windowTitled('Open Petrel project')
      const all = await listWindows()
      // the decoys really are larger, so only the rules keep them out
      const area = (t: string) => all.filter((w) => w.title === t).map((w) => w.rect.width * w.rect.height)[0]!
      expect(area('Open Petrel project')).toBeGreaterThan(area('Petrel 2024 - northsea'))
      expect(area('Petrel projects - File Explorer')).toBeGreaterThan(area('Petrel 2024 - northsea'))

      const found = await findAppWindow(/Petrel/)
      expect(found?.handle).toBe(main.handle)
      expect(await found!.title()).toBe('Petrel 2024 - northsea')
      expect(found!.pid).toBeNull()
      const choice = chooseAppWindow(all, /Petrel/)
      expect(choice.skipped.map((s) => [s.window.title, s.reason]).sort()).toEqual(
        expect.arrayContaining([['Open Petrel project', 'dialog'], ['Petrel projects - File Explorer', 'file explorer']]),
      )
      // a running match is attached to without starting anything
      const attached = await attachWindow({ pattern: 'northsea$', executable: '/nonexistent/petrel', launchTimeoutS: 1 })
      expect(attached.handle).toBe(main.handle)
      expect(attached.pid).toBeNull()
      await attached.close() // leaves a window it did not start alone
      expect((await listWindows()).some((w) => w.handle === main.handle)).toBe(true)
    } finally {
      await closeAll()
    }
  })

  test('launches the executable with its arguments when no window matches, and close() stops every process it started', async () => {
    const profile = makeTempDir('benchgate-attach-')
    try {
      expect((await listWindows()).some((w) => /^Launched by attach$/.test(w.title))).toBe(false)
      const w = await attachWindow({
        pattern: /^Launched by attach$/,
        executable: CHROMIUM,
        args: [...FLAGS, `--user-data-dir=${profile.path}`, '--window-position=50,40', '--window-size=700,500', `--app=${page('launched', 'Launched by attach')}`],
        launchTimeoutS: 60,
      })
      const pid = w.pid
      expect(pid).toBeGreaterThan(0)
      expect(isAlive(pid!)).toBe(true)
      expect(liveInGroup(pid!).length).toBeGreaterThan(1) // Chromium's zygote and renderers too
      expect(await w.title()).toBe('Launched by attach')
      expect(await w.rect()).toMatchObject({ width: 700, height: 500 })
      await w.close()
      expect(isAlive(pid!)).toBe(false)
      expect(liveInGroup(pid!), 'no live process of its group is left (zombies wait for init to reap them)').toEqual([])
      await waitFor('the launched window to go', async () => !(await listWindows()).some((x) => x.handle === w.handle), 5000)
      await expect(w.rect()).rejects.toThrow(/is gone/)
    } finally {
      await profile.release()
    }
  })

  test('the project is passed as the last argument, and an executable that exits early fails at once with its exit code', async () => {
    const started = performance.now()
    const e = await attachWindow({
      pattern: /^Never$/,
      executable: process.execPath,
      args: ['-e', 'process.exit(process.argv.at(-1) === "D:/projects/northsea.pet" ? 7 : 1)'],
      project: 'D:/projects/northsea.pet',
      launchTimeoutS: 60,
      source: 'bench.yaml',
    }).catch((x: unknown) => x)
    expect(isUserError(e), String(e)).toBe(true)
    expect((e as Error).message).toMatch(/^bench\.yaml: petrel\.executable: .* exited with 7 before a window matching \/\^Never\$\/ appeared/)
    expect(performance.now() - started).toBeLessThan(30_000) // not the 60 s timeout
  })

  test('a window that never matches: the error names the pattern, the timeout and the titles seen (once each), and the started process is stopped', async () => {
    const profile = makeTempDir('benchgate-attach-')
    try {
      const e = await attachWindow({
        pattern: /^Petrel 20\d\d - northsea$/,
        executable: CHROMIUM,
        args: [...FLAGS, `--user-data-dir=${profile.path}`, `--app=${page('wrong', 'Petrel 2024 - wrong project')}`],
        launchTimeoutS: 4,
        pollMs: 100,
      }).catch((x: unknown) => x)
      expect(isUserError(e), String(e)).toBe(true)
      const message = (e as Error).message
      expect(message).toContain('configuration: petrel.window_title: no window matching /^Petrel 20\\d\\d - northsea$/ appeared within 4 s of starting /usr/bin/chromium')
      expect(message).toMatch(/titles seen: .*"Petrel 2024 - wrong project"/)
      expect(message.split('"Petrel 2024 - wrong project"').length - 1, message).toBe(1)
      expect(message).toContain('petrel.launch_timeout_s')
      await waitFor('the started Chromium to be gone', async () => !(await listWindows()).some((w) => w.title === 'Petrel 2024 - wrong project'), 5000)
    } finally {
      await profile.release()
    }
  })

  test('no match and no executable: a clear error naming the pattern and what was seen', async () => {
    try {
      await open('other', 'Some other application', { left: 0, top: 0, width: 400, height: 300 })
      await windowTitled('Some other application')
      const e = await attachWindow({ pattern: /Petrel/, launchTimeoutS: 180 }).catch((x: unknown) => x)
      expect(isUserError(e), String(e)).toBe(true)
      expect((e as Error).message).toMatch(/^configuration: petrel\.window_title: no window whose title matches \/Petrel\/ is open, and no executable is configured to start.*"Some other application"/s)
    } finally {
      await closeAll()
    }
  })

  test('moveResize to a rectangle reads back exactly, and the application sees the same geometry', async () => {
    try {
      await open('geo', 'Geometry probe', { left: 40, top: 30, width: 500, height: 400 })
      await windowTitled('Geometry probe')
      const w = (await findAppWindow(/^Geometry probe$/))!
      expect(await w.rect()).toEqual({ left: 40, top: 30, width: 500, height: 400 })
      for (const target of [{ left: 123, top: 77, width: 641, height: 479 }, { left: 0, top: 0, width: 1024, height: 700 }, { left: 333, top: 250, width: 401, height: 301 }]) {
        const achieved = await w.moveResize(target)
        expect(achieved).toEqual(target)
        expect(await w.rect()).toEqual(target)
        const want = [target.left, target.top, target.width, target.height].join(',')
        await waitFor(`the page to report ${want}`, async () => reports.some((r) => r.id === 'geo' && r.kind === 'geometry' && r.value === want), 5000)
          .catch((e: Error) => { throw new Error(`${e.message}; it reported ${reports.filter((r) => r.id === 'geo').map((r) => r.value).join(' ')}`) })
      }
    } finally {
      await closeAll()
    }
  })

  test('toRel/toAbs through a real window rectangle round-trip every pixel of its rows and columns', async () => {
    try {
      await open('coords', 'Coordinates probe', { left: 37, top: 11, width: 641, height: 479 })
      await windowTitled('Coordinates probe')
      const w = (await findAppWindow('^Coordinates probe$'))!
      const r = await w.rect()
      expect(r).toEqual({ left: 37, top: 11, width: 641, height: 479 })
      let wrong = 0
      for (let x = r.left; x < r.left + r.width; x += 7) {
        for (const y of [r.top, r.top + 240, r.top + r.height - 1]) {
          const f = await w.toRel({ x, y })
          if (!(f.x > 0 && f.x < 1 && f.y > 0 && f.y < 1)) wrong++
          const back = await w.toAbs(f)
          if (back.x !== x || back.y !== y) wrong++
        }
      }
      expect(wrong).toBe(0)
      expect(await w.toAbs({ x: 0.5, y: 0.5 })).toEqual({ x: 37 + 320, y: 11 + 239 })
      // after a move the same fraction lands at the same place of the moved window
      await w.moveResize({ left: 200, top: 100, width: 641, height: 479 })
      expect(await w.toAbs({ x: 0.5, y: 0.5 })).toEqual({ x: 200 + 320, y: 100 + 239 })
    } finally {
      await closeAll()
    }
  })

  test('foreground() makes the window active: keys typed next reach that window and no other', async () => {
    try {
      await open('ka', 'Keys A', { left: 0, top: 0, width: 400, height: 300 })
      await open('kb', 'Keys B', { left: 450, top: 0, width: 400, height: 300 })
      await windowTitled('Keys A')
      await windowTitled('Keys B')
      await waitFor('both pages loaded', async () => ['ka', 'kb'].every((id) => reports.some((r) => r.id === id && r.kind === 'geometry')), 10_000)
      const a = (await findAppWindow(/^Keys A$/))!
      const b = (await findAppWindow(/^Keys B$/))!
      const lib = await libnut()
      const keysOf = (id: string) => reports.filter((r) => r.id === id && r.kind === 'key').map((r) => r.value)
      for (const [w, key] of [[a, 'a'], [b, 'b'], [a, 'c']] as const) {
        await w.foreground()
        lib.keyTap(key)
        await waitFor(`key ${key}`, async () => [...keysOf('ka'), ...keysOf('kb')].includes(key), 5000)
      }
      await sleep(200)
      expect(keysOf('ka')).toEqual(['a', 'c'])
      expect(keysOf('kb')).toEqual(['b'])
    } finally {
      await closeAll()
    }
  })

  test('windows opening and closing while the list is polled do not end this process (Xlib BadWindow is kept in the helper)', async () => {
    let polls = 0
    let stop = false
    const poll = (async () => {
      while (!stop) {
        for (const w of await listWindows()) {
          const win = await findAppWindow(new RegExp(`^${w.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), { minSize: { width: 1, height: 1 } })
          await win?.rect().catch((e: Error) => expect(e.message).toMatch(/is gone/))
        }
        polls++
      }
    })()
    try {
      for (let i = 0; i < 3; i++) {
        const w = await open(`churn${i}`, `Churn ${i}`, { left: 10 * i, top: 10 * i, width: 300, height: 200 })
        await windowTitled(`Churn ${i}`)
        await w.close()
        opened.splice(opened.indexOf(w), 1)
      }
    } finally {
      stop = true
      await poll
      await closeAll()
    }
    expect(polls).toBeGreaterThan(10)
    console.log(`window list polled ${polls} times while 3 windows opened and closed; Xlib ended the helper ${(await windowSystem()).restarts} times`)
  })

  test('the hazard is real and kept out: libnut in a process asked about a vanished window ends that process, the helper answers null', async () => {
    const bogus = 0x7ffff01 // no such window
    const binding = createRequire(import.meta.url).resolve('@nut-tree-fork/libnut/dist/import_libnut.js')
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(binding)}).libnut.getWindowTitle(${bogus}); console.log('survived')`], { encoding: 'utf8', timeout: 20_000 })
    expect(child.stdout).not.toContain('survived')
    expect(child.stderr).toMatch(/BadWindow/)
    const system = await windowSystem()
    expect(await system.title(bogus)).toBeNull()
    expect(await system.rect(bogus)).toBeNull()
    expect(await system.focus(bogus)).toBeNull()
    expect((await listWindows()).length).toBeGreaterThanOrEqual(0) // and the helper still answers
  })
})
