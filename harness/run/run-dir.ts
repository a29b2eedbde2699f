// The run directory of one test: <output>/<UTC stamp>/<project>/<test-slug>/ with run.json,
// markers.tsv and whatever artifacts the scenario writes. run.json exists as run.json.partial
// while the test runs and becomes run.json, atomically, when it ends. What this class writes
// (run.json, whole artifacts) passes through the secret scrubber (../secrets/scrubber.ts) on its way
// to disk; files written by others (streamed artifacts, tools, the sampler) are scrubbed when the
// run ends (reporters/scrub-outputs.ts).
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { scrubFileBytes } from '../secrets/files.ts'
import { outputScrubber } from '../secrets/scrubber.ts'
import { PartialFile, writeFileAtomic } from './atomic.ts'
import type { Environment } from './environment.ts'
import { appendMarker, type Marker } from './markers.ts'
import { slug } from './stamp.ts'

export type RunStatus = 'running' | 'passed' | 'failed' | 'interrupted'
export type CacheState = 'Cold' | 'Warm'

export interface RunFacts {
  project: string
  test: string
  file: string
  mode?: string
  workflow?: string
  cache_state?: CacheState | string
  [extra: string]: unknown
}

export interface RunDirOptions {
  outputRoot: string
  stamp: string
  facts: RunFacts
  environment: Environment
  config: { hash: string; source: string | null; redacted: unknown }
}

export class RunDir {
  readonly dir: string
  readonly markersPath: string
  readonly started: Date
  #facts: RunFacts
  #environment: Environment
  #config: RunDirOptions['config']
  #open = new Set<PartialFile>()
  #artifacts = new Set<string>()
  #status: RunStatus = 'running'

  constructor(options: RunDirOptions) {
    const base = join(resolve(options.outputRoot), options.stamp, slug(options.facts.project), slug(options.facts.test))
    let dir = base
    for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`
    mkdirSync(dir, { recursive: true })
    this.dir = dir
    this.markersPath = join(dir, 'markers.tsv')
    this.started = new Date()
    this.#facts = { ...options.facts }
    this.#environment = options.environment
    this.#config = options.config
    this.#writeRunJson()
  }

  get facts(): Readonly<RunFacts> {
    return this.#facts
  }

  get status(): RunStatus {
    return this.#status
  }

  /** Records scenario facts (mode, workflow, cache_state, …) in run.json. */
  set(facts: Partial<RunFacts>): void {
    Object.assign(this.#facts, facts)
    this.#writeRunJson()
  }

  /** Appends a marker to markers.tsv. */
  mark(event: string, comment = ''): Marker {
    this.#artifacts.add('markers.tsv')
    return appendMarker(this.markersPath, event, comment)
  }

  /** A path inside the run directory (for tools that write files themselves). */
  path(name: string): string {
    if (name.includes('..')) throw new Error(`artifact name ${name} must stay inside the run directory`)
    return join(this.dir, name)
  }

  /** Writes a whole artifact atomically and returns its path. */
  writeArtifact(name: string, data: string | Uint8Array): string {
    const path = this.path(name)
    const s = outputScrubber()
    writeFileAtomic(path, typeof data === 'string' ? s.text(data) : scrubFileBytes(name, data, s))
    this.#artifacts.add(name)
    return path
  }

  /** An artifact written piece by piece; it stays `<name>.partial` unless finished. */
  openArtifact(name: string): PartialFile {
    const file = new PartialFile(this.path(name))
    this.#open.add(file)
    this.#artifacts.add(name)
    return file
  }

  /** Records that a file inside the run directory is an artifact (written by another process). */
  addArtifact(name: string): void {
    this.#artifacts.add(name)
  }

  get artifacts(): string[] {
    return [...this.#artifacts].sort()
  }

  /** Ends the run: open artifacts stay partial unless the test passed, run.json is final. */
  finish(status: Exclude<RunStatus, 'running'>): void {
    for (const f of this.#open) {
      if (status === 'passed') f.finish()
      else f.abandon()
    }
    this.#open.clear()
    this.#status = status
    this.#writeRunJson()
  }

  #writeRunJson(): void {
    const done = this.#status !== 'running'
    const body = {
      ...this.#facts,
      status: this.#status,
      started: this.started.toISOString(),
      ended: done ? new Date().toISOString() : null,
      ...this.#environment,
      config_hash: this.#config.hash,
      config_source: this.#config.source,
      config: this.#config.redacted,
      artifacts: this.artifacts,
    }
    const text = JSON.stringify(outputScrubber().value(body), null, 2) + '\n'
    if (done) {
      writeFileAtomic(join(this.dir, 'run.json'), text)
      rmSync(join(this.dir, 'run.json.partial'), { force: true })
    } else {
      writeFileAtomic(join(this.dir, 'run.json.partial'), text)
    }
  }
}
