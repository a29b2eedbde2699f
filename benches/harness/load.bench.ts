// The load generator (harness/load) against the tools the field uses, on this machine in one run.
//
// 1. Speed: closed-model saturation throughput against nginx on loopback (GET /plaintext, 13 bytes,
//    keep-alive), the same CONNECTIONS for every generator: ours (`openModelLoad`, closed model,
//    THREADS worker threads), autocannon 9 (npm; its default single thread, run as a child process)
//    and wrk (Debian; -t THREADS, as ours). Interleaved rounds A B C, C B A, A B C … so the
//    machine's drift (it is shared) falls on all three; each run lasts RUN_S seconds (ours after a
//    1 s unmeasured warm-up in which its threads JIT-compile; wrk and autocannon have no such
//    phase and count their start-up). Per round the ratios ours/autocannon and ours/wrk; the
//    gates are on the medians over the rounds: ≥ 1.0× autocannon, ≥ 0.7× wrk. CPU of each: ours
//    `generatorCpu` (its threads' own CPU over the measured part); wrk and autocannon wait4's
//    user + system of the process (harness/command's launcher; autocannon's includes Node's
//    ~0.2 s start-up), as cores = CPU seconds / run seconds, and µs of CPU per request.
//    nginx runs `worker_processes 1`: on this 2-core machine one nginx worker can take about one
//    core and never more, the same for all three generators, and one worker serves more than any
//    of them reaches here (a bare Node socket loop drove it at 62 k requests/s, wrk at up to 77 k).
//    With `auto` two nginx workers compete with the generators' threads for both cores and the
//    result is more the scheduler's than the generator's (one probe here: wrk -t2 73 k → 79 k,
//    ours 54 k → 48 k). The machine is shared: other sessions' load moves every figure by tens of
//    per cent from minute to minute, which is why the gates are on per-round ratios of adjacent
//    runs and their medians, never on absolute rates.
// 2. Coordinated omission: fixtures/competitive/servers/stall-server.ts holds every response for
//    500 ms every 5 s. Our open model at a constant CO_RATE requests/s (far below the server's
//    capacity) for CO_S seconds: its corrected p99 (from the intended start) shows the stall —
//    ~10 % of requests are meant for a stall window, so p99 sits in it (gate ≥ 200 ms). Our closed
//    model on the same connections: a connection stuck in a stall sends nothing, so each stall
//    costs one slow sample per connection among tens of thousands and its p99 hides it (gate:
//    below a quarter of the corrected p99). wrk on the same connections is printed beside them,
//    not gated: Debian's wrk (4.x) is closed-loop but CORRECTS its histogram after the run
//    (stats_correct: for every sample above the mean per-connection interval, runtime ÷ (requests ÷
//    connections), it adds synthetic samples at that interval — HdrHistogram's
//    copyCorrectedForCoordinatedOmission), so its p99 shows the stall as well. To show that this is
//    what it does, our closed model's histogram corrected the same way after the run is printed
//    too; both are an estimate from the closed loop's mean rate, where the open model measures
//    each request against its schedule.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '../../harness/test.ts'
import { runCommand } from '../../harness/command/index.ts'
import { decodeHistogram, openModelLoad, percentilesOf, type LoadResult, type LoadSpec } from '../../harness/load/index.ts'
import { startNginx, startStallServer } from '../../harness/load/test-support.ts'
import { median } from '../../harness/stats/quantile.ts'

const CONNECTIONS = 64
const THREADS = 2
const RUN_S = 4
const ROUNDS = 7
const CO_RATE = 200
const CO_CONNECTIONS = 8
const CO_S = 15
const WRK = '/usr/bin/wrk'
const AUTOCANNON = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'autocannon')

interface Figure {
  rps: number
  cores: number
  usPerRequest: number
}

function httpSpec(url: string, overrides: Partial<LoadSpec>): LoadSpec {
  const { origin, pathname } = new URL(url)
  return {
    target: { protocol: 'http', url: origin, requests: [{ name: 'get', weight: 1, method: 'GET', path: pathname, headers: {}, expectStatus: [200] }] },
    arrival: { model: 'closed' },
    connections: CONNECTIONS,
    warmupS: 1,
    durationS: RUN_S,
    timeoutMs: 10_000,
    lateMs: 1,
    maxQueue: 1_000_000,
    seed: 13,
    threads: THREADS,
    ...overrides,
  }
}

async function ours(url: string): Promise<Figure> {
  const r = await openModelLoad(httpSpec(url, {}))
  if (r.errors) throw new Error(`our generator: ${r.errors} errors ${JSON.stringify(r.errorKinds)}`)
  const cpu = r.generatorCpu!
  return { rps: r.throughput, cores: cpu.cores, usPerRequest: ((cpu.userS + cpu.systemS) * 1e6) / r.completed }
}

/** Runs a shell line (stdout to `out`) under the command launcher: its wall time and wait4 CPU. */
async function external(line: string, out: string, field: string): Promise<{ text: string; cpuS: number; wallS: number }> {
  const run = await runCommand({ argv: [`${line} > '${out}'`], shell: true, timeoutMs: (RUN_S + 30) * 1000, field })
  return { text: readFileSync(out, 'utf8'), cpuS: run.userSeconds + run.systemSeconds, wallS: run.wallSeconds }
}

async function wrk(url: string, dir: string): Promise<Figure> {
  const r = await external(`${WRK} -t${THREADS} -c${CONNECTIONS} -d${RUN_S}s ${url}`, join(dir, 'wrk.txt'), 'load.bench.wrk')
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.text)
  if (!m || /Non-2xx|Socket errors/.test(r.text)) throw new Error(`wrk: unexpected output: ${r.text}`)
  const rps = Number(m[1])
  return { rps, cores: r.cpuS / RUN_S, usPerRequest: (r.cpuS * 1e6) / (rps * RUN_S) }
}

async function autocannon(url: string, dir: string): Promise<Figure> {
  const r = await external(`${AUTOCANNON} -j -c ${CONNECTIONS} -d ${RUN_S} ${url}`, join(dir, 'autocannon.json'), 'load.bench.autocannon')
  const j = JSON.parse(r.text) as { requests: { total: number }; duration: number; errors: number; non2xx: number }
  if (j.errors || j.non2xx) throw new Error(`autocannon: ${j.errors} errors, ${j.non2xx} non-2xx`)
  const rps = j.requests.total / j.duration
  return { rps, cores: r.cpuS / j.duration, usPerRequest: (r.cpuS * 1e6) / j.requests.total }
}

/** wrk --latency's 99 % line, in ms. */
function wrkP99Ms(text: string): number {
  const m = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text)
  if (!m) throw new Error(`wrk --latency: no 99% line in: ${text}`)
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's']
}

const f0 = (v: number) => v.toFixed(0)
const f2 = (v: number) => v.toFixed(2)
const show = (name: string, x: Figure) => `${name} ${f0(x.rps)} req/s (${f2(x.cores)} cores, ${x.usPerRequest.toFixed(1)} µs CPU/request)`

test('load generator: saturation throughput against autocannon and wrk; coordinated omission shown against a stalling server', { timeout: 600_000 }, async ({ tempDir, kpi, publish }) => {
  // 1. speed, interleaved
  const nginx = await startNginx(1)
  const generators = { ours: () => ours(nginx.url), autocannon: () => autocannon(nginx.url, tempDir), wrk: () => wrk(nginx.url, tempDir) }
  const runs = { ours: [] as Figure[], autocannon: [] as Figure[], wrk: [] as Figure[] }
  const vsAutocannon: number[] = []
  const vsWrk: number[] = []
  try {
    const order = ['ours', 'autocannon', 'wrk'] as const
    for (let round = 0; round < ROUNDS; round++) {
      const got: Partial<Record<(typeof order)[number], Figure>> = {}
      for (const name of round % 2 === 0 ? order : [...order].reverse()) {
        got[name] = await generators[name]()
        runs[name].push(got[name])
      }
      vsAutocannon.push(got.ours!.rps / got.autocannon!.rps)
      vsWrk.push(got.ours!.rps / got.wrk!.rps)
      console.log(`round ${round + 1}: ${show('ours', got.ours!)}; ${show('autocannon', got.autocannon!)}; ${show('wrk', got.wrk!)}`)
    }
  } finally {
    await nginx.stop()
  }
  const med = (xs: Figure[], k: keyof Figure) => median(xs.map((x) => x[k]))
  for (const [name, xs] of Object.entries(runs)) {
    kpi(`${name}_req_s`, med(xs, 'rps'), 'req/s', { better: 'higher' })
    kpi(`${name}_cpu_cores`, med(xs, 'cores'), 'cores')
    kpi(`${name}_cpu_us_per_request`, med(xs, 'usPerRequest'), 'µs', { better: 'lower' })
  }
  const ratioAc = median(vsAutocannon)
  const ratioWrk = median(vsWrk)
  kpi('ours_vs_autocannon', ratioAc, '×', { better: 'higher' })
  kpi('ours_vs_wrk', ratioWrk, '×', { better: 'higher' })
  console.log(
    `nginx (1 worker), ${CONNECTIONS} connections, ${RUN_S} s runs, medians of ${ROUNDS} interleaved rounds: ` +
      `ours (${THREADS} threads) ${f0(med(runs.ours, 'rps'))} req/s at ${f2(med(runs.ours, 'cores'))} cores; ` +
      `autocannon ${f0(med(runs.autocannon, 'rps'))} req/s at ${f2(med(runs.autocannon, 'cores'))} cores; ` +
      `wrk -t${THREADS} ${f0(med(runs.wrk, 'rps'))} req/s at ${f2(med(runs.wrk, 'cores'))} cores; ` +
      `ours/autocannon ${f2(ratioAc)}× (rounds ${vsAutocannon.map(f2).join(', ')}), ours/wrk ${f2(ratioWrk)}× (rounds ${vsWrk.map(f2).join(', ')})`,
  )

  // 2. coordinated omission against the stalling server
  const stall = await startStallServer({ stallMs: 500, everyMs: 5000 })
  let open: LoadResult
  let closed: LoadResult
  let wrkP99: number
  try {
    const co = { connections: CO_CONNECTIONS, durationS: CO_S, threads: 1, warmupS: 1 }
    open = await openModelLoad(httpSpec(stall.url, { ...co, arrival: { model: 'constant', rate: CO_RATE } }))
    closed = await openModelLoad(httpSpec(stall.url, co))
    wrkP99 = wrkP99Ms((await external(`${WRK} -t1 -c${CO_CONNECTIONS} -d${CO_S}s --latency ${stall.url}`, join(tempDir, 'wrk-stall.txt'), 'load.bench.wrk')).text)
  } finally {
    await stall.stop()
  }
  // our closed histogram corrected after the run as wrk 4 does (µs; interval = run ÷ requests per connection)
  const intervalUs = (CO_S * 1e6) / ((closed.completed + closed.errors) / CO_CONNECTIONS)
  const closedPostCorrected = percentilesOf(decodeHistogram(closed.histograms!.uncorrected).copyCorrectedForCoordinatedOmission(intervalUs))
  const p = (x: LoadResult) => `p50 ${x.uncorrected.p50.toFixed(2)} ms, p99 ${x.uncorrected.p99.toFixed(1)} ms, max ${x.uncorrected.max.toFixed(0)} ms`
  console.log(
    `stall server (500 ms every 5 s), ${CO_CONNECTIONS} connections, ${CO_S} s: ours open model at ${CO_RATE}/s: corrected p50 ${open.corrected!.p50.toFixed(2)} ms, ` +
      `p99 ${open.corrected!.p99.toFixed(1)} ms, max ${open.corrected!.max.toFixed(0)} ms (uncorrected, from the send: ${p(open)}; ` +
      `${open.late} of ${open.scheduled} late, ${open.dropped} dropped); ours closed model ${f0(closed.throughput)} req/s: ${p(closed)}; ` +
      `wrk (closed loop, corrected after the run) p99 ${wrkP99.toFixed(1)} ms; ours closed corrected after the run the same way p99 ${closedPostCorrected.p99.toFixed(1)} ms`,
  )
  kpi('co_open_corrected_p99_ms', open.corrected!.p99, 'ms')
  kpi('co_open_uncorrected_p99_ms', open.uncorrected.p99, 'ms')
  kpi('co_closed_p99_ms', closed.uncorrected.p99, 'ms')
  kpi('co_wrk_post_corrected_p99_ms', wrkP99, 'ms')
  kpi('co_closed_post_corrected_p99_ms', closedPostCorrected.p99, 'ms')
  await publish()

  expect(ratioAc, 'ours ≥ 1.0× autocannon (median of the rounds)').toBeGreaterThanOrEqual(1)
  expect(ratioWrk, 'ours ≥ 0.7× wrk (median of the rounds)').toBeGreaterThanOrEqual(0.7)
  expect(open.errors, 'no errors against the stall server').toBe(0)
  expect(open.corrected!.p99, 'the corrected p99 shows the 500 ms stall').toBeGreaterThanOrEqual(200)
  expect(closed.uncorrected.p99, 'the closed model hides it').toBeLessThan(open.corrected!.p99 / 4)
})
