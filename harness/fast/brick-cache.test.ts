import { expect, test } from 'vitest'
import { BrickCache } from './brick-cache.ts'

const brick = (bytes: number) => new Uint8Array(bytes)

test('least recently used bricks are evicted once the bound is passed', async () => {
  const cache = new BrickCache<Uint8Array>(300)
  for (const k of [1, 2, 3]) await cache.get(k, async () => brick(100))
  await cache.get(1, async () => brick(100)) // 1 is now the most recent
  await cache.get(4, async () => brick(100)) // evicts 2, the least recent
  expect(cache.has(1)).toBe(true)
  expect(cache.has(2)).toBe(false)
  expect(cache.has(3)).toBe(true)
  expect(cache.has(4)).toBe(true)
  expect(cache.bytes).toBe(300)
  expect(cache.hits).toBe(1)
  expect(cache.misses).toBe(4)
})

test('concurrent requests for one brick share one load', async () => {
  const cache = new BrickCache<Uint8Array>(1000)
  let loads = 0
  const load = async () => {
    loads++
    await new Promise((r) => setTimeout(r, 5))
    return brick(10)
  }
  const [a, b] = await Promise.all([cache.get(7, load), cache.get(7, load)])
  expect(loads).toBe(1)
  expect(a).toBe(b)
})

test('a brick larger than the bound is returned but not kept; a failed load is not cached', async () => {
  const cache = new BrickCache<Uint8Array>(50)
  expect((await cache.get(1, async () => brick(100))).length).toBe(100)
  expect(cache.has(1)).toBe(false)
  await expect(cache.get(2, async () => { throw new Error('disk gone') })).rejects.toThrow('disk gone')
  expect(await cache.get(2, async () => brick(10))).toHaveLength(10)
  expect(() => new BrickCache(-1)).toThrow(/≥ 0 bytes/)
})
