import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { appendMarker, formatMarker, markerSpan, readMarkers } from './markers.ts'

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('a marker line is UTC ISO-8601, TAB, event, TAB, comment', () => {
  const line = formatMarker('open_start', 'volume A', new Date(Date.UTC(2026, 10, 24, 9, 8, 7, 65)))
  expect(line).toBe('2026-11-24T09:08:07.065Z\topen_start\tvolume A\n')
})

test('tabs and newlines in comments are folded so one marker stays one line', () => {
  const line = formatMarker('x', 'a\tb\nc')
  expect(line.split('\t')).toHaveLength(3)
  expect(line.trimEnd().endsWith('a b c')).toBe(true)
})

test('an event name with spaces is refused with a clear message', () => {
  let err: unknown
  try {
    formatMarker('open start')
  } catch (e) {
    err = e
  }
  expect(isUserError(err)).toBe(true)
  expect((err as Error).message).toMatch(/markers\.tsv: event: invalid marker event "open start"/)
})

test('append and read back, and spans between markers', () => {
  dir = mkdtempSync(join(tmpdir(), 'bg-markers-'))
  const file = join(dir, 'markers.tsv')
  appendMarker(file, 'open_start')
  appendMarker(file, 'first_pixel', 'inline 100')
  const markers = readMarkers(file)
  expect(markers.map((m) => m.event)).toEqual(['open_start', 'first_pixel'])
  expect(markers[1]?.comment).toBe('inline 100')
  const span = markerSpan(markers, 'open_start', 'first_pixel')
  expect(span).not.toBeNull()
  expect(span!).toBeGreaterThanOrEqual(0)
  expect(markerSpan(markers, 'open_start', 'session_end')).toBeNull()
  expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2)
})

test('a malformed markers file names the file and line', () => {
  dir = mkdtempSync(join(tmpdir(), 'bg-markers-'))
  const file = join(dir, 'markers.tsv')
  writeFileSync(file, '2026-11-24T09:08:07.065Z\topen_start\t\nnot a marker\n')
  expect(() => readMarkers(file)).toThrow(`${file}:2: malformed marker line`)
})
