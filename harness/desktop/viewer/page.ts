// The viewer's page: a full-window canvas (the view region) above a status bar of STATUS_BAR_PX
// pixels (the action and the inline, outside the view region so it never counts as a pixel of
// the view). Before the volume is opened the view region is one uniform colour. The hotkeys
// arrive parsed (./hotkeys.ts); each matching keydown is
//   1. reported to the server at once (POST /api/key, batched one request at a time so the
//      reports arrive in key order), which logs its arrival time, and
//   2. queued: the actions run strictly one after another (POST /api/run, the frame drawn,
//      two animation frames, POST /api/drawn), so 100 PgDn 40 ms apart draw 100 inlines in order
//      even when one takes longer than 40 ms.
// Frames are binary (see ./server.ts): a section is greyscale, an attribute map a heat ramp,
// horizon picks a depth ramp on black; every frame is stretched over the whole view region.
import type { Hotkeys } from './hotkeys.ts'
import { PAGE_REPORTS_SCRIPT } from './page-reports.ts'

export const STATUS_BAR_PX = 24
/** The view region's colour before the volume is opened. */
export const EMPTY_RGB = [43, 48, 56] as const

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** JSON safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c')
}

export function viewerPage(o: { title: string; hotkeys: Hotkeys; mode: string }): string {
  const config = { hotkeys: o.hotkeys, bar: STATUS_BAR_PX, empty: EMPTY_RGB, mode: o.mode }
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(o.title)}</title>
<style>
html, body { margin: 0; padding: 0; overflow: hidden; background: rgb(${EMPTY_RGB.join(',')}); height: 100%; }
#view { position: fixed; left: 0; top: 0; display: block; }
#bar { position: fixed; left: 0; right: 0; bottom: 0; height: ${STATUS_BAR_PX}px; line-height: ${STATUS_BAR_PX}px; padding: 0 8px;
  background: #101317; color: #d8dde3; font: 13px monospace; white-space: nowrap; overflow: hidden; box-sizing: border-box; }
</style></head>
<body><canvas id="view"></canvas><div id="bar">no project open</div>
<script>
const CONFIG = ${scriptJson(config)};
${PAGE_REPORTS_SCRIPT}
${PAGE_SCRIPT}
</script></body></html>
`
}

// Plain browser JavaScript (no template literals inside, so it can sit in one above).
const PAGE_SCRIPT = String.raw`
const canvas = document.getElementById('view');
const g = canvas.getContext('2d');
const bar = document.getElementById('bar');
let picture = null; // the last frame, as a canvas of its own size
let notice = null; // a message drawn over the view (the export's confirmation, as Petrel shows one)
let seq = 0;
let queue = Promise.resolve();
const reportKey = reporter('/api/key', function (e) { status('key report failed: ' + e); });

function status(text) { bar.textContent = 'mode ' + CONFIG.mode + ' · ' + text; }

function layout() {
  canvas.width = Math.max(1, window.innerWidth);
  canvas.height = Math.max(1, window.innerHeight - CONFIG.bar);
  canvas.style.width = canvas.width + 'px';
  canvas.style.height = canvas.height + 'px';
  paint();
  reportLayout('viewer');
}

function paint() {
  if (!picture) {
    g.fillStyle = 'rgb(' + CONFIG.empty.join(',') + ')';
    g.fillRect(0, 0, canvas.width, canvas.height);
  } else {
    g.imageSmoothingEnabled = true;
    g.drawImage(picture, 0, 0, canvas.width, canvas.height);
  }
  if (notice) {
    const w = Math.min(canvas.width - 48, 420), h = 56;
    g.fillStyle = 'rgba(16, 20, 26, 0.92)';
    g.fillRect(24, 24, w, h);
    g.fillStyle = 'rgb(120, 220, 140)';
    g.font = '16px monospace';
    g.fillText(notice, 40, 58, w - 32);
  }
}

function ramp(stops, t) {
  const x = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i], b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}
const HEAT = [[0, 0, 0], [160, 0, 0], [255, 96, 0], [255, 220, 0], [255, 255, 255]];
const DEPTH = [[48, 18, 130], [30, 110, 200], [20, 180, 140], [150, 220, 40], [250, 240, 30]];

function colour(kind, v) {
  if (kind === 'grey') return [v, v, v];
  if (kind === 'heat') return ramp(HEAT, v / 255);
  if (v === 0) return [0, 0, 0];
  return ramp(DEPTH, (v - 1) / 254);
}

function render(meta, values) {
  const c = document.createElement('canvas');
  c.width = meta.width;
  c.height = meta.height;
  const cg = c.getContext('2d');
  const img = cg.createImageData(meta.width, meta.height);
  for (let n = 0; n < values.length; n++) {
    const rgb = colour(meta.kind, values[n]);
    img.data[4 * n] = rgb[0];
    img.data[4 * n + 1] = rgb[1];
    img.data[4 * n + 2] = rgb[2];
    img.data[4 * n + 3] = 255;
  }
  cg.putImageData(img, 0, 0);
  picture = c;
  paint();
}

function frames(n) {
  return new Promise(function (resolve) {
    const step = function () { if (--n <= 0) resolve(); else requestAnimationFrame(step); };
    requestAnimationFrame(step);
  });
}

async function handle(s, action) {
  status(action + ' …');
  const r = await fetch('/api/run?action=' + action + '&seq=' + s, { method: 'POST' });
  if (!r.ok) { status(action + ': HTTP ' + r.status + ' ' + (await r.text())); return; }
  const buf = new Uint8Array(await r.arrayBuffer());
  const metaLength = new DataView(buf.buffer).getUint32(0, true);
  const meta = JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + metaLength)));
  // an action that draws nothing new (export) shows its result over the view, so its end is on the screen
  notice = meta.kind === 'none' && action === 'export' && !/no project open/.test(meta.status) ? meta.status : null;
  if (meta.kind !== 'none') render(meta, buf.subarray(4 + metaLength));
  else paint();
  status(meta.status + ' (#' + s + ')');
  await frames(2);
  await fetch('/api/drawn', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seq: s }) });
}

function codeKey(code) { return code.replace(/^Key/, '').replace(/^Digit/, '').toLowerCase(); }

function actionOf(e) {
  for (const name of Object.keys(CONFIG.hotkeys)) {
    const c = CONFIG.hotkeys[name];
    if (e.ctrlKey !== c.ctrl || e.altKey !== c.alt || e.shiftKey !== c.shift || e.metaKey !== c.meta) continue;
    if (e.key.toLowerCase() === c.key || codeKey(e.code) === c.key) return name;
  }
  return null;
}

window.addEventListener('keydown', function (e) {
  const action = actionOf(e);
  // F6–F12 are the recorder's hotkeys: F12 would otherwise open Chromium's DevTools over the view
  if (!action) { if (e.altKey || e.ctrlKey || /^F([6-9]|1[0-2])$/.test(e.key)) e.preventDefault(); return; }
  e.preventDefault();
  const s = ++seq;
  reportKey({ seq: s, action: action, key: e.key, code: e.code, repeat: e.repeat, page_epoch_ms: performance.timeOrigin + e.timeStamp });
  queue = queue.then(function () { return handle(s, action); }).catch(function (err) { status(action + ': ' + err); });
}, true);
window.addEventListener('keyup', function (e) { if (e.key === 'Alt' || e.altKey || e.ctrlKey) e.preventDefault(); }, true);
window.addEventListener('resize', layout);
layout();
watchLayout('viewer'); // keys sent before Chromium has taken the X focus are lost: the server is told when the page has it
status('no project open');
`
