import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { compareTrees, DEFAULT_SIZES, ensureIncrementalSource, ensureTree, mirrorState, workloadSpec, type WorkloadSizes } from './index.ts'
import { requireTool, sh, useTempDirs } from './test-tools.ts'

const temp = useTempDirs()
beforeAll(() => requireTool('rsync'))

const SIZES: WorkloadSizes = { ...DEFAULT_SIZES, incrementalBaseCount: 200, mixedSmallMinBytes: 10, mixedSmallMaxBytes: 4000, incrementalTouch: 20, incrementalDelete: 10, incrementalAdd: 15 }

test('the incremental source has exactly the stated change, and rsync -a --delete from the mirrored base makes a clean mirror', async () => {
  const cache = temp()
  const base = await ensureTree({ ...workloadSpec('incremental', SIZES, 5), dirFanout: 50 }, cache)
  const src = await ensureIncrementalSource(base, SIZES, 5, cache)
  const { touched, deleted, added } = src.change
  expect([touched.length, deleted.length, added.length]).toEqual([20, 10, 15])
  expect(new Set([...touched, ...deleted, ...added]).size).toBe(45)
  expect(src.files).toBe(200 - 10 + 15)
  for (const f of deleted) expect(existsSync(join(src.dir, f))).toBe(false)
  for (const f of touched) expect(statSync(join(src.dir, f)).size).toBe(statSync(join(base.dir, f)).size)

  const dst = join(temp(), 'dst')
  await mirrorState(base, dst)
  expect((await compareTrees(base, dst)).diffs).toEqual([])
  const before = (await compareTrees(src, dst, { maxDiffs: 1000 })).diffs
  const kinds = (what: string) => before.filter((d) => d.what === what).map((d) => d.path).sort()
  expect(kinds('extra')).toEqual(deleted)
  expect(kinds('missing')).toEqual(added)
  expect(kinds('content')).toEqual(touched)
  expect(kinds('mtime')).toEqual(touched)

  sh('rsync', ['-a', '--delete', `${src.dir}/`, `${dst}/`])
  expect((await compareTrees(src, dst)).diffs).toEqual([])
  expect((await compareTrees(src.dir, dst)).diffs).toEqual([])
  expect((await compareTrees(base, base.dir)).diffs).toEqual([]) // the cached base is untouched

  const again = await ensureIncrementalSource(base, SIZES, 5, cache)
  expect(again).toMatchObject({ cached: true, key: src.key, change: src.change })
  expect((await ensureIncrementalSource(base, SIZES, 6, cache)).key).not.toBe(src.key)
})
