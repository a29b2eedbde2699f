import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isUserError } from '../errors.ts'
import { parseWrk } from './adapters/wrk.ts'
import { parseLoadtestJson, parseLoadtestText } from './adapters/loadtest.ts'
import { LoadToolFailed, runLoadTool, type LoadToolOptions } from './load-tool.ts'

const WRK = 'fixtures/competitive/wrk'
const STANDIN = 'fixtures/competitive/loadtest-standin.ts'
const wrkText = (name: string) => readFileSync(join(WRK, name), 'utf8')
const ctx = { source: 'out.txt', connections: 8 }

function thrown(f: () => unknown): Error {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  throw new Error('did not throw')
}

describe('wrk adapter on captured wrk 4.1 reports', () => {
  test('--latency report: closed model, percentiles, counts, throughput', () => {
    const r = parseWrk(wrkText('latency.txt'), ctx)
    expect(r).toMatchObject({ generator: 'wrk', model: 'closed', arrival: { model: 'closed' }, connections: 8, offeredRate: null, corrected: null, completed: 31073, sent: 31073, errors: 0, late: 0, dropped: 0 })
    expect(r.durationS).toBeCloseTo(2.01)
    expect(r.throughput).toBeCloseTo(31073 / 2.01)
    expect(r.uncorrected).toMatchObject({ count: 31073, mean: 1.27, p50: 0.34, p90: 2.91, p99: 16.48, max: 32.75 })
    expect(r.uncorrected.p999).toBeNaN()
    expect(r.spectrum.uncorrected.map((p) => p.percentile)).toEqual([50, 75, 90, 99, 100])
    expect(r.spectrum.uncorrected[1]!.ms).toBeCloseTo(0.78)
  })

  test('non-2xx and socket errors count as errors, and not in throughput', () => {
    const r = parseWrk(wrkText('errors.txt'), ctx)
    expect(r.errorKinds).toEqual({ 'status ≥ 400': 3055, read: 27 })
    expect(r.errors).toBe(3055 + 27)
    expect(r.sent).toBe(30531 + 27)
    expect(r.completed).toBe(30531 - 3055)
    expect(r.throughput).toBeCloseTo((30531 - 3055) / 2.01)
  })

  test('a report without the distribution asks for --latency; an unreadable line is named', () => {
    const e = thrown(() => parseWrk(wrkText('plain.txt'), ctx))
    expect(isUserError(e)).toBe(true)
    expect(e.message).toMatch(/^out\.txt: wrk: no Latency Distribution.*add --latency/)
    const broken = wrkText('latency.txt').replace('1.27ms', '1.27 parsecs')
    expect(thrown(() => parseWrk(broken, ctx)).message).toMatch(/^out\.txt:4: wrk: cannot read line 4: 'Latency +1\.27 parsecs.*expected Latency <avg>/)
    expect(thrown(() => parseWrk('', ctx)).message).toMatch(/wrk: no line "<n> requests in/)
    expect(thrown(() => parseWrk(wrkText('refused.txt'), ctx)).message).toMatch(/^out\.txt:1: wrk: wrk reported 'unable to connect to 127\.0\.0\.1:\d+ Connection refused'/)
  })
})

describe('loadtest adapters', () => {
  const text = 'requests: 100\nerrors: 2\nduration: 2.00s\nrps: 49\nmean: 1ms\np50: 900us\np90: 2ms\np99: 0.01s\np99.9: 12ms\nmax: 15ms\nerror status 500: 2\n'
  test('text and JSON forms read to the same figures', () => {
    const t = parseLoadtestText(text, ctx)
    const j = parseLoadtestJson(JSON.stringify({ requests: 100, errors: 2, duration_s: 2, rps: 49, latency_ms: { mean: 1, p50: 0.9, p90: 2, p99: 10, p999: 12, max: 15 }, error_kinds: { 'status 500': 2 } }), ctx)
    for (const r of [t, j]) {
      expect(r).toMatchObject({ generator: 'loadtest', model: 'closed', corrected: null, sent: 100, errors: 2, throughput: 49, durationS: 2, errorKinds: { 'status 500': 2 } })
      expect(r.uncorrected).toMatchObject({ mean: 1, p50: 0.9, p90: 2, p99: 10, p999: 12, max: 15 })
    }
  })
  test('bad output names the file, the line or field, and the form', () => {
    expect(thrown(() => parseLoadtestText(text.replace('p99: 0.01s', 'p99: fast'), ctx)).message).toMatch(/^out\.txt:8: loadtest \(text\): cannot read line 8: 'p99: fast'; expected p99: <number><us\|ms\|s>/)
    expect(thrown(() => parseLoadtestText(text.replace('rps: 49\n', ''), ctx)).message).toMatch(/loadtest \(text\): no 'rps:' line/)
    expect(thrown(() => parseLoadtestJson('Segmentation fault', ctx)).message).toMatch(/^out\.txt: loadtest \(JSON\): stdout is not one JSON object .*begins 'Segmentation fault'/)
    expect(thrown(() => parseLoadtestJson('{"requests": 1, "errors": 0, "duration_s": 1, "rps": 1, "latency_ms": {"p50": "1ms"}}', ctx)).message).toMatch(/^out\.txt: latency_ms\.mean: loadtest \(JSON\): missing is not a number/)
  })
})

// Concurrent: the figures are only checked for sanity, and the unit run's budget is tight.
describe.concurrent('runLoadTool on real processes', () => {
  let server: Server
  let port: number
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'benchgate-load-tool-'))
    server = createServer((_, res) => res.end('hello'))
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    port = (server.address() as { port: number }).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((ok) => server.close(ok))
    rmSync(dir, { recursive: true, force: true })
  })
  const options = (adapter: 'wrk' | 'loadtest-text' | 'loadtest-json', command: string, over: Partial<LoadToolOptions['scenario']> = {}, prefix: string = adapter): LoadToolOptions => ({
    scenario: { load_tool: { adapter, command }, arrival: { model: 'closed' }, connections: 4, warmup_s: 0, duration_s: 1, protocol: 'http', requests: [], ...over } as LoadToolOptions['scenario'],
    file: 'fixtures/competitive/wrk/latency.txt', // any existing file stands for the scenario
    host: '127.0.0.1',
    port,
    dir,
    prefix,
  })

  test('wrk for 1 s against a loopback node:http server', async () => {
    const run = await runLoadTool(options('wrk', 'wrk -t1 -c{connections} -d{seconds}s --latency {url}'))
    expect(run.argv).toEqual(['/usr/bin/wrk', '-t1', '-c4', '-d1s', '--latency', `http://127.0.0.1:${port}/`])
    const r = run.result
    expect(r.completed).toBeGreaterThan(100)
    expect(r.errors).toBe(0)
    expect(r.durationS).toBeGreaterThan(0.9)
    expect(r.throughput).toBeGreaterThan(100)
    expect(r.uncorrected.p50).toBeGreaterThan(0)
    expect(r.uncorrected.p99).toBeGreaterThanOrEqual(r.uncorrected.p50)
    expect(r.generatorCpu!.userS + r.generatorCpu!.systemS).toBeGreaterThan(0)
    expect(run.files.map((f) => f.slice(dir.length + 1))).toEqual(['wrk.stdout.txt', 'wrk.stderr.txt'])
    expect(readFileSync(run.files[0]!, 'utf8')).toMatch(/Latency Distribution/)
  })

  test.each([['text', 0.1], ['json', 0]] as const)('the loadtest stand-in, %s form, warm-up %s s', async (form, warmup) => {
    const command = `node ${STANDIN} run --scenario {file} --duration {seconds} --endpoint {url} --connections {connections} --format ${form}`
    const run = await runLoadTool(options(`loadtest-${form}`, command, { warmup_s: warmup, duration_s: 0.4 }))
    const warmupFiles = warmup ? [`loadtest-${form}.warmup.stdout.txt`, `loadtest-${form}.warmup.stderr.txt`] : []
    expect(run.files.map((f) => f.slice(dir.length + 1))).toEqual([...warmupFiles, `loadtest-${form}.stdout.txt`, `loadtest-${form}.stderr.txt`])
    const r = run.result
    expect(r).toMatchObject({ generator: 'loadtest', model: 'closed', errors: 0 })
    expect(r.sent).toBeGreaterThan(20)
    expect(r.durationS).toBeGreaterThanOrEqual(0.4)
    expect(r.throughput).toBeGreaterThan(20)
    expect(r.uncorrected.max).toBeGreaterThanOrEqual(r.uncorrected.p99)
    expect(r.generatorCpu!.userS).toBeGreaterThan(0)
  })

  test('a failing tool, unreadable output, a hung tool and {rate} in a closed scenario', async () => {
    const failed = await runLoadTool(options('loadtest-text', `node -e "console.error('boom'); process.exit(3)"`, {}, 'fail')).then(() => new Error('no error'), (e: unknown) => e as Error)
    expect(failed).toBeInstanceOf(LoadToolFailed)
    expect(failed.message).toMatch(/^load tool loadtest-text exited with code 3 .*stderr ends: boom/)
    expect(existsSync(join(dir, 'fail.stdout.txt.partial'))).toBe(true)

    const garbage = await runLoadTool(options('loadtest-text', `node -e "console.log('requests: many')"`, {}, 'garbage')).then(() => new Error('no error'), (e: unknown) => e as Error)
    expect(isUserError(garbage)).toBe(true)
    expect(garbage.message).toBe(`${join(dir, 'garbage.stdout.txt')}:1: loadtest (text): cannot read line 1: 'requests: many'; expected requests: <number> (hint: the loadtest-text form is defined in harness/competitive/adapters/loadtest.ts)`)

    const t0 = performance.now()
    const hung = options('wrk', `node -e "setTimeout(() => {}, 60000)"`, {}, 'hung')
    hung.scenario.load_tool!.timeout_s = 0.3
    await expect(runLoadTool(hung)).rejects.toThrow(/load tool wrk timed out/)
    expect(performance.now() - t0).toBeLessThan(3000)

    const rate = runLoadTool(options('wrk', 'wrk -R{rate} {url}'))
    await expect(rate).rejects.toThrow(/load_tool\.command: the command uses \{rate\} but the arrival model is closed/)
    await expect(runLoadTool(options('wrk', 'no-such-load-tool {url}'))).rejects.toThrow(/load_tool\.command: 'no-such-load-tool' is not on PATH/)
  })
})
