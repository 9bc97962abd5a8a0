// Drill-down: the devices of a unit (and a status), as GET /api/v1/devices lists them.
import { api, listOf } from '../api.js';
import { t, term, todayIso } from '../i18n.js';
import { h, field, table, link, params, statusBadge, num } from '../ui.js';
import { directiveId } from '../session.js';

const kStatuses = ['', 'compliant', 'pending', 'overdue', 'exempt', 'unknown'];
const kShown = 500;

export async function renderDevices(main, args, ctx) {
  const p = params();
  const directive = directiveId(p.get('directive'));
  const at = p.get('at') || '';
  const unit = p.get('unit') || '';
  const status = p.get('status') || '';
  main.append(h('p', {}, link('/overview', { directive, at }, `← ${t('overview.title')}`)));
  main.append(h('h1', {}, unit ? t('devices.title_unit', { unit }) : t('devices.title')));
  const filters = h('form', { class: 'stack row', role: 'search', 'aria-label': t('devices.filters') },
    field({ name: 'unit', label: t('common.unit'), value: unit, hint: t('devices.unit_hint') }),
    field({ name: 'status', label: t('common.status'), kind: 'select', value: status,
            options: kStatuses.map((s) => [s, s ? term('status', s) : t('common.any')]) }),
    field({ name: 'at', label: t('overview.as_of'), kind: 'date', value: at || todayIso(), attrs: { max: todayIso() } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.apply'))));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(filters);
    const q = { directive, unit: f.get('unit'), status: f.get('status'), at: f.get('at') === todayIso() ? '' : f.get('at') };
    window.location.hash = `#/devices?${new URLSearchParams(Object.entries(q).filter(([, v]) => v))}`;
  });
  main.append(filters);
  const data = await api('GET', '/api/v1/devices', { query: { directive, at, unit: unit ? `${unit}` : '', status } });
  if (!ctx.isCurrent()) return;
  const devices = listOf(data, 'devices');
  main.append(h('p', {}, t('devices.count', { count: devices.length })));
  main.append(deviceTable(devices.slice(0, kShown), directive));
  if (devices.length > kShown) main.append(h('p', { class: 'muted' }, t('devices.truncated', { shown: kShown, count: devices.length })));
}

export function deviceTable(devices, directive) {
  return table({
    caption: t('devices.caption'),
    rows: devices,
    columns: [
      { label: t('common.device'), render: (d) => link(`/device/${encodeURIComponent(d.device_id)}`, { directive }, d.device_id) },
      { label: t('common.person'), render: (d) => d.person_id || '' },
      { label: t('common.unit'), render: (d) => d.unit || '' },
      { label: t('common.platform'), render: (d) => term('platform', d.platform || '') },
      { label: t('common.status'), render: (d) => statusBadge(d.status) },
      { label: t('common.rule'), num: true, render: (d) => (d.rule ? num(d.rule) : '—') },
      { label: t('common.reason'), render: (d) => d.reason || '' },
    ],
  });
}
