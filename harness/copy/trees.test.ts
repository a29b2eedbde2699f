import { spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { compareTrees } from './compare.ts'
import { DEFAULT_SIZES, ensureTree, manifestOf, treeKey, workloadSpec, type TreeSpec } from './index.ts'
import { useTempDirs } from './test-tools.ts'
import { EPOCH_MS } from './tree-spec.ts'

const tempRoot = useTempDirs()

const SPEC: TreeSpec = { seed: 7, dirFanout: 10, files: [{ count: 40, minBytes: 0, maxBytes: 3000 }, { count: 2, minBytes: 70_000, maxBytes: 90_000 }] }

describe('ensureTree', () => {
  test('same spec and seed: identical content, digests, modes and mtimes; a different seed differs', async () => {
    const a = await ensureTree(SPEC, tempRoot())
    const b = await ensureTree(SPEC, tempRoot())
    expect(a.cached).toBe(false)
    expect(a.files).toBe(42)
    expect(a.key).toBe(b.key)
    expect(a.key).toMatch(/^[0-9a-f]{16}$/)
    expect(manifestOf(a).entries).toEqual(manifestOf(b).entries)
    expect((await compareTrees(a, b.dir)).diffs).toEqual([])
    expect(readdirSync(a.dir).sort()).toEqual(['d0000', 'd0001', 'd0002', 'd0003', 'd0004'])
    const st = statSync(join(a.dir, 'd0001/f0000012.bin'))
    expect(st.mode & 0o7777).toBe(0o644)
    expect(st.mtimeMs).toBe(EPOCH_MS + 12_000 + 12)

    const c = await ensureTree({ ...SPEC, seed: 8 }, tempRoot())
    expect(c.key).not.toBe(a.key)
    const digests = new Set(manifestOf(a).entries.filter((e) => e[1] > 0).map((e) => e[4]))
    expect(manifestOf(c).entries.filter((e) => e[1] > 0 && digests.has(e[4]))).toEqual([])
  })

  test('content is incompressible: gzip -9 of a 1 MiB file keeps ≥ 99 % of its size', async () => {
    const t = await ensureTree({ seed: 1, files: [{ count: 1, minBytes: 1 << 20, maxBytes: 1 << 20 }] }, tempRoot())
    const data = readFileSync(join(t.dir, 'd0000/f0000000.bin'))
    expect(data.length).toBe(1 << 20)
    expect(gzipSync(data, { level: 9 }).length).toBeGreaterThanOrEqual(0.99 * data.length)
  })

  test('the cache reuses a complete tree and regenerates a tampered one', async () => {
    const root = tempRoot()
    const first = await ensureTree(SPEC, root)
    const again = await ensureTree(SPEC, root)
    expect(again).toMatchObject({ cached: true, dir: first.dir, files: 42, bytes: first.bytes })
    expect(again.seconds).toBeLessThan(1)

    unlinkSync(join(first.dir, 'd0002/f0000025.bin')) // count no longer matches
    const regenerated = await ensureTree(SPEC, root)
    expect(regenerated.cached).toBe(false)
    expect(existsSync(join(first.dir, 'd0002/f0000025.bin'))).toBe(true)

    appendFileSync(join(first.dir, 'd0000/f0000003.bin'), 'x') // bytes no longer match
    expect((await ensureTree(SPEC, root)).cached).toBe(false)
    expect((await compareTrees(await ensureTree(SPEC, root), first.dir)).diffs).toEqual([])
    expect(readdirSync(root)).toEqual([first.key])
  })

  test('an interrupted generation leaves no partial directory; a dead process’s partial is removed later', async () => {
    const root = tempRoot()
    const spec: TreeSpec = { seed: 3, files: [{ count: 5000, minBytes: 1, maxBytes: 100 }] }
    await expect(
      ensureTree(spec, root, {
        onProgress: () => {
          throw new Error('interrupted')
        },
      }),
    ).rejects.toThrow('interrupted')
    expect(readdirSync(root)).toEqual([])

    const dead = spawnSync('true').pid! // exited and reaped
    mkdirSync(join(root, `${treeKey(spec)}.partial-${dead}/tree`), { recursive: true })
    const t = await ensureTree(spec, root)
    expect(readdirSync(root)).toEqual([t.key])
  })

  test('a tree larger than the free disk is refused with a UserError naming the field', async () => {
    const root = tempRoot()
    const huge: TreeSpec = { seed: 1, files: [{ count: 1, minBytes: 2 ** 52, maxBytes: 2 ** 52 }] }
    const err = await ensureTree(huge, root, { field: 'blitParity.workloads.large.bytes' }).catch((e: unknown) => e)
    expect(isUserError(err)).toBe(true)
    const e = err as Error & { problems: Array<{ field?: string; hint?: string }> }
    expect(e.problems[0]?.field).toBe('blitParity.workloads.large.bytes')
    expect(e.message).toMatch(/needs 4\.4 PiB .* but only .* is free/)
    expect(e.problems[0]?.hint).toBeTruthy()
    expect(readdirSync(root)).toEqual([])
  })

  test('workload specs: the defaults hold what the family states', () => {
    const bytes = (s: TreeSpec) => s.files.map((g) => [g.count, g.minBytes, g.maxBytes])
    expect(bytes(workloadSpec('large', DEFAULT_SIZES, 1))).toEqual([[1, 2 ** 30, 2 ** 30]])
    expect(bytes(workloadSpec('small', DEFAULT_SIZES, 1))).toEqual([[100_000, 1024, 10240]])
    expect(bytes(workloadSpec('mixed', DEFAULT_SIZES, 1))).toEqual([[10, 100 * 2 ** 20, 100 * 2 ** 20], [1000, 1024, 102400]])
    expect(bytes(workloadSpec('incremental', DEFAULT_SIZES, 1))).toEqual([[10_000, 1024, 102400]])
    expect(() => workloadSpec('incremental', { ...DEFAULT_SIZES, incrementalBaseCount: 100 }, 1)).toThrow(/incrementalTouch/)
  })
})
