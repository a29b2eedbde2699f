// The display and the app window die with the process that started them, even when it ends
// without running any handler (SIGKILL here; Xlib's exit() on a lost display in real life).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from 'vitest'
import { groupMembers, isAlive, makeTempDir } from '../run/cleanup.ts'
import { startProcess } from '../run/processes.ts'
import { displayUnavailable } from './display.ts'

test('Xvfb and a Chromium app window started by a process die with it when it is SIGKILLed', async () => {
  const why = displayUnavailable()
  if (why) throw new Error(why)
  const dir = makeTempDir()
  const script = join(dir.path, 'owner.ts')
  const url = `data:text/html,<title>owner-${process.pid}-${Date.now()}</title>`
  writeFileSync(script, [
    `import { useDisplay } from ${JSON.stringify(join(import.meta.dirname, 'display.ts'))}`,
    `import { openAppWindow } from ${JSON.stringify(join(import.meta.dirname, 'app-window.ts'))}`,
    'const d = await useDisplay()',
    `const w = await openAppWindow({ url: ${JSON.stringify(url)} })`,
    'console.log(JSON.stringify({ xvfb: d.pid, chromium: w.pid }))',
    'setInterval(() => {}, 1000)',
  ].join('\n'))
  const owner = startProcess(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const line = await new Promise<string>((resolve, reject) => {
      owner.child.stdout!.setEncoding('utf8').once('data', (d: string) => resolve(d))
      void owner.exited.then((c) => reject(new Error(`owner exited with ${c}`)))
    })
    const { xvfb, chromium } = JSON.parse(line) as { xvfb: number; chromium: number }
    const deadline = Date.now() + 30_000
    while (groupMembers(chromium).length < 2 && Date.now() < deadline) await sleep(100)
    const browser = groupMembers(chromium)
    expect(isAlive(xvfb)).toBe(true)
    expect(isAlive(chromium)).toBe(true)
    expect(browser.length, 'the browser started its own children (zygote, renderers)').toBeGreaterThan(1)
    process.kill(owner.pid, 'SIGKILL') // the owner only: no handler of it runs, its group is not signalled
    const gone = Date.now() + 10_000
    while (Date.now() < gone && [xvfb, ...browser].some(isAlive)) await sleep(100)
    expect(isAlive(xvfb), 'Xvfb outlived its owner').toBe(false)
    expect(isAlive(chromium), 'Chromium outlived its owner').toBe(false)
    expect(browser.filter(isAlive), 'browser processes outlived their owner').toEqual([])
    expect(groupMembers(chromium), 'nothing left in the browser\'s process group').toEqual([])
  } finally {
    await owner.stop()
    await dir.release()
  }
}, 60_000)
