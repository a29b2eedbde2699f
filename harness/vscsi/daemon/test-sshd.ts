// A real OpenSSH server for tests: Debian's /usr/sbin/sshd on a free 127.0.0.1 port, with a
// temporary ed25519 host key and a temporary client key in its AuthorizedKeysFile, running as the
// current user (StrictModes no, UsePAM no, its PidFile in the temp dir). The stub `vscsiStats`
// and `esxcli` (shell wrappers around stub/esxi.ts) are put first on the session's PATH with
// sshd's own `SetEnv PATH=<stub dir>:…`, so the collector runs the very commands it would run on
// ESXi, with no test-only option in the product code. The process group and the temp directory
// are registered with harness/run/cleanup.ts and released by stop() (or at exit).
import { execFileSync } from 'node:child_process'
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir } from '../../run/cleanup.ts'
import { startProcess, type Started } from '../../run/processes.ts'
import type { StubHost, StubVm } from './stub/esxi.ts'

export const SSHD = '/usr/sbin/sshd'
export const SSH_KEYGEN = 'ssh-keygen'
const STUB = fileURLToPath(new URL('./stub/esxi.ts', import.meta.url))

/** Why a real sshd cannot run here, or null when it can. */
export function sshdUnavailable(): string | null {
  if (process.platform !== 'linux') return `the test sshd needs Linux (this is ${process.platform})`
  try {
    accessSync(SSHD, constants.X_OK)
  } catch {
    return `${SSHD} not found: install Debian's openssh-server (scripts/install-debian-packages.sh)`
  }
  try {
    execFileSync(SSH_KEYGEN, ['-?'], { stdio: 'ignore' })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh-keygen not found: install openssh-client'
  }
  // Run as root, sshd insists on its privilege separation directory (systemd creates it at boot).
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', { mode: 0o755 })
    } catch (e) {
      return `/run/sshd is missing and cannot be created (${(e as NodeJS.ErrnoException).code})`
    }
  }
  return null
}

export const DEFAULT_STUB_VMS: StubVm[] = [
  { name: 'sql01', worldGroupId: 2099979, worldId: 2099980, disks: [{ handleId: 8194, device: 'scsi0:0' }, { handleId: 8195, device: 'scsi0:1' }] },
  { name: 'web01', worldGroupId: 2100311, worldId: 2100312, disks: [{ handleId: 8200, device: 'scsi0:0' }] },
]

export interface TestSshdOptions {
  vms?: StubVm[]
  /** Extra host.json fields for the stub (auto_stop_s, fail_x, workload…). */
  host?: Partial<StubHost>
}

export interface TestSshd {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly user: string
  /** The client's private key (give it as ssh.hosts[].key_path). */
  readonly keyPath: string
  /** SHA256:… of the current host key. */
  readonly hostKeyFingerprint: string
  /** The temp directory (stub state, calls.log, sshd log). */
  readonly dir: string
  /** Every vscsiStats / esxcli call the stub saw, oldest first ("vscsiStats -s -w 2099979"). */
  calls(): string[]
  /** Rewrites host.json (e.g. fail_x: true) for the next calls. */
  setHost(patch: Partial<StubHost>): void
  /** sshd's own log (stderr). */
  log(): string
  /** Stops sshd (the port then refuses connections). */
  /** Stops listening; with dropSessions the open connections are cut too (the host goes away). */
  stopServer(o?: { dropSessions?: boolean }): Promise<void>
  /** Starts sshd again on the same port, with a new host key when asked. */
  restart(o?: { newHostKey?: boolean }): Promise<void>
  /** Stops sshd and removes the temp directory. */
  stop(): Promise<void>
}

/** A port nobody listens on right now (bind to 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

function keygen(path: string): string {
  execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'benchgate-test', '-f', path], { stdio: 'ignore' })
  const line = execFileSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' })
  return line.split(/\s+/)[1]!
}

export async function startTestSshd(o: TestSshdOptions = {}): Promise<TestSshd> {
  const why = sshdUnavailable()
  if (why) throw new Error(why)
  const tmp = makeTempDir('benchgate-sshd-')
  const dir = tmp.path
  const bin = join(dir, 'bin')
  const stubDir = join(dir, 'esxi')
  const home = join(dir, 'home')
  mkdirSync(bin)
  mkdirSync(stubDir)
  mkdirSync(home)
  const user = userInfo().username
  const keyPath = join(dir, 'client_ed25519')
  keygen(keyPath)
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyPath}.pub`))
  chmodSync(join(dir, 'authorized_keys'), 0o600)
  let hostKeyFingerprint = keygen(join(dir, 'host_ed25519'))
  let generation = 0

  const writeHost = (h: StubHost) => writeFileSync(join(stubDir, 'host.json'), JSON.stringify(h, null, 2))
  let host: StubHost = { vms: o.vms ?? DEFAULT_STUB_VMS, seed: 42, interval_s: 1, ...o.host }
  writeHost(host)
  for (const tool of ['vscsiStats', 'esxcli']) {
    const wrapper = join(bin, tool)
    // Node's compile cache (in the temp directory) spares each call after the first the type
    // stripping and compiling of the stub and the format modules it imports.
    writeFileSync(wrapper, `#!/bin/sh\nBENCHGATE_ESXI_STUB='${stubDir}' NODE_COMPILE_CACHE='${join(dir, 'node-compile-cache')}' exec '${process.execPath}' '${STUB}' ${tool} "$@"\n`)
    chmodSync(wrapper, 0o755)
  }

  const port = await freePort()
  const config = join(dir, 'sshd_config')
  const writeConfig = () => writeFileSync(config, [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, generation ? `host_ed25519_${generation}` : 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin yes',
    'MaxAuthTries 10',
    'MaxStartups 100',
    'MaxSessions 50',
    'LogLevel VERBOSE',
    // The stubs first on PATH for every command the client runs. HOME is the temp directory: bash,
    // started by sshd, sources ~/.bashrc even for `ssh host command`, and the user's (pyenv init
    // and the like) would cost most of a second per command and could print into a capture.
    `SetEnv PATH=${bin}:/usr/local/bin:/usr/bin:/bin HOME=${home}`,
    '',
  ].join('\n'))

  let logText = ''
  let server: Started | null = null
  const launch = async () => {
    writeConfig()
    const p = startProcess(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    server = p
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start listening within 10 s:\n${logText}`)), 10_000)
      p.child.stderr!.setEncoding('utf8')
      p.child.stderr!.on('data', (chunk: string) => {
        logText += chunk
        if (logText.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer)
          resolve()
        }
      })
      void p.exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`sshd exited (${code}) before listening:\n${logText}`))
      })
    })
  }
  const stopServer = async (o: { dropSessions?: boolean } = {}) => {
    const s = server
    server = null
    const sessions = s && o.dropSessions ? descendants(s.pid) : []
    if (s) await s.stop()
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  await launch()

  return {
    host: '127.0.0.1',
    port,
    user,
    keyPath,
    get hostKeyFingerprint() {
      return hostKeyFingerprint
    },
    dir,
    calls: () => {
      const file = join(stubDir, 'calls.log')
      return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.slice(l.indexOf(' ') + 1)) : []
    },
    setHost(patch) {
      host = { ...host, ...patch }
      writeHost(host)
    },
    log: () => logText,
    stopServer,
    async restart(r = {}) {
      await stopServer()
      if (r.newHostKey) {
        generation++
        hostKeyFingerprint = keygen(join(dir, `host_ed25519_${generation}`))
      }
      await launch()
    },
    async stop() {
      await stopServer()
      await tmp.release()
    },
  }
}

/** The processes below pid (Linux /proc): sshd's per-connection children. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = []
  for (let todo = [pid]; todo.length; ) {
    const next = children.get(todo.pop()!) ?? []
    out.push(...next)
    todo.push(...next)
  }
  return out
}
