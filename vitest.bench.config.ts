// The bench projects: one per scenario family, each a folder of `*.bench.ts` under benches/.
//
// Vitest 5 names a project's benchmark variant "NAME (bench)", so `vitest bench --project NAME`
// would match nothing. A project declared by a *container* config is namespaced by the container
// and Vitest's --project filter also matches a project's ancestors. So each bench family is a
// container (benches/<name>/vitest.config.ts, one line calling benchProject) holding one child
// project, and `npx vitest bench --project fast-ab` selects "fast-ab (scenarios) (bench)" and only it.
import { basename, resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import { scrubOutputs } from './reporters/scrub-outputs.ts'

export const BENCH_PROJECTS = ['fast-ab', 'baseline', 'blit-parity', 'chaos', 'competitive', 'vscsi', 'harness'] as const
export type BenchProjectName = (typeof BENCH_PROJECTS)[number]

/** Paths of the container configs, for the root config's `projects`. */
export const benchProjectFiles = BENCH_PROJECTS.map((name) => `benches/${name}/vitest.config.ts`)

/** The container config of one bench family; `dir` is the folder of its bench files. */
export function benchProject(dir: string) {
  const name = basename(dir)
  if (!(BENCH_PROJECTS as readonly string[]).includes(name)) {
    throw new Error(`${dir}: '${name}' is not a bench project; expected one of ${BENCH_PROJECTS.join(', ')}`)
  }
  const repoRoot = resolve(dir, '../..')
  return defineConfig({
    plugins: [scrubOutputs()], // the bench project's outputs through the secret scrubber (its child inherits it)
    test: {
      name,
      projects: [
        {
          test: {
            name: 'scenarios',
            root: repoRoot,
            include: [],
            benchmark: {
              include: [`benches/${name}/**/*.bench.ts`],
              retainSamples: true,
            },
            testTimeout: 30 * 60_000,
            hookTimeout: 10 * 60_000,
          },
        },
      ],
    },
  })
}
