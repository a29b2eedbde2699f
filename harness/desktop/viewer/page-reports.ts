// Browser JavaScript both viewer pages (the viewer, the key-logging window) share, to be placed in
// their <script> before their own code:
//   reporter(url, onError)  returns push(item): items are POSTed as JSON arrays, one request in
//                           flight at a time, the rest batched behind it, in order
//   watchLayout(page)       reports the page's viewport and keyboard focus to POST /api/layout on
//                           load, resize, focus and blur (keys sent before Chromium has taken the X
//                           focus are lost, so a driver waits for `focused`); reportLayout(page) at will
// Plain JavaScript without template literals, so it can sit inside one.
export const PAGE_REPORTS_SCRIPT = String.raw`
function reporter(url, onError) {
  let pending = [];
  let sending = false;
  async function flush() {
    if (sending || pending.length === 0) return;
    sending = true;
    const batch = pending;
    pending = [];
    try {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    } catch (e) {
      onError(e);
    }
    sending = false;
    flush();
  }
  return function push(item) { pending.push(item); flush(); };
}
let layoutReports = 0;
function reportLayout(page) {
  // the page's viewport inside the window: what the browser draws around it (an infobar, a frame) is
  // outer − inner, all of it above the page in an app window
  const body = { page: page, innerWidth: window.innerWidth, innerHeight: window.innerHeight, outerWidth: window.outerWidth, outerHeight: window.outerHeight,
    screenX: window.screenX, screenY: window.screenY, devicePixelRatio: window.devicePixelRatio, focused: document.hasFocus(), n: ++layoutReports };
  fetch('/api/layout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(function () {});
}
function watchLayout(page) {
  for (const ev of ['resize', 'focus', 'blur', 'load']) window.addEventListener(ev, function () { reportLayout(page); });
  reportLayout(page);
}
`
