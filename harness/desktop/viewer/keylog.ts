// The key-logging window: a plain page that records every keydown and keyup it receives — key,
// code, modifiers, repeat, the page's clock (performance.now() at the event and as epoch ms) —
// and posts them to the server, which stamps each with its own monotonic arrival time. Every key
// is prevented from doing anything else (no file dialog on Ctrl+O, no menu on Alt), so the page
// keeps the focus. Reports go one request at a time, in order, batched while one is in flight.
// It is the window that proves key counts and spacing: the driver types, the log says what came.
import { PAGE_REPORTS_SCRIPT } from './page-reports.ts'

export interface KeylogEvent {
  /** Order of arrival on the page (1, 2, …). */
  seq: number
  type: 'keydown' | 'keyup'
  key: string
  code: string
  ctrl: boolean
  alt: boolean
  shift: boolean
  meta: boolean
  repeat: boolean
  /** performance.now() of the event on the page (its timeStamp). */
  page_ms: number
  /** The same moment as epoch ms (performance.timeOrigin + timeStamp). */
  page_epoch_ms: number
  /** ms since the viewer started (monotonic) when the report reached the server. */
  t_ms: number
}

const FIELDS = ['seq', 'type', 'key', 'code', 'ctrl', 'alt', 'shift', 'meta', 'repeat', 'page_ms', 'page_epoch_ms'] as const

/** The events of one report, checked field by field (a bad one is dropped whole). */
export function parseKeylogReport(body: unknown, tMs: number): KeylogEvent[] | string {
  if (!Array.isArray(body)) return 'expected a JSON array of key events'
  const out: KeylogEvent[] = []
  for (const [n, e] of body.entries()) {
    if (typeof e !== 'object' || e === null) return `event ${n}: not an object`
    const r = e as Record<string, unknown>
    for (const f of FIELDS) if (!(f in r)) return `event ${n}: ${f} missing`
    if (r.type !== 'keydown' && r.type !== 'keyup') return `event ${n}: type must be keydown or keyup`
    out.push({
      seq: Number(r.seq), type: r.type, key: String(r.key), code: String(r.code),
      ctrl: r.ctrl === true, alt: r.alt === true, shift: r.shift === true, meta: r.meta === true, repeat: r.repeat === true,
      page_ms: Number(r.page_ms), page_epoch_ms: Number(r.page_epoch_ms), t_ms: tMs,
    })
  }
  return out
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function keylogPage(title: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
html, body { margin: 0; height: 100%; background: #f4f1ea; color: #222; font: 14px monospace; overflow: hidden; }
#count { padding: 8px; font-size: 18px; } #last { padding: 0 8px; white-space: pre; }
</style></head>
<body><div id="count">0 key events</div><div id="last"></div>
<script>
${PAGE_REPORTS_SCRIPT}
${KEYLOG_SCRIPT}
</script></body></html>
`
}

const KEYLOG_SCRIPT = String.raw`
let seq = 0;
const report = reporter('/keylog/events', function (e) { document.getElementById('count').textContent = 'report failed: ' + e; });
function record(e) {
  e.preventDefault();
  const ev = { seq: ++seq, type: e.type, key: e.key, code: e.code, ctrl: e.ctrlKey, alt: e.altKey, shift: e.shiftKey, meta: e.metaKey,
    repeat: e.repeat, page_ms: e.timeStamp, page_epoch_ms: performance.timeOrigin + e.timeStamp };
  report(ev);
  document.getElementById('count').textContent = seq + ' key events';
  lines.unshift(ev.type + ' ' + ev.code + ' ' + JSON.stringify(ev.key) + ' @' + ev.page_ms.toFixed(1));
  lines.length = Math.min(lines.length, 30);
  document.getElementById('last').textContent = lines.join('\n');
}
window.addEventListener('keydown', record, true);
window.addEventListener('keyup', record, true);
watchLayout('keylog');
`
