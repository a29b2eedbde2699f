import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'
import { benchProjectFiles } from './vitest.bench.config.ts'
import { scrubOutputs } from './reporters/scrub-outputs.ts'

// These tests read /proc or use POSIX shells and process groups; elsewhere (the Windows CI job)
// they are left out, and the run says so.
const LINUX_ONLY = [
  'harness/test.test.ts',
  'harness/run/cleanup.test.ts',
  'harness/metrics/{agent,cli,gpu,procfs,sampler,system}.test.ts',
  'harness/publish/ui.test.ts',
  'harness/probe/{nas-mounts,azcopy-bench}.test.ts',
  'harness/vscsi/daemon/daemon.test.ts', // a real sshd, kill -9 of the daemon, Unix sockets
  'harness/command/*.test.ts', // the python3 launcher, process groups, /proc tree RSS
  'harness/copy/*.test.ts', // rsync, cp -a, vmtouch, drop_caches
  'harness/competitive/load-tool.test.ts', // wrk (Debian), the python3 launcher, process groups
  'harness/competitive/{systems,preflight}.test.ts', // nginx, redis-server, memcached, process groups, /proc
  'harness/chaos/stores/*.test.ts', // PostgreSQL 15 (Debian), setpriv, SIGSTOP of process groups, /proc
  'harness/chaos/nemesis/{cpu-hog,nemeses}.test.ts', // hog processes measured from /proc
  'harness/chaos/history.test.ts', // a child stopped by SIGINT keeps its history
  // Xvfb, Debian's Chromium, XTest input and the X window list (on Windows the desktop is the runner's own)
  'harness/desktop/{display,window,recorder,replayer,first-pixel,scripted,keys,record-replay-cli}.test.ts',
  'harness/desktop/viewer/{viewer-api,viewer-window}.test.ts',
]
const linux = process.platform === 'linux'
if (!linux) console.warn(`benchgate: Linux-only unit tests left out on ${process.platform} (they read /proc or use POSIX process groups): ${LINUX_ONLY.join(', ')}`)

export default defineConfig({
  // every output of a run through the secret scrubber, whatever --reporter names (inline projects inherit it)
  plugins: [scrubOutputs()],
  test: {
    reporters: ['default', './reporters/csv.ts', './reporters/charts.ts', './reporters/verdict.ts', './reporters/baseline.ts', ['./reporters/allure.ts', { resultsDir: 'allure-results' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['*.test.ts', 'harness/**/*.test.ts', 'reporters/**/*.test.ts', 'bin/**/*.test.ts', '.github/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...(linux ? [] : LINUX_ONLY)],
          testTimeout: 60_000,
          // Every Node process a test starts (the benchgate CLI, child Vitest runs, the vscsi daemon)
          // inherits Node's compile cache, the directory the sampler and the reader sessions already
          // use: each TypeScript module is stripped and compiled once, not in every such process.
          // (harness/run/compile-cache.ts's rule, written out: tests copy this file alone into a
          // scratch folder, where the harness is not beside it.)
          env: { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache') },
        },
      },
      ...benchProjectFiles,
    ],
  },
})
