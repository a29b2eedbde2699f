import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { isAlive, makeTempDir } from '../run/cleanup.ts'
import { CommandFailed, runCommand } from './index.ts'
import { parseLauncherReport } from './launcher.ts'
import { allocator, MIB, shQuote } from './test-support.ts'

async function gone(pid: number, withinMs = 3000): Promise<boolean> {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true
    await sleep(20)
  }
  return !isAlive(pid)
}

/** A shell line that starts a grandchild `sleep 30`, writes its pid to `file` and waits. */
function grandchild(file: string, wait = true): string[] {
  return ['sh', '-c', `sleep 30 & echo $! > ${shQuote(file)}; ${wait ? 'wait' : 'exit 0'}`]
}

async function pidFrom(file: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    try {
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (pid > 0) return pid
    } catch {
      // not written yet
    }
    await sleep(20)
  }
  throw new Error(`${file} never got a pid`)
}

/** Runs `body` with a fresh temp directory that is removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = makeTempDir('bg-command-')
  try {
    await body(dir.path)
  } finally {
    await dir.release()
  }
}

describe.skipIf(process.platform !== 'linux')('runCommand (python3 launcher: posix_spawn + wait4, /proc)', () => {
  test('the wall time of sleep 0.2 is about 0.2 s; the argv is the command, not the wrapper', async () => {
    const run = await runCommand({ argv: ['sleep', '0.2'] })
    expect(run.wallSeconds).toBeGreaterThanOrEqual(0.195)
    expect(run.wallSeconds).toBeLessThan(1)
    expect(run.exitCode).toBe(0)
    expect(run.argv).toEqual([expect.stringMatching(/\/sleep$/), '0.2'])
    expect(run.userSeconds).toBeLessThan(0.1)
  })

  test('a CPU loop has user seconds above 0', async () => {
    const run = await runCommand({ argv: ['sh', '-c', 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done'] })
    expect(run.userSeconds).toBeGreaterThan(0)
    expect(run.userSeconds + run.systemSeconds).toBeLessThanOrEqual(run.wallSeconds * 2 + 0.02)
  })

  test('peak RSS of a program touching 200 MiB is at least 200 MiB, in both figures', async () => {
    const run = await runCommand({ argv: allocator(200) })
    expect(run.peakRssBytes).toBeGreaterThanOrEqual(200 * MIB)
    expect(run.peakRssBytes).toBeLessThan(300 * MIB)
    expect(run.treePeakRssBytes).toBeGreaterThanOrEqual(200 * MIB)
  })

  test('two allocators at once: the tree sum sees both, wait4 the largest one', async () => {
    const one = allocator(120, 0.8).map(shQuote).join(' ')
    const run = await runCommand({ argv: ['sh', '-c', `${one} & ${one} & wait`] })
    expect(run.treePeakRssBytes).toBeGreaterThanOrEqual(240 * MIB)
    expect(run.peakRssBytes).toBeGreaterThanOrEqual(120 * MIB)
    expect(run.peakRssBytes).toBeLessThan(180 * MIB)
  })

  test('exit 3 is a CommandFailed naming the code, the success codes and the stderr tail', async () => {
    const spec = { argv: ['sh', '-c', 'echo first line >&2; echo disk is full >&2; exit 3'], field: 'blitParity.candidate' }
    const e = await runCommand(spec).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(CommandFailed)
    const failed = e as CommandFailed
    expect(failed.message).toMatch(/^blitParity\.candidate: \/\S*sh -c .* exited with code 3 \(success codes 0\): first line \| disk is full$/)
    expect(failed.run?.exitCode).toBe(3)
    expect(failed.run?.stderrTail).toContain('disk is full')
  })

  test('successCodes [0, 1, 2, 3] accepts exit 3', async () => {
    const run = await runCommand({ argv: ['sh', '-c', 'exit 3'], successCodes: [0, 1, 2, 3] })
    expect(run.exitCode).toBe(3)
  })

  test('the stderr tail is bounded to the last ~2 KB', async () => {
    const run = await runCommand({ argv: ['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo "line $i" >&2; i=$((i+1)); done'] })
    expect(run.stderrTail.length).toBeLessThanOrEqual(2048)
    expect(run.stderrTail.trimEnd().endsWith('line 1999')).toBe(true)
  })

  test('a timeout kills the whole process group: the grandchild is gone', async () => {
    await inTempDir(async (dir) => {
      const file = join(dir, 'pid')
      const t0 = performance.now()
      const e = await runCommand({ argv: grandchild(file), timeoutMs: 400, field: 'x.cmd' }).catch((x: unknown) => x)
      expect(performance.now() - t0).toBeLessThan(3000)
      expect(e).toBeInstanceOf(CommandFailed)
      expect((e as Error).message).toMatch(/^x\.cmd: .* timed out after 0\.4 s$/)
      expect(await gone(await pidFrom(file))).toBe(true)
    })
  })

  test('an abort signal kills the whole process group and rejects with its reason', async () => {
    await inTempDir(async (dir) => {
      const file = join(dir, 'pid')
      const ac = new AbortController()
      const pending = runCommand({ argv: grandchild(file) }, { signal: ac.signal })
      const pid = await pidFrom(file)
      expect(isAlive(pid)).toBe(true)
      ac.abort(new Error('stopped by the test'))
      await expect(pending).rejects.toThrow('stopped by the test')
      expect(await gone(pid)).toBe(true)
    })
  })

  test('what a command leaves running in its group is stopped after it exits', async () => {
    await inTempDir(async (dir) => {
      const file = join(dir, 'pid')
      await runCommand({ argv: grandchild(file, false) })
      expect(await gone(await pidFrom(file))).toBe(true)
    })
  })

  test('a program not on PATH is a UserError naming the field', async () => {
    const e = await runCommand({ argv: ['blit-cli-not-installed', '--help'], field: 'blitParity.candidate' }).catch((x: unknown) => x)
    expect(isUserError(e)).toBe(true)
    expect((e as Error).message).toBe("blitParity.candidate: 'blit-cli-not-installed' is not on PATH (hint: install it or give its full path)")
  })

  test('env is merged over process.env, cwd is used, shell runs one line', async () => {
    await inTempDir(async (dir) => {
      const spec = { argv: ['test "$BG_X" = yes && test "$(pwd)" = "$1" && test -n "$PATH" || exit 9', dir], shell: true, env: { BG_X: 'yes' }, cwd: dir }
      expect((await runCommand(spec)).exitCode).toBe(0)
      await expect(runCommand({ ...spec, env: { BG_X: 'no' } })).rejects.toThrow('exited with code 9')
    })
  })

  test('a command killed by a signal of its own is a CommandFailed naming the signal', async () => {
    const e = await runCommand({ argv: ['sh', '-c', 'kill -TERM $$'] }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(CommandFailed)
    expect((e as CommandFailed).reason).toBe('signal')
    expect((e as Error).message).toMatch(/was killed by signal 15$/)
    expect((e as CommandFailed).run?.exitCode).toBe(143)
  })

  test('the command gets SIGPIPE and SIGXFSZ at default, though Python ignores them', async () => {
    const run = await runCommand({ argv: ['sh', '-c', 'grep SigIgn /proc/$$/status >&2'] })
    const ignored = BigInt(`0x${/SigIgn:\s*([0-9a-f]+)/.exec(run.stderrTail)![1]}`)
    expect(ignored & ((1n << 12n) | (1n << 24n))).toBe(0n)
  })

  test("LC_CTYPE reaches the command as given: unset stays unset despite Python's locale coercion", async () => {
    const env = { LC_ALL: '', LANG: 'C' }
    const probe = ['sh', '-c', 'echo "ctype=${LC_CTYPE-unset}" >&2']
    const saved = process.env.LC_CTYPE
    delete process.env.LC_CTYPE
    try {
      expect((await runCommand({ argv: probe, env })).stderrTail.trim()).toBe('ctype=unset')
      expect((await runCommand({ argv: probe, env: { ...env, LC_CTYPE: 'C' } })).stderrTail.trim()).toBe('ctype=C')
    } finally {
      if (saved !== undefined) process.env.LC_CTYPE = saved
    }
  })

  test('`true`: the launcher reports wall, user, system and peak RSS', async () => {
    const run = await runCommand({ argv: ['true'] })
    expect(run.wallSeconds).toBeGreaterThan(0)
    expect(run.wallSeconds).toBeLessThan(0.2)
    expect(Number.isFinite(run.userSeconds) && Number.isFinite(run.systemSeconds)).toBe(true)
    expect(run.peakRssBytes).toBeGreaterThan(0)
  })
})

describe('parseLauncherReport', () => {
  test('reads wall ns, user and system seconds, ru_maxrss kB, exit code and signal', () => {
    expect(parseLauncherReport('50123456 0.001000 0.002000 8184 3 0\n')).toEqual({ wallSeconds: 0.050123456, userSeconds: 0.001, systemSeconds: 0.002, peakRssBytes: 8184 * 1024, exitCode: 3, signal: null })
    expect(parseLauncherReport('1000 0.000000 0.000000 100 -1 9\n')).toMatchObject({ exitCode: null, signal: 9 })
  })

  test('nothing or a partial line (launcher killed before it reported) is null', () => {
    expect(parseLauncherReport('')).toBeNull()
    expect(parseLauncherReport('50123456 0.0010')).toBeNull()
  })
})
