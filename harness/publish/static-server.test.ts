import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { serveDirectory } from './static-server.ts'

const root = mkdtempSync(join(tmpdir(), 'bg-serve-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

test('serves the files of one directory on 127.0.0.1, and nothing outside it', async () => {
  const site = join(root, 'site')
  mkdirSync(join(site, 'ui'), { recursive: true })
  writeFileSync(join(site, 'index.html'), '<h1>report</h1>')
  writeFileSync(join(site, 'ui', 'data.json.gz'), Buffer.from([1, 2, 3]))
  writeFileSync(join(root, 'secret.txt'), 'outside')
  const server = await serveDirectory(site)
  try {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const index = await fetch(server.url)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await index.text()).toBe('<h1>report</h1>')
    const data = await fetch(new URL('ui/data.json.gz', server.url))
    expect(data.headers.get('content-type')).toBe('application/gzip')
    expect([...new Uint8Array(await data.arrayBuffer())]).toEqual([1, 2, 3])
    expect((await fetch(new URL('missing.js', server.url))).status).toBe(404)
    expect((await fetch(new URL('ui/', server.url))).status).toBe(404)
    expect((await fetch(`${server.url}..%2Fsecret.txt`)).status).toBe(404)
    expect((await fetch(`${server.url}ui/..%2F..%2Fsecret.txt`)).status).toBe(404)
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405)
  } finally {
    await server.close()
  }
  await expect(fetch(server.url)).rejects.toThrow()
})
