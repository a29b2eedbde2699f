// `benchgate probe`: the machine, NAS and Azure Blob ceilings, measured before any A/B run.
// Prints progress on stderr, the ten-second summary on stdout, and the files it wrote. Exit code
// 0 when every target was measured, 1 when one failed (the others were still measured and
// everything was written), 2 for bad input.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config/load.ts'
import { hasSig } from '../config/sas.ts'
import { UserError } from '../errors.ts'
import { formatStamp } from '../run/stamp.ts'
import { runProbe } from './run.ts'

export const PROBE_USAGE = `usage: benchgate probe [options]

Measures the ceilings of this machine and of each path before any A/B run: the machine's facts,
each NAS share's round-trip time and read MB/s (1 and N streams, Cold and Warm), and each Azure
Blob target's round-trip time and ranged-GET MB/s over chunk sizes × parallel streams, naming
the best configuration. Targets and settings come from the config (nas, azure, probe sections);
with none configured it probes an embedded directory and an embedded Azurite.

options:
  --config FILE     benchgate config (default: BENCHGATE_CONFIG, then ./benchgate.config.yaml)
  --out DIR         output directory (default: <output.results_dir>/probe-<UTC stamp>)
  --share PATH      a NAS share to probe instead of nas.shares (repeatable)
  --sas-url URL     one more container or blob SAS URL (repeatable; prefer probe.sas_urls with
                    \${VAR} in the config, since a command line is visible to other users)
  --create          create missing test files and blobs (probe.create)
  --no-machine      skip the machine facts
  --no-nas          skip the NAS shares
  --no-blob         skip Azure Blob
  -h, --help        this text

writes: baseline.json (schema: fixtures/probe-baseline.schema.json), baseline_summary.txt,
        charts/*.svg and *.png. Exit 0: all targets measured; 1: a target failed; 2: bad input.`

const OPTIONS = {
  config: { type: 'string' },
  out: { type: 'string' },
  share: { type: 'string', multiple: true },
  'sas-url': { type: 'string', multiple: true },
  create: { type: 'boolean' },
  'no-machine': { type: 'boolean' },
  'no-nas': { type: 'boolean' },
  'no-blob': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export async function probeCommand(argv: string[]): Promise<number> {
  let values
  try {
    values = parseArgs({ args: argv, strict: true, allowPositionals: false, options: OPTIONS }).values
  } catch (e) {
    const message = (e as Error).message.split('\n')[0] ?? 'bad arguments'
    throw new UserError({ file: 'benchgate probe', message, expected: 'the options benchgate probe --help lists' })
  }
  if (values.help) {
    console.log(PROBE_USAGE)
    return 0
  }
  const sasUrls = values['sas-url'] ?? []
  sasUrls.forEach((url, i) => {
    if (!hasSig(url)) {
      throw new UserError({ file: 'benchgate probe', field: `--sas-url (#${i + 1})`, message: 'SAS URL has no sig query parameter',
        expected: 'a container or blob SAS URL ending in ?sv=…&sig=…', hint: 'copy the full SAS URL, including the ?sv=…&sig=… part' })
    }
  })
  const { config } = loadConfig({ path: values.config })
  if (values.share?.length) config.nas.shares = values.share
  const outDir = resolve(values.out ?? join(config.output.results_dir, `probe-${formatStamp(new Date())}`))
  const run = await runProbe(config, {
    outDir,
    sasUrls,
    create: values.create ? true : undefined,
    parts: { machine: !values['no-machine'], nas: !values['no-nas'], blob: !values['no-blob'] },
  })
  // the written summary, already scrubbed of every secret
  const summary = readFileSync(run.files[1]!, 'utf8')
  process.stdout.write(`\n${summary.replace(/\n$/, '')}\n\nwrote\n${run.files.map((f) => `  ${f}`).join('\n')}\n`)
  return run.baseline.failures.length ? 1 : 0
}
