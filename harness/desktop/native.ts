// The native desktop libraries, loaded on first use — after useDisplay() has set DISPLAY, which
// libnut and libuiohook read once per process — with every built-in delay set to zero: nut-js
// waits `autoDelayMs` (100 ms by default) after each key and mouse action and moves the mouse in
// steps at `mouseSpeed` pixels per second, and libnut sleeps 10 ms after each key and mouse event
// (robotjs's defaults). Timings we measure or replay must be ours alone.
//
// Known limits, handled where they matter: on X11 a reparenting window manager puts a frame
// around a window, so libnut's rectangles are relative to that frame's parent (Xvfb without a
// window manager, as benchgate runs it, has no frames); Wayland offers neither synthetic input
// nor global hooks, so a Wayland session must run the tools under XWayland or Xvfb.
import { createRequire } from 'node:module'
import { useDisplay } from './display.ts'

type NutJs = typeof import('@nut-tree-fork/nut-js')
type Libnut = typeof import('@nut-tree-fork/libnut-linux')
type Uiohook = typeof import('uiohook-napi')

const require = createRequire(import.meta.url)
let nut: NutJs | null = null
let hook: Uiohook | null = null

function assertDisplay(): void {
  if (process.platform === 'linux' && !process.env.DISPLAY) {
    throw new Error('no X display: call useDisplay() (harness/desktop/display.ts) before the desktop libraries are loaded')
  }
  if (process.platform === 'linux' && process.env.WAYLAND_DISPLAY && !process.env.DISPLAY) {
    throw new Error('Wayland has no synthetic input or global hooks: run under XWayland or Xvfb')
  }
}

/** nut-js with zero delays (windows, keyboard, mouse, screen). */
export async function nutJs(): Promise<NutJs> {
  if (nut) return nut
  await useDisplay()
  assertDisplay()
  const n = require('@nut-tree-fork/nut-js') as NutJs
  n.keyboard.config.autoDelayMs = 0
  n.mouse.config.autoDelayMs = 0
  n.mouse.config.mouseSpeed = 1e9
  const lib = rawLibnut()
  lib.setKeyboardDelay(0)
  lib.setMouseDelay(0)
  nut = n
  return n
}

/** The raw libnut binding (instant moves, key toggles), delays already zero. */
export async function libnut(): Promise<Libnut> {
  await nutJs()
  return rawLibnut()
}

/** The platform's binding, as nut-js itself picks it (the three share one interface). */
function rawLibnut(): Libnut {
  return (require('@nut-tree-fork/libnut/dist/import_libnut.js') as { libnut: Libnut }).libnut
}

/** uiohook-napi (global keyboard and mouse hooks), on the same display. */
export async function uiohook(): Promise<Uiohook> {
  if (hook) return hook
  await useDisplay()
  assertDisplay()
  hook = require('uiohook-napi') as Uiohook
  return hook
}
