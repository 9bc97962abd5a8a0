// Server-sent events (GET /api/v1/events): one stream per page view, closed when the view
// changes.
let source = null;

export function subscribe(ctx, onChange) {
  if (source) source.close();
  if (typeof EventSource === 'undefined') return;
  const mine = new EventSource('/api/v1/events', { withCredentials: true });
  source = mine;
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
