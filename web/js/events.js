// Server-sent events (GET /api/v1/events): one stream per page view, closed when the view
// changes.
let source = null;

export function subscribe(ctx, onChange) {
  if (source) source.close();
  if (typeof EventSource === 'undefined') return;
  const mine = new EventSource('/api/v1/events', { withCredentials: true });
  source = mine;
  last = { ctx, onChange };
  mine.onmessage = () => onChange();
  mine.addEventListener('change', () => onChange());
  mine.onerror = () => {
    // The browser reconnects by itself; stop when the view is gone.
    if (!ctx.isCurrent()) mine.close();
  };
  const stop = () => {
    if (!ctx.isCurrent()) {
      mine.close();
      if (source === mine) source = null;
      window.removeEventListener('hashchange', stop);
    }
  };
  window.addEventListener('hashchange', stop);
}

// A page that is left (another address, or kept in the back/forward cache) closes its stream
// at once: over HTTP/1.1 a browser opens at most 6 connections to one server, and streams of
// pages it keeps would hold them until the server ends them, stalling the next page's
// requests. A page shown again from that cache reopens its stream and catches up.
let last = null;
window.addEventListener('pagehide', () => {
  if (source) source.close();
  source = null;
});
window.addEventListener('pageshow', (event) => {
  if (event.persisted && last && last.ctx.isCurrent()) {
    subscribe(last.ctx, last.onChange);
    last.onChange();
  }
});
