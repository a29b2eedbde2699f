// Vitest's blob reporter (`--reporter=blob`, for `--merge-reports`) with its file scrubbed at
// write time. Vitest's BlobReporter builds the report (flatted text of the test modules, errors,
// coverage and module graphs) and hands it to `ctx.createReport('blob').writeFile`; here it is
// given a context whose report writer scrubs that text (../harness/secrets/scrubber.ts, flatted
// values and keys, references kept) and writes it atomically to the file Vitest would have
// written (`outputFile` / `--outputFile.blob`, else `.vitest/blob/blob[-label][-shard].json`).
// The unscrubbed text never reaches the disk.
import { dirname, join, resolve } from 'node:path'
import { mkdirSync } from 'node:fs'
import { ReportersMap, type Reporter, type Vitest } from 'vitest/node'
import { writeFileAtomic } from '../harness/run/atomic.ts'
import { outputScrubber } from '../harness/secrets/scrubber.ts'

type BlobOptions = { outputFile?: string }
type Report = ReturnType<Vitest['createReport']>
const LOGGED = 'blob report written to'

function outputFileOf(config: Vitest['config']): string | undefined {
  const o = config.outputFile as string | Record<string, string> | undefined
  return typeof o === 'string' ? o : o?.blob
}

/** Reads through to `target`, binding methods to it (Vitest's classes keep private state). */
function through<T extends object>(target: T, own: Record<PropertyKey, unknown>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(own, prop)) return own[prop]
      const v = Reflect.get(t, prop, t) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v
    },
  })
}

export default class ScrubbedBlobReporter implements Reporter {
  readonly #options: BlobOptions
  readonly #inner: Reporter

  constructor(options: BlobOptions = {}) {
    this.#options = options
    this.#inner = new ReportersMap.blob({ ...options, outputFile: undefined }) as Reporter
  }

  onInit(ctx: Vitest): void {
    const scrubber = outputScrubber(ctx.config.root)
    const explicit = this.#options.outputFile ?? outputFileOf(ctx.config)
    const target = explicit ? resolve(ctx.config.root, explicit) : undefined
    const scrubbingReport = (report: Pick<Report, 'root'> & Partial<Report>): Report =>
      ({
        ...report,
        async writeFile(name: string, content: unknown) {
          const path = target ?? join(report.root, name)
          mkdirSync(dirname(path), { recursive: true })
          writeFileAtomic(path, scrubber.flatted(String(content)))
        },
      }) as Report
    const logger = through(ctx.logger, {
      log: (...args: unknown[]) => (args[0] === LOGGED && target ? ctx.logger.log(LOGGED, target) : ctx.logger.log(...args)),
    })
    const context = through(ctx, {
      config: through(ctx.config, { outputFile: undefined }),
      logger,
      createReport: (scope: string) => (target ? scrubbingReport({ root: dirname(target) }) : scrubbingReport(ctx.createReport(scope))),
    })
    this.#inner.onInit?.(context)
  }

  async onCoverage(coverage: unknown): Promise<void> {
    await this.#inner.onCoverage?.(coverage)
  }

  async onTestRunEnd(...args: Parameters<NonNullable<Reporter['onTestRunEnd']>>): Promise<void> {
    await this.#inner.onTestRunEnd?.(...args)
  }
}
