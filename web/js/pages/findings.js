// Network findings: banned platforms seen, unknown phones, disposed devices seen again,
// usage-ban hits, each with its evidence.
import { api, listOf } from '../api.js';
import { t, term } from '../i18n.js';
import { h, table, dateText, link, params } from '../ui.js';
import { directiveId } from '../session.js';

export async function renderFindings(main, args, ctx) {
  const directive = directiveId(params().get('directive'));
  main.append(h('h1', {}, t('findings.title')));
  const data = await api('GET', '/api/v1/findings', { query: { directive } });
  if (!ctx.isCurrent()) return;
  const findings = listOf(data, 'findings');
  main.append(table({
    caption: t('findings.caption'), rows: findings, empty: t('findings.none'),
    columns: findingColumns(directive),
  }));
}

export function findingColumns(directive) {
  return [
    { label: t('findings.kind'), render: (f) => term('finding', String(f.kind || '').replace(/-/g, '_')) },
    { label: t('findings.first_seen'), render: (f) => dateText(f.seen_on || '') },
    { label: t('common.device'), render: (f) => (f.device
      ? link(`/device/${encodeURIComponent(f.device)}`, { directive }, f.device) : (f.sighting_key || f.sighting || '')) },
    { label: t('common.person'), render: (f) => f.person || '' },
    { label: t('common.reason'), render: (f) => f.reason || '' },
    { label: t('findings.evidence'), render: (f) => (Array.isArray(f.evidence)
      ? h('ul', {}, f.evidence.map((e) => h('li', {}, typeof e === 'string' ? e : JSON.stringify(e))))
      : (typeof f.evidence === 'object' && f.evidence ? JSON.stringify(f.evidence) : (f.evidence || ''))) },
  ];
}
