import { expect, test } from 'vitest'
import { formatStamp, runStamp, slug } from './stamp.ts'

test('the run stamp is a compact UTC timestamp, fixed for the whole process', () => {
  expect(formatStamp(new Date(Date.UTC(2026, 10, 24, 9, 8, 7, 500)))).toBe('20261124T090807Z')
  const a = runStamp()
  expect(a).toMatch(/^\d{8}T\d{6}Z$/)
  expect(runStamp()).toBe(a)
  expect(process.env.BENCHGATE_RUN_STAMP).toBe(a)
})

test('slugs are lower-case, dash-separated and never empty', () => {
  expect(slug('Mode A vs B: open (Cold)')).toBe('mode-a-vs-b-open-cold')
  expect(slug('***')).toBe('test')
  expect(slug('x'.repeat(200))).toHaveLength(80)
})
