// Reads history.jsonl as a stream into an OpTable, without holding the file: chunks of 1 MiB,
// whole lines decoded as UTF-8 together, one JSON.parse a line. The first line may be the header
// ({type: 'header', …}); every other line is a HistoryEvent.
//
// An interrupted run may leave its last line cut off: a last line without a newline that is not
// valid JSON is dropped and the history marked partial (so is one whose header says partial). Any
// other line that is not valid JSON, or not a well-formed event (see OpTable.add), is a UserError
// naming the file and line.
import { createReadStream } from 'node:fs'
import { UserError } from '../../errors.ts'
import type { HistoryEvent, HistoryHeader } from '../types.ts'
import { OpTable } from './op-table.ts'

export interface ReadHistory {
  table: OpTable
  header?: HistoryHeader
  partial: boolean
}

const HINT = 'history.jsonl holds one JSON object a line: the header, then invoke and completion events (harness/chaos/types.ts HistoryEvent)'

export async function readHistoryFile(path: string): Promise<ReadHistory> {
  const table = new OpTable()
  let header: HistoryHeader | undefined
  let partial = false
  let line = 0
  const take = (text: string, last: boolean): void => {
    line++
    if (text.length === 0 || (text.length === 1 && text === '\r')) return
    let event: unknown
    try {
      event = JSON.parse(text)
    } catch (e) {
      if (last) {
        partial = true // the cut-off last line of an interrupted run
        return
      }
      throw new UserError({ file: path, line, message: `not valid JSON (${(e as Error).message})`, expected: 'one history event', hint: HINT })
    }
    if (line === 1 && (event as { type?: unknown } | null)?.type === 'header') {
      header = event as HistoryHeader
      if (header.partial) partial = true
      return
    }
    const problem = table.add(event as HistoryEvent)
    if (problem !== null) throw new UserError({ file: path, line, message: problem, hint: HINT })
  }
  // Buffers, not a decoding stream: each chunk is cut after its last newline and the whole lines
  // decoded at once (a newline byte never occurs inside a multi-byte UTF-8 character); the bytes
  // after it wait for the next chunk.
  let rest: Buffer = Buffer.alloc(0)
  const stream = createReadStream(path, { highWaterMark: 1 << 20 })
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      const cut = raw.lastIndexOf(10)
      if (cut < 0) {
        rest = Buffer.concat([rest, raw])
        continue
      }
      const text = (rest.length > 0 ? Buffer.concat([rest, raw.subarray(0, cut)]) : raw.subarray(0, cut)).toString('utf8')
      rest = Buffer.from(raw.subarray(cut + 1))
      let from = 0
      let nl = text.indexOf('\n')
      while (nl >= 0) {
        take(text.slice(from, nl), false)
        from = nl + 1
        nl = text.indexOf('\n', from)
      }
      take(text.slice(from), false)
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError({ file: path, message: 'no such file', expected: 'a history.jsonl written by a chaos run', hint: 'check the run directory' })
    }
    throw e
  }
  if (rest.length > 0) take(rest.toString('utf8'), true)
  if (line === 0) throw new UserError({ file: path, message: 'the history is empty', expected: 'a header line and history events', hint: HINT })
  return { table, header, partial }
}
