// The case queue of unit officers: filter by stage, status and unit; open a row's device to
// record a disposition (with evidence), a replacement or a step; acknowledge paper notices in
// bulk.
import { api, listOf } from '../api.js';
import { t, term } from '../i18n.js';
import { h, field, params, link, statusBadge, dateText, announce, clearErrors, showError } from '../ui.js';
import { can, directiveId } from '../session.js';

const kStages = ['', 'open', 'notified', 'acknowledged', 'replacement-issued', 'surrendered', 'verified', 'closed', 'waived'];
const kShown = 500;

export async function renderCases(main, args, ctx) {
  const p = params();
  const directive = directiveId(p.get('directive'));
  const stage = p.get('stage') || '';
  const unit = p.get('unit') || '';
  const overdue = p.get('overdue') === '1';
  main.append(h('h1', {}, t('cases.title')));
  const filters = h('form', { class: 'stack row', role: 'search', 'aria-label': t('cases.filters') },
    field({ name: 'stage', label: t('cases.stage'), kind: 'select', value: stage,
            options: kStages.map((s) => [s, s ? term('stage', s) : t('common.any')]) }),
    field({ name: 'unit', label: t('common.unit'), value: unit, hint: t('devices.unit_hint') }),
    h('div', { class: 'field check' }, h('input', { type: 'checkbox', id: 'f-overdue', name: 'overdue', checked: overdue }),
      h('label', { for: 'f-overdue' }, t('cases.only_overdue'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('common.apply'))));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(filters);
    const q = { directive, stage: f.get('stage'), unit: f.get('unit'), overdue: f.get('overdue') ? '1' : '' };
    window.location.hash = `#/cases?${new URLSearchParams(Object.entries(q).filter(([, v]) => v))}`;
  });
  main.append(filters);
  const data = await api('GET', '/api/v1/cases', { query: { directive, status: stage, unit, overdue: overdue ? 'true' : '' } });
  if (!ctx.isCurrent()) return;
  const cases = listOf(data, 'cases');
  main.append(h('p', {}, t('cases.count', { count: cases.length })));
  const shown = cases.slice(0, kShown);
  const bulk = h('form', { class: 'stack', id: 'bulk-form', 'aria-label': t('cases.bulk') });
  const selectAll = h('input', { type: 'checkbox', id: 'select-all', 'aria-label': t('cases.select_all') });
  selectAll.addEventListener('change', () => {
    for (const box of bulk.querySelectorAll('input[name="case"]')) box.checked = selectAll.checked;
  });
  // A case step from the row: each row's controls belong to a form of its own outside the bulk
  // form (forms do not nest), through the controls' form attribute.
  const act = can('act');
  const stepForms = h('div', { id: 'case-step-forms' });
  const stepCell = (c) => {
    const formId = `step-${c.device_id}`;
    const form = h('form', { id: formId, 'aria-label': t('case_step.row', { device: c.device_id }) });
    stepForms.append(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const select = document.getElementById(`${formId}-to`);
      const button = e.submitter || form.querySelector('button');
      clearErrors(bulk);
      try {
        if (button) button.disabled = true;
        await api('POST', `/api/v1/cases/${encodeURIComponent(c.device_id)}/steps`, { json: { directive, to: select.value } });
        announce(t('case_step.recorded'));
        await ctx.rerender();
      } catch (error) {
        if (button) button.disabled = false;
        showError(bulk, { message: `${c.device_id}: ${error.message}` });
      }
    });
    return h('td', { class: 'step' },
      h('select', { id: `${formId}-to`, form: formId, 'aria-label': t('case_step.row', { device: c.device_id }) },
        ['acknowledged', 'verified', 'closed', 'notified'].map((s) => h('option', { value: s }, term('stage', s)))),
      ' ', h('button', { type: 'submit', form: formId, class: 'secondary' }, t('case_step.record')));
  };
  const rows = shown.map((c) => h('tr', { 'data-case': c.device_id },
    h('td', {}, h('input', { type: 'checkbox', name: 'case', value: c.device_id, id: `sel-${c.device_id}`,
                             'aria-label': t('cases.select', { device: c.device_id }) })),
    h('td', {}, link(`/device/${encodeURIComponent(c.device_id)}`, { directive }, c.device_id)),
    h('td', {}, c.person_id), h('td', {}, c.unit), h('td', {}, c.model || ''),
    h('td', {}, term('stage', c.stage)), h('td', {}, dateText(c.stage_since)),
    h('td', {}, statusBadge(c.verdict)),
    act ? stepCell(c) : null));
  bulk.append(h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', {}, t('cases.caption')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, selectAll),
      [t('common.device'), t('common.person'), t('common.unit'), t('common.model'), t('cases.stage'), t('cases.since'), t('common.status')]
        .map((c) => h('th', { scope: 'col' }, c)),
      act ? h('th', { scope: 'col' }, t('case_step.title')) : null)),
    h('tbody', {}, rows))));
  if (cases.length > kShown) bulk.append(h('p', { class: 'muted' }, t('devices.truncated', { shown: kShown, count: cases.length })));
  if (can('act')) {
    bulk.append(h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('cases.bulk_acknowledge'))));
    bulk.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(bulk);
      const chosen = [...bulk.querySelectorAll('input[name="case"]:checked')].map((b) => b.value);
      let done = 0;
      for (const device of chosen) {
        try {
          await api('POST', `/api/v1/devices/${encodeURIComponent(device)}/acknowledge`, { json: { directive } });
          done += 1;
        } catch (error) {
          showError(bulk, { message: `${device}: ${error.message}` });
          break;
        }
      }
      announce(t('cases.bulk_done', { count: done }));
      if (done) await ctx.rerender();
    });
  }
  main.append(bulk);
  if (act) main.append(stepForms);
}
