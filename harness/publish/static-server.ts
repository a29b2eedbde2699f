// A tiny static file server on 127.0.0.1 for a built report directory (Vitest's HTML report
// loads its data with fetch and a module script, which browsers refuse from file:// URLs).
import { createReadStream, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
}

export interface StaticServer {
  /** Base URL, e.g. http://127.0.0.1:41234/ */
  url: string
  close(): Promise<void>
}

/** Serves the files under `root` (GET and HEAD only, nothing outside `root`) until closed. */
export async function serveDirectory(root: string): Promise<StaticServer> {
  const base = normalize(root)
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    let file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path))
    if (file !== base && !file.startsWith(base + sep)) file = ''
    let size = -1
    try {
      const st = file ? statSync(file) : undefined
      if (st?.isFile()) size = st.size
    } catch {
      // missing: 404 below
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
    } else if (size < 0) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    } else {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-store' })
      if (req.method === 'HEAD') res.end()
      else createReadStream(file).pipe(res)
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
