// Waivers: the list with each one's state; approvers grant (the API records the caller as the
// approver); holders and officers ask for one. Requests are listed with their state; an
// approver approves or refuses (with a reason) each pending one.
import { api, listOf } from '../api.js';
import { t, term } from '../i18n.js';
import { h, table, dateText, params, field, onSubmit, announce } from '../ui.js';
import { can, directiveId } from '../session.js';
import { waiverForm, waiverRequestForm } from './device.js';

export async function renderWaivers(main, args, ctx) {
  const directive = directiveId(params().get('directive'));
  main.append(h('h1', {}, t('waivers.title')));
  const [data, requestData] = await Promise.all([
    api('GET', '/api/v1/waivers', { query: { directive } }),
    api('GET', '/api/v1/waiver-requests', { query: { directive } }).catch(() => ({ requests: [] })),
  ]);
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
  main.append(requestsSection(listOf(requestData, 'requests'), ctx));
  const device = params().get('device') || '';
  if (device && !can('approve')) main.append(waiverRequestForm(device, directive, ctx));
  main.append(waiverForm(device, directive, ctx,
                         { heading: can('approve') ? 'waivers.grant' : 'waivers.request' }));
}

function requestsSection(requests, ctx) {
  const approver = can('approve');
  const section = h('section', { 'aria-labelledby': 'requests-h', id: 'waiver-requests' },
    h('h2', { id: 'requests-h' }, t('waiver_request.list_title')));
  section.append(table({
    caption: t('waiver_request.caption'), rows: requests, empty: t('waiver_request.none'),
    columns: [
      { label: t('waiver_request.id'), render: (r) => r.request_id },
      { label: t('common.device'), render: (r) => h('a', { href: `#/device/${encodeURIComponent(r.device)}` }, r.device) },
      { label: t('waiver_request.requested_by'), render: (r) => r.requested_by },
      { label: t('waivers.reason'), render: (r) => r.reason },
      { label: t('waivers.from'), render: (r) => dateText(r.from) },
      { label: t('waivers.until'), render: (r) => dateText(r.until) },
      { label: t('waivers.state'), render: (r) => h('span', { 'data-state': r.state }, term('waiver_request_state', r.state)) },
      { label: t('waiver_request.decision'), render: (r) => decision(r, approver, ctx) },
    ],
  }));
  return section;
}

// The decision made, or (for an approver, on a pending request) the Approve and Refuse forms.
function decision(r, approver, ctx) {
  if (r.state === 'refused') {
    return h('span', { class: 'refusal' }, t('waiver_request.refused_because', { reason: r.decision_reason }));
  }
  if (r.state === 'approved') return t('waiver_request.approved_as', { waiver: r.waiver_id, by: r.decided_by });
  if (!approver) return t('waiver_request.awaiting');
  const path = `/api/v1/waiver-requests/${encodeURIComponent(r.request_id)}`;
  const approve = h('form', { class: 'inline', 'data-approve': r.request_id, 'aria-label': t('waiver_request.approve_one', { id: r.request_id }) },
    h('button', { type: 'submit' }, t('waiver_request.approve')));
  onSubmit(approve, async () => {
    await api('POST', `${path}/approve`, { json: {} });
    announce(t('waiver_request.approved'));
    await ctx.rerender();
  });
  const refuse = h('form', { class: 'inline', 'data-refuse': r.request_id, 'aria-label': t('waiver_request.refuse_one', { id: r.request_id }) },
    field({ name: 'reason', label: t('waiver_request.refusal_reason'), required: true }),
    h('button', { type: 'submit', class: 'secondary' }, t('waiver_request.refuse')));
  onSubmit(refuse, async (v) => {
    await api('POST', `${path}/refuse`, { json: { reason: v.reason || '' } });
    announce(t('waiver_request.refused'));
    await ctx.rerender();
  });
  return h('div', { class: 'decide' }, approve, refuse);
}
