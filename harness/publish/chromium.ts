// Headless Chromium (Debian's package) driven by playwright-core, for tests that look at reports
// the way a person does. Offline by construction: every request that is not to 127.0.0.1, a
// file: or a data: URL is aborted, and the background services that phone home are switched off.
import { existsSync } from 'node:fs'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { UserError } from '../errors.ts'
import { makeTempDir } from '../run/cleanup.ts'

/** Where Debian's `chromium` package puts the browser; BENCHGATE_CHROMIUM overrides it. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The Chromium executable, or a UserError saying how to install it. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.BENCHGATE_CHROMIUM || DEFAULT_CHROMIUM
  if (!existsSync(path)) {
    throw new UserError({
      file: path,
      message: 'Chromium is not installed, and this check needs a real browser',
      hint: `run scripts/install-debian-packages.sh (it installs the Debian package chromium), or set BENCHGATE_CHROMIUM to a Chromium executable`,
    })
  }
  return path
}

export interface Chromium {
  context: BrowserContext
  page: Page
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>
}

/** Starts headless Chromium with a fresh profile and one page of `viewport` size. */
export async function launchChromium(options: { viewport?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<Chromium> {
  const executablePath = findChromium()
  const profile = makeTempDir('benchgate-chromium-')
  let context: BrowserContext | undefined
  try {
    context = await chromium.launchPersistentContext(profile.path, {
      executablePath,
      headless: true,
      args: ARGS,
      viewport: options.viewport ?? { width: 1400, height: 1000 },
      timeout: options.timeoutMs ?? 30_000,
    })
    await context.route(
      (url) => !(url.protocol === 'file:' || url.protocol === 'data:' || url.hostname === '127.0.0.1'),
      (route) => route.abort('blockedbyclient'),
    )
    const page = context.pages()[0] ?? (await context.newPage())
    const opened = context
    return {
      context: opened,
      page,
      async close() {
        try {
          await opened.close()
        } finally {
          await profile.release()
        }
      },
    }
  } catch (e) {
    await context?.close().catch(() => {})
    await profile.release()
    throw e
  }
}
