// Vitest's HTML reporter (`--reporter=html`, @vitest/ui) with every file of the report scrubbed
// before it appears in the report directory.
//
// @vitest/ui writes the report itself (index.html, the UI assets, `ui/html.meta.json.gz` — the
// gzipped flatted data of every test, its errors, annotations, and the test files' source — and
// a copy of the attachments), so it cannot be handed a scrubbing writer. It is pointed instead at
// a private temp directory (mode 0700, removed when the report is published, and at exit); from
// there every file is scrubbed (../harness/secrets/files.ts: the data decompressed, scrubbed as
// flatted values and keys, attachment bodies decoded; a single-file report's embedded data the
// same way) and written atomically to the report directory (`outputDir`, default `.vitest`).
// So the report directory never holds a secret; the unscrubbed files exist only, briefly, in the
// private temp directory.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import VitestHtmlReporter from '@vitest/ui/reporter'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { publishScrubbed } from '../harness/secrets/files.ts'
import { outputScrubber, type OutputScrubber } from '../harness/secrets/scrubber.ts'

type HtmlOptions = { outputDir?: string; singleFile?: boolean }
type EndArgs = Parameters<NonNullable<Reporter['onTestRunEnd']>>

/** @vitest/ui's reporter class (its shipped typings call it an instance). */
interface HtmlReporterInstance {
  onInit(ctx: Vitest): Promise<void> | void
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: EndArgs[1]): Promise<void>
  onFinishedReportCoverage(): Promise<void>
}
const HTMLReporter = VitestHtmlReporter as unknown as new (options: HtmlOptions) => HtmlReporterInstance

const DATA_FILE = 'ui/html.meta.json.gz'
/** The single-file report's data: a base64 string literal in index.html. */
const EMBEDDED = /(window\.HTML_REPORT_METADATA=[\s\S]*?\(")([A-Za-z0-9+/]+={0,2})("\))/

/** The gzipped flatted report data, scrubbed. */
export function scrubReportData(gz: Uint8Array, s: OutputScrubber): Uint8Array {
  return gzipSync(s.flatted(gunzipSync(gz).toString('utf8')))
}

/** A single-file report: the page scrubbed as text, its embedded data as report data. */
function scrubIndexHtml(bytes: Uint8Array, s: OutputScrubber): Uint8Array | null {
  const html = Buffer.from(bytes).toString('utf8')
  const m = EMBEDDED.exec(html)
  if (!m) return null
  const data = scrubReportData(Buffer.from(m[2]!, 'base64'), s)
  const before = s.text(html.slice(0, m.index) + m[1])
  const after = s.text(m[3]! + html.slice(m.index + m[0].length))
  return Buffer.from(before + Buffer.from(data).toString('base64') + after, 'utf8')
}

const privateDirs = new Set<string>()
let exitHooked = false
function privateDir(): string {
  if (!exitHooked) {
    exitHooked = true
    process.once('exit', () => privateDirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
  }
  const dir = mkdtempSync(join(tmpdir(), 'benchgate-html-'))
  privateDirs.add(dir)
  return dir
}
function removePrivate(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  privateDirs.delete(dir)
}

export default class ScrubbedHtmlReporter implements Reporter {
  readonly #options: HtmlOptions
  #ctx: Vitest | undefined

  constructor(options: HtmlOptions = {}) {
    this.#options = options
  }

  onInit(ctx: Vitest): void {
    this.#ctx = ctx
  }

  get #outDir(): string {
    return resolve(this.#ctx!.config.root, this.#options.outputDir || '.vitest')
  }

  /** Runs one step of Vitest's reporter into a private directory, then publishes it scrubbed. */
  async #through(step: (inner: HtmlReporterInstance) => Promise<void> | void, replacesUi: boolean): Promise<void> {
    const ctx = this.#ctx!
    const dir = privateDir()
    try {
      const rel = relative(ctx.config.root, dir)
      const shown = relative(ctx.config.root, this.#outDir) || '.'
      const say = (a: unknown) => (typeof a === 'string' ? a.split(dir).join(this.#outDir).split(rel).join(shown) : a)
      const logger = new Proxy(ctx.logger, {
        get: (t, p) => (p === 'log' ? (...a: unknown[]) => t.log(...a.map(say)) : (Reflect.get(t, p, t) as unknown)),
      })
      const context = new Proxy(ctx, {
        get: (t, p) => {
          if (p === 'logger') return logger
          const v = Reflect.get(t, p, t) as unknown
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v
        },
      })
      const inner = new HTMLReporter({ ...this.#options, outputDir: dir })
      await inner.onInit(context)
      await step(inner)
      const s = outputScrubber(ctx.config.root)
      // as Vitest's reporter does: the UI assets are replaced whole
      if (replacesUi) rmSync(join(this.#outDir, 'ui'), { recursive: true, force: true })
      publishScrubbed(dir, this.#outDir, s, (name, bytes) => {
        if (s.off) return bytes
        if (name.split('\\').join('/') === DATA_FILE) return scrubReportData(bytes, s)
        if (name === 'index.html' && this.#options.singleFile) return scrubIndexHtml(bytes, s)
        return null
      })
    } finally {
      removePrivate(dir)
    }
  }

  async onTestRunEnd(testModules: EndArgs[0], unhandledErrors: EndArgs[1]): Promise<void> {
    await this.#through((inner) => inner.onTestRunEnd(testModules, unhandledErrors), true)
  }

  async onFinishedReportCoverage(): Promise<void> {
    if (!this.#ctx?.config.coverage.enabled || !this.#ctx.config.coverage.htmlDir) return
    await this.#through((inner) => inner.onFinishedReportCoverage(), false)
  }
}
