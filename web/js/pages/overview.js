// Campaign overview per directive: totals, milestones with progress and days left, the
// burn-down with its forecast, the per-unit table with drill-down, an as-of date picker, and
// live updates from GET /api/v1/events while the page is open.
import { api } from '../api.js';
import { t, term, formatPercent, todayIso } from '../i18n.js';
import { h, field, num, table, link, params, dateText, announce } from '../ui.js';
import { session, directiveId } from '../session.js';
import { burndownChart } from '../chart.js';
import { subscribe } from '../events.js';

const kStatuses = ['compliant', 'pending', 'overdue', 'exempt', 'unknown'];

export function directivePicker(current, onChange) {
  return field({
    name: 'directive', label: t('common.directive'), kind: 'select', value: current,
    options: session.directives.map((d) => [d.id || d.directive, `${d.id || d.directive} — ${d.title || ''}`]),
    attrs: { onchange: (e) => onChange(e.target.value) },
  });
}

function go(query) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v)).toString();
  window.location.hash = `#/overview${qs ? `?${qs}` : ''}`;
}

export async function renderOverview(main, args, ctx) {
  const p = params();
  const directive = directiveId(p.get('directive'));
  const at = p.get('at') || '';
  delete main.dataset.ready;
  main.append(h('h1', {}, t('overview.title')));
  if (!directive) { main.append(h('p', {}, t('common.no_directive'))); return; }

  const controls = h('form', { class: 'stack row', role: 'search', 'aria-label': t('overview.controls') },
    directivePicker(directive, (d) => go({ directive: d, at })),
    field({ name: 'at', label: t('overview.as_of'), kind: 'date', value: at || todayIso(),
            attrs: { max: todayIso(), onchange: (e) => go({ directive, at: e.target.value === todayIso() ? '' : e.target.value }) } }));
  controls.addEventListener('submit', (e) => e.preventDefault());
  main.append(controls);
  const body = h('div', { id: 'overview-body' });
  main.append(body);

  // The totals, milestones and unit table are drawn as soon as the status answers; the
  // burn-down (a sweep over every day of the campaign) fills its place when it arrives, so it
  // never holds the rest of the page back.
  const draw = async () => {
    const query = { directive, at: at || undefined };
    const burndownAnswer = api('GET', '/api/v1/burndown', { query: { directive, to: at || undefined } })
      .catch(() => null);
    const status = await api('GET', '/api/v1/status', { query });
    if (!ctx.isCurrent()) return;
    const chart = h('section', { id: 'burndown', 'aria-busy': 'true' });
    body.replaceChildren(...overviewBody(status, chart, directive, at));
    burndownAnswer.then((burndown) => {
      if (!ctx.isCurrent()) return;
      chart.removeAttribute('aria-busy');
      if (burndown) chart.replaceChildren(h('h2', {}, t('overview.burndown_title')), burndownChart(burndown));
    });
  };
  await draw();
  markReady(main);

  // Live: any recorded change the caller may see redraws today's view (a past day cannot move).
  if (!at) {
    let timer = 0;
    subscribe(ctx, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!ctx.isCurrent()) return;
        draw().then(() => announce(t('overview.updated'))).catch(() => {});
      }, 300);
    });
  }
}

// The overview is interactive: drawn, and the frame after it painted. data-ready carries the
// time since navigation started (performance.now(), ms), which bench/web/overview.sh reads.
function markReady(main) {
  requestAnimationFrame(() => setTimeout(() => {
    main.dataset.ready = String(Math.round(performance.now()));
  }, 0));
}

function overviewBody(status, burndownSection, directive, at) {
  const totals = status.totals || {};
  const out = [];
  out.push(h('p', { class: 'muted' }, t('overview.as_of_line', { date: '' }), dateText(status.as_of)));
  out.push(h('dl', { class: 'cards', id: 'totals' },
    [['people_in_scope', totals.people_in_scope], ['devices_in_scope', totals.devices_in_scope],
     ...kStatuses.map((s) => [s, totals[s]])]
      .map(([key, value]) => h('div', { class: `card total-${key}` },
        h('dt', {}, key.includes('_') ? t(`overview.${key}`) : term('status', key)),
        h('dd', { 'data-total': key }, num(value))))));

  out.push(h('h2', {}, t('overview.milestones')));
  out.push(h('ul', { class: 'milestones' }, (status.milestones || []).map((m) => {
    const id = `ms-${m.name}`;
    const left = m.days_left;
    return h('li', {},
      h('div', { id }, h('strong', {}, m.name), ' — ', term('requires', m.requires), ', ', t('overview.due_on'), ' ', dateText(m.due)),
      h('progress', { max: m.total || 1, value: m.met || 0, 'aria-labelledby': id }),
      h('div', {}, t('overview.met', { met: m.met || 0, total: m.total || 0, percent: formatPercent(m.met, m.total) }), ' · ',
        left >= 0 ? t('overview.days_left', { count: left }) : t('overview.days_past', { count: -left })));
  })));

  out.push(burndownSection);

  out.push(h('h2', {}, t('overview.units')));
  out.push(table({
    id: 'units-table',
    caption: t('overview.units_caption'),
    rows: status.units || [],
    columns: [
      { label: t('common.unit'), render: (u) => link('/devices', { directive, at, unit: u.unit }, u.unit) },
      { label: t('overview.people_in_scope'), num: true, render: (u) => num(u.people_in_scope) },
      { label: t('overview.devices_in_scope'), num: true, render: (u) => num(u.counts?.devices_in_scope) },
      ...kStatuses.map((s) => ({ label: term('status', s), num: true, render: (u) => {
        const n = u.counts?.[s] || 0;
        return n ? link('/devices', { directive, at, unit: u.unit, status: s }, num(n)) : num(0);
      } })),
    ],
  }));

  const net = status.network;
  if (net) {
    out.push(h('h2', {}, t('findings.title')));
    out.push(h('dl', { class: 'cards' },
      ['sightings', 'findings', 'banned_platform', 'unknown_phone', 'disposed_seen_again', 'usage_ban']
        .map((k) => h('div', { class: 'card' }, h('dt', {}, term('finding', k)), h('dd', {}, num(net[k]))))));
    out.push(h('p', {}, link('/findings', { directive }, t('findings.open'))));
  }
  return out;
}
