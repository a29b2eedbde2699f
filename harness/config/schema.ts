// The whole YAML configuration as one zod schema. Every section is optional: an empty or missing
// file yields the embedded defaults (Azurite, local directories, generated data). Objects are
// strict so a typo is an error, and every field is described for the generated JSON Schema.
import * as z from 'zod'
import { DEFAULT_FAST_LOG_PATTERN } from '../metrics/fast-log.ts'
import { DEFAULT_ZGY_PATTERN } from '../metrics/options.ts'
import { chaosSection } from './chaos-schema.ts'
import { checkAzure, checkCopyCommand, checkLogPattern, checkRegex, checkSasUrls, checkSshHost, checkVscsi } from './checks.ts'

const text = () => z.string().min(1)
const seconds = () => z.number().positive()
const count = () => z.number().int().positive()
const fraction = () => z.number().min(0).max(1)
const regex = () => text().refine(checkRegex, { message: 'not a valid regular expression' })
const httpUrl = () => z.url({ protocol: /^https?$/, message: 'not an http(s) URL' })
const params = () => z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))

export { DEFAULT_FAST_LOG_PATTERN }

const azure = z
  .strictObject({
    account: z.string().regex(/^[a-z0-9]{3,24}$/, 'not a storage account name').optional()
      .describe('Storage account name (3-24 lowercase letters and digits). Omit to use the embedded Azurite.'),
    container: z.string().regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/, 'not a container name').optional()
      .describe('Blob container holding the benchmark volumes. May be omitted when sas_url names the container.'),
    endpoint: httpUrl().optional()
      .describe('Blob service endpoint, e.g. https://ACCOUNT.blob.core.windows.net. Default: none, the embedded Azurite.'),
    sas_url: httpUrl().optional()
      .describe('Container (or blob) SAS URL including ?sv=…&sig=…. Secret: its sig is never printed. Use ${AZURE_SAS_URL}.'),
    sas_token: text().optional()
      .describe('SAS token (the query part sv=…&sig=…) used with account and container. Secret. Use ${AZURE_SAS_TOKEN}.'),
    key: text().optional()
      .describe('Storage account key used with account. Secret. Use ${AZURE_STORAGE_KEY}.'),
  })
  .superRefine(checkAzure)

const nas = z.strictObject({
  host: text().optional().describe('NAS host name or address, probed for round-trip time.'),
  shares: z.array(text()).min(1).optional()
    .describe('Directories standing for the NAS shares (mount points or UNC paths); relative paths resolve against the working directory. Default: none, an embedded local directory.'),
})

const petrel = z.strictObject({
  executable: text().optional().describe('Path of Petrel.exe on the Windows workstation. When Petrel is not running, it is started with the project as argument.'),
  project: text().optional().describe('Petrel project (.pet) opened by the workflows.'),
  window_title: regex().default('Petrel')
    .describe('Regular expression matching the Petrel main window title (file explorer windows and dialogs are skipped; the largest match wins).'),
  hotkeys: z.record(z.string(), text()).default({})
    .describe('Action name → key chord (e.g. open_project: "Ctrl+O") used to drive Petrel.'),
  launch_timeout_s: seconds().default(180).describe('Seconds to wait for Petrel to start and show its window.'),
  window_rect: z.strictObject({
    left: z.number().int().describe('Screen x of the window\'s left edge, in pixels.'),
    top: z.number().int().describe('Screen y of the window\'s top edge, in pixels.'),
    width: count().describe('Window width in pixels.'),
    height: count().describe('Window height in pixels.'),
  }).optional()
    .describe('Rectangle the window is moved and resized to when normalising it (e.g. before a replay). Default: none, the window stays where it is.'),
})

const fast = z.strictObject({
  cache_dir: text().optional().describe('Directory of the FAST cache (emptied before Cold runs). Default: a temporary directory per run.'),
  log_path: text().optional().describe('FAST log file read for per-request latency, bytes and cache hits. Default: fast.log in the run directory.'),
  mount_root: text().optional().describe('Root under which FAST presents its virtual .vzgy files. Default: <cache_dir>/mount.'),
  log_pattern: regex().default(DEFAULT_FAST_LOG_PATTERN).superRefine(checkLogPattern)
    .describe('Regular expression for one FAST log line, with named groups latency_ms, bytes and cache_hit. Default matches "bytes=262144 latency_ms=12.5 cache=hit".'),
  concurrency: count().default(8).describe('Chunks (mode B) or bricks (mode A) the reader fetches at once.'),
  timeout_ms: count().default(30000).describe('Timeout of one ranged GET attempt, in ms.'),
  retries: z.number().int().nonnegative().default(5).describe('Retries of a ranged GET on 429/500/503, timeouts and resets (exponential backoff).'),
  brick_cache_mb: z.number().int().nonnegative().default(64).describe('In-memory brick cache of the reader, in MiB (Petrel keeps a similar cache).'),
  rounds: z.number().int().min(3).default(4).describe('Measured rounds of the A/B comparison per workflow and cache state (each round runs A and B once, in alternating order).'),
  max_rounds: z.number().int().min(3).default(4).describe('Upper bound of rounds when the comparison is inconclusive.'),
  max_ratio: z.number().positive().default(8).describe('Gate: mode B time per workflow at most this multiple of mode A time (fails only when the data show it at the configured confidence).'),
  max_ratios: z.record(z.string(), z.number().positive()).default({}).describe('Per-workflow overrides of max_ratio (workflow name → ratio), e.g. open: 6.'),
  probe_streams: count().default(8).describe('Parallel streams of the mode C network-ceiling probe.'),
  driver: z.enum(['reader', 'desktop']).default('reader')
    .describe('How a session runs: reader (the headless reference reader, a process of ours) or desktop (the application window driven by keys, timed from the screen: the seismic viewer under Xvfb by default, Petrel when petrel.executable is set).'),
})


const desktop = z.strictObject({
  display: z.enum(['xvfb', 'existing']).default('xvfb')
    .describe('Linux: xvfb starts a virtual X display per run (Debian xvfb); existing uses $DISPLAY. Windows always uses the desktop itself.'),
  screen: z.strictObject({
    width: count().default(1280).describe('Width in pixels.'),
    height: count().default(800).describe('Height in pixels.'),
  }).prefault({}).describe('Size of the virtual display (xvfb).'),
  window_rect: z.strictObject({
    left: z.number().int().describe('Left edge, screen pixels.'),
    top: z.number().int().describe('Top edge, screen pixels.'),
    width: count().describe('Width in pixels.'),
    height: count().describe('Height in pixels.'),
  }).default({ left: 40, top: 40, width: 960, height: 640 })
    .describe('Where the embedded seismic viewer window is placed, in screen pixels.'),
  view_region: z.strictObject({
    left: fraction().describe('Left edge, fraction of the window width.'),
    top: fraction().describe('Top edge, fraction of the window height.'),
    width: fraction().describe('Width, fraction of the window width.'),
    height: fraction().describe('Height, fraction of the window height.'),
  }).optional()
    .describe('The view region watched for the first pixel and for settling, in fractions of the window. Default: the whole window (the viewer\'s status bar lies in the ignored margin band only when view_region leaves it out).'),
  margin_px: z.number().int().nonnegative().default(8).describe('Pixels ignored along each side of the view region (borders, focus rings).'),
  poll_ms: count().default(20).describe('Screen polling interval, ms: the resolution of first_pixel and of workflow ends.'),
  changed_fraction: fraction().default(0.01).describe('First pixel: share of the view region\'s pixels that must differ from the state before the open.'),
  channel_delta: z.number().int().min(0).max(255).default(16).describe('A pixel differs when one of its channels differs by more than this.'),
  quiet_ms: count().default(500).describe('A workflow ends at the last change of the view once it has been still this long after the last key.'),
  screenshots: z.boolean().default(true).describe('Attach screenshots of the window (after the first pixel, at the end) to each desktop session.'),
})

const volume = z.strictObject({
  file: text().optional().describe('An existing uncompressed .zgy file to use instead of generating one (it is copied to the blob store as chunks).'),
  inlines: count().default(512).describe('Synthetic volume: inlines.'),
  crosslines: count().default(512).describe('Synthetic volume: crosslines.'),
  samples: count().default(384).describe('Synthetic volume: samples per trace.'),
  data_type: z.enum(['int8', 'int16', 'float32']).default('int8').describe('Synthetic volume: sample type.'),
  seed: z.number().int().default(1).describe('Synthetic volume: random seed (same seed, same volume).'),
  data_dir: text().default('.benchgate-cache').describe('Where generated volumes are cached between runs (rebuilt when their parameters change).'),
  prefix: text().optional().describe('Blob prefix of the chunked volume. Default: benchgate/<volume key>.'),
})

const workflows = z.strictObject({
  scrub_count: count().default(100).describe('Number of inline/crossline scrub steps per scrub workflow.'),
  scrub_delay_ms: z.number().nonnegative().default(40).describe('Pause between scrub steps, in milliseconds.'),
  enabled: z.array(z.enum(['open', 'scrub-100', 'attribute', 'horizon', 'export'])).min(1)
    .default(['open', 'scrub-100', 'attribute', 'horizon', 'export']).describe('Workflows the fast-ab scenario runs.'),
  waits: z.record(z.string(), z.number().nonnegative()).default({})
    .describe('Named waits in seconds (e.g. after_open: 5) used by the workflows.'),
  open: params().optional().describe('Parameters of the open-volume workflow (name → value).'),
  attribute: params().optional().describe('Parameters of the attribute-computation workflow (name → value).'),
  horizon: params().optional().describe('Parameters of the horizon-tracking workflow (name → value).'),
  export: params().optional().describe('Parameters of the export workflow (name → value).'),
})

const cache = z.strictObject({
  policy: z.array(z.enum(['Cold', 'Warm'])).min(1).default(['Cold', 'Warm'])
    .describe('Cache states each scenario runs in: Cold (caches dropped first), Warm (after a priming read).'),
  drop_os_cache: z.boolean().default(true).describe('Drop the operating system page cache before Cold runs.'),
})

const sshHost = z
  .strictObject({
    name: text().describe('Short name of the host, used in results.'),
    host: text().describe('Host name or address.'),
    port: z.number().int().min(1).max(65535).default(22).describe('SSH port.'),
    user: text().describe('Login user.'),
    password: text().optional().describe('Login password. Secret. Use ${ESXI_PASSWORD}.'),
    key_path: text().optional().describe('Private key file used instead of a password.'),
    host_key_fingerprint: text().optional()
      .describe('Expected host key fingerprint (SHA256:…); the connection is refused on mismatch.'),
  })
  .superRefine(checkSshHost)

const ssh = z.strictObject({
  hosts: z.array(sshHost).default([]).describe('Hosts reached over SSH (ESXi hosts for vscsiStats, Linux peers).'),
})

// A copy tool as blit-parity runs it: a command template with {src} and {dst}, run without a shell.
const copyTool = z.strictObject({
  name: text().describe('Name of the tool in results, e.g. blit-v2.'),
  command: text().superRefine(checkCopyCommand)
    .describe("Command template, run without a shell: {src} is the source tree, {dst} the destination, e.g. 'blit-cli mirror {src} {dst}'."),
  success_codes: z.array(z.number().int().min(0)).min(1).default([0])
    .describe('Exit codes that mean success (robocopy: 0 to 7). Any other code voids the run.'),
  mirror: z.boolean().default(true)
    .describe('The tool deletes what the source no longer has; false (cp -a) leaves it out of the incremental workload.'),
  compare_mtimes: z.boolean().default(true).describe('Correctness includes modification times (-a style tools).'),
  compare_modes: z.boolean().default(true).describe('Correctness includes file modes.'),
})

const on = () => z.boolean().default(true).describe('Run this workload.')

const copyWorkloads = z.strictObject({
  large: z.strictObject({
    enabled: on(),
    bytes: count().default(1024 ** 3).describe('Size of the one large file (default 1 GiB; the original plan used 512 MiB and 4 GiB).'),
  }).prefault({}).describe('One large file.'),
  small: z.strictObject({
    enabled: on(),
    files: count().default(100_000).describe('Number of small files.'),
    min_bytes: count().default(1024).describe('Smallest file, in bytes.'),
    max_bytes: count().default(10 * 1024).describe('Largest file, in bytes.'),
  }).prefault({}).describe('Many small files (default 100,000 of 1 to 10 KiB).'),
  mixed: z.strictObject({
    enabled: on(),
    large_files: count().default(10).describe('Number of large files.'),
    large_bytes: count().default(100_000_000).describe('Size of each large file, in bytes.'),
    small_files: count().default(1000).describe('Number of small files.'),
    small_min_bytes: count().default(1024).describe('Smallest small file, in bytes.'),
    small_max_bytes: count().default(100 * 1024).describe('Largest small file, in bytes.'),
  }).prefault({}).describe('Mixed: 10 × 100 MB plus 1,000 files of 1 to 100 KiB.'),
  incremental: z.strictObject({
    enabled: on(),
    files: count().default(10_000).describe('Files of the mirrored tree, of 1 to 100 KiB.'),
    touch: z.number().int().nonnegative().default(2000).describe('Files rewritten since the last mirror.'),
    delete: z.number().int().nonnegative().default(1000).describe('Files deleted since the last mirror.'),
    add: z.number().int().nonnegative().default(1000).describe('Files added since the last mirror.'),
  }).prefault({}).describe('Incremental mirror: the destination already mirrors the tree, then files are touched, deleted and added.'),
})

const blitParity = z.strictObject({
  candidate: copyTool.default({ name: 'rclone', command: 'rclone sync --metadata {src} {dst}', success_codes: [0], mirror: true, compare_mtimes: true, compare_modes: true })
    .describe('The new copy tool. Default: rclone sync (Debian rclone).'),
  baseline: copyTool.optional()
    .describe('The tool it replaces. Default: rsync -a --delete (Linux, macOS), robocopy /MIR (Windows).'),
  third: copyTool.nullable().optional()
    .describe('A third peer, measured against the baseline and reported, never gated. Default: cp -a; null for none.'),
  workloads: copyWorkloads.prefault({}).describe('The workloads, each generated from the seed and cached by its parameters.'),
  at_least: z.number().positive().max(1).default(0.95).describe('Throughput the candidate must reach, as a fraction of the baseline (0.95 = at least 95 %).'),
  memory_at_most: z.number().positive().default(1.1).describe("Peak memory the candidate may use, as a multiple of the baseline's (1.10 = at most 110 %)."),
  cache: z.array(z.enum(['Cold', 'Warm'])).min(1).default(['Cold'])
    .describe('Cache states: Cold (page cache dropped before every run; a run whose drop failed is marked, never counted as Cold), Warm (an unmeasured run first).'),
  rounds: z.number().int().min(3).default(3).describe('Measured interleaved rounds per workload (each round runs both tools once, in alternating order).'),
  max_rounds: z.number().int().min(3).default(4).describe('Rounds measured at most while the verdict is inconclusive.'),
  seed: z.number().int().nonnegative().default(1).describe('Seed of the generated trees.'),
  cache_dir: text().default('.benchgate-cache/copy').describe('Where generated trees are cached between runs, and where destinations are written.'),
})

const shorten = z.strictObject({
  warmup_s: z.number().nonnegative().describe('Unmeasured seconds before each trial.'),
  duration_s: seconds().describe('Measured seconds of each trial.'),
  trials: count().describe('Trials per system.'),
})

const competitive = z.strictObject({
  scenarios_dir: text().default('fixtures/scenarios/competitive')
    .describe('Folder of scenario TOML files (one scenario a file). Default: the four shipped scenarios.'),
  expected_scenarios: count().optional().describe('Pre-flight fails unless the folder holds exactly this many scenarios.'),
  results_dir: text().optional().describe('Where `benchgate competitive` writes its run folders. Default: <output.results_dir>/competitive.'),
  cooldown_s: z.number().nonnegative().default(2)
    .describe('Idle seconds between systems and between scenarios (the original runner used 30).'),
  sample_interval_s: seconds().default(1).describe("Seconds between samples of each server's process tree (the original runner used 5)."),
  run_timeout_s: seconds().optional().describe('A trial not finished after this is stopped and the scenario fails. Default: warm-up + duration + 60 s.'),
  shorten: shorten.nullable().optional()
    .describe("Overrides the scenarios' warm-up, duration and trials (a quick run). Without a configuration file: 1 s, 5 s and 3 trials; null (or omitted in a file) uses the scenarios' own."),
  preflight: z.strictObject({
    disk_warn_gb: z.number().nonnegative().default(10).describe('Free space on the results volume below which pre-flight warns, GB.'),
    disk_fail_gb: z.number().nonnegative().default(5).describe('… and fails, GB.'),
    memory_warn_gb: z.number().nonnegative().default(2).describe('Available memory below which pre-flight warns, GB.'),
    memory_fail_gb: z.number().nonnegative().default(0.5).describe('… and fails, GB.'),
    load_warn_per_core: z.number().positive().default(0.5).describe('1-minute load average per core above which pre-flight warns (the machine is not quiet).'),
  }).prefault({}).describe('Levels of the pre-flight checks.'),
})

const vscsiProfile = z.strictObject({
  samples: count().describe('Number of vscsiStats samples (per-interval snapshots).'),
  interval_s: seconds().describe('Seconds between samples.'),
})

/** Profiles every config has; vscsi.profiles adds to them (or replaces one of the same name). */
export const BUILTIN_VSCSI_PROFILES: Readonly<Record<string, { samples: number; interval_s: number }>> = {
  quick: { samples: 10, interval_s: 30 },
  standard: { samples: 30, interval_s: 60 },
  deep: { samples: 120, interval_s: 60 },
}

const vscsi = z
  .strictObject({
    profiles: z.record(z.string(), vscsiProfile).default({})
      .describe('Capture profiles besides the built-in quick (10 × 30 s), standard (30 × 60 s) and deep (120 × 60 s): name → samples and interval.'),
    default_profile: text().default('standard').describe('Profile used when `vscsi-helper start` names none.'),
    state_dir: text().optional().describe('Where the daemon keeps jobs (job.json, samples) and its socket. Default: ~/.benchgate/vscsi.'),
    retry_backoff_s: z.array(seconds()).min(1).default([5, 10, 20])
      .describe('Waits between SSH connection attempts, in seconds; after the last one the job fails with the cause.'),
    restart_before_s: seconds().max(1790).default(1500)
      .describe('vscsiStats stops collecting by itself after about 30 minutes: the daemon re-issues -s after this many seconds of collection.'),
    filter: z.enum(['percentile', 'statistical', 'absolute']).default('percentile')
      .describe('Which interval samples make the peak: percentile (total IOPS at or above the percentile), statistical (above mean + k standard deviations), absolute (at or above min_iops).'),
    percentile: z.number().min(0).max(100).default(75).describe('Percentile of total IOPS for the percentile filter.'),
    k: z.number().nonnegative().default(1).describe('Standard deviations above the mean for the statistical filter.'),
    min_iops: z.number().nonnegative().default(0).describe('Total IOPS threshold of the absolute filter.'),
    sequential_lbns: z.number().int().positive().default(1)
      .describe('A command is sequential when its distance from the previous one is between 1 and this many LBNs (vscsiStats bucket limits; 1 = the +1 bucket only).'),
    fio_runtime_s: count().default(60).describe('runtime of the generated fio job, in whole seconds.'),
    gates: z.record(z.string(), z.strictObject({
      max: z.number().optional().describe('Fail when the profile figure is above this.'),
      min: z.number().optional().describe('Fail when the profile figure is below this.'),
    }).refine((g) => g.max !== undefined || g.min !== undefined, 'a gate needs max, min or both')).default({})
      .describe('Gates on the analyzed profile: figure name (e.g. read_lat_p99_ms, iops_total) → { max, min }.'),
  })
  .superRefine(checkVscsi)

const mib = () => z.number().positive()
const probe = z.strictObject({
  chunk_sizes_mib: z.array(mib()).min(1).default([1, 4, 8])
    .describe('Chunk sizes of the Azure Blob ranged-GET sweep, in MiB (1 MiB = 1,048,576 bytes).'),
  streams: z.array(count()).min(1).default([1, 4, 8, 16])
    .describe('Parallel streams (ranged GETs in flight) of the Azure Blob sweep; every chunk size is tried with each.'),
  passes: count().default(2).describe('Passes over the test blob per chunk size and stream count; the median is reported.'),
  blob_size_mib: mib().default(256)
    .describe('Size of the test blob in MiB, created in Azurite (or in a configured container when create is true).'),
  blob: text().optional().describe('Name of the test blob. Default: benchgate-probe/probe-<size>MiB.bin. A blob SAS URL names its own blob.'),
  sas_urls: z.array(httpUrl()).default([]).superRefine(checkSasUrls)
    .describe('More Azure Blob targets besides the azure section: container or blob SAS URLs. Secret: their sig is never printed. Use ${VAR}.'),
  file_size_mib: mib().default(256)
    .describe('Size of the NAS test file in MiB, created in the embedded directory (or on a configured share when create is true).'),
  file: text().optional().describe('Name of the test file in each share. Default: benchgate-probe-<size>MiB.bin.'),
  nas_streams: count().default(4).describe('Parallel streams of the NAS read test (it also reads with one stream).'),
  nas_chunk_mib: mib().default(1).describe('Size of each NAS read, in MiB.'),
  create: z.boolean().default(false)
    .describe('Create the test file on configured shares and the test blob in configured containers when missing (needs write access; they are kept for the next run). The embedded defaults always make their own.'),
  rtt_count: count().default(10).describe('TCP connects (and ICMP echoes, where the system allows them) per round-trip-time measurement.'),
  smb_port: z.number().int().min(1).max(65535).default(445).describe('Port of the NAS host whose TCP connect time is the round-trip time (SMB).'),
  request_timeout_s: seconds().default(30).describe('Timeout of one ranged GET attempt or one TCP connect, in seconds.'),
  retries: z.number().int().nonnegative().default(5)
    .describe('Retries of a ranged GET on 429/500/503, timeouts and resets, with capped exponential backoff.'),
  timeout_s: seconds().default(600)
    .describe('Bound on probing one target (a share or a blob store), in seconds: past it the target is recorded as failed and the probe goes on.'),
  azcopy: z.boolean().default(true)
    .describe('Cross-check each blob target with `azcopy bench --mode Download` when azcopy is on PATH: it downloads the same test blob (a read SAS is enough) and its figure is recorded beside ours.'),
})

const metrics = z.strictObject({
  interval_s: seconds().default(1).describe('Seconds between process and system metric samples.'),
  zgy_pattern: text().default(DEFAULT_ZGY_PATTERN).describe('Glob of the seismic volume files listed in open_zgy_paths (.zgy on a NAS, .vzgy presented by FAST).'),
})

const output = z.strictObject({
  results_dir: text().default('results').describe('Directory receiving run folders, CSV and reports.'),
})

const gates = z.strictObject({
  threshold: fraction().default(0.05)
    .describe('Default regression threshold: the smallest regression that must fail (0.05: a change making head 5 % slower fails the gate).'),
  rule: z.enum(['catch', 'conservative']).default('catch')
    .describe("How the threshold decides (harness/stats/verdict.ts). 'catch': regressed when the interval of head/base lies beyond the midpoint √(1 + threshold), so a regression of the threshold is caught; 'conservative': only when the whole interval lies beyond 1 + threshold."),
  thresholds: z.record(z.string(), z.record(z.string(), fraction())).default({})
    .describe('Per-benchmark, per-metric thresholds: benchmark name → metric (time, throughput, peak_rss or a KPI name) → fraction. Overrides threshold.'),
  confidence: z.number().gt(0.5).lt(1).default(0.95)
    .describe('Confidence level of the head/base ratio interval (default 0.95).'),
  baseline: text().optional()
    .describe('Baseline to gate against: a baseline JSON file in the repo, or a directory downloaded from a previous CI run (the newest baseline inside is used).'),
  fingerprint: z.enum(['warn', 'refuse']).default('warn')
    .describe('When the baseline was measured on a different environment (CPU, cores, OS, Node, config, commit): warn loudly, or refuse to gate.'),
})

export const ConfigSchema = z
  .strictObject({
    azure: azure.prefault({}).describe('Azure Blob storage. Default: the embedded Azurite.'),
    nas: nas.prefault({}).describe('NAS shares compared with Azure. Default: an embedded local directory.'),
    petrel: petrel.prefault({}).describe('Petrel on a Windows workstation.'),
    fast: fast.prefault({}).describe('FAST cache between Petrel and Azure Blob.'),
    desktop: desktop.prefault({}).describe('Desktop automation (fast.driver: desktop): the display, the viewer window, first-pixel and settle detection, screenshots.'),
    volume: volume.prefault({}).describe('The seismic volume the fast-ab scenarios read: generated (default) or an existing .zgy.'),
    workflows: workflows.prefault({}).describe('Petrel workflows driven by the fast-ab and baseline scenarios.'),
    cache: cache.prefault({}).describe('Cache states the scenarios run in.'),
    ssh: ssh.prefault({}).describe('SSH hosts.'),
    blitParity: blitParity.prefault({}).describe('blit-parity: a new copy tool against the one it replaces, on throughput, memory and correctness.'),
    competitive: competitive.prefault({}).describe('Competitive load comparison.'),
    chaos: chaosSection.prefault({}).describe('Isolation under latency, CPU load, pauses and restarts: the store, workload, sweep and scenarios.'),
    vscsi: vscsi.prefault({}).describe('vscsiStats capture on ESXi hosts.'),
    probe: probe.prefault({}).describe('The baseline probe (`benchgate probe`, bench project baseline): machine, NAS and Azure Blob ceilings.'),
    metrics: metrics.prefault({}).describe('Process and system metrics sampling.'),
    output: output.prefault({}).describe('Where results are written.'),
    gates: gates.prefault({}).describe('Regression gate defaults.'),
  })
  .describe('benchgate configuration')

/** The configuration with every default applied. */
export type Config = z.output<typeof ConfigSchema>
/** The configuration as written in YAML (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>
