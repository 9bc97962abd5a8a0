// "My devices": each of the holder's devices with its verdict and what they must do by when,
// an "Acknowledge" button for each open notice, "I handed it in" (an officer confirms it),
// declaring a device no inventory lists, and the replacement issued to them.
import { api, listOf } from '../api.js';
import { t, term } from '../i18n.js';
import { h, field, onSubmit, statusBadge, dateText, kv, announce, link } from '../ui.js';
import { session, directiveId } from '../session.js';
import { waiverRequestForm, requestList } from './device.js';

const kAcknowledgeable = new Set(['open', 'notified']);

export async function renderMine(main, args, ctx) {
  const directive = directiveId();
  main.append(h('h1', {}, t('mine.title')));
  if (!directive) { main.append(h('p', {}, t('common.no_directive'))); return; }
  const me = session.me;
  const query = { directive };
  const [devicesData, casesData, status, requestData] = await Promise.all([
    api('GET', '/api/v1/devices', { query }),
    api('GET', '/api/v1/cases', { query }).catch(() => ({ cases: [] })),
    api('GET', '/api/v1/status', { query }).catch(() => ({})),
    api('GET', '/api/v1/waiver-requests', { query }).catch(() => ({ requests: [] })),
  ]);
  if (!ctx.isCurrent()) return;
  const own = (d) => !me.person_id || !d.person_id || d.person_id === me.person_id;
  const devices = listOf(devicesData, 'devices').filter(own);
  const cases = new Map(listOf(casesData, 'cases').map((c) => [c.device_id, c]));
  const milestones = status.milestones || [];

  main.append(h('p', {}, t('mine.intro', { count: devices.length })));
  const list = h('ul', { class: 'devices', id: 'my-devices' });
  const requests = listOf(requestData, 'requests');
  for (const d of devices) {
    const card = deviceCard(d, cases.get(d.device_id), milestones, directive, ctx);
    const mine = requests.filter((r) => r.device === d.device_id);
    if (mine.length) card.append(requestList(mine, `requests-${d.device_id}`));
    if ((d.status === 'pending' || d.status === 'overdue') && !mine.some((r) => r.state === 'pending')) {
      const details = h('details', { class: 'waiver-ask' }, h('summary', {}, t('waiver_request.ask_short')));
      details.append(waiverRequestForm(d.device_id, directive, ctx, { formId: `waiver-request-${d.device_id}` }));
      card.append(details);
    }
    list.append(card);
  }
  main.append(list);

  const replacements = devices.filter((d) => d.status === 'compliant' && d.platform !== 'ios');
  const replaced = [...cases.values()].filter((c) => c.replacement_held);
  if (replaced.length) {
    main.append(h('h2', {}, t('mine.replacement_title')));
    main.append(h('ul', { id: 'my-replacements' }, (replacements.length ? replacements : replaced).map((r) =>
      h('li', {}, r.model || r.device_id, ' · ', term('platform', r.platform || '')))));
  }
  main.append(declareForm(ctx));
}

function deviceCard(d, kase, milestones, directive, ctx) {
  const stage = kase?.stage;
  const card = h('li', { class: `device-card card-${d.status}`, 'data-device': d.device_id },
    h('h3', {}, kase?.model || d.model || term('platform', d.platform || ''), ' ', h('span', { class: 'mono' }, `(${d.device_id})`)),
    h('p', {}, statusBadge(d.status), ' — ', d.reason || ''),
    kv([
      [t('cases.stage'), stage ? term('stage', stage) : ''],
      [t('cases.since'), kase?.stage_since ? dateText(kase.stage_since) : ''],
    ]));
  if (d.status === 'pending' || d.status === 'overdue') {
    card.append(h('ul', {}, milestones.map((m) => h('li', {},
      t(`mine.todo.${m.requires}`, { milestone: m.name }), ' ', t('mine.by'), ' ', dateText(m.due),
      m.days_left < 0 ? h('strong', { class: 'status-overdue' }, ` — ${t('overview.days_past', { count: -m.days_left })}`) : ''))));
  }
  const actions = h('div', { class: 'actions' });
  if (kase && kAcknowledgeable.has(stage)) {
    actions.append(h('button', {
      type: 'button', 'aria-label': `${t('mine.acknowledge')} ${d.device_id}`,
      onclick: (e) => act(e.currentTarget, card, async () => {
        await api('POST', `/api/v1/devices/${encodeURIComponent(d.device_id)}/acknowledge`, { json: { directive } });
        announce(t('mine.acknowledged'));
      }, ctx),
    }, t('mine.acknowledge')));
  }
  card.append(actions);
  if ((d.status === 'pending' || d.status === 'overdue') && !kase?.surrendered) {
    card.append(handoverForm(d, card, ctx));
  }
  actions.append(link(`/device/${encodeURIComponent(d.device_id)}`, { directive }, t('mine.details')));
  return card;
}

async function act(button, card, action, ctx) {
  card.querySelector('.form-error')?.remove();
  button.disabled = true;
  try {
    await action();
    await ctx.rerender();
  } catch (error) {
    button.disabled = false;
    const p = h('p', { class: 'form-error', role: 'alert' }, error.message || t('error.network'));
    card.append(p);
  }
}

// "I handed it in": the holder reports to whom; an officer confirms it on the device page.
function handoverForm(d, card, ctx) {
  const details = h('details', { class: 'handover' }, h('summary', {}, t('mine.handed_in')));
  const form = h('form', { class: 'stack', 'aria-label': `${t('mine.handed_in')} ${d.device_id}` },
    field({ name: 'to', label: t('mine.handed_to'), hint: t('mine.handed_to_hint'), required: true }),
    field({ name: 'note', label: t('common.note'), kind: 'textarea' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('mine.report_handover'))));
  onSubmit(form, async (v) => {
    const body = { to: v.to || '' };
    if (v.note) body.note = v.note;
    await api('POST', `/api/v1/devices/${encodeURIComponent(d.device_id)}/handover`, { json: body });
    announce(t('mine.handed_in_reported'));
    await ctx.rerender();
  });
  details.append(form);
  return details;
}

function declareForm(ctx) {
  const form = h('form', { class: 'stack', id: 'declare-form', 'aria-labelledby': 'declare-h' },
    h('h2', { id: 'declare-h' }, t('mine.declare_title')),
    h('p', { class: 'muted' }, t('mine.declare_intro')),
    h('div', { class: 'row' },
      field({ name: 'kind', label: t('common.kind'), kind: 'select', value: 'phone',
              options: ['phone', 'tablet', 'laptop', 'watch', 'other'].map((k) => [k, term('kind', k)]) }),
      field({ name: 'vendor', label: t('device.vendor') }),
      field({ name: 'model', label: t('common.model'), required: true }),
      field({ name: 'platform', label: t('common.platform'), kind: 'select', value: 'ios',
              options: ['ios', 'android', 'harmonyos', 'aurora', 'other'].map((p) => [p, term('platform', p)]) }),
      field({ name: 'os_version', label: t('device.os') })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('mine.declare_submit'))));
  onSubmit(form, async (v) => {
    const body = { kind: v.kind, model: v.model, platform: v.platform };
    if (v.vendor) body.vendor = v.vendor;
    if (v.os_version) body.os_version = v.os_version;
    await api('POST', '/api/v1/declarations', { json: body });
    announce(t('mine.declared'));
    await ctx.rerender();
  });
  return form;
}
