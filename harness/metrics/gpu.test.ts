import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { findOnPath, GpuMonitor } from './gpu.ts'
import { tempDir, waitFor } from './test-support.ts'

test('without nvidia-smi on PATH the GPU cells stay empty', () => {
  const gpu = new GpuMonitor(100, { env: { PATH: tempDir() } })
  expect(gpu.running).toBe(false)
  expect(gpu.latest()).toBeNull()
  gpu.stop()
})

test('one long-lived nvidia-smi: latest line per GPU, mean utilization, summed memory; killed on stop', async () => {
  const dir = tempDir()
  const args = join(dir, 'args')
  // a stand-in printing two GPUs every interval, as `--format=csv,noheader,nounits` does
  writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\necho "$@" > '${args}'\nwhile :; do echo "0, 30, 1024, 16384"; echo "1, 50, 2048, 16384"; sleep 0.05; done\n`)
  chmodSync(join(dir, 'nvidia-smi'), 0o755)
  expect(findOnPath('nvidia-smi', { PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'nvidia-smi'))
  const gpu = new GpuMonitor(100, { env: { PATH: dir } })
  try {
    expect(await waitFor(() => gpu.latest() !== null, 5000)).toBe(true)
    const r = gpu.latest()!
    expect(r.utilPct).toBe(40)
    expect(r.memUsedMb).toBeCloseTo((3072 * 1048576) / 1e6, 6)
    expect(r.memTotalMb).toBeCloseTo((32768 * 1048576) / 1e6, 6)
    expect(readFileSync(args, 'utf8').trim()).toBe(
      '--query-gpu=index,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits -lms 100',
    )
  } finally {
    gpu.stop()
  }
  expect(await waitFor(() => !gpu.running, 3000)).toBe(true)
})
