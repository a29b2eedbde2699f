// Helpers for the metrics tests: temp directories and child processes released after each test.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { onTestFinished } from 'vitest'
import { processAlive } from './procfs.ts'

export const REPO_ROOT = resolve(import.meta.dirname, '../..')

/** A temp directory removed when the current test finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'benchgate-metrics-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Starts a process (own process group) that is killed with its descendants when the test finishes. */
export function start(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore', ...options, detached: true })
  onTestFinished(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  })
  return child
}

/** Runs node with a script, `-e` style. */
export function startNode(code: string, options: SpawnOptions = {}): ChildProcess {
  return start(process.execPath, ['-e', code], options)
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls until `check` is true; false on timeout. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, everyMs = 25): Promise<boolean> {
  const end = performance.now() + timeoutMs
  while (performance.now() < end) {
    if (check()) return true
    await sleep(everyMs)
  }
  return check()
}

/** Waits until a process has exited (gone or a zombie). */
export function waitGone(pid: number, timeoutMs = 5000): Promise<boolean> {
  return waitFor(() => !processAlive(pid), timeoutMs)
}
