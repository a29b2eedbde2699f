import { defineConfig } from 'vitest/config'
import { benchProjectFiles } from './vitest.bench.config.ts'

export default defineConfig({
  test: {
    reporters: ['default', './reporters/csv.ts', ['allure-vitest/reporter', { resultsDir: 'allure-results' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['*.test.ts', 'harness/**/*.test.ts', 'reporters/**/*.test.ts', 'bin/**/*.test.ts', '.github/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      ...benchProjectFiles,
    ],
  },
})
