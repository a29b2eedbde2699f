// markers.tsv: one line per event, `UTC ISO-8601<TAB>event<TAB>comment`. Appended with O_APPEND so
// the harness and a separate process (a reader, an application driver) can mark the same file.
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { UserError } from '../errors.ts'

export interface Marker {
  ts: string
  event: string
  comment: string
}

const EVENT = /^[A-Za-z0-9_.:-]+$/

export function formatMarker(event: string, comment = '', at: Date = new Date()): string {
  if (!EVENT.test(event)) {
    throw new UserError({
      file: 'markers.tsv',
      field: 'event',
      message: `invalid marker event ${JSON.stringify(event)}`,
      expected: 'letters, digits and _ . : - only',
      hint: 'use names such as open_start or scrub_end',
    })
  }
  const clean = comment.replace(/[\t\r\n]+/g, ' ')
  return `${at.toISOString()}\t${event}\t${clean}\n`
}

/** Appends one marker to a markers file (creating it) and returns it. */
export function appendMarker(file: string, event: string, comment = ''): Marker {
  const at = new Date()
  appendFileSync(file, formatMarker(event, comment, at))
  return { ts: at.toISOString(), event, comment: comment.replace(/[\t\r\n]+/g, ' ') }
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/

/** Parses a markers file; a malformed line is an error naming the file and line. */
export function readMarkers(file: string): Marker[] {
  if (!existsSync(file)) return []
  const lines = readFileSync(file, 'utf8').split('\n')
  const out: Marker[] = []
  lines.forEach((line, i) => {
    if (line === '') return
    const [ts, event, ...rest] = line.split('\t')
    if (!ts || !ISO.test(ts) || !event || rest.length !== 1) {
      throw new UserError({
        file,
        line: i + 1,
        message: `malformed marker line ${JSON.stringify(line.slice(0, 80))}`,
        expected: 'UTC ISO-8601<TAB>event<TAB>comment',
      })
    }
    out.push({ ts, event, comment: rest[0] ?? '' })
  })
  return out
}

/** Seconds between the first `from` marker and the first `to` marker after it, or null. */
export function markerSpan(markers: readonly Marker[], from: string, to: string): number | null {
  const start = markers.find((m) => m.event === from)
  if (!start) return null
  const end = markers.find((m) => m.event === to && m.ts >= start.ts)
  if (!end) return null
  return (Date.parse(end.ts) - Date.parse(start.ts)) / 1000
}
