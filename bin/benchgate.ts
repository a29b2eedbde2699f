#!/usr/bin/env node
// benchgate's command-line entry: `benchgate <command> [options]`. Each command lives beside
// the code it drives; this file only dispatches and turns user mistakes into one clean line.
import { isUserError } from '../harness/errors.ts'

type Command = (argv: string[]) => Promise<number>

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  metrics: {
    summary: 'sample a process tree and the system into a metrics CSV',
    load: async () => (await import('../harness/metrics/cli.ts')).metricsCommand,
  },
  reader: {
    summary: 'the headless reference reader: one workflow on a volume, mode A (NAS .zgy) or B (Azure Blob via FAST)',
    load: async () => (await import('../harness/fast/reader-cli.ts')).readerCommand,
  },
  viewer: {
    summary: 'the seismic viewer: a window (page on 127.0.0.1) that opens a volume in mode A or B and answers the workflows\' hotkeys',
    load: async () => (await import('../harness/desktop/viewer/cli.ts')).viewerCommand,
  },
  record: {
    summary: 'record a session in the application\'s window (F9 start/pause, F12 stop and save, F6/F7/F8 markers) into a JSON recording',
    load: async () => (await import('../harness/desktop/record-cli.ts')).recordCommand,
  },
  replay: {
    summary: 'replay a recording into the application\'s window at its recorded times, markers to markers.tsv; exit 3 on the corner failsafe',
    load: async () => (await import('../harness/desktop/replay-cli.ts')).replayCommand,
  },
  run: {
    summary: 'one measured fast-ab session (mode, workflow, cache state) without a bench file: run.json, markers, metrics, sessions.json',
    load: async () => (await import('../harness/fast/run-cli.ts')).runCommand,
  },
  analyze: {
    summary: 'aggregate fast-ab sessions into comparison_kpis.csv and charts',
    load: async () => (await import('../harness/fast/analyze.ts')).analyzeCommand,
  },
  probe: {
    summary: 'measure the machine, NAS and Azure Blob ceilings (baseline.json, summary, charts)',
    load: async () => (await import('../harness/probe/cli.ts')).probeCommand,
  },
  pr: {
    summary: 'a pull request\'s base and head benched in alternation across git revisions; verdict table, exit 1 on regressed',
    load: async () => (await import('../harness/pr/cli.ts')).prCommand,
  },
  competitive: {
    summary: 'our server against its competitors under the same open-model load: pre-flight, interleaved trials, summary.md; exit 0/1/2/130',
    load: async () => (await import('../harness/competitive/cli.ts')).competitiveCommand,
  },
  baseline: {
    summary: 'run vitest bench and store a baseline (raw samples + environment fingerprint)',
    load: async () => (await import('../harness/baseline/cli.ts')).baselineCommand,
  },
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  return `usage: benchgate <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'benchgate <command> --help' for a command's options.`
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h') {
    console.log(usage())
    return name ? 0 : 2
  }
  const command = commands[name]
  if (!command) {
    console.error(`benchgate: unknown command '${name}'\n\n${usage()}`)
    return 2
  }
  try {
    return await (await command.load())(rest)
  } catch (e) {
    // A user's mistake, or a store refusing the user's credentials or target: one line, no stack.
    if (isUserError(e) || (e instanceof Error && e.name === 'BlobRequestError')) {
      console.error((e as Error).message)
      return 2
    }
    throw e
  }
}

process.exitCode = await main(process.argv.slice(2))
