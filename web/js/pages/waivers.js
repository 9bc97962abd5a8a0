// Waivers: the list with each one's state; approvers grant (the API records the caller as the
// approver); holders and officers ask for one.
import { api, listOf } from '../api.js';
import { t, term } from '../i18n.js';
import { h, table, dateText, params } from '../ui.js';
import { can, directiveId } from '../session.js';
import { waiverForm } from './device.js';

export async function renderWaivers(main, args, ctx) {
  const directive = directiveId(params().get('directive'));
  main.append(h('h1', {}, t('waivers.title')));
  const data = await api('GET', '/api/v1/waivers', { query: { directive } });
  if (!ctx.isCurrent()) return;
  const waivers = listOf(data, 'waivers');
  main.append(table({
    caption: t('waivers.caption'), rows: waivers, empty: t('waivers.none'),
    columns: [
      { label: t('waivers.id'), render: (w) => w.waiver_id },
      { label: t('waivers.target'), render: (w) => w.target },
      { label: t('waivers.approver'), render: (w) => w.approver },
      { label: t('waivers.reason'), render: (w) => w.reason },
      { label: t('waivers.from'), render: (w) => dateText(w.from) },
      { label: t('waivers.until'), render: (w) => dateText(w.until) },
      { label: t('waivers.state'), render: (w) => term('waiver_state', w.state) },
    ],
  }));
  main.append(waiverForm(params().get('device') || '', directive, ctx,
                         { heading: can('approve') ? 'waivers.grant' : 'waivers.request' }));
}
