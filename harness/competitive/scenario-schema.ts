// One competitive scenario, as a TOML file in fixtures/scenarios/competitive/ (or the user's own
// folder): the systems compared (ours and its competitors, each started by the runner on its own
// free port), the protocol and request mix, the data preloaded before measuring, the arrival
// model, warm-up, duration, trials, and the thresholds the summary and the bench gate on.
//
// Templates in a system's args, env values, cwd and files: {port} (the port chosen
// for it), {host} (127.0.0.1), {dir} (its private working directory, removed afterwards), {repo}
// (the benchgate checkout). Objects are strict, so an unknown key is an error naming its line.
//
// Keys of the key-value protocols: `${key_prefix}${i}`, i in [0, n) — `kv-get-set:0` …
// `kv-get-set:9999` with the default prefix, the scenario's name and a colon (`${name}:`, filled in
// at load, so `scenario.key_prefix` is always set). The preload writes keys 0 … preload.keys−1 and
// the generator draws from 0 … key_space−1 with the same prefix (KvOperationKind.keyPrefix =
// scenario.key_prefix), so a GET hits a preloaded value when key_space ≤ preload.keys — a miss
// would still count as a success, so the two must never disagree.
import * as z from 'zod'

const text = () => z.string().min(1)
const positive = () => z.number().positive()
const count = () => z.number().int().positive()
const name = () => z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit')

const ready = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('http').describe('Ready when GET `path` answers `status`.'),
    path: text().default('/').describe('Path requested until it answers `status`.'),
    status: z.number().int().min(100).max(599).default(200).describe('The status that means ready.'),
  }),
  z.strictObject({ kind: z.literal('tcp').describe('Ready when a TCP connect to the port succeeds.') }).describe('Ready when a TCP connect to the port succeeds.'),
  z.strictObject({ kind: z.literal('redis').describe('Ready when PING (RESP) answers PONG.') }).describe('Ready when PING answers PONG.'),
  z.strictObject({ kind: z.literal('memcached').describe('Ready when the text command `version` answers VERSION.') }).describe('Ready when `version` answers.'),
])

export const SystemSchema = z.strictObject({
  name: name().describe('Name in the tables and charts (unique in the scenario).'),
  role: z.enum(['ours', 'competitor']).describe('Exactly one system of a scenario is ours.'),
  command: text().describe('Executable (absolute, relative to the repository, or on PATH). "node" is the Node.js running benchgate.'),
  args: z.array(z.string()).default([]).describe('Arguments, with {port}, {host}, {dir}, {repo} templates.'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment variables (templates allowed).'),
  cwd: z.string().optional().describe('Working directory (templates allowed). Default: the repository.'),
  port: z.number().int().min(0).max(65535).default(0).describe('Port to listen on; 0 picks a free port at start (recommended).'),
  files: z.record(z.string(), z.string()).default({}).describe('Files written into {dir} before start: name → content (templates allowed), e.g. an nginx.conf.'),
  ready: ready.default({ kind: 'tcp' }).describe('How the runner knows the system is up.'),
  ready_timeout_s: positive().default(30).describe('Seconds to wait for readiness before the start counts as failed (retried once).'),
  version: z.array(z.string()).min(1).optional().describe('Command printing the system\'s version for metadata.json, e.g. ["nginx", "-v"].'),
})

const httpRequest = z.strictObject({
  name: name().optional().describe('Name in the per-request figures. Default: METHOD path.'),
  weight: positive().default(1).describe('Relative share of the mix.'),
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']).default('GET').describe('HTTP method.'),
  path: z.string().startsWith('/').describe('Request path with query.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers: name → value.'),
  body: z.string().optional().describe('Request body, sent as given.'),
  expect_status: z.array(z.number().int().min(100).max(599)).min(1).default([200]).describe('Statuses counted as success.'),
})

const kvOperation = z.strictObject({
  name: name().optional().describe('Name in the per-operation figures. Default: the op.'),
  weight: positive().default(1).describe('Relative share of the mix.'),
  op: z.enum(['get', 'set']).describe('GET a key, or SET one to a value of value_bytes.'),
  key_space: count().default(10_000).describe('Keys are drawn uniformly from this many (the preloaded ones).'),
  value_bytes: count().default(100).describe('Size of a SET value in bytes.'),
})

const preload = z.strictObject({
  keys: z.number().int().nonnegative().default(0).describe('Keys written before measuring (key-value protocols): key_prefix + 0 … key_prefix + (keys − 1), e.g. k0 … k9999.'),
  value_bytes: count().default(100).describe('Size of each preloaded value.'),
  requests: z.array(z.string().startsWith('/')).default([]).describe('HTTP paths requested once each before measuring (to fill caches).'),
})

const arrival = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('constant').describe('Open model, evenly spaced arrivals.'), rate: positive().describe('Requests per second.') }),
  z.strictObject({
    model: z.literal('poisson').describe('Open model, exponential gaps between arrivals.'),
    rate: positive().describe('Mean requests per second.'),
    seed: z.number().int().default(1).describe('Seed of the arrival times.'),
  }),
  z.strictObject({
    model: z.literal('burst').describe('Open model, a constant rate with periodic bursts.'),
    rate: positive().describe('Requests per second between bursts.'),
    burst_rate: positive().describe('Requests per second during a burst.'),
    every_s: positive().describe('Seconds from one burst to the next.'),
    burst_s: positive().describe('Seconds a burst lasts.'),
  }).refine((a) => a.burst_s < a.every_s, { message: 'burst_s must be shorter than every_s', path: ['burst_s'] }),
  z.strictObject({ model: z.literal('closed').describe('Closed model (see below).') }).describe('Closed model: each connection sends the next request when the previous one answered (as wrk, autocannon). Labelled closed in every output: it hides queueing delay.'),
])

const loadTool = z.strictObject({
  adapter: z.enum(['wrk', 'loadtest-text', 'loadtest-json']).describe('How the tool\'s output is read.'),
  command: text().describe('Command template: {url} {host} {port} {seconds} {connections} {rate} {file} (the scenario file) {dir}.'),
  timeout_s: positive().optional().describe('Seconds before the tool is stopped. Default: warmup + duration + 30.'),
})

const ratioThreshold = z.strictObject({
  competitor: name().describe('A competitor of this scenario.'),
  metric: z.enum(['throughput', 'p99']).describe('throughput: ours ÷ theirs, higher is better; p99: ours ÷ theirs, lower is better.'),
  at_least: positive().optional().describe('Ours ÷ the competitor must be at least this (e.g. 0.95 for throughput).'),
  at_most: positive().optional().describe('Ours ÷ the competitor must be at most this (e.g. 1.2 for p99).'),
}).refine((r) => r.at_least !== undefined || r.at_most !== undefined, { message: 'give at_least or at_most' })

const thresholds = z.strictObject({
  p99_ms: positive().optional().describe('Ours: corrected p99 (from the intended start) at most this, ms.'),
  throughput_at_least: positive().optional().describe('Ours: achieved requests per second at least this.'),
  error_rate_at_most: z.number().min(0).max(1).optional().describe('Ours: errors ÷ requests sent at most this (0–1).'),
  ratios: z.array(ratioThreshold).default([]).describe('Ours against a competitor, judged on the interval over the trials.'),
})

export const ScenarioSchema = z.strictObject({
  name: name().describe('Unique scenario name (the --scenario filter and the results folder).'),
  description: z.string().default('').describe('One line shown in the plan and the summary.'),
  protocol: z.enum(['http', 'redis', 'memcached']).describe('What the generator speaks; every system of the scenario serves it.'),
  systems: z.array(SystemSchema).min(2).describe('Ours and one or more competitors.'),
  requests: z.array(httpRequest).default([]).describe('HTTP request mix (protocol http).'),
  operations: z.array(kvOperation).default([]).describe('Key-value operation mix (protocols redis and memcached).'),
  key_prefix: z.string().max(200).regex(/^[!-~]*$/, 'printable ASCII without blanks (memcached keys)').optional().describe('Keys are key_prefix followed by the key number, for the preload and the generator alike. Default: the scenario name and a colon (kv-get-set:0 … kv-get-set:9999).'),
  preload: preload.prefault({}).describe('Data written (or requests sent) before measuring, the same for every system.'),
  arrival: arrival.describe('How requests arrive: an open model (constant, poisson, burst) or closed.'),
  connections: count().default(16).describe('Connections the generator opens to each system.'),
  threads: count().default(1).describe('Generator threads (connections are split between them).'),
  warmup_s: z.number().nonnegative().default(5).describe('Unmeasured seconds before each trial.'),
  duration_s: positive().default(60).describe('Measured seconds of each trial.'),
  trials: count().default(3).describe('Trials per system, interleaved across systems (ours, competitor, …, then reversed).'),
  timeout_ms: count().default(2000).describe('A request unanswered after this is a timeout error.'),
  late_ms: positive().default(1).describe('A send later than this after its intended time counts as late.'),
  max_queue: count().default(100_000).describe('Requests waiting for a connection beyond this are dropped (counted).'),
  seed: z.number().int().default(1).describe('Seed of the request-mix picker and key choice.'),
  load_tool: loadTool.optional().describe('An external load tool instead of benchgate\'s generator.'),
  thresholds: thresholds.prefault({}).describe('What ours must meet; a miss makes the run exit 1.'),
}).superRefine((s, ctx) => {
  const names = new Set<string>()
  s.systems.forEach((sys, i) => {
    if (names.has(sys.name)) ctx.addIssue({ code: 'custom', path: ['systems', i, 'name'], message: `duplicate system name '${sys.name}'` })
    names.add(sys.name)
  })
  const ours = s.systems.filter((x) => x.role === 'ours').length
  if (ours !== 1) ctx.addIssue({ code: 'custom', path: ['systems'], message: `exactly one system must have role = "ours" (found ${ours})` })
  if (s.protocol === 'http' && s.requests.length === 0 && !s.load_tool) ctx.addIssue({ code: 'custom', path: ['requests'], message: 'an http scenario needs at least one [[requests]]' })
  if (s.protocol !== 'http' && s.operations.length === 0) ctx.addIssue({ code: 'custom', path: ['operations'], message: `a ${s.protocol} scenario needs at least one [[operations]]` })
  s.thresholds.ratios.forEach((r, i) => {
    const c = s.systems.find((x) => x.name === r.competitor)
    if (!c || c.role !== 'competitor') ctx.addIssue({ code: 'custom', path: ['thresholds', 'ratios', i, 'competitor'], message: `'${r.competitor}' is not a competitor of this scenario` })
  })
}).transform((s) => ({ ...s, key_prefix: s.key_prefix ?? `${s.name}:` }))

export type Scenario = z.output<typeof ScenarioSchema>
export type ScenarioSystem = z.output<typeof SystemSchema>
export type RatioThreshold = Scenario['thresholds']['ratios'][number]
