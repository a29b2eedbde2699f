// azcopy's output read into a figure: the job summary's bytes over its elapsed time (azcopy prints
// no overall throughput line), else the last progress line's `2-sec Throughput (Mb/s)` / 8; the
// final job status; and no azcopy on PATH is a recorded reason, not an error.
import { describe, expect, test } from 'vitest'
import { azcopyBench, parseAzcopySummary } from './azcopy.ts'

const JOB = '8a1c3f2e-54d1-6a4b-7c9e-1f2a3b4c5d6e'

/** `azcopy bench --mode=Download` on one 256 MiB blob, as azcopy 10 prints it (text output, not a terminal). */
const BENCH_OUTPUT = `INFO: The benchmark feature is currently in Preview status.
INFO: Scanning...
INFO: Benchmarking downloads from https://acct.blob.core.windows.net/vols/benchgate-probe/probe-256MiB.bin.
INFO: Any empty folders will not be processed, because source and/or destination doesn't have full folder support

Job ${JOB} has started
Log file is located at: /tmp/benchgate-azcopy-Qx1/${JOB}.log

INFO: Trying 4 concurrent connections (initial starting point)
0.0 %, 0 Done, 0 Failed, 1 Pending, 0 Skipped, 1 Total, 2-sec Throughput (Mb/s): 1650.2341
100.0 %, 1 Done, 0 Failed, 0 Pending, 0 Skipped, 1 Total, 2-sec Throughput (Mb/s): 712.5


Job ${JOB} summary
Elapsed Time (Minutes): 0.0501
Number of File Transfers: 1
Number of Folder Property Transfers: 0
Number of Symlink Transfers: 0
Total Number of Transfers: 1
Number of File Transfers Completed: 1
Number of Folder Transfers Completed: 0
Number of File Transfers Failed: 0
Number of Folder Transfers Failed: 0
Number of File Transfers Skipped: 0
Number of Folder Transfers Skipped: 0
Number of Symbolic Links Skipped: 0
Number of Hardlinks Converted: 0
Number of Special Files Skipped: 0
Total Number of Bytes Transferred: 268435456
Final Job Status: Completed

Diagnostic stats:
IOPS: 85
End-to-end ms per request: 46
Network Errors: 0.00%
Server Busy: 0.00%

Performance benchmark results: 
Note: The benchmark feature is currently in Preview status.

Main Result:
  Code:   Network
  Desc:   Throughput may have been limited by available network bandwidth
  Reason: No other factors were identified that are limiting performance, so the bottleneck is assumed to be available network bandwidth
`

describe('parseAzcopySummary', () => {
  test('a finished bench: MB/s is the bytes transferred over the elapsed time, not a 2-second progress figure', () => {
    const parsed = parseAzcopySummary(BENCH_OUTPUT)
    expect(parsed.MB_s).toBeCloseTo(268435456 / 1e6 / (0.0501 * 60), 9)
    expect(parsed.MB_s).not.toBeCloseTo(1650.2341 / 8, 0)
    expect(parsed.completed).toBe(true)
    expect(parsed.lines).toContain(`Job ${JOB} summary`)
    expect(parsed.lines).toContain('Elapsed Time (Minutes): 0.0501')
    expect(parsed.lines).toContain('Total Number of Bytes Transferred: 268435456')
    expect(parsed.lines).toContain('Final Job Status: Completed')
    expect(parsed.lines.some((l) => l.includes('Log file') || l.includes('INFO') || l.includes('2-sec'))).toBe(false)
  })

  test('Windows line ends and the older TotalBytesTransferred spelling', () => {
    const text = 'Job x summary\r\nElapsed Time (Minutes): 0.5\r\nTotalBytesTransferred: 3000000000\r\nFinal Job Status: Completed\r\n'
    expect(parseAzcopySummary(text)).toEqual({
      MB_s: 3000000000 / 1e6 / 30,
      lines: ['Job x summary', 'Elapsed Time (Minutes): 0.5', 'TotalBytesTransferred: 3000000000', 'Final Job Status: Completed'],
      completed: true,
    })
  })

  test('a Throughput (Mb/s) figure (megabits) counts only without bytes and time: MB/s = value / 8, the last one', () => {
    expect(parseAzcopySummary('Throughput (Mb/s): 800\n').MB_s).toBe(100)
    const cut = BENCH_OUTPUT.slice(0, BENCH_OUTPUT.indexOf(`Job ${JOB} summary`)) // ended before its summary
    expect(parseAzcopySummary(cut)).toEqual({ MB_s: 712.5 / 8, lines: [], completed: null })
  })

  test('a job that did not complete says so', () => {
    expect(parseAzcopySummary(BENCH_OUTPUT.replace('Final Job Status: Completed', 'Final Job Status: Failed')).completed).toBe(false)
    expect(parseAzcopySummary(BENCH_OUTPUT.replace('Final Job Status: Completed', 'Final Job Status: CompletedWithErrors')).completed).toBe(false)
  })

  test('no summary and no throughput: no figure', () => {
    expect(parseAzcopySummary('failed to perform benchmark command due to error: 403 This request is not authorized\n')).toEqual({ MB_s: null, lines: [], completed: null })
    expect(parseAzcopySummary('Elapsed Time (Minutes): 0\nTotal Number of Bytes Transferred: 5\n').MB_s).toBeNull()
  })
})

test('azcopyBench without azcopy on PATH records why it did not run', async () => {
  const result = await azcopyBench({ containerUrl: 'https://acct.blob.core.windows.net/vols', sas: 'sv=1&sig=abc' }, { blob: 'b.bin', timeoutMs: 1000, env: { PATH: '' } })
  expect(result).toEqual({ skipped: 'azcopy is not on PATH' })
})
