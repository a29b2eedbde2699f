import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { makeTempDir } from '../run/cleanup.ts'
import {
  KEY_NAMES,
  KEYS,
  keyNameOf,
  loadRecording,
  RECORDING_SCHEMA_FILE,
  recordingJsonSchemaText,
  writeRecording,
  type Recording,
} from './recording.ts'

const SAMPLE = resolve(import.meta.dirname, '../../fixtures/recordings/sample.json')
const dir = makeTempDir('benchgate-recording-')
afterAll(() => dir.release())

function rec(events: unknown[]): Recording {
  return {
    version: 2,
    created: '2026-01-02T03:04:05.678Z',
    window: { title: 'viewer', rect: { left: 10, top: 20, width: 800, height: 600 } },
    events,
  } as Recording
}

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected an error')
}

function writeJson(name: string, data: unknown): string {
  const p = join(dir.path, name)
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data, null, 2))
  return p
}

describe('recording files', () => {
  test('fixtures/recording.schema.json is in sync with the zod schema', () => {
    expect(readFileSync(RECORDING_SCHEMA_FILE, 'utf8'), 'fixtures/recording.schema.json is stale: run `node harness/desktop/recording.ts`').toBe(recordingJsonSchemaText())
  })

  test('the committed sample loads and has every kind of event', () => {
    const sample = loadRecording(SAMPLE)
    expect(sample.version).toBe(2)
    expect(new Set(sample.events.map((e) => e.kind))).toEqual(new Set(['move', 'down', 'up', 'wheel', 'key_down', 'key_up', 'marker']))
  })

  test('write then load is the identity, atomically (no temp file left)', () => {
    const r = rec([
      { t_ms: 0, kind: 'move', x: 0.5, y: 0.25 },
      { t_ms: 10.5, kind: 'down', button: 'left', x: 0.5, y: 0.25 },
      { t_ms: 12, kind: 'up', button: 'left', x: 0.5, y: 0.25 },
      { t_ms: 12, kind: 'wheel', dx: 0, dy: 3, x: 0.5, y: 0.25 },
      { t_ms: 40, kind: 'key_down', key: 'PageDown' },
      { t_ms: 41, kind: 'key_up', key: 'PageDown' },
      { t_ms: 50, kind: 'marker', name: 'marker_1' },
    ])
    const p = join(dir.path, 'sub', 'r.json')
    writeRecording(p, r)
    expect(loadRecording(p)).toEqual(r)
    expect(readdirSync(join(dir.path, 'sub'))).toEqual(['r.json'])
    expect(readFileSync(p, 'utf8').split('\n').filter((l) => l.includes('"t_ms"'))).toHaveLength(7) // one event per line
  })

  test('a bad field inside an event is named by path and by event index and kind', () => {
    const events = Array.from({ length: 12 }, (_, i) => ({ t_ms: i, kind: 'move', x: 0.1, y: 0.1 }))
    events.push({ t_ms: 12, kind: 'move', x: 'left' as unknown as number, y: 0.2 })
    const p = writeJson('bad-field.json', rec(events))
    const e = errorOf(() => loadRecording(p))
    expect(isUserError(e)).toBe(true)
    expect(e.message).toContain(`${p}: events[12].x:`)
    expect(e.message).toContain('event 12 move at t_ms 12')
  })

  test('an unknown kind, an unknown key and an unknown button are each named', () => {
    const p = writeJson('bad-kinds.json', rec([
      { t_ms: 0, kind: 'hover', x: 0, y: 0 },
      { t_ms: 1, kind: 'key_down', key: 'Hyper' },
      { t_ms: 2, kind: 'down', button: 'fourth', x: 0, y: 0 },
    ]))
    const e = errorOf(() => loadRecording(p))
    expect(e.message).toContain('events[0].kind')
    expect(e.message).toContain('events[1].key')
    expect(e.message).toContain('events[2].button')
  })

  test('a decreasing t_ms names the event index', () => {
    const p = writeJson('decreasing.json', rec([
      { t_ms: 0, kind: 'move', x: 0, y: 0 },
      { t_ms: 100, kind: 'move', x: 0, y: 0 },
      { t_ms: 99, kind: 'key_down', key: 'A' },
    ]))
    const e = errorOf(() => loadRecording(p))
    expect(e.message).toContain(`${p}: events[2].t_ms: t_ms 99 is before the previous event's 100 (event 2 key_down at t_ms 99)`)
  })

  test('malformed JSON names the file and line; another version is refused with a hint; a missing file is a UserError', () => {
    const p = writeJson('broken.json', '{\n  "version": 2,\n  "events": [,]\n}\n')
    const e = errorOf(() => loadRecording(p))
    expect(isUserError(e)).toBe(true)
    expect(e.message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: not valid JSON`))
    const v1 = writeJson('v1.json', { ...rec([]), version: 1 })
    expect(errorOf(() => loadRecording(v1)).message).toMatch(/version:.*hint: this reader knows recording version 2 only/)
    const missing = errorOf(() => loadRecording(join(dir.path, 'nope.json')))
    expect(isUserError(missing) && missing.message).toMatch(/nope\.json: cannot read the recording \(ENOENT\)/)
    expect(existsSync(join(dir.path, 'nope.json'))).toBe(false)
  })

  test('the key table is one-to-one from keycodes to names, and every name has a libnut key', () => {
    expect(new Set(KEY_NAMES.map((n) => KEYS[n].uiohook)).size).toBe(KEY_NAMES.length)
    for (const n of KEY_NAMES) {
      expect(keyNameOf(KEYS[n].uiohook)).toBe(n)
      expect(KEYS[n].libnut.length).toBeGreaterThan(0)
    }
    expect(keyNameOf(0x7fff)).toBeUndefined()
  })
})
