// The bound on one target's probe: the work's value before the deadline, a DeadlineError naming
// probe.timeout_s at it (even when the work ignores its signal), the signal aborted with that
// error, the work's own failure kept, and a late failure after the deadline left harmless.
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from 'vitest'
import { DeadlineError, withDeadline } from './deadline.ts'

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e)
}

test('work that finishes in time gives its value, and its signal never aborts', async () => {
  let seen: AbortSignal | undefined
  const value = await withDeadline('share x', 200, async (signal) => {
    seen = signal
    return 42
  })
  expect(value).toBe(42)
  await sleep(300) // past the deadline: the timer was cleared with the work done
  expect(seen!.aborted).toBe(false)
})

test('work that never settles and ignores its signal is cut off with a DeadlineError naming probe.timeout_s', async () => {
  const e = await rejection(withDeadline("blob target 'sas-1'", 250, () => new Promise<never>(() => {})))
  expect(e).toBeInstanceOf(DeadlineError)
  expect((e as Error).name).toBe('DeadlineError')
  expect((e as Error).message).toBe("blob target 'sas-1' timed out after 0.3 s (probe.timeout_s)")
})

test('at the deadline the signal aborts with the same DeadlineError as its reason', async () => {
  let reason: unknown
  const e = await rejection(withDeadline('share y', 100, (signal) => new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => {
      reason = signal.reason
      reject(new Error('aborted late'))
    })
  })))
  expect(e).toBeInstanceOf(DeadlineError)
  expect(reason).toBe(e)
  expect((e as Error).message).toBe('share y timed out after 0.1 s (probe.timeout_s)')
})

test("the work's own failure before the deadline is kept, not replaced", async () => {
  const e = await rejection(withDeadline('share z', 5000, async () => {
    throw new Error('share path does not exist (/mnt/x)')
  }))
  expect(e).not.toBeInstanceOf(DeadlineError)
  expect((e as Error).message).toBe('share path does not exist (/mnt/x)')
})

test('a failure of the work after the deadline is not an unhandled rejection', async () => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => void unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    const e = await rejection(withDeadline('late', 50, async () => {
      await sleep(150)
      throw new Error('failed after the deadline')
    }))
    expect(e).toBeInstanceOf(DeadlineError)
    await sleep(250)
    expect(unhandled).toEqual([])
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})
