// For the tests: temp directories released after each test, and the real peers (no mocks),
// with how to install them if they are missing.
import { execFileSync, spawnSync } from 'node:child_process'
import { afterEach } from 'vitest'
import { makeTempDir, type Registration } from '../run/cleanup.ts'

/** A maker of temp directories, each removed after the test (and at exit, by ../run/cleanup.ts). */
export function useTempDirs(): () => string {
  const temps: Registration[] = []
  afterEach(async () => {
    for (const t of temps.splice(0)) await t.release()
  })
  return () => {
    const t = makeTempDir('benchgate-copy-')
    temps.push(t)
    return t.path
  }
}

export function requireTool(name: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${name} is not installed: run scripts/install-debian-packages.sh (it installs rsync and rclone)`)
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}
