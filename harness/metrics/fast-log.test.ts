import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { compileFastLogPattern, DEFAULT_FAST_LOG_PATTERN, FastLogTail, parseCacheHit } from './fast-log.ts'
import { tempDir } from './test-support.ts'

const line = (bytes: number, latency: number, cache: 'hit' | 'miss'): string =>
  `2026-11-24T10:00:00.000Z chunk=Dimensions_012LOD0/0_0_0 bytes=${bytes} latency_ms=${latency} cache=${cache} status=200\n`

describe('FAST log tail', () => {
  test('the default pattern reads the documented line format', () => {
    const m = new RegExp(DEFAULT_FAST_LOG_PATTERN).exec(line(262144, 12.5, 'hit'))
    expect(m?.groups).toMatchObject({ bytes: '262144', latency_ms: '12.5', cache_hit: 'hit' })
    expect(new RegExp(DEFAULT_FAST_LOG_PATTERN).exec('2026-11-24T10:00:00.000Z server started')).toBeNull()
  })

  test('each drain aggregates only the lines appended since the last one', () => {
    const dir = tempDir()
    const log = join(dir, 'fast.log')
    writeFileSync(log, line(999, 999, 'miss')) // before tailing began: not counted
    const tail = new FastLogTail(log)
    expect(tail.drain()).toEqual({ requests: 0, latencyMs: null, bytes: null, cacheHit: null })
    appendFileSync(log, line(100, 10, 'hit') + 'unrelated noise\n' + line(300, 20, 'miss') + line(600, 30, 'hit'))
    expect(tail.drain()).toEqual({ requests: 3, latencyMs: 20, bytes: 1000, cacheHit: 2 / 3 })
    expect(tail.drain().requests).toBe(0)
    tail.close()
  })

  test('a line without its newline yet waits for the next drain', () => {
    const dir = tempDir()
    const log = join(dir, 'fast.log')
    writeFileSync(log, '')
    const tail = new FastLogTail(log)
    const whole = line(100, 10, 'hit')
    appendFileSync(log, whole.slice(0, 40))
    expect(tail.drain().requests).toBe(0)
    appendFileSync(log, whole.slice(40))
    expect(tail.drain()).toMatchObject({ requests: 1, bytes: 100 })
    tail.close()
  })

  test('a log created after tailing began is read from its start', () => {
    const dir = tempDir()
    const log = join(dir, 'later.log')
    const tail = new FastLogTail(log)
    expect(tail.drain().requests).toBe(0)
    writeFileSync(log, line(100, 10, 'hit'))
    expect(tail.drain()).toMatchObject({ requests: 1, bytes: 100 })
    tail.close()
  })

  test('rotation: the old file is finished, then the new one read from its start', () => {
    const dir = tempDir()
    const log = join(dir, 'fast.log')
    writeFileSync(log, '')
    const tail = new FastLogTail(log)
    appendFileSync(log, line(100, 10, 'hit'))
    expect(tail.drain().requests).toBe(1)
    appendFileSync(log, line(200, 20, 'miss')) // written just before rotation
    renameSync(log, join(dir, 'fast.log.1'))
    writeFileSync(log, line(400, 40, 'hit'))
    expect(tail.drain()).toEqual({ requests: 2, latencyMs: 30, bytes: 600, cacheHit: 0.5 })
    appendFileSync(log, line(800, 80, 'hit'))
    expect(tail.drain()).toMatchObject({ requests: 1, bytes: 800 })
    tail.close()
  })

  test('truncation in place starts again at the top', () => {
    const dir = tempDir()
    const log = join(dir, 'fast.log')
    writeFileSync(log, '')
    const tail = new FastLogTail(log)
    appendFileSync(log, line(100, 10, 'hit') + line(100, 10, 'hit'))
    expect(tail.drain().requests).toBe(2)
    truncateSync(log, 0)
    appendFileSync(log, line(5, 1, 'miss'))
    expect(tail.drain()).toEqual({ requests: 1, latencyMs: 1, bytes: 5, cacheHit: 0 })
    tail.close()
  })

  test('a custom pattern with the three named groups', () => {
    const dir = tempDir()
    const log = join(dir, 'custom.log')
    writeFileSync(log, '')
    const tail = new FastLogTail(log, String.raw`latency=(?<latency_ms>[\d.]+)ms bytes=(?<bytes>\d+) hit=(?<cache_hit>\w+)`)
    appendFileSync(log, 'latency=4ms bytes=10 hit=true\nlatency=6ms bytes=30 hit=false\n')
    expect(tail.drain()).toEqual({ requests: 2, latencyMs: 5, bytes: 40, cacheHit: 0.5 })
    tail.close()
  })

  test('cache_hit values', () => {
    expect(['1', 'true', 'hit', 'HIT', 'yes'].map(parseCacheHit)).toEqual([1, 1, 1, 1, 1])
    expect(['0', 'false', 'miss', 'no'].map(parseCacheHit)).toEqual([0, 0, 0, 0])
    expect(parseCacheHit('maybe')).toBeNull()
  })

  test('a bad pattern is a user error naming the flag', () => {
    expect(() => compileFastLogPattern('(')).toThrow(/^--fast-log-pattern: not a valid regular expression/)
    expect(() => compileFastLogPattern('bytes=(?<bytes>\\d+)', 'fastLog.pattern')).toThrow(
      /^fastLog\.pattern: pattern lacks named groups latency_ms, cache_hit/,
    )
  })
})
