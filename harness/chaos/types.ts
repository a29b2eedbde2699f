// The chaos family's contracts: the store adapter every store implements, the history every run
// writes (history.jsonl, one event a line), the workload parameters, and the rows of the two CSV
// files. Stores, nemeses, the workload runner and the checker talk to each other only through
// these types.

/** What a store holds for a key: the value token last committed and the key's version (0 = never written). */
export interface Versioned {
  /** The committed value token, or null when the key is absent (never written, or deleted). */
  value: string | null
  /**
   * The version of the commit that wrote this value, strictly increasing per key in the store's
   * commit order (a global commit number is fine: blob-manifest uses the HEAD version). 0 = initial.
   */
  version: number
}

/** The outcome of one commit attempt. */
export type CommitOutcome =
  /** Committed: `version` is the new version of the key, `prev` what the attempt read before writing. */
  | { kind: 'ok'; version: number; prev: Versioned; txn: string }
  /**
   * Lost the race and did not take effect: a precondition failure (HTTP 412/409 on blob, a
   * serialization failure 40001 on PostgreSQL, `conflict` from a process client). Retryable.
   */
  | { kind: 'conflict'; error: string; prev?: Versioned }
  /** Failed and definitely did not take effect (any other error the store reports before committing). */
  | { kind: 'fail'; error: string }

/** One write: put `value` (a unique token) on `key`, or delete it (value null). */
export interface WriteRequest {
  key: string
  /** Unique token of this attempt's value, null for a delete. Stores pad it to `valueSize` bytes. */
  value: string | null
  /** Transaction id of this attempt, unique in the run. */
  txn: string
  /**
   * Read-then-write-a-computed-value: the store reads the key inside the transaction and writes
   * version = prev.version + 1 computed by the client (the workload that loses updates at READ
   * COMMITTED). Stores that always read before writing (blob-manifest) ignore it.
   */
  computed: boolean
}

/**
 * A store under test. Every method may be called concurrently from many logical processes;
 * `signal` aborts an operation in flight (a timeout: the outcome is then unknown, recorded `info`).
 * Throwing means the outcome is unknown too (a connection reset mid-commit).
 */
export interface StoreAdapter {
  /** 'blob-manifest', 'postgres', 'process', or a variant such as 'blob-manifest (ignores If-Match)'. */
  readonly name: string
  /** Prepares an empty namespace for one run (its own key prefix), e.g. the initial HEAD. */
  open(prefix: string): Promise<StoreSession>
  /** Releases connections and clients (not the store server). Safe to call twice. */
  close(): Promise<void>
}

/** One run's view of the store, on its own key prefix. */
export interface StoreSession {
  read(key: string, signal: AbortSignal): Promise<Versioned>
  write(request: WriteRequest, signal: AbortSignal): Promise<CommitOutcome>
}

/**
 * A store server started by a fixture, with the controls the restart and pause nemeses need.
 * Started as its own process group; the controls act on that group by pid, never by name.
 */
export interface StoreServer {
  /** e.g. 'azurite', 'postgres 15.18' */
  readonly description: string
  /** Where clients connect: host and port (the TCP proxy sits in front of this). */
  readonly host: string
  readonly port: number
  /** Process group leader's pid (changes after restart). */
  readonly pid: number
  /**
   * Stops the store — kill -9 of the process group ('kill', the default: a crash) or its own
   * shutdown ('graceful') —, then starts it again on the same data and port; resolves when it serves again.
   */
  restart(mode?: 'kill' | 'graceful'): Promise<void>
  /** Set when kill -9 loses acknowledged writes by the store's design: the sentence that says how. */
  readonly killLosesWrites?: string
  /** SIGSTOP the process group. */
  pause(): void
  /** SIGCONT the process group. */
  resume(): void
  /** Stops the group and removes its data directory. Safe to call twice. */
  stop(): Promise<void>
}

/** The operations a history records. */
export type OpName = 'read' | 'write' | 'delete'

/**
 * One line of history.jsonl. An operation is an `invoke` followed by exactly one completion of the
 * same `op` id and `process`: `ok` (took effect / returned), `fail` (definitely did not take
 * effect) or `info` (outcome unknown: a timeout or a dropped connection). A process runs one
 * operation at a time. An invoke without a completion (a run stopped early) counts as `info`.
 */
export interface HistoryEvent {
  /** Operation id, unique in the history; the invoke and its completion share it. */
  op: number
  /** Logical process: 'w0', 'w1', … writers, 'r0', … readers, 'final' for the read-back after the run. */
  process: string
  type: 'invoke' | 'ok' | 'fail' | 'info'
  f: OpName
  key: string
  /** Writes: the token written (null for a delete), on the invoke and the completion. Reads: the token read, on ok. */
  value?: string | null
  /** ok write: the key's new version; ok read: the version of the value returned. */
  version?: number
  /** ok write (and conflicts, when known): what the transaction read before writing. */
  prev?: Versioned
  /** Transaction id (writes). */
  txn?: string
  /** Milliseconds since the run started (monotonic clock), when this event happened. */
  time: number
  /** fail / info: why. `conflict` marks a precondition failure. */
  error?: string
  /** fail: true when the failure was a precondition failure (lost the commit race). */
  conflict?: boolean
}

/** The first line of history.jsonl: what produced it. */
export interface HistoryHeader {
  type: 'header'
  store: string
  prefix: string
  /** ISO time the run started. */
  started: string
  workload: WorkloadParams
  /** Present (true) while the run is in progress or when it was interrupted: the history is incomplete. */
  partial?: boolean
}

/** The workload of one run (the original test's parameters). */
export interface WorkloadParams {
  writers: number
  /** Commit attempts started per second, per writer (open model: on a schedule, not after the previous). */
  writer_rate: number
  readers: number
  /** Reads started per second, per reader. */
  reader_rate: number
  /** Keys in the pool. */
  key_pool: number
  /** Fraction (0–1) of each writer's writes that go to keys shared by all writers; the rest go to its own keys. */
  overlap: number
  /** Bytes per value stored (the token padded). */
  value_size: number
  /** Fraction (0–1) of writes that are deletes. */
  delete_ratio: number
  /** Further attempts after a conflict before the write is given up. */
  retries: number
  /** Read-then-write-a-computed-value transactions (see WriteRequest.computed). */
  computed: boolean
  /** Seconds of load. */
  duration_s: number
  /** An operation not answered after this is aborted and recorded info. */
  timeout_ms: number
  /** Seed of the key and delete choices (the schedule is fixed by the rates). */
  seed: number
}

/** Figures of one run, from its history: the columns the CSV files share. */
export interface RunFigures {
  /** Commit attempts (every conditional commit tried, retries included). */
  commit_attempts: number
  commits: number
  /** Attempts that lost the race (precondition failures). */
  precondition_failures: number
  /** precondition_failures ÷ commit_attempts, in [0, 1] (0 when there were no attempts). */
  precondition_failure_rate: number
  /** Writes given up after `retries` conflicts. */
  writes_abandoned: number
  /** Retries made (attempts after a conflict). */
  retries: number
  /** Mean attempts per committed write. */
  attempts_per_commit: number
  /** Operations whose outcome is unknown (timeouts, resets). */
  unknown: number
  other_failures: number
  reads: number
  read_failures: number
  write_tps: number
  read_tps: number
  /** Commit attempt latency of committed attempts, ms. */
  write_p50_ms: number
  write_p95_ms: number
  write_p99_ms: number
  /** Latency of attempts that ended in a precondition failure, ms (NaN when none). */
  precondition_failure_p50_ms: number
  precondition_failure_p99_ms: number
  read_p50_ms: number
  read_p95_ms: number
  read_p99_ms: number
}

/** One row of comprehensive_sweep.csv. */
export interface SweepRow extends RunFigures {
  /** e.g. 'w3_wr5_o0.2_r2_rr10' */
  config: string
  writers: number
  writer_rate: number
  overlap: number
  readers: number
  reader_rate: number
  duration_s: number
}

/** One row of chaos_sweep.csv. */
export interface ScenarioRow extends RunFigures {
  scenario: string
  config: string
  /** The checker's verdict: 'valid' or the anomaly kinds found, e.g. 'lost-update,stale-read'. */
  verdict: string
  anomalies: number
  /** The fault's measured effect, e.g. the proxy's median added delay or the hogs' CPU; NaN when the scenario has no such fault. */
  measured_delay_ms: number
  measured_hog_cpu: number
  /** Restarts / pauses actually carried out. */
  restarts: number
  pauses: number
}

/** A chaos scenario (the config's `chaos.scenarios[]`): the faults applied while the workload runs; none is the baseline. */
export type { ChaosScenario as ScenarioSpec } from '../config/chaos-schema.ts'

/** A running fault, started at the run's beginning, that reports what it actually did. */
export interface Nemesis {
  readonly name: string
  /** Begins acting; `runStart` is performance.now() of the run's start (for faults due later). */
  start(runStart: number): Promise<void>
  /** Stops acting and undoes the fault (resume, restore). Safe to call twice. */
  stop(): Promise<void>
  /** What the fault measurably did, merged into the scenario row. */
  effect(): Partial<Pick<ScenarioRow, 'measured_delay_ms' | 'measured_hog_cpu' | 'restarts' | 'pauses'>>
}
