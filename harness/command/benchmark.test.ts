import { describe, expect, test } from 'vitest'
import { benchmarkCommand, CommandFailed, commandSide } from './index.ts'

describe.skipIf(process.platform !== 'linux')('benchmarkCommand and commandSide', () => {
  test('setup once, prepare before every run (warm-ups too), cleanup once; warm-ups flagged and not counted', async () => {
    const calls: string[] = []
    const r = await benchmarkCommand({
      spec: { argv: ['true'] },
      setup: () => calls.push('setup'),
      prepare: () => calls.push('prepare'),
      cleanup: () => calls.push('cleanup'),
      warmups: 2,
      runs: 3,
    })
    expect(calls).toEqual(['setup', 'prepare', 'prepare', 'prepare', 'prepare', 'prepare', 'cleanup'])
    expect(r.runs).toHaveLength(3)
    expect(r.warmupRuns.map((x) => x.warmup)).toEqual([true, true])
    expect(r.runs.every((x) => x.warmup === undefined)).toBe(true)
    expect(r.medianWallSeconds).toBeGreaterThan(0)
    expect(r.minWallSeconds).toBeLessThanOrEqual(r.medianWallSeconds)
    expect(r.maxWallSeconds).toBeGreaterThanOrEqual(r.medianWallSeconds)
  })

  test('cleanup runs once even when a run fails, and the failure is thrown', async () => {
    const calls: string[] = []
    let n = 0
    const failing = benchmarkCommand({
      spec: { argv: ['sh', '-c', 'test "$(cat)" != 3 || exit 4; exit 0'] }, // stdin is /dev/null: exits 0
      setup: () => calls.push('setup'),
      prepare: () => {
        calls.push('prepare')
        if (++n === 3) throw new Error('prepare failed')
      },
      cleanup: () => calls.push('cleanup'),
      runs: 5,
    })
    await expect(failing).rejects.toThrow('prepare failed')
    expect(calls).toEqual(['setup', 'prepare', 'prepare', 'prepare', 'cleanup'])
    calls.length = 0
    const exiting = benchmarkCommand({ spec: { argv: ['sh', '-c', 'exit 5'] }, setup: () => calls.push('setup'), cleanup: () => calls.push('cleanup'), runs: 3 })
    await expect(exiting).rejects.toBeInstanceOf(CommandFailed)
    expect(calls).toEqual(['setup', 'cleanup'])
  })

  test('commandSide: prepare before, verify after with that run, the sample is its wall ms, every run kept', async () => {
    const calls: string[] = []
    let i = 0
    const side = commandSide('sleeper', () => ({ argv: ['sleep', String(0.05 * ++i)] }), {
      prepare: () => calls.push('prepare'),
      verify: (run) => calls.push(`verify ${run.argv[1]}`),
      warmups: 1,
    })
    expect(side.timing).toBe('reported')
    const samples: number[] = []
    for (let k = 0; k < 2; k++) {
      await side.beforeEach?.()
      samples.push((await side.fn()) as number)
      await side.afterEach?.()
    }
    expect(calls).toEqual(['prepare', 'verify 0.05', 'prepare', 'verify 0.1'])
    expect(side.runs.map((r) => r.warmup)).toEqual([true, undefined])
    expect(samples[0]).toBeCloseTo(side.runs[0]!.wallSeconds * 1000, 6)
    expect(samples[1]).toBeGreaterThanOrEqual(100)
  })
})
