// A real desktop window of ours: Debian's Chromium in app mode (`--app=URL`: one window, no tabs,
// no address bar, its title the page's <title>) on the process's display, at a given position and
// size. Its profile lives in a temp directory removed at release; the browser runs in its own
// process group, stopped by pid. Offline: no background networking, no first-run, no sync.
import { makeTempDir } from '../run/cleanup.ts'
import { startProcess, type Started } from '../run/processes.ts'
import { findChromium } from '../publish/chromium.ts'
import { useDisplay } from './display.ts'

export interface AppWindowOptions {
  url: string
  left?: number
  top?: number
  width?: number
  height?: number
  /** Extra environment (for example the SAS of a viewer's mode B stays out of argv). */
  env?: NodeJS.ProcessEnv
}

export interface AppWindow {
  readonly pid: number
  readonly exited: Promise<number | string>
  close(): Promise<void>
}

/** Chromium's switches for an offline app window (profile, position, size and --app come on top). */
export const APP_WINDOW_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=Translate,MediaRouter',
  '--password-store=basic',
  '--use-mock-keychain',
  '--test-type', // no "unsupported command-line flag" infobar (--no-sandbox, needed as root): it would change the view
  '--disable-crash-reporter',
  '--disable-breakpad',
]

/** Starts Chromium showing `url` as an app window; resolves once the process is running. */
export async function openAppWindow(options: AppWindowOptions): Promise<AppWindow> {
  await useDisplay()
  const chromium = findChromium()
  const profile = makeTempDir('benchgate-app-')
  const { left = 40, top = 40, width = 960, height = 640 } = options
  const p: Started = startProcess(chromium, [
    ...APP_WINDOW_ARGS,
    `--user-data-dir=${profile.path}`,
    `--window-position=${left},${top}`,
    `--window-size=${width},${height}`,
    `--app=${options.url}`,
  ], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'ignore'], dieWithParent: true })
  return {
    pid: p.pid,
    exited: p.exited,
    async close() {
      await p.stop()
      await profile.release()
    },
  }
}
