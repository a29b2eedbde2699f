import { expect, test } from 'vitest'
import { SystemCounters } from './system.ts'
import { sleep } from './test-support.ts'

test('system counters: no rates on the first sample, non-negative MB/s after', async () => {
  const sys = new SystemCounters()
  expect(sys.sample(performance.now())).toEqual({ diskReadMbS: null, diskWriteMbS: null, netRecvMbS: null, netSentMbS: null, netLoMbS: null })
  await sleep(50)
  const s = sys.sample(performance.now())
  for (const v of Object.values(s)) {
    expect(v).not.toBeNull()
    expect(v).toBeGreaterThanOrEqual(0)
  }
})
