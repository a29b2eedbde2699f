import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseMetricsCsv } from './csv.ts'
import { REPO_ROOT, start, tempDir, waitFor } from './test-support.ts'

const BIN = join(REPO_ROOT, 'bin/benchgate.ts')

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'metrics', ...args], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 30_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('benchgate metrics', () => {
  test.each([
    [['--interval', 'abc'], '--interval', /'abc' is not a positive number of seconds/],
    [['--out', 'x.csv', '--interval', '0'], '--interval', /not a positive number/],
    [['--out', 'x.csv', '--bogus'], '--bogus', /unknown flag/],
    [['--pid', '1'], '--out', /missing output file/],
    [['--out', 'x.csv', '--pid', String(2 ** 22 + 12345)], '--pid', /no running process/],
    [['--out', 'x.csv', '--pid', 'abc'], '--pid', /not a process id/],
    [['--out', 'x.csv', '--duration'], '--duration', /missing value/],
  ])('%j: one line naming %s, no stack trace', (args, flag, message) => {
    const r = run(args)
    expect(r.code).toBe(2)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]!.startsWith(`${flag}: `)).toBe(true)
    expect(lines[0]).toMatch(message)
    expect(lines[0]).toMatch(/expected/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(existsSync(join(REPO_ROOT, 'x.csv.partial'))).toBe(false)
  })

  test('--help prints the usage', () => {
    const r = run(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/--interval SECONDS/)
  })

  test('samples a pid for --duration, prints progress and a summary table', () => {
    const dir = tempDir()
    const out = join(dir, 'm.csv')
    const sleeper = start('sleep', ['10'])
    const r = run(['--pid', String(sleeper.pid), '--interval', '0.1', '--duration', '1', '--out', out])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/metrics: \d+ rows, \d+ s elapsed, ETA 0 s/)
    expect(r.stdout).toMatch(/cpu %\s+[\d.]+\s+[\d.]+\s+[\d.]+/)
    expect(r.stdout).toMatch(/rss MB/)
    expect(r.stdout).toMatch(/read MB\/s/)
    const rows = parseMetricsCsv(readFileSync(out, 'utf8'), out)
    expect(rows.length).toBeGreaterThanOrEqual(8)
    expect(rows.length).toBeLessThanOrEqual(12)
    expect(rows.every((row) => row.pid === sleeper.pid)).toBe(true)
  })

  test('stops by itself when every watched pid has exited', () => {
    const dir = tempDir()
    const out = join(dir, 'm.csv')
    const sleeper = start('sleep', ['0.5'])
    const t = performance.now()
    const r = run(['--pid', String(sleeper.pid), '--interval', '0.1', '--out', out])
    expect(r.code).toBe(0)
    expect(performance.now() - t).toBeLessThan(10_000)
    expect(existsSync(out)).toBe(true)
  })

  test('Ctrl-C finishes cleanly: the file is renamed and summarized', async () => {
    const dir = tempDir()
    const out = join(dir, 'm.csv')
    const child = spawn(process.execPath, [BIN, 'metrics', '--interval', '0.1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    expect(await waitFor(() => existsSync(`${out}.partial`) && readFileSync(`${out}.partial`, 'utf8').split('\n').length > 4, 10_000)).toBe(true)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(existsSync(out)).toBe(true)
    expect(existsSync(`${out}.partial`)).toBe(false)
    expect(stdout).toMatch(/rows in/)
  })
})
