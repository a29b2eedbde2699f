// Linux only (listed in vitest.config.ts: the stand-in azcopy is a POSIX shell script): the azcopy
// cross-check as the probe runs it, with a fake azcopy on PATH that records its arguments and
// prints what azcopy prints (the SAS URL included, to be scrubbed). It is pointed at the test blob
// (download mode reads whatever is at the URL: a container URL would read the whole container),
// its figure is recorded, its failure and its hang are one line each, its temp directory is removed.
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startAzurite, type Azurite } from '../azure/azurite.ts'
import { blobUrl, containerSas, createContainer, putBlob, type BlobTarget } from '../azure/store.ts'
import { isAlive, makeTempDir } from '../run/cleanup.ts'
import { azcopyBench } from './azcopy.ts'
import { blobSteps, probeBlobTarget, type BlobOptions } from './blob.ts'
import { Progress } from './progress.ts'
import { BlobTargetSchema } from './schema.ts'
import { lineSink, secretLeaks, signatureForms } from './test-support.ts'

const BLOB = 'benchgate-probe/probe-2MiB.bin'
const work = makeTempDir('benchgate-probe-azcopy-')
const record = join(work.path, 'azcopy-args.txt')
let azurite: Azurite
let read: BlobTarget
let env: NodeJS.ProcessEnv

const FAKE_AZCOPY = `#!/bin/sh
# stand-in for azcopy: records how it was called, then acts as FAKE_MODE says
{ echo "pid=$$"; echo "logs=$AZCOPY_LOG_LOCATION"; for a in "$@"; do echo "arg=$a"; done; } > "${record}"
touch "$AZCOPY_LOG_LOCATION/azcopy.log"
echo "INFO: Scanning..."
echo "INFO: Benchmarking downloads from $2."
case "$FAKE_MODE" in
  fail)
    echo "failed to perform benchmark command due to error: GET $2: 403 This request is not authorized to perform this operation."
    exit 1 ;;
  hang)
    exec sleep 30 ;;
esac
cat <<'EOF'
100.0 %, 1 Done, 0 Failed, 0 Pending, 0 Skipped, 1 Total, 2-sec Throughput (Mb/s): 480.25

Job 0b8d summary
Elapsed Time (Minutes): 0.002
Total Number of Transfers: 1
Number of File Transfers Completed: 1
Total Number of Bytes Transferred: 2097152
Final Job Status: Completed
EOF
`

beforeAll(async () => {
  writeFileSync(join(work.path, 'azcopy'), FAKE_AZCOPY)
  chmodSync(join(work.path, 'azcopy'), 0o755)
  env = { ...process.env, PATH: `${work.path}${delimiter}${process.env.PATH ?? ''}` }
  azurite = await startAzurite()
  await createContainer(azurite, 'probe-azcopy')
  const write = containerSas(azurite, 'probe-azcopy', { permissions: 'racwl' })
  await putBlob(write, BLOB, randomBytes(2 * 1024 * 1024))
  read = containerSas(azurite, 'probe-azcopy', { permissions: 'r' })
})

afterAll(async () => {
  await azurite?.stop()
  await work.release()
})

const OPTIONS: BlobOptions = { chunkSizesMib: [1], streams: [2], passes: 1, requestTimeoutMs: 10_000, retries: 2, blobSizeMib: 2, rttCount: 1, timeoutMs: 30_000, azcopy: true }

function recorded(): { pid: number; logs: string; args: string[] } {
  const lines = readFileSync(record, 'utf8').trim().split('\n')
  return {
    pid: Number(lines.find((l) => l.startsWith('pid='))!.slice(4)),
    logs: lines.find((l) => l.startsWith('logs='))!.slice(5),
    args: lines.filter((l) => l.startsWith('arg=')).map((l) => l.slice(4)),
  }
}

describe('the azcopy cross-check in a blob probe', () => {
  test('runs azcopy bench in download mode on the test blob and records its figure, signature redacted', async () => {
    const { lines, sink } = lineSink()
    const steps = blobSteps({ ...OPTIONS, env })
    expect(steps).toBe(1 + 1 + 1) // RTT and blob, one pass, azcopy
    const { result } = await probeBlobTarget(
      { name: 'sas-1', source: 'sas_url', target: read, blob: BLOB, namedByUrl: false, create: false },
      { ...OPTIONS, env: { ...env, FAKE_MODE: 'ok' } },
      new Progress(steps, sink),
    )
    expect(BlobTargetSchema.parse(result)).toEqual(result)
    expect(result.ok).toBe(true)
    const called = recorded()
    expect(called.args).toEqual(['bench', blobUrl(read, BLOB), '--mode=Download'])
    expect(result.azcopy).toEqual({
      command: `azcopy bench '${blobUrl(read, BLOB).replace(/sig=[^&]*/, 'sig=REDACTED')}' --mode=Download`,
      ok: true,
      MB_s: 2097152 / 1e6 / (0.002 * 60),
      summary: ['Job 0b8d summary', 'Elapsed Time (Minutes): 0.002', 'Total Number of Transfers: 1', 'Number of File Transfers Completed: 1',
        'Total Number of Bytes Transferred: 2097152', 'Final Job Status: Completed'],
    })
    expect(lines.filter((l) => l.startsWith('probe ['))).toHaveLength(steps)
    expect(lines.at(-1)).toMatch(/^probe \[3\/3\] blob sas-1: azcopy bench 17 MB\/s · /)
    expect(existsSync(called.logs)).toBe(false) // its logs and job plans went to a temp directory, now removed
    expect(secretLeaks([{ where: 'result', text: JSON.stringify(result) }, ...lines.map((text) => ({ where: 'line', text }))], signatureForms(read.sas))).toEqual([])
  })

  test('an azcopy that fails: one line with its last words, signature redacted; the target still counts as measured', async () => {
    const { result } = await probeBlobTarget(
      { name: 'sas-1', source: 'sas_url', target: read, blob: BLOB, namedByUrl: false, create: false },
      { ...OPTIONS, env: { ...env, FAKE_MODE: 'fail' } },
      new Progress(3, lineSink().sink),
    )
    expect(result.ok).toBe(true)
    expect(result.azcopy).toMatchObject({ ok: false, MB_s: null, summary: [] })
    const error = (result.azcopy as { error: string }).error
    expect(error).toMatch(/^azcopy exited 1: failed to perform benchmark command due to error: GET http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/probe-azcopy\/benchgate-probe\/probe-2MiB\.bin\?.*sig=REDACTED.*: 403 /)
    expect(secretLeaks([{ where: 'result', text: JSON.stringify(result) }], signatureForms(read.sas))).toEqual([])
  })
})

test('an azcopy that hangs is stopped at its time bound, with its process group', async () => {
  const result = await azcopyBench(read, { blob: BLOB, timeoutMs: 700, env: { ...env, FAKE_MODE: 'hang' } })
  expect(result).toMatchObject({ ok: false, MB_s: null, error: 'azcopy did not finish within 1 s' })
  const called = recorded()
  expect(isAlive(called.pid)).toBe(false)
  expect(existsSync(called.logs)).toBe(false)
}, 20_000)
