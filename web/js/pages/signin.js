// Sign-in at "/": a form with fields named login and password, and single sign-on when the
// server has it configured (the button leads to the OIDC start route GET /api/v1/login names).
import { api, setCsrfToken } from '../api.js';
import { t } from '../i18n.js';
import { h, field, onSubmit } from '../ui.js';

export function renderSignIn(main, { onSignedIn }) {
  const form = h('form', { class: 'stack signin', method: 'post', action: '/api/v1/login', novalidate: true },
    h('h1', {}, t('signin.title')),
    field({ name: 'login', label: t('signin.login'), hint: t('signin.login_hint'), required: true,
            attrs: { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' } }),
    field({ name: 'password', label: t('signin.password'), kind: 'password', required: true,
            attrs: { autocomplete: 'current-password' } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('signin.submit'))));
  const ssoLink = h('a', { class: 'button secondary', id: 'sso-link', href: '/api/v1/oidc/start' }, t('signin.sso'));
  const sso = h('p', { hidden: true }, ssoLink);
  form.append(sso);
  onSubmit(form, async (values) => {
    if (!values.login) throw { field: 'login', message: t('signin.login_required') };
    if (!values.password) throw { field: 'password', message: t('signin.password_required') };
    const ticket = await api('POST', '/api/v1/login', { json: { login: values.login, password: values.password }, quiet401: true });
    setCsrfToken(ticket.csrf_token);
    let me = ticket;
    try {
      me = { ...ticket, ...(await api('GET', '/api/v1/me')) };
    } catch {
      // /me is optional here: the login answer names the person and roles already.
    }
    await onSignedIn(me);
  });
  main.append(form);
  // Single sign-on is offered when the server says it is configured (GET /api/v1/login
  // answers {"sso": true} then; any other answer leaves the button hidden).
  api('GET', '/api/v1/login', { quiet401: true })
    .then((info) => {
      if (!info || info.sso !== true) return;
      if (info.sso_start) ssoLink.setAttribute('href', info.sso_start);
      sso.hidden = false;
    })
    .catch(() => {});
  form.querySelector('input[name="login"]').focus();
}
