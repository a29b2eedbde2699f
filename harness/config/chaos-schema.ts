// The `chaos` section of the configuration: the store under test, the workload, the sweep grid
// and the chaos scenarios. Defaults reproduce the original test's dimensions (96 configurations,
// 60 s each; 5-minute scenarios); without a configuration file the chaos family shortens them
// (harness/chaos/settings.ts) so the embedded run fits in minutes.
import * as z from 'zod'

const text = () => z.string().min(1)
const seconds = () => z.number().positive()
const count = () => z.number().int().positive()
const fraction = () => z.number().min(0).max(1)
const counts = () => z.array(count()).min(1)
const rates = () => z.array(z.number().positive()).min(1)

const workload = z.strictObject({
  writers: count().default(3).describe('Writer processes.'),
  writer_rate: z.number().positive().default(5).describe('Commit attempts started per second, per writer (open model).'),
  readers: z.number().int().nonnegative().default(2).describe('Reader processes.'),
  reader_rate: z.number().positive().default(10).describe('Reads started per second, per reader.'),
  key_pool: count().default(64).describe('Keys in the pool.'),
  overlap: fraction().default(0.2).describe("Fraction of each writer's writes to keys shared by all writers; the rest go to its own keys."),
  value_size: count().default(256).describe('Bytes per stored value.'),
  delete_ratio: fraction().default(0.05).describe('Fraction of writes that are deletes.'),
  retries: z.number().int().nonnegative().default(3).describe('Further attempts after a precondition failure before a write is given up.'),
  computed: z.boolean().default(false).describe('Read-then-write-a-computed-value transactions (version = read version + 1, computed by the client).'),
  timeout_ms: count().default(5000).describe('An operation not answered after this is aborted and recorded as unknown (info).'),
  seed: z.number().int().default(1).describe('Seed of the key and delete choices.'),
})

const sweep = z.strictObject({
  writers: counts().default([2, 3, 4]).describe('Writer counts of the grid.'),
  writer_rate: rates().default([2, 5]).describe('Per-writer rates of the grid, commit attempts/s.'),
  overlap: z.array(fraction()).min(1).default([0.1, 0.2, 0.3, 0.4]).describe('Key-overlap ratios of the grid.'),
  readers: counts().default([1, 2]).describe('Reader counts of the grid.'),
  reader_rate: rates().default([5, 10]).describe('Per-reader rates of the grid, reads/s.'),
  duration_s: seconds().default(60).describe('Seconds of load per configuration (the original: 60).'),
  parallel: count().default(8).describe('Configurations run at once, each on its own key prefix (the original: 8).'),
  min_commits: count().default(50).describe('Fewest commits a configuration needs to be chosen as the best (its failure rate means something).'),
})

const scenario = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'not a scenario name (lowercase letters, digits, - and _)').describe('Scenario name (a CSV value and a folder name).'),
  latency_ms: z.number().nonnegative().optional().describe('Delay added per direction by the TCP proxy, ms.'),
  jitter_ms: z.number().nonnegative().optional().describe('Uniform jitter on each chunk\'s delay, ± ms.'),
  bandwidth_kib_s: z.number().positive().optional().describe('Bandwidth limit per direction, KiB/s.'),
  cpu: z.strictObject({
    threads: count().describe('CPU hog processes.'),
    utilisation: z.number().positive().max(1).describe('Fraction of the time each hog is busy.'),
  }).optional().describe('CPU load in separate processes.'),
  restart_at: fraction().optional().describe('kill -9 the store at this fraction of the run (0.3 = 30 % in), then restart it on the same data.'),
  restart_mode: z.enum(['kill', 'graceful']).optional()
    .describe("How restart_at stops the store: kill (kill -9, a crash) or graceful (the store's own shutdown). Default: kill, or graceful for a store that loses acknowledged writes on kill -9 by design (Azurite saves its metadata every 5 s)."),
  pause_at: fraction().optional().describe('SIGSTOP the store at this fraction of the run …'),
  pause_for_s: seconds().default(2).describe('… and SIGCONT it this many seconds later.'),
  network: z.strictObject({
    fault: z.enum(['blackhole', 'reset', 'refuse']).describe('blackhole: data held; reset: connections reset; refuse: new connections refused.'),
    at: fraction().describe('Fraction of the run at which it begins.'),
    for_s: seconds().describe('How long.'),
  }).optional().describe('A network fault of the proxy.'),
})

/** The original seven scenarios plus restart and pause. */
export const DEFAULT_CHAOS_SCENARIOS: z.input<typeof scenario>[] = [
  { name: 'baseline' },
  { name: 'latency-50ms', latency_ms: 50, jitter_ms: 5 },
  { name: 'latency-100ms', latency_ms: 100, jitter_ms: 10 },
  { name: 'latency-200ms', latency_ms: 200, jitter_ms: 20 },
  { name: 'cpu-2x50', cpu: { threads: 2, utilisation: 0.5 } },
  { name: 'cpu-4x80', cpu: { threads: 4, utilisation: 0.8 } },
  { name: 'combined-100ms-cpu-2x50', latency_ms: 100, jitter_ms: 10, cpu: { threads: 2, utilisation: 0.5 } },
  { name: 'restart', restart_at: 0.3 },
  { name: 'pause', pause_at: 0.3, pause_for_s: 2 },
]

export type ChaosScenario = z.output<typeof scenario>

export const chaosSection = z.strictObject({
  store: z.enum(['blob-manifest', 'postgres', 'process']).default('blob-manifest')
    .describe('Store under test: blob-manifest (the embedded Azurite, or the azure section\'s container), postgres (Debian\'s PostgreSQL 15, started by the fixture), process (your own client, see command).'),
  postgres: z.strictObject({
    isolation: z.enum(['serializable', 'repeatable read', 'read committed']).default('serializable').describe('Isolation level of every transaction.'),
    bin_dir: text().optional().describe('Folder of initdb and postgres. Default: /usr/lib/postgresql/15/bin.'),
  }).prefault({}).describe('The postgres store.'),
  process: z.strictObject({
    command: z.array(text()).min(1).optional().describe('Your store client and its arguments, speaking the JSON-lines protocol of the README on stdin/stdout.'),
  }).prefault({}).describe('The process store.'),
  workload: workload.prefault({}).describe('Workload of a run; the sweep varies writers, rates, overlap and readers, the scenarios use the best configuration.'),
  sweep: sweep.prefault({}).describe('The configuration sweep (writers × writer rate × overlap × readers × reader rate).'),
  scenarios: z.array(scenario).min(1).prefault(DEFAULT_CHAOS_SCENARIOS).describe('Chaos scenarios, run one at a time from the best configuration of the sweep.'),
  scenario_duration_s: seconds().default(300).describe('Seconds of load per scenario (the original: 300).'),
})
