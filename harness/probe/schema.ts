// The shape of baseline.json, the probe's record of the ceilings measured before any A/B run.
// One zod schema is the source of truth: the probe validates what it writes against it, the types
// below come from it, and fixtures/probe-baseline.schema.json is generated from it
// (`node harness/probe/write-schema.ts`; a test keeps the file in sync).
//
// Units: sizes in bytes (chunk sizes also in MiB as configured), throughput in MB/s (10^6 bytes
// per second), times in ms unless named _s. A measurement that could not be taken is null with
// the reason beside it, never a made-up number.
import * as z from 'zod'

export const PROBE_FORMAT = 'benchgate-probe/1'

const ms = () => z.number().nonnegative()
const mbps = () => z.number().nonnegative()
const nullableMs = () => ms().nullable()

export const LatencySummarySchema = z
  .strictObject({
    n: z.number().int().nonnegative().describe('Samples summarised.'),
    min: nullableMs(),
    avg: nullableMs(),
    p50: nullableMs(),
    p95: nullableMs(),
    p99: nullableMs(),
    max: nullableMs(),
  })
  .describe('Order statistics of times in ms (null when there were no samples).')

export const TcpRttSchema = z
  .strictObject({
    method: z.literal('tcp-connect'),
    host: z.string(),
    port: z.number().int().min(1).max(65535),
    attempts: z.number().int().nonnegative(),
    samples_ms: z.array(ms()).describe('Connect times of the attempts that connected, in order.'),
    min_ms: nullableMs(),
    avg_ms: nullableMs(),
    p95_ms: nullableMs(),
    errors: z.array(z.string()).describe('Distinct causes of the attempts that failed.'),
  })
  .describe('Round-trip time as TCP connect time (SYN to SYN-ACK), DNS resolved once beforehand.')

export const IcmpRttSchema = z
  .strictObject({
    method: z.literal('icmp'),
    host: z.string(),
    available: z.boolean().describe('False when ICMP echo could not be used here; reason says why.'),
    reason: z.string().optional(),
    samples_ms: z.array(ms()),
    min_ms: nullableMs(),
    avg_ms: nullableMs(),
    p95_ms: nullableMs(),
  })
  .describe('ICMP echo round-trip time (ping), where the system allows it.')

export const SkippedSchema = z.strictObject({ skipped: z.string().describe('Why this was not measured.') })

export const ColdStateSchema = z
  .strictObject({
    os_cache: z.enum(['dropped', 'evicted-files', 'not-permitted', 'not-requested']),
    os_cache_detail: z.string().optional(),
    resident_bytes: z.number().int().nonnegative().nullable().describe('Bytes of the test file still in the page cache afterwards (null: not measurable).'),
    file_bytes: z.number().int().nonnegative(),
  })
  .describe('What making the read Cold achieved, measured rather than assumed.')

export const NasReadSchema = z.strictObject({
  cache_state: z.enum(['Cold', 'Warm']),
  streams: z.number().int().positive(),
  chunk_bytes: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  MB_s: mbps().describe('Sustained: bytes read / wall time of the pass.'),
  chunk_ms: LatencySummarySchema,
  cold: ColdStateSchema.optional(),
})

export const NasShareSchema = z.strictObject({
  name: z.string(),
  path: z.string(),
  embedded: z.boolean().describe('True for the local directory standing for a share when none is configured.'),
  fs_type: z.string().nullable().describe('File system type of the share (ext4, cifs, nfs, tmpfs, …), when known.'),
  ok: z.boolean(),
  error: z.string().optional().describe('One line: what failed and why.'),
  rtt: z.union([TcpRttSchema, SkippedSchema]),
  icmp: z.union([IcmpRttSchema, SkippedSchema]),
  file: z
    .strictObject({ path: z.string(), bytes: z.number().int().nonnegative(), created: z.boolean() })
    .nullable(),
  uv_threadpool_size: z.number().int().positive().describe('Node file reads in flight are bounded by this; more streams than this cannot add parallelism.'),
  reads: z.array(NasReadSchema),
})

export const SweepPointSchema = z.strictObject({
  chunk_mib: z.number().positive(),
  chunk_bytes: z.number().int().positive(),
  streams: z.number().int().positive(),
  passes: z.number().int().nonnegative(),
  MB_s: mbps().nullable().describe('Median sustained MB/s over the passes (bytes received / wall time of a pass).'),
  MB_s_passes: z.array(mbps()),
  bytes: z.number().int().nonnegative().describe('Bytes received, all passes.'),
  requests: z.number().int().nonnegative().describe('HTTP attempts sent, retries included.'),
  chunk_ms: LatencySummarySchema.describe('Per-chunk time from taking a connection slot to the last byte, retries and backoff included.'),
  ttfb_ms_p50: nullableMs(),
  retries: z.number().int().nonnegative(),
  throttled: z.strictObject({ '429': z.number().int().nonnegative(), '500': z.number().int().nonnegative(), '503': z.number().int().nonnegative() })
    .describe('Throttled (or failing) answers by status, retried ones included.'),
  timeouts: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative().describe('Chunks that failed after every retry.'),
  error: z.string().optional().describe('The first such failure.'),
  note: z.string().optional(),
})

export const AzcopySchema = z.union([
  SkippedSchema,
  z.strictObject({
    command: z.string().describe('The command as run, signature redacted.'),
    ok: z.boolean(),
    MB_s: mbps().nullable(),
    summary: z.array(z.string()).describe("azcopy's summary lines, signature redacted."),
    error: z.string().optional(),
  }),
])

export const BlobTargetSchema = z.strictObject({
  name: z.string(),
  source: z.enum(['azurite', 'azure', 'sas_url']).describe('Embedded Azurite, the azure config section, or probe.sas_urls / --sas-url.'),
  container: z.string().describe('Container URL without its SAS.'),
  blob: z.string(),
  blob_bytes: z.number().int().nonnegative().nullable(),
  created: z.boolean().describe('True when this run uploaded the test blob.'),
  ok: z.boolean(),
  error: z.string().optional().describe('One line: what failed and why.'),
  rtt: z.union([TcpRttSchema, SkippedSchema]),
  sweep: z.array(SweepPointSchema),
  best: z
    .strictObject({ chunk_mib: z.number().positive(), streams: z.number().int().positive(), MB_s: mbps(), chunk_p99_ms: nullableMs() })
    .nullable()
    .describe('The configuration with the highest median MB/s among those without errors.'),
  azcopy: AzcopySchema,
})

export const MachineSchema = z.strictObject({
  cpu: z.strictObject({
    model: z.string(),
    manufacturer: z.string(),
    cores: z.number().int().nonnegative(),
    physical_cores: z.number().int().nonnegative(),
    speed_ghz: z.number().nonnegative().nullable(),
  }),
  ram_gb: z.number().nonnegative(),
  gpus: z.array(z.strictObject({ model: z.string(), vendor: z.string(), vram_mb: z.number().nonnegative().nullable() })),
  nics: z.array(z.strictObject({
    name: z.string(),
    type: z.string(),
    speed_mbps: z.number().nonnegative().nullable().describe('Link speed in Mbit/s; null when the system does not report one.'),
    state: z.string(),
    mtu: z.number().int().nonnegative().nullable(),
    internal: z.boolean(),
    default: z.boolean(),
  })),
  os: z.strictObject({ platform: z.string(), distro: z.string(), release: z.string(), kernel: z.string(), arch: z.string(), hostname: z.string() }),
  disks: z.array(z.strictObject({ name: z.string(), type: z.string(), size_gb: z.number().nonnegative(), model: z.string() })),
  filesystems: z.array(z.strictObject({ mount: z.string(), type: z.string(), size_gb: z.number().nonnegative() })),
  errors: z.array(z.string()).describe('Facts that could not be read, and why.'),
})

export const SettingsSchema = z.strictObject({
  chunk_sizes_mib: z.array(z.number().positive()),
  streams: z.array(z.number().int().positive()),
  passes: z.number().int().positive(),
  blob_size_mib: z.number().positive(),
  file_size_mib: z.number().positive(),
  nas_streams: z.number().int().positive(),
  nas_chunk_mib: z.number().positive(),
  rtt_count: z.number().int().positive(),
  request_timeout_s: z.number().positive(),
  retries: z.number().int().nonnegative(),
  timeout_s: z.number().positive(),
  drop_os_cache: z.boolean(),
})

export const ProbeBaselineSchema = z
  .strictObject({
    format: z.literal(PROBE_FORMAT),
    started: z.iso.datetime(),
    ended: z.iso.datetime(),
    duration_s: z.number().nonnegative(),
    settings: SettingsSchema.describe('The probe settings this run used (no secrets).'),
    machine: z.union([MachineSchema, SkippedSchema]),
    nas: z.array(NasShareSchema),
    blob: z.array(BlobTargetSchema),
    failures: z.array(z.strictObject({ target: z.string(), cause: z.string() }))
      .describe('One entry per target that failed; the rest of the probe went on.'),
  })
  .describe('benchgate probe: machine, NAS and Azure Blob ceilings measured before any A/B run')

export type LatencySummary = z.infer<typeof LatencySummarySchema>
export type TcpRtt = z.infer<typeof TcpRttSchema>
export type IcmpRtt = z.infer<typeof IcmpRttSchema>
export type Skipped = z.infer<typeof SkippedSchema>
export type ColdState = z.infer<typeof ColdStateSchema>
export type NasRead = z.infer<typeof NasReadSchema>
export type NasShare = z.infer<typeof NasShareSchema>
export type SweepPoint = z.infer<typeof SweepPointSchema>
export type AzcopyResult = z.infer<typeof AzcopySchema>
export type BlobTargetResult = z.infer<typeof BlobTargetSchema>
export type Machine = z.infer<typeof MachineSchema>
export type ProbeSettings = z.infer<typeof SettingsSchema>
export type ProbeBaseline = z.infer<typeof ProbeBaselineSchema>
