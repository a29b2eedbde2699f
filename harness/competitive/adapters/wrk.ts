// Reading wrk 4's text report (stdout of `wrk -t2 -c16 -d10s --latency URL`) into a LoadResult.
//
// The report, as wrk 4.1 prints it (src/wrk.c; units from src/units.c):
//   Running 10s test @ http://127.0.0.1:8080/
//     2 threads and 16 connections
//     Thread Stats   Avg      Stdev     Max   +/- Stdev
//       Latency     1.27ms    2.87ms  32.75ms   93.46%
//       Req/Sec    15.56k     5.08k   24.58k    70.00%
//     Latency Distribution                       (only with --latency)
//        50%  340.00us
//        75%  780.00us
//        90%    2.91ms
//        99%   16.48ms
//     31073 requests in 2.01s, 3.97MB read
//     Socket errors: connect 0, read 27, write 0, timeout 0   (only when one is non-zero)
//     Non-2xx or 3xx responses: 3055                          (only when non-zero; wrk counts status > 399)
//   Requests/sec:  15447.68
//   Transfer/sec:      1.97MB
// Times carry a unit: us, ms, s, m (format_time_us); Req/Sec a metric suffix (k, M, G); the
// request count is a plain integer and the run time a time.
//
// Mapping, and why:
//   - wrk is a closed-model tool: each connection sends its next request when the previous one
//     answered. So model 'closed', arrival closed, offeredRate null, late and dropped 0, and
//     `corrected` null: wrk 4 does apply a crude correction of its own (stats_correct fills in
//     values above the mean interval), but that is not latency from an intended start time, so
//     its figures are reported as `uncorrected` — the report labels them closed-model.
//   - Percentiles: p50, p90, p99 from "Latency Distribution", max and mean from the Latency row;
//     wrk prints no 99.9th, so p999 is NaN ("not reported"). The distribution is required: p99 is
//     the figure competitive scenarios gate on, so a report without it is an error asking for
//     --latency rather than a result with holes.
//   - Counts: wrk's "N requests" is every response, whatever its status. completed = the
//     successful ones, N − non-2xx/3xx − timeouts (as benchgate's generator counts: completed
//     excludes errors); errors = non-2xx/3xx + connect + read + write + timeout (a timeout is a
//     response later than --timeout, already in N); sent = N + read + write errors (requests that
//     failed on the socket were sent or attempted; a failed connect sent nothing); throughput =
//     completed ÷ the run time wrk measured. The latency figures cover all N responses.
//   - Spectrum: the four distribution points and max (100 %). No timeline: wrk prints none.
//   - Lines a Lua script prints (done()) are ignored; a line that starts like one of wrk's own but
//     does not read as one, or a report missing a required line, is a UserError naming the file,
//     the line and what was expected.
import { UserError } from '../../errors.ts'
import type { LoadResult, SpectrumPoint } from '../../load/types.ts'

const TIME_UNITS_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 }

const TIME = String.raw`(\d+(?:\.\d+)?)(us|ms|s|m|h)`
const METRIC = String.raw`\d+(?:\.\d+)?[kMGTP]?`
const RE = {
  running: /^Running\s+(\S+)\s+test\s+@\s+(\S+)/,
  threads: /^(\d+)\s+threads\s+and\s+(\d+)\s+connections$/,
  header: /^Thread Stats\s+Avg\s+Stdev\s+Max\s+\+\/-\s+Stdev$/,
  latency: new RegExp(String.raw`^Latency\s+${TIME}\s+${TIME}\s+${TIME}\s+(\d+(?:\.\d+)?)%$`),
  reqSec: new RegExp(String.raw`^Req/Sec\s+${METRIC}\s+${METRIC}\s+${METRIC}\s+\d+(?:\.\d+)?%$`),
  distribution: /^Latency Distribution$/,
  percentile: new RegExp(String.raw`^(\d+(?:\.\d+)?)%\s+${TIME}$`),
  requests: new RegExp(String.raw`^(\d+)\s+requests\s+in\s+${TIME},\s+\S+\s+read$`),
  socket: /^Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$/,
  non2xx: /^Non-2xx or 3xx responses: (\d+)$/,
  rps: /^Requests\/sec:\s+(\d+(?:\.\d+)?)$/,
  transfer: /^Transfer\/sec:\s+\S+$/,
}

/** Which of wrk's own lines a line starts like, and what it should look like (for the error). */
const PREFIXES: [RegExp, keyof typeof RE, string][] = [
  [/^Running\b/, 'running', 'Running <time> test @ <url>'],
  [/^\d+ threads\b/, 'threads', '<n> threads and <n> connections'],
  [/^Thread Stats\b/, 'header', 'Thread Stats   Avg   Stdev   Max   +/- Stdev'],
  [/^Latency Distribution/, 'distribution', 'Latency Distribution'],
  [/^Latency\b/, 'latency', 'Latency <avg> <stdev> <max> <n>% (times with us, ms, s or m)'],
  [/^Req\/Sec\b/, 'reqSec', 'Req/Sec <avg> <stdev> <max> <n>%'],
  [/^\d+(\.\d+)?%/, 'percentile', '<n>% <time>, e.g. "99%   16.48ms"'],
  [/^\d+ requests\b/, 'requests', '<n> requests in <time>, <size> read'],
  [/^Socket errors\b/, 'socket', 'Socket errors: connect <n>, read <n>, write <n>, timeout <n>'],
  [/^Non-2xx\b/, 'non2xx', 'Non-2xx or 3xx responses: <n>'],
  [/^Requests\/sec\b/, 'rps', 'Requests/sec: <number>'],
  [/^Transfer\/sec\b/, 'transfer', 'Transfer/sec: <size>'],
]

function ms(value: string, unit: string): number {
  return Number(value) * TIME_UNITS_MS[unit]!
}

export interface WrkContext {
  /** Where the text came from (the saved stdout file), for messages. */
  source: string
  /** Connections asked for, when wrk's own line is missing. */
  connections?: number
}

/** The LoadResult of one wrk 4 text report. Throws a UserError naming `source` and the line it cannot read. */
export function parseWrk(text: string, ctx: WrkContext): LoadResult {
  const problem = (message: string, line?: number, expected?: string, hint?: string): UserError =>
    new UserError({ file: ctx.source, ...(line !== undefined ? { line } : {}), message: `wrk: ${message}`, ...(expected ? { expected } : {}), ...(hint ? { hint } : {}) })
  let connections: number | undefined
  let latency: { mean: number; max: number } | undefined
  let inDistribution = false
  const distribution: SpectrumPoint[] = []
  let requests: { count: number; seconds: number } | undefined
  let socket = { connect: 0, read: 0, write: 0, timeout: 0 }
  let non2xx = 0
  let rps: number | undefined

  const lines = text.split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = raw.trim()
    const n = i + 1
    if (line === '') return
    const kind = PREFIXES.find(([p]) => p.test(line))
    if (!kind) {
      inDistribution = false
      return // a Lua script's own output
    }
    const [, key, shape] = kind
    const m = RE[key].exec(line)
    if (!m) throw problem(`cannot read line ${n}: '${line}'`, n, shape)
    if (key !== 'percentile') inDistribution = key === 'distribution'
    switch (key) {
      case 'threads':
        connections = Number(m[2])
        break
      case 'latency':
        latency = { mean: ms(m[1]!, m[2]!), max: ms(m[5]!, m[6]!) }
        break
      case 'percentile':
        if (!inDistribution) throw problem(`line ${n} is a percentile outside the Latency Distribution: '${line}'`, n, 'percentiles right after "Latency Distribution"')
        distribution.push({ percentile: Number(m[1]), ms: ms(m[2]!, m[3]!) })
        break
      case 'requests':
        requests = { count: Number(m[1]), seconds: ms(m[2]!, m[3]!) / 1000 }
        break
      case 'socket':
        socket = { connect: Number(m[1]), read: Number(m[2]), write: Number(m[3]), timeout: Number(m[4]) }
        break
      case 'non2xx':
        non2xx = Number(m[1])
        break
      case 'rps':
        rps = Number(m[1])
        break
    }
  })

  const unableTo = lines.find((l) => /^unable to /.test(l.trim()))
  if (unableTo) throw problem(`wrk reported '${unableTo.trim()}'`, lines.indexOf(unableTo) + 1, 'a report of a finished run', 'is the server up and the URL right?')
  if (!requests) throw problem('no line "<n> requests in <time>, <size> read"', undefined, "wrk 4's report", 'is the command wrk, and did it run to the end?')
  if (rps === undefined) throw problem('no line "Requests/sec: <number>"', undefined, "wrk 4's report")
  if (!latency) throw problem('no Latency row under "Thread Stats"', undefined, "wrk 4's report")
  const pick = (p: number) => distribution.find((d) => d.percentile === p)?.ms
  const p50 = pick(50)
  const p90 = pick(90)
  const p99 = pick(99)
  if (p50 === undefined || p90 === undefined || p99 === undefined) {
    throw problem('no Latency Distribution with 50 %, 90 % and 99 %', undefined, 'the percentiles wrk prints with --latency', 'add --latency to the load_tool command')
  }
  if (!(requests.seconds > 0)) throw problem(`the run time is ${requests.seconds} s`, undefined, 'a run time > 0')

  const completed = Math.max(0, requests.count - non2xx - socket.timeout)
  const errors = non2xx + socket.connect + socket.read + socket.write + socket.timeout
  const errorKinds: Record<string, number> = {}
  const kinds: [string, number][] = [['status ≥ 400', non2xx], ['connect', socket.connect], ['read', socket.read], ['write', socket.write], ['timeout', socket.timeout]]
  for (const [k, v] of kinds) if (v > 0) errorKinds[k] = v
  const sent = requests.count + socket.read + socket.write
  const uncorrected = { count: requests.count, mean: latency.mean, p50, p90, p99, p999: Number.NaN, max: latency.max }
  return {
    generator: 'wrk',
    model: 'closed',
    arrival: { model: 'closed' },
    connections: connections ?? ctx.connections ?? 0,
    durationS: requests.seconds,
    offeredRate: null,
    throughput: completed / requests.seconds,
    scheduled: sent,
    sent,
    completed,
    errors,
    errorKinds,
    late: 0,
    dropped: 0,
    corrected: null,
    uncorrected,
    spectrum: { corrected: null, uncorrected: [...distribution, { percentile: 100, ms: latency.max }] },
    timeline: [],
    generatorCpu: null,
    interrupted: false,
  }
}
