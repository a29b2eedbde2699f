import { existsSync } from 'node:fs'
import { expect, test } from 'vitest'
import { isAlive, liveResources, makeTempDir } from './cleanup.ts'
import { startProcess } from './processes.ts'

test('a temp directory is removed on release and unregistered', async () => {
  const before = liveResources()
  const dir = makeTempDir('bg-cleanup-')
  expect(existsSync(dir.path)).toBe(true)
  expect(liveResources()).toBe(before + 1)
  await dir.release()
  expect(existsSync(dir.path)).toBe(false)
  expect(liveResources()).toBe(before)
})

test('stopping a started process stops its whole tree, grandchildren included', async () => {
  // sh starts two sleeps in the background and waits: a tree of three processes.
  const p = startProcess('sh', ['-c', 'sleep 30 & sleep 30 & echo $! ; wait'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const grandchild = await new Promise<number>((resolve) => p.child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))))
  expect(isAlive(p.pid)).toBe(true)
  expect(isAlive(grandchild)).toBe(true)
  await p.stop()
  expect(isAlive(p.pid)).toBe(false)
  // the grandchild is reparented and reaped by init; give it a moment
  for (let i = 0; i < 40 && isAlive(grandchild); i++) await new Promise((r) => setTimeout(r, 25))
  expect(isAlive(grandchild)).toBe(false)
})
