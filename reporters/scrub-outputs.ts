// The Vite plugin that puts every output of a Vitest run through the scrubber
// (../harness/secrets/scrubber.ts), whichever reporters the command line or a config names.
//
// 1. Reporters, at write time. When Vitest has resolved its reporters (config `test.reporters`,
//    or `--reporter=…`, which replaces them) and before it creates them, `html`, `blob` and
//    `allure-vitest/reporter` are swapped for their scrubbing wrappers: ./html.ts, ./blob.ts and
//    ./allure.ts, with the same options.
// 2. Everything else, afterwards. Files written under the results root (`output.results_dir`,
//    relative to the Vitest root and to the working directory) and Vitest's attachments
//    directory by anyone — the harness, the sampler agent, tools a test started, our other
//    reporters, Vitest copying an attachment — are scrubbed in place once every reporter has
//    finished with the run (only files modified during this run; each rewritten atomically, and
//    only if it held a secret). The harness's own writers scrub at write time
//    (harness/run/run-dir.ts); this pass is the net under all the rest. The run says how many files
//    it scrubbed, never what.
//
// The plugin goes in the root config (inline projects inherit it) and in every container config
// (vitest.bench.config.ts), so `--project NAME` runs get it too. It is idempotent.
import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import type { Plugin } from 'vite'
import type { Reporter, Vitest } from 'vitest/node'
import { loadConfig } from '../harness/config/load.ts'
import { scrubTree } from '../harness/secrets/files.ts'
import { outputScrubber, UNSCRUBBED_ENV } from '../harness/secrets/scrubber.ts'
import ScrubbedAllureReporter from './allure.ts'
import ScrubbedBlobReporter from './blob.ts'
import ScrubbedHtmlReporter from './html.ts'

type Reference = string | Reporter | [string, Record<string, unknown>]

const ALLURE = /^allure-vitest(\/|\\)reporter$|[\\/]node_modules[\\/]allure-vitest[\\/]dist[\\/]reporter\.js$/

/** The scrubbing reporter standing in for a reference to Vitest's html/blob or allure-vitest's reporter. */
export function scrubbingReporter(reference: Reference): Reference {
  if (typeof reference !== 'string' && !Array.isArray(reference)) return reference
  const [name, options = {}] = typeof reference === 'string' ? [reference, {}] : reference
  if (name === 'html') return new ScrubbedHtmlReporter(options)
  if (name === 'blob') return new ScrubbedBlobReporter(options)
  if (ALLURE.test(name)) return new ScrubbedAllureReporter(options)
  return reference
}

const rewritten = new WeakSet<object>()
const wrapped = new WeakSet<Vitest>()

function resultRoots(root: string): string[] {
  let dir = 'results'
  try {
    dir = loadConfig({ cwd: root }).config.output.results_dir
  } catch {
    // a configuration that does not load fails the run with its own message
  }
  return [...new Set([resolve(root, dir), resolve(dir)])]
}

function install(vitest: Vitest): void {
  const config = vitest.config as unknown as { reporters: Reference[]; root: string; attachmentsDir: string }
  if (!rewritten.has(config)) {
    rewritten.add(config)
    config.reporters = config.reporters.map(scrubbingReporter)
    if (outputScrubber(config.root).off) vitest.logger.log(`benchgate: ${UNSCRUBBED_ENV}: secret scrubbing is OFF for ${config.root} (a test's proof only)`)
  }
  if (wrapped.has(vitest)) return
  wrapped.add(vitest)
  // Vitest calls every reporter hook through vitest.report (internal, so typed here); wrapped, the
  // pass runs after all reporters have finished onTestRunEnd
  const hub = vitest as unknown as { report: (name: string, ...args: unknown[]) => Promise<void> }
  if (typeof hub.report !== 'function') throw new Error('reporters/scrub-outputs.ts: this Vitest has no report(); update the scrubbing plugin for it')
  const report = hub.report.bind(vitest)
  let started = Date.now()
  hub.report = async (name, ...args) => {
    if (name === 'onTestRunStart') started = Date.now()
    await report(name, ...args)
    if (name === 'onTestRunEnd') scrubRunFiles(vitest, started - 1000)
  }
}

/** The net under every other writer: this run's files under the results root and the attachments. */
function scrubRunFiles(vitest: Vitest, since: number): void {
  const { root, attachmentsDir } = vitest.config as unknown as { root: string; attachmentsDir: string }
  const s = outputScrubber(root)
  if (s.off) return
  const changed: string[] = []
  const skipped: string[] = []
  for (const dir of [...resultRoots(root), attachmentsDir]) {
    if (!existsSync(dir)) continue
    const t = scrubTree(dir, s, { since })
    changed.push(...t.changed)
    skipped.push(...t.skipped)
  }
  if (changed.length) vitest.logger.log(`benchgate: secrets scrubbed from ${changed.length} file(s) of this run`)
  for (const f of skipped) vitest.logger.error(`benchgate: ${relative(root, f)}: too large to scrub for secrets; check it before sharing it`)
}

export function scrubOutputs(): Plugin {
  return {
    name: 'benchgate:scrub-outputs',
    configureVitest({ vitest }) {
      install(vitest)
    },
  }
}
