import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { compareTrees, describeDiff, ensureTree, freshDestination, mirrorState, type TreeDiff } from './index.ts'
import { requireTool, sh, useTempDirs } from './test-tools.ts'

const temp = useTempDirs()
beforeAll(() => {
  requireTool('rsync')
  requireTool('cp')
})

const SPEC = { seed: 11, dirFanout: 8, files: [{ count: 30, minBytes: 1, maxBytes: 5000 }] }

describe('compareTrees', () => {
  test('a good rsync -a --delete copy and a mirrorState copy have no diffs, from the manifest or from the directory', async () => {
    const src = await ensureTree(SPEC, temp())
    const dst = join(temp(), 'dst')
    mkdirSync(dst)
    writeFileSync(join(dst, 'stale.bin'), 'to be deleted')
    sh('rsync', ['-a', '--delete', `${src.dir}/`, `${dst}/`])
    expect(await compareTrees(src, dst)).toEqual({ files: 30, bytes: src.bytes, diffs: [] })
    expect((await compareTrees(src.dir, dst)).diffs).toEqual([])
    const mirror = join(temp(), 'mirror')
    await mirrorState(src, mirror)
    expect(statSync(mirror).ino).not.toBe(statSync(src.dir).ino)
    expect(statSync(join(mirror, 'd0000/f0000001.bin')).ino).not.toBe(statSync(join(src.dir, 'd0000/f0000001.bin')).ino)
    expect((await compareTrees(src, mirror)).diffs).toEqual([])
    freshDestination(mirror)
    expect((await compareTrees(src, mirror)).diffs.map((d) => d.what)).toEqual(['missing', 'missing', 'missing', 'missing'])
  })

  test('finds each kind of diff in a cp -a copy that is then broken', async () => {
    const src = await ensureTree(SPEC, temp())
    const dst = join(temp(), 'dst')
    sh('cp', ['-a', src.dir, dst])
    const p = (rel: string) => join(dst, rel)
    rmSync(p('d0000/f0000002.bin')) // missing
    rmSync(p('d0003'), { recursive: true }) // missing directory: reported once
    writeFileSync(p('d0001/extra.bin'), 'x') // extra
    const size = statSync(p('d0001/f0000009.bin'))
    writeFileSync(p('d0001/f0000009.bin'), Buffer.alloc(size.size + 1)) // size
    utimesSync(p('d0001/f0000009.bin'), size.atime, size.mtime)
    const content = statSync(p('d0002/f0000017.bin')) // same size, same mtime, one byte flipped
    const bytes = readFileSync(p('d0002/f0000017.bin'))
    bytes[0] = bytes[0]! ^ 0xff
    writeFileSync(p('d0002/f0000017.bin'), bytes)
    utimesSync(p('d0002/f0000017.bin'), content.atime, content.mtime)
    chmodSync(p('d0002/f0000018.bin'), 0o600) // mode
    utimesSync(p('d0002/f0000019.bin'), new Date(), new Date(statSync(p('d0002/f0000019.bin')).mtimeMs + 1000)) // mtime
    rmSync(p('d0002/f0000020.bin'))
    mkdirSync(p('d0002/f0000020.bin')) // type

    const { diffs } = await compareTrees(src, dst)
    const byWhat = (what: TreeDiff['what']) => diffs.filter((d) => d.what === what).map((d) => d.path)
    expect(byWhat('missing')).toEqual(['d0000/f0000002.bin', 'd0003'])
    expect(byWhat('extra')).toEqual(['d0001/extra.bin'])
    expect(byWhat('size')).toEqual(['d0001/f0000009.bin'])
    expect(byWhat('content')).toEqual(['d0002/f0000017.bin'])
    expect(byWhat('mode')).toEqual(['d0002/f0000018.bin'])
    expect(byWhat('mtime')).toEqual(['d0002/f0000019.bin'])
    expect(byWhat('type')).toEqual(['d0002/f0000020.bin'])
    expect(diffs).toHaveLength(8)

    expect(describeDiff(diffs.find((d) => d.what === 'content')!)).toMatch(/^d0002\/f0000017\.bin: content differs \(sha256 [0-9a-f]{4}… vs [0-9a-f]{4}…\)$/)
    expect(describeDiff(diffs.find((d) => d.what === 'mode')!)).toBe('d0002/f0000018.bin: mode differs (0644 vs 0600)')
    expect(describeDiff(diffs[0]!)).toBe('d0000/f0000002.bin: missing from the copy (a file in the source)')

    const lenient = await compareTrees(src, dst, { mtimes: false, modes: false, maxDiffs: 3 })
    expect(lenient.diffs).toHaveLength(3)
    expect((await compareTrees(src, dst, { mtimes: false, modes: false })).diffs.map((d) => d.what)).not.toContain('mode')
  })

  test('mtimes within 1 ms pass, a copy truncated to whole seconds fails', async () => {
    const src = await ensureTree(SPEC, temp())
    const dst = join(temp(), 'dst')
    sh('cp', ['-a', src.dir, dst])
    const f = join(dst, 'd0000/f0000005.bin')
    const ms = statSync(f).mtimeMs
    expect(ms % 1000).toBe(5)
    utimesSync(f, new Date(), (ms + 0.9) / 1000)
    expect((await compareTrees(src, dst)).diffs).toEqual([])
    utimesSync(f, new Date(), Math.floor(ms / 1000))
    expect((await compareTrees(src, dst)).diffs.map((d) => d.what)).toEqual(['mtime'])
  })
})

test('a tree big enough to be hashed by worker threads gives the same verdicts', async () => {
  const src = await ensureTree({ seed: 2, files: [{ count: 2500, minBytes: 1, maxBytes: 200 }] }, temp())
  const dst = join(temp(), 'dst')
  sh('cp', ['-a', src.dir, dst])
  expect((await compareTrees(src, dst)).diffs).toEqual([])
  expect((await compareTrees(src.dir, dst)).diffs).toEqual([])
  const f = join(dst, 'd0002/f0002345.bin')
  const st = statSync(f)
  const bytes = readFileSync(f)
  bytes[0] = bytes[0]! ^ 0xff
  writeFileSync(f, bytes)
  utimesSync(f, st.atime, st.mtime)
  expect((await compareTrees(src, dst)).diffs.map((d) => `${d.path} ${d.what}`)).toEqual(['d0002/f0002345.bin content'])
})
