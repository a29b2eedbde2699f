// What the load generator's tests and its bench stand on: nginx and the stall server started on
// free loopback ports, each in its own process group (run/processes.ts: registered for cleanup,
// stopped by pid, never by name), ready when it answers HTTP.
//
// nginx: Debian's /usr/sbin/nginx with a config written into a private temp directory (pid,
// error log, temp paths all under it; access log off; keep-alive for the whole run), serving
// `location /plaintext { return 200 "Hello, World!"; }`, started `-p DIR -c DIR/nginx.conf -g
// 'daemon off;'` so the process we start is the master whose group we stop. `workers` is nginx's
// worker_processes (1 or 'auto'), the caller's choice.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeTempDir } from '../run/cleanup.ts'
import { canConnect, freePort, LOOPBACK } from '../run/ports.ts'
import { startProcess, type Started } from '../run/processes.ts'

const NGINX = '/usr/sbin/nginx'
const NODE = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'node')
const STALL_SERVER = join(import.meta.dirname, '..', '..', 'fixtures', 'competitive', 'servers', 'stall-server.ts')

export interface StartedServer {
  readonly url: string
  readonly port: number
  readonly process: Started
  stop(): Promise<void>
}

/** A TCP port nobody listens on right now (the OS's pick on loopback). */
/** Waits until the port accepts TCP connections, or throws naming what and how long. */
async function waitForPort(port: number, what: string, started: Started, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exited: number | string | null = null
  void started.exited.then((code) => (exited = code))
  for (;;) {
    if (await canConnect(port, LOOPBACK)) return
    if (exited !== null) throw new Error(`${what} exited (${exited}) before listening on ${LOOPBACK}:${port}`)
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${LOOPBACK}:${port} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function nginxConfig(dir: string, port: number, workers: 1 | 'auto'): string {
  return `worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 600s;
  keepalive_requests 100000000;
  server {
    listen ${LOOPBACK}:${port};
    location /plaintext { default_type text/plain; return 200 "Hello, World!"; }
  }
}
`
}

export async function startNginx(workers: 1 | 'auto' = 1): Promise<StartedServer> {
  const temp = makeTempDir('benchgate-nginx-')
  const dir = temp.path
  const port = await freePort()
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, workers))
  const p = startProcess(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  const stop = async () => {
    await p.stop()
    await temp.release()
  }
  await waitForPort(port, 'nginx', p).catch(async (e) => {
    await stop()
    throw e
  })
  return { url: `http://${LOOPBACK}:${port}/plaintext`, port, process: p, stop }
}

/** fixtures/competitive/servers/stall-server.ts under Node 24: every `everyMs` no answer for `stallMs`. */
export async function startStallServer(options: { stallMs?: number; everyMs?: number } = {}): Promise<StartedServer> {
  const port = await freePort()
  const args = [STALL_SERVER, '--port', String(port), '--stall-ms', String(options.stallMs ?? 500), '--every-ms', String(options.everyMs ?? 5000)]
  const p = startProcess(NODE, args, { stdio: 'ignore' })
  await waitForPort(port, 'stall-server', p).catch(async (e) => {
    await p.stop()
    throw e
  })
  return { url: `http://${LOOPBACK}:${port}/`, port, process: p, stop: () => p.stop() }
}
