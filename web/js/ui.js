// Small DOM helpers: every page is built from elements (never from HTML strings), so data is
// always text and the CSP needs no inline anything.
import { t, term, formatDate, formatNumber } from './i18n.js';

let uid = 0;
export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

// h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child...)
export function h(tag, attrs = {}, ...children) {
  const el = tag === 'svg' || attrs.svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false || name === 'svg') continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.setAttribute('class', value);
    } else if (name === 'text') {
      el.textContent = value;
    } else if (name === 'value' && 'value' in el) {
      el.value = value;
    } else if (name === 'checked') {
      el.checked = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function svg(tag, attrs = {}, ...children) {
  return h(tag, { ...attrs, svg: true }, ...children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

export function statusBadge(status) {
  return h('span', { class: `status status-${status}` }, term('status', status));
}

export function dateText(iso) {
  return iso ? h('time', { datetime: iso }, formatDate(iso)) : '';
}

export function num(n) { return formatNumber(Number(n) || 0); }

// A labelled control. kind: 'text' | 'date' | 'select' | 'file' | 'textarea' | 'password' ...
export function field({ name, label, kind = 'text', value, required, options, hint, attrs = {} }) {
  const id = nextId(name);
  let control;
  if (kind === 'select') {
    control = h('select', { id, name, required, ...attrs },
      (options || []).map(([v, text]) => h('option', { value: v }, text)));
    if (value !== undefined) control.value = value;
  } else if (kind === 'textarea') {
    control = h('textarea', { id, name, required, rows: 3, ...attrs });
    if (value) control.value = value;
  } else {
    control = h('input', { id, name, type: kind, required, value, ...attrs });
  }
  const parts = [h('label', { for: id }, label), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('span', { class: 'hint', id: hintId }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'file' || el.type === 'submit') continue;
    if (el.type === 'checkbox') { values[el.name] = el.checked; continue; }
    if (el.value !== '') values[el.name] = el.value;
  }
  return values;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('.error, .form-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const described = (el.getAttribute('aria-describedby') || '').split(' ')
        .filter((id) => !id.endsWith('-error')).join(' ');
    if (described) el.setAttribute('aria-describedby', described);
    else el.removeAttribute('aria-describedby');
  }
}

// Shows the server's sentence beside the control named by error.field (or at the top of the
// form when no control has that name) and moves the focus there.
export function showError(form, error) {
  clearErrors(form);
  const message = error?.message || t('error.network');
  const control = error?.field ? form.querySelector(`[name="${CSS.escape(error.field)}"]`) : null;
  if (control) {
    const errorId = `${control.id || nextId('c')}-error`;
    control.setAttribute('aria-invalid', 'true');
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${errorId}` : errorId);
    control.closest('.field')?.append(h('p', { class: 'error', id: errorId, role: 'alert' }, message));
    control.focus();
  } else {
    const p = h('p', { class: 'form-error', role: 'alert', tabindex: '-1' }, message);
    form.prepend(p);
    p.focus();
  }
}

// Wires a form's submit to an async action; disables the submit button while it runs and shows
// a refusal beside its field.
export function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const buttons = form.querySelectorAll('button[type="submit"]');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await action(formValues(form), form);
    } catch (error) {
      showError(form, error);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

export function announce(text) {
  const live = document.getElementById('live');
  if (live) { live.textContent = ''; live.textContent = text; }
}

export function table({ caption, columns, rows, empty, id }) {
  if (!rows.length) return h('p', { class: 'muted' }, empty || t('common.none'));
  return h('div', { class: 'table-wrap', id, tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : undefined }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) =>
        h('td', { class: c.num ? 'num' : undefined }, c.render(row))))))));
}

// Definition list of [label, value] pairs, skipping empty values.
export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function params() {
  const hash = window.location.hash || '#/';
  const q = hash.indexOf('?');
  return new URLSearchParams(q >= 0 ? hash.slice(q + 1) : '');
}

export function link(path, query, text) {
  const qs = new URLSearchParams(Object.entries(query || {}).filter(([, v]) => v)).toString();
  return h('a', { href: `#${path}${qs ? `?${qs}` : ''}` }, text);
}
