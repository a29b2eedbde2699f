// Proves that a bench test's results are visible where people browse test results. A child
// Vitest runs fixtures/ui-selftest (a real bench test that measures, compares, draws charts and
// calls publishResults); headless Chromium then opens (1) the static HTML report
// (`--reporter=html`), served on 127.0.0.1, and (2) the live `vitest --ui`, goes to the test and
// checks that its statistics, KPIs, verdict, tables and charts are on screen. Screenshots are kept
// in /tmp/benchgate-ui.png (annotations and charts), /tmp/benchgate-ui-table.png (the text tables)
// and /tmp/benchgate-ui-live.png (the live UI).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { isPng, pngSize } from '../charts/output.ts'
import { makeTempDir } from '../run/cleanup.ts'
import { startProcess, type Started } from '../run/processes.ts'
import { findChromium, launchChromium } from './chromium.ts'
import { serveDirectory } from './static-server.ts'

const repo = resolve(import.meta.dirname, '../..')
const TEST_NAME = 'sort 20k numbers: head against base'
const CHILD_TIMEOUT_MS = 120_000
const STEP_TIMEOUT_MS = 20_000

interface Child {
  process: Started
  output(): string
  /** Resolves with the first match of `pattern` in the output, rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>
}

/** Starts `vitest bench <args>` on the fixture project, writing everything under `out`. */
function startFixture(out: string, args: readonly string[]): Child {
  writeFileSync(join(out, 'benchgate.yaml'), `output:\n  results_dir: ${join(out, 'results')}\n`)
  const env: NodeJS.ProcessEnv = { ...process.env, BG_UI_OUT: out, BENCHGATE_CONFIG: join(out, 'benchgate.yaml'), NO_COLOR: '1' }
  for (const name of ['VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'FORCE_COLOR', 'BENCHGATE_RUN_STAMP']) delete env[name]
  const started = startProcess(process.execPath, [join(repo, 'node_modules/vitest/vitest.mjs'), 'bench', '--config', 'fixtures/ui-selftest/vitest.config.ts', ...args], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  const listeners = new Set<() => void>()
  const append = (d: Buffer) => {
    text += d.toString()
    listeners.forEach((l) => l())
  }
  started.child.stdout?.on('data', append)
  started.child.stderr?.on('data', append)
  return {
    process: started,
    output: () => text,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolvePromise, reject) => {
        const done = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        const check = () => {
          const m = pattern.exec(text)
          if (m) {
            done()
            resolvePromise(m)
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`child vitest: no ${pattern} within ${timeoutMs} ms; output:\n${text}`))
        }, timeoutMs)
        listeners.add(check)
        void started.exited.then((code) => {
          check()
          if (listeners.has(check)) {
            done()
            reject(new Error(`child vitest exited (${code}) before printing ${pattern}; output:\n${text}`))
          }
        })
        check()
      })
    },
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

async function visible(page: Page, what: string, locator: ReturnType<Page['getByText']>): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS })
  await locator.first().scrollIntoViewIfNeeded({ timeout: STEP_TIMEOUT_MS })
  expect(await locator.first().isVisible(), `${what} is visible`).toBe(true)
  return (await locator.first().textContent()) ?? ''
}

/** Opens `url`, goes to the fixture's test and checks what a person would look for; screenshots. */
async function checkReport(page: Page, url: string, screenshot: string): Promise<void> {
  await page.goto(url, { timeout: STEP_TIMEOUT_MS })
  await page.getByText(TEST_NAME, { exact: true }).first().click({ timeout: STEP_TIMEOUT_MS })

  await visible(page, 'the summary', page.getByText(/^Sorting 20,000 numbers: 2 benchmarks, 2 KPIs, verdicts: 1 regressed/))
  await visible(page, 'the base statistics', page.getByText(/^base: sort once: mean [\d.]+ ms, p50 [\d.]+ ms, .*, 40 samples/))
  await visible(page, 'the head statistics', page.getByText(/^head: sort thrice: mean [\d.]+ ms/))
  const kpi = await visible(page, 'the KPI', page.getByText(/^head_over_base = [\d.]+ × \(lower is better\)$/))
  expect(Number(/= ([\d.]+)/.exec(kpi)![1]), 'sorting three times takes about three times as long').toBeGreaterThan(1.5)
  await visible(page, 'the sorts_per_s KPI', page.getByText(/^sorts_per_s = [\d.]+ sorts\/s/))
  await visible(page, 'the verdict heading', page.getByText('verdict: regressed', { exact: true }))
  await visible(page, 'the verdict', page.getByText(/^sort 20k numbers · time: regressed, \+\d+\.\d % \[/))
  const tableBlock = page.getByText(/benchmark\s+unit\s+mean\s+p50\s+p99\s+min\s+max/)
  const table = await visible(page, 'the statistics table', tableBlock)
  expect(table).toMatch(/head: sort thrice\s+ms\s+[\d.]+\s+[\d.]+/)
  expect(table).toMatch(/sort 20k numbers\s+time\s+regressed\s+\+[\d.]+ %\s+\[\+[\d.]+ %, \+[\d.]+ %\]\s+[\d.]+ ms\s+[\d.]+ ms/)
  expect(table).toMatch(/head_over_base\s+[\d.]+ ×\s+lower is better/)

  const charts = page.locator('[role=note] img[src^="data:image/svg+xml"]')
  await charts.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS })
  expect(await charts.count(), 'three charts').toBe(3)
  for (const caption of ['Latency per sort, base and head', 'Head against base', 'Median per round']) {
    await visible(page, `the caption '${caption}'`, page.getByText(caption, { exact: true }))
  }
  for (let i = 0; i < 3; i++) {
    const img = charts.nth(i)
    await img.scrollIntoViewIfNeeded({ timeout: STEP_TIMEOUT_MS })
    expect(await img.isVisible(), `chart ${i + 1} is visible`).toBe(true)
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0)), { timeout: STEP_TIMEOUT_MS }).toBeGreaterThan(400)
    const box = await img.boundingBox()
    expect(box?.width ?? 0, `chart ${i + 1} is drawn at a readable size`).toBeGreaterThan(300)
  }

  // The tables (under "Test Meta") on their own, then the annotations and charts in one view:
  // the viewport is made tall enough to show everything down to "Test Meta" at once.
  await tableBlock.first().screenshot({ path: screenshot.replace(/\.png$/, '-table.png'), timeout: STEP_TIMEOUT_MS })
  const annotations = page.getByText('Test Annotations', { exact: true })
  await annotations.scrollIntoViewIfNeeded()
  const top = await annotations.evaluate((el) => el.getBoundingClientRect().top)
  const bottom = await page.getByText('Test Meta', { exact: true }).evaluate((el) => el.getBoundingClientRect().top)
  await page.setViewportSize({ width: 1400, height: Math.round(Math.min(Math.max(bottom - top + 160, 1000), 4000)) })
  await annotations.scrollIntoViewIfNeeded()
  await page.screenshot({ path: screenshot, timeout: STEP_TIMEOUT_MS })
  const png = readFileSync(screenshot)
  expect(isPng(png)).toBe(true)
  expect(pngSize(png).width).toBe(1400)
}

test('published results are visible in the static HTML report (headless Chromium)', { timeout: 240_000 }, async () => {
  findChromium() // fails with how to install it, before anything is started
  const dir = makeTempDir('benchgate-ui-')
  let child: Child | undefined
  let server: Awaited<ReturnType<typeof serveDirectory>> | undefined
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
  try {
    child = startFixture(dir.path, ['--run'])
    const code = await Promise.race([child.process.exited, new Promise((r) => setTimeout(() => r('timeout'), CHILD_TIMEOUT_MS))])
    expect(code, child.output()).toBe(0)
    const html = join(dir.path, 'html')
    expect(existsSync(join(html, 'index.html')), child.output()).toBe(true)
    // The report loads its data with fetch() and a module script, which browsers refuse from
    // file:// URLs, so it is served the way `vite preview` would.
    server = await serveDirectory(html)
    browser = await launchChromium()
    const shot = join(dir.path, 'html-report.png')
    await checkReport(browser.page, server.url, shot)
    copyFileSync(shot, '/tmp/benchgate-ui.png')
    copyFileSync(shot.replace(/\.png$/, '-table.png'), '/tmp/benchgate-ui-table.png')
  } finally {
    await browser?.close()
    await server?.close()
    await child?.process.stop()
    await dir.release()
  }
})

test('published results are visible in the live vitest --ui (headless Chromium)', { timeout: 240_000 }, async () => {
  findChromium()
  const dir = makeTempDir('benchgate-ui-live-')
  let child: Child | undefined
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
  try {
    const port = await freePort()
    child = startFixture(dir.path, ['--watch', '--ui', '--open=false', '--api.host=127.0.0.1', `--api.port=${port}`])
    const [, url] = await child.waitFor(/UI started at (http:\/\/127\.0\.0\.1:\d+\/__vitest__\/\?token=[\w-]+)/, CHILD_TIMEOUT_MS)
    await child.waitFor(/Tests\s+1 passed/, CHILD_TIMEOUT_MS)
    browser = await launchChromium()
    const shot = join(dir.path, 'live-ui.png')
    await checkReport(browser.page, url!, shot)
    copyFileSync(shot, '/tmp/benchgate-ui-live.png')
  } finally {
    await browser?.close()
    await child?.process.stop()
    await dir.release()
  }
})
