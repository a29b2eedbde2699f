// allure-vitest's reporter with every file it writes scrubbed at write time: the Allure runtime's
// writer (results, containers, attachments, environment, categories, globals) is wrapped so each
// JSON value is scrubbed string by string and each attachment byte by byte
// (../harness/secrets/scrubber.ts) before it reaches allure-results/. Nothing unscrubbed is
// written: the environment and categories, which allure-vitest writes while it starts, are held
// back from it and written through the scrubbing writer instead.
//
// allure-vitest records every `expect` call as a step whose name holds its arguments, and failed
// tests' messages and traces; all of them pass through here. (It truncates long arguments in the
// worker, before this reporter sees them, so a secret cut by that truncation can only be caught by
// its shape or its known value's prefix — the shapes catch whole tokens only.)
import { readFileSync as readFile } from 'node:fs'
import AllureVitestReporter, { type AllureVitestReporterConfig } from 'allure-vitest/reporter'
import type { Writer } from 'allure-js-commons/sdk/reporter'
import type { Vitest } from 'vitest/node'
import { scrubFileBytes } from '../harness/secrets/files.ts'
import { outputScrubber, type OutputScrubber } from '../harness/secrets/scrubber.ts'

type Info = Parameters<Writer['writeEnvironmentInfo']>[0]
type Categories = Parameters<Writer['writeCategoriesDefinitions']>[0]

/** A Writer that scrubs everything before handing it to the real one. */
export class ScrubbingWriter implements Writer {
  readonly #inner: Writer
  readonly #s: OutputScrubber

  constructor(inner: Writer, scrubber: OutputScrubber) {
    this.#inner = inner
    this.#s = scrubber
  }

  writeResult(result: Parameters<Writer['writeResult']>[0]): void {
    this.#inner.writeResult(this.#s.value(result))
  }

  writeGroup(result: Parameters<Writer['writeGroup']>[0]): void {
    this.#inner.writeGroup(this.#s.value(result))
  }

  writeAttachment(distFileName: string, content: Buffer): void {
    this.#inner.writeAttachment(distFileName, Buffer.from(scrubFileBytes(distFileName, content, this.#s)))
  }

  writeAttachmentFromPath(distFileName: string, from: string): void {
    // read and scrubbed here, so the copy in allure-results is never the unscrubbed file
    this.writeAttachment(distFileName, readFile(from))
  }

  writeEnvironmentInfo(info: Info): void {
    this.#inner.writeEnvironmentInfo(this.#s.value(info))
  }

  writeCategoriesDefinitions(categories: Categories): void {
    this.#inner.writeCategoriesDefinitions(this.#s.value(categories))
  }

  writeGlobals(distFileName: string, info: Parameters<Writer['writeGlobals']>[1]): void {
    this.#inner.writeGlobals(distFileName, this.#s.value(info))
  }
}


interface RuntimeView {
  writer: Writer
  categories?: unknown
  environmentInfo?: unknown
  writeCategoriesDefinitions(): void
  writeEnvironmentInfo(): void
}

export default class ScrubbedAllureReporter extends AllureVitestReporter {
  readonly #held: Pick<AllureVitestReporterConfig, 'categories' | 'environmentInfo'>

  constructor(config: AllureVitestReporterConfig = {}) {
    const { categories, environmentInfo, ...rest } = config
    super(rest)
    this.#held = { categories, environmentInfo }
  }

  override onInit(vitest: Vitest): void {
    super.onInit(vitest) // writes nothing: categories and environment are held back
    const runtime = (this as unknown as { allureReporterRuntime?: RuntimeView }).allureReporterRuntime
    if (!runtime || typeof runtime.writer?.writeResult !== 'function') {
      throw new Error('reporters/allure.ts: allure-vitest no longer exposes its runtime writer; update the scrubbing wrapper for this allure-vitest version')
    }
    runtime.writer = new ScrubbingWriter(runtime.writer, outputScrubber(vitest.config.root))
    runtime.categories = this.#held.categories
    runtime.environmentInfo = this.#held.environmentInfo
    runtime.writeCategoriesDefinitions()
    runtime.writeEnvironmentInfo()
  }
}
