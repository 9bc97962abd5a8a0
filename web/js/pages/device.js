// One device: its verdict with rule and reason, the history as a timeline, evidence files,
// the waivers that cover it; and, for those who may act, the forms that change it.
import { api, listOf } from '../api.js';
import { t, term, todayIso } from '../i18n.js';
import { findingColumns } from './findings.js';
import { h, field, kv, onSubmit, statusBadge, dateText, params, link, announce, table } from '../ui.js';
import { session, can, directiveId } from '../session.js';

function pick(obj, ...names) {
  for (const n of names) if (obj && obj[n] !== undefined && obj[n] !== null && obj[n] !== '') return obj[n];
  return undefined;
}

export async function renderDevice(main, args, ctx) {
  const id = args[0] || '';
  const directive = directiveId(params().get('directive'));
  const at = params().get('at') || '';
  const [data, waiverData, findingData, requestData] = await Promise.all([
    api('GET', `/api/v1/devices/${encodeURIComponent(id)}`, { query: { at } }).catch((error) => {
      if (error.status === 404) return null;
      throw error;
    }),
    api('GET', '/api/v1/waivers', { query: { directive } }).catch(() => []),
    api('GET', '/api/v1/findings', { query: { directive } }).catch(() => []),
    api('GET', '/api/v1/waiver-requests', { query: { directive } }).catch(() => []),
  ]);
  if (!ctx.isCurrent()) return;
  if (can('overview')) main.append(h('p', {}, link('/overview', { directive }, `← ${t('overview.title')}`)));
  else main.append(h('p', {}, link('/mine', {}, `← ${t('nav.mine')}`)));
  if (!data) {
    main.append(h('h1', {}, t('device.not_found', { id })));
    return;
  }
  const device = data.device || data;
  main.append(h('h1', {}, t('device.title', { id: pick(device, 'device_id', 'id') || id })));
  if (data.as_of) main.append(h('p', { class: 'muted' }, t('overview.as_of_line', { date: '' }), dateText(data.as_of)));
  main.append(kv([
    [t('common.model'), [pick(device, 'vendor'), pick(device, 'model')].filter(Boolean).join(' ')],
    [t('common.platform'), term('platform', pick(device, 'platform') || '')],
    [t('device.os'), pick(device, 'os_version')],
    [t('common.kind'), pick(device, 'kind') && term('kind', device.kind)],
    [t('common.person'), [pick(device, 'holder', 'person_id'), pick(data.holder || {}, 'name')].filter(Boolean).join(' — ')],
    [t('common.unit'), pick(device, 'unit') || pick(data.holder || {}, 'unit')],
    [t('device.ownership'), pick(device, 'ownership') && term('ownership', device.ownership)],
    [t('device.channel'), pick(device, 'channel') && term('channel', device.channel)],
    [t('device.state'), pick(device, 'state') && term('state', device.state)],
    [t('device.serial'), pick(device, 'serial')],
    [t('device.imei'), pick(device, 'imei')],
  ]));

  const verdicts = listOf(data.verdicts ?? (data.verdict ? [data.verdict] : (device.status ? [device] : [])), 'verdicts');
  main.append(h('h2', {}, t('device.verdicts')));
  main.append(h('ul', { id: 'verdicts' }, verdicts.map((v) => h('li', {},
    h('span', { 'data-directive': v.directive || directive }, v.directive || directive), ': ',
    v.in_scope === false ? t('device.not_in_scope') : statusBadge(v.status),
    v.rule ? ` · ${t('device.rule', { rule: v.rule })}` : '', v.reason ? h('p', {}, v.reason) : ''))));

  const cases = data.cases ?? (data.case ? [data.case] : []);
  const kase = cases.find((c) => !c.case || c.case.startsWith(`${directive}/`)) || cases[0];
  if (kase) {
    main.append(h('h2', {}, t('device.case')));
    main.append(h('div', { id: 'device-case' }, kv([
      [t('cases.stage'), term('stage', kase.stage)],
      [t('cases.since'), dateText(kase.stage_since)],
      [t('cases.surrendered'), kase.surrendered === undefined ? '' : (kase.surrendered ? t('common.yes') : t('common.no'))],
      [t('cases.replacement'), kase.replacement_held === undefined ? '' : (kase.replacement_held ? t('common.yes') : t('common.no'))],
    ])));
  }

  // The timeline: the recorded changes about the device, and the case's steps.
  const history = [
    ...listOf(data.events ?? data.history ?? [], 'events').map((e) => ({
      on: pick(e, 'effective', 'on', 'date'), what: pick(e, 'kind', 'stage') || '', who: pick(e, 'actor', 'by'),
      note: pick(e, 'note') })),
    ...listOf(kase?.steps ?? [], 'steps').map((s) => ({ on: s.on, what: `case.${s.stage}`, who: s.by, note: s.note })),
  ].sort((a, b) => String(a.on).localeCompare(String(b.on)));
  main.append(h('h2', {}, t('device.history')));
  main.append(history.length ? h('ol', { class: 'timeline', id: 'device-history' }, history.map((e) => h('li', {},
    dateText(e.on), h('span', {}, term('event', e.what)), e.who ? ` · ${e.who}` : '',
    e.note ? h('div', { class: 'muted' }, e.note) : ''))) : h('p', { class: 'muted' }, t('common.none')));

  const evidence = listOf(data.evidence ?? [], 'evidence');
  main.append(h('h2', {}, t('device.evidence')));
  main.append(evidence.length ? h('ul', { id: 'device-evidence' }, evidence.map((e) => h('li', {},
    typeof e === 'object' && e.name ? `${e.name} ` : '',
    h('span', { class: 'mono' }, typeof e === 'string' ? e : `sha256 ${pick(e, 'sha256') || ''}`),
    typeof e === 'object' && e.size_bytes ? ` · ${t('device.bytes', { count: e.size_bytes })}` : ''))) : h('p', { class: 'muted' }, t('common.none')));

  const findings = listOf(findingData, 'findings').filter((f) => f.device === (pick(device, 'device_id') || id));
  main.append(h('h2', {}, t('device.sightings')));
  main.append(sightingList(listOf(data.sightings ?? [], 'sightings')));
  main.append(h('h3', {}, t('sighting.findings')));
  main.append(table({ caption: t('sighting.findings'), rows: findings, empty: t('common.none'), columns: findingColumns(directive) }));

  const deviceId = pick(device, 'device_id') || id;
  const waivers = listOf(waiverData, 'waivers').filter((w) => w.target === `device ${deviceId}` ||
                                                             w.target === `person ${pick(device, 'holder')}`);
  main.append(h('h2', {}, t('waivers.title')));
  main.append(waivers.length ? h('ul', { id: 'device-waivers' }, waivers.map((w) => h('li', {},
    term('waiver_state', w.state || ''), ': ', dateText(w.from), ' – ', dateText(w.until), ' · ', w.reason || ''))) : h('p', { class: 'muted' }, t('common.none')));

  const requests = listOf(requestData, 'requests').filter((r) => r.device === deviceId);
  main.append(h('h3', {}, t('waiver_request.title')));
  main.append(requestList(requests, 'device-waiver-requests'));

  const holds = Boolean(session.me?.person_id) && pick(device, 'holder') === session.me.person_id;
  if (kase && can('act')) main.append(caseStepForm(deviceId, directive, ctx));
  if (holds || can('act')) main.append(waiverRequestForm(deviceId, directive, ctx));
  if (can('act')) main.append(actionForms(device, id, directive, ctx));
  if (can('approve')) main.append(waiverForm(id, directive, ctx));
}

// The network sightings matched to the device, each with its evidence.
function sightingList(sightings) {
  if (!sightings.length) return h('p', { class: 'muted', id: 'device-sightings' }, t('common.none'));
  return h('ul', { id: 'device-sightings', class: 'sightings' }, sightings.map((s) => h('li', {},
    h('p', {}, dateText(s.seen_on), ' · ', term('platform', s.platform || ''), ' ', term('kind', s.kind || ''),
      ' · ', t('sighting.level', { level: term('sighting_level', s.level || ''), confidence: Math.round((s.confidence || 0) * 100) })),
    kv([
      [t('sighting.key'), h('span', { class: 'mono' }, s.key || '')],
      [t('sighting.macs'), (s.macs || []).join(', ')],
      [t('sighting.ips'), (s.ips || []).join(', ')],
      [t('sighting.hostnames'), (s.hostnames || []).join(', ')],
      [t('sighting.sources'), (s.sources || []).join(', ')],
    ]),
    (s.evidence || []).length ? h('details', {}, h('summary', {}, t('sighting.evidence', { count: s.evidence.length })),
      h('ul', { class: 'evidence' }, s.evidence.map((e) => h('li', {}, e)))) : '')));
}

// Waiver requests with their state, and the decision (who, when, why refused).
export function requestList(requests, id) {
  if (!requests.length) return h('p', { class: 'muted', id }, t('common.none'));
  return h('ul', { id }, requests.map((r) => h('li', { 'data-request': r.request_id },
    h('strong', {}, term('waiver_request_state', r.state)), ' · ', r.request_id, ' · ',
    dateText(r.from), ' – ', dateText(r.until), ' · ', r.reason || '',
    r.state === 'refused' ? h('div', { class: 'refusal' }, t('waiver_request.refused_because', { reason: r.decision_reason || '' })) : '',
    r.state === 'approved' ? h('div', { class: 'muted' }, t('waiver_request.approved_as', { waiver: r.waiver_id || '', by: r.decided_by || '' })) : '')));
}

// Ask for a waiver of one device: its holder, or an officer of its unit. Pending until an
// approver decides on the Waivers page.
export function waiverRequestForm(deviceId, directive, ctx, { formId = 'waiver-request-form' } = {}) {
  const today = todayIso();
  const until = new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10);
  const headingId = `${formId}-h`;
  const form = h('form', { class: 'stack', id: formId, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('waiver_request.ask', { device: deviceId })),
    h('p', { class: 'muted' }, t('waiver_request.intro')),
    h('div', { class: 'row' },
      field({ name: 'from', label: t('waivers.from'), kind: 'date', value: today }),
      field({ name: 'until', label: t('waivers.until'), kind: 'date', value: until, required: true })),
    field({ name: 'reason', label: t('waivers.reason'), kind: 'textarea', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('waiver_request.submit'))));
  onSubmit(form, async (v) => {
    await api('POST', '/api/v1/waiver-requests',
              { json: { directive, device: deviceId, reason: v.reason || '', from: v.from, until: v.until } });
    await done(ctx, t('waiver_request.sent'));
  });
  return form;
}

// A case step recorded by hand (notified, acknowledged, verified, closed).
function caseStepForm(deviceId, directive, ctx) {
  const form = h('form', { class: 'stack', id: 'case-step-form', 'aria-labelledby': 'case-step-h' },
    h('h2', { id: 'case-step-h' }, t('case_step.title')),
    h('div', { class: 'row' },
      field({ name: 'to', label: t('case_step.to'), kind: 'select', value: 'verified',
              options: ['notified', 'acknowledged', 'verified', 'closed'].map((s) => [s, term('stage', s)]) }),
      field({ name: 'on', label: t('common.on'), kind: 'date', value: todayIso() })),
    field({ name: 'note', label: t('common.note'), kind: 'textarea' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('case_step.submit'))));
  onSubmit(form, async (v) => {
    const body = { directive, to: v.to, on: v.on };
    if (v.note) body.note = v.note;
    await api('POST', `/api/v1/cases/${encodeURIComponent(deviceId)}/steps`, { json: body });
    await done(ctx, t('case_step.recorded'));
  });
  return form;
}

async function uploadEvidence(form) {
  const file = form.querySelector('input[type="file"]')?.files?.[0];
  if (!file) return undefined;
  const stored = await api('POST', '/api/v1/evidence', { query: { name: file.name }, raw: file });
  return stored.sha256;
}

function done(ctx, message) {
  announce(message);
  return ctx.rerender();
}

function actionForms(device, id, directive, ctx) {
  const today = todayIso();
  const disposition = h('form', { class: 'stack', id: 'disposition-form', 'aria-labelledby': 'disposition-h' },
    h('h3', { id: 'disposition-h' }, t('device.record_disposition')),
    h('div', { class: 'row' },
      field({ name: 'as', label: t('device.disposition_as'), kind: 'select', value: 'returned',
              options: ['returned', 'destroyed', 'transferred', 'lost'].map((a) => [a, term('disposition', a)]) }),
      field({ name: 'on', label: t('common.on'), kind: 'date', value: today }),
      field({ name: 'by', label: t('device.by'), value: session.me?.person_id || '', hint: t('device.by_hint') }),
      field({ name: 'to', label: t('device.to'), hint: t('device.to_hint') })),
    field({ name: 'evidence', label: t('device.evidence_file'), kind: 'file', hint: t('device.evidence_hint') }),
    field({ name: 'note', label: t('common.note'), kind: 'textarea' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('device.record_disposition'))));
  onSubmit(disposition, async (v, form) => {
    const evidence = await uploadEvidence(form);
    const body = { as: v.as, on: v.on, by: v.by };
    if (v.to) body.to = v.to;
    if (evidence) body.evidence = evidence;
    if (v.note) body.note = v.note;
    await api('POST', `/api/v1/devices/${encodeURIComponent(id)}/disposition`, { json: body });
    await done(ctx, t('device.disposition_recorded'));
  });

  const holder = device.holder || device.person_id;
  const replacement = h('form', { class: 'stack', id: 'replacement-form', 'aria-labelledby': 'replacement-h' },
    h('h3', { id: 'replacement-h' }, t('device.record_replacement', { person: holder || '' })),
    h('div', { class: 'row' },
      field({ name: 'model', label: t('common.model'), required: true }),
      field({ name: 'platform', label: t('common.platform'), kind: 'select', value: 'android',
              options: ['android', 'harmonyos', 'aurora', 'ios', 'other'].map((p) => [p, term('platform', p)]) }),
      field({ name: 'channel', label: t('device.channel'), kind: 'select', value: 'official',
              options: ['official', 'parallel-import', 'personal'].map((c) => [c, term('channel', c)]) }),
      field({ name: 'on', label: t('common.on'), kind: 'date', value: today })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('device.record_replacement_submit'))));
  onSubmit(replacement, async (v) => {
    await api('POST', `/api/v1/people/${encodeURIComponent(holder)}/replacements`,
              { json: { model: v.model, platform: v.platform, channel: v.channel, on: v.on } });
    await done(ctx, t('device.replacement_recorded'));
  });

  const confirm = h('form', { class: 'stack', id: 'handover-confirm-form', 'aria-labelledby': 'confirm-h' },
    h('h3', { id: 'confirm-h' }, t('device.confirm_handover')),
    h('p', { class: 'muted' }, t('device.confirm_handover_intro')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('device.confirm_handover'))));
  onSubmit(confirm, async () => {
    await api('POST', `/api/v1/devices/${encodeURIComponent(id)}/handover/confirm`, { json: {} });
    await done(ctx, t('device.handover_confirmed'));
  });

  return h('section', { 'aria-labelledby': 'act-h' }, h('h2', { id: 'act-h' }, t('device.act')), confirm, disposition, replacement);
}

export function waiverForm(deviceId, directive, ctx, { heading = 'waivers.grant' } = {}) {
  const today = todayIso();
  const until = new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10);
  const form = h('form', { class: 'stack', id: 'waiver-form', 'aria-labelledby': 'waiver-h' },
    h('h2', { id: 'waiver-h' }, t(heading)),
    h('div', { class: 'row' },
      field({ name: 'device', label: t('common.device'), value: deviceId, required: true }),
      field({ name: 'from', label: t('waivers.from'), kind: 'date', value: today }),
      field({ name: 'until', label: t('waivers.until'), kind: 'date', value: until, required: true })),
    field({ name: 'reason', label: t('waivers.reason'), kind: 'textarea', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t(heading))));
  onSubmit(form, async (v) => {
    await api('POST', '/api/v1/waivers', { json: { directive, device: v.device, reason: v.reason || '', from: v.from, until: v.until } });
    await done(ctx, t('waivers.granted'));
  });
  return form;
}
