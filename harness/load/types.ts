// The load generator's contract: what a run is asked to do (LoadSpec) and what it reports
// (LoadResult). The generator (`openModelLoad`), the external-tool adapters (wrk, loadtest) and the
// competitive report all speak these types; nothing here depends on how the load is produced.
//
// Open model (constant, poisson, burst): every request has an intended start time fixed by the
// schedule before the run; latency is measured from that intended time ("corrected", as wrk2 and
// k6's arrival-rate executors do) and also from the moment a connection actually sent it
// ("uncorrected"). A request whose send is later than `lateMs` after its intended time is late; one
// still waiting for a connection when the run ends (or past `maxQueue`) is dropped, never silently
// lost. Closed model (`closed`): N connections each send the next request when the previous one
// answered; intended = actual, so both figures are the same and the result says `model: 'closed'`.

/** How requests arrive. Rates are requests per second over the whole run, all connections together. */
export type Arrival =
  | { model: 'constant'; rate: number }
  | { model: 'poisson'; rate: number; seed: number }
  /** `rate` between bursts; `burst_rate` for `burst_s` seconds every `every_s` seconds (first burst at t = every_s − burst_s). */
  | { model: 'burst'; rate: number; burst_rate: number; every_s: number; burst_s: number }
  | { model: 'closed' }

/** One HTTP request kind of the mix; picked with probability weight / Σ weights. */
export interface HttpRequestKind {
  name: string
  weight: number
  method: string
  path: string
  headers: Record<string, string>
  body?: string
  /** Status codes that count as success; others are errors. */
  expectStatus: number[]
}

/** One key-value operation kind of the mix. Keys are `${keyPrefix}${i}` with i uniform in [0, keySpace). */
export interface KvOperationKind {
  name: string
  weight: number
  op: 'get' | 'set'
  keySpace: number
  keyPrefix: string
  /** SET value size in bytes (GET ignores it). */
  valueBytes: number
}

export type Target =
  | { protocol: 'http'; url: string; requests: HttpRequestKind[] }
  | { protocol: 'redis' | 'memcached'; host: string; port: number; operations: KvOperationKind[] }

export interface LoadSpec {
  target: Target
  arrival: Arrival
  /** Connections to the server (open model: the pool requests wait for; closed model: N). */
  connections: number
  /** Unmeasured seconds before the measured duration (same schedule, results discarded). */
  warmupS: number
  /** Measured seconds. */
  durationS: number
  /** A request not answered after this many ms is an error (timeout). */
  timeoutMs: number
  /** A send later than this after its intended time counts as late. Default 1 ms... set by caller. */
  lateMs: number
  /** Requests waiting for a connection beyond this are dropped (counted). */
  maxQueue: number
  /** Seed of the request-mix picker and key choice. */
  seed: number
  /** Worker threads generating load (connections are split between them); 1 = this thread only. */
  threads: number
  /** Called about once per second during the measured part. */
  onProgress?: (p: LoadProgress) => void
  /** Aborting ends the run early; the result is then marked `interrupted`. */
  signal?: AbortSignal
}

export interface LoadProgress {
  elapsedS: number
  durationS: number
  /** Completed requests per second over the last second. */
  rate: number
  /** Corrected p99 over the last second, ms. */
  p99Ms: number
  warmup: boolean
}

/** Latency percentiles in milliseconds. */
export interface Percentiles {
  count: number
  mean: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
}

/** One point of the percentile spectrum: percentile (0–100) and latency in ms. */
export interface SpectrumPoint {
  percentile: number
  ms: number
}

/** One second of the measured part (t = 1 is the first second). */
export interface TimelineSecond {
  t: number
  /** Requests whose intended time fell in this second. */
  scheduled: number
  sent: number
  completed: number
  errors: number
  late: number
  dropped: number
  /** Corrected (from intended start) p50 / p99 / max of requests completed in this second, ms. */
  p50: number
  p99: number
  max: number
  /** Uncorrected (from actual send) p99, ms. */
  p99Uncorrected: number
}

export interface LoadResult {
  /** Which tool produced it: 'benchgate' or the external tool's name ('wrk', 'loadtest'). */
  generator: string
  model: 'open' | 'closed'
  arrival: Arrival
  connections: number
  durationS: number
  /** Requests per second the schedule asked for (open model); null for closed. */
  offeredRate: number | null
  /** Completed successful requests per second over the measured duration. */
  throughput: number
  scheduled: number
  sent: number
  completed: number
  errors: number
  /** Errors by kind (`status 500`, `timeout`, `ECONNRESET`, …). */
  errorKinds: Record<string, number>
  late: number
  dropped: number
  /** From the intended start (open model); equal to `uncorrected` for closed. null when the tool cannot tell. */
  corrected: Percentiles | null
  /** From the actual send. */
  uncorrected: Percentiles
  spectrum: { corrected: SpectrumPoint[] | null; uncorrected: SpectrumPoint[] }
  timeline: TimelineSecond[]
  /** Base64 HDR histograms (hdr-histogram-js encode), microseconds, for re-analysis. */
  histograms?: { corrected?: string; uncorrected: string }
  /** The generator's own CPU over the measured part (it shares the machine with the server). */
  generatorCpu: { userS: number; systemS: number; cores: number } | null
  interrupted: boolean
}
