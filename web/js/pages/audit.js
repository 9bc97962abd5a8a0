// The audit trail: its entries with filters, the verification result, and the export.
import { api } from '../api.js';
import { t, formatDateTime } from '../i18n.js';
import { h, field, table, dateText, params } from '../ui.js';

const kShown = 500;

function parseLines(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.entries)) return data.entries;
  if (data && Array.isArray(data.events)) return data.events;
  return String(data || '').split('\n').filter(Boolean).map((line) => {
    try { return JSON.parse(line); } catch { return null; }
  }).filter(Boolean);
}

export async function renderAudit(main, args, ctx) {
  const p = params();
  const kind = p.get('kind') || '';
  const actor = p.get('actor') || '';
  const subject = p.get('subject') || '';
  main.append(h('h1', {}, t('audit.title')));
  const filters = h('form', { class: 'stack row', role: 'search', 'aria-label': t('audit.filters') },
    field({ name: 'kind', label: t('audit.kind'), value: kind, hint: t('audit.kind_hint') }),
    field({ name: 'actor', label: t('audit.actor'), value: actor }),
    field({ name: 'subject', label: t('audit.subject'), value: subject }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.apply'))));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(filters);
    window.location.hash = `#/audit?${new URLSearchParams([...f.entries()].filter(([, v]) => v))}`;
  });
  main.append(filters);
  const verification = h('p', { id: 'audit-verify', class: 'notice' }, t('audit.verifying'));
  main.append(verification);
  main.append(h('p', {}, h('a', { href: '/api/v1/audit', download: 'audit.jsonl', class: 'button secondary' }, t('audit.export'))));

  const data = await api('GET', '/api/v1/audit', { query: { after: 0 } });
  if (!ctx.isCurrent()) return;
  const entries = parseLines(data);
  // GET /api/v1/audit/verify runs `phaseout audit verify`: ok, the entries checked, and else
  // the first broken entry and why.
  api('GET', '/api/v1/audit/verify').then((v) => {
    const ok = v.ok === true;
    verification.className = `notice ${ok ? 'good' : 'bad'}`;
    verification.dataset.ok = ok ? 'true' : 'false';
    if (ok) {
      verification.textContent = t('audit.verified', { count: v.events ?? entries.length, rows: v.rows ?? 0 });
    } else if (v.first_broken_entry !== undefined) {
      verification.textContent = t('audit.broken_at', { seq: v.first_broken_entry, problem: v.problem || '' });
    } else {
      verification.textContent = t('audit.broken');
    }
  }).catch(() => {
    verification.textContent = t('audit.verify_unavailable', { count: entries.length });
  });
  const matches = (value, wanted) => !wanted || String(value || '').toLowerCase().includes(wanted.toLowerCase());
  const shown = entries.filter((e) => matches(e.kind, kind) && matches(e.actor, actor) && matches(e.subject, subject));
  main.append(h('p', {}, t('audit.count', { count: shown.length })));
  main.append(table({
    caption: t('audit.caption'), rows: shown.slice(-kShown).reverse(), empty: t('common.none'),
    columns: [
      { label: '#', num: true, render: (e) => e.seq },
      { label: t('audit.effective'), render: (e) => dateText(e.effective) },
      { label: t('audit.recorded'), render: (e) => (e.recorded_ms ? formatDateTime(e.recorded_ms) : '') },
      { label: t('audit.actor'), render: (e) => e.actor },
      { label: t('audit.kind'), render: (e) => e.kind },
      { label: t('audit.subject'), render: (e) => e.subject },
      { label: t('audit.hash'), render: (e) => h('span', { class: 'mono' }, String(e.hash || '').slice(0, 12)) },
    ],
  }));
}
