// The single page: signs in, then routes #/... to the pages of web/js/pages/.
import { api, setCsrfToken, whenUnauthenticated } from './api.js';
import { loadLanguage, preferredLanguage, t, currentLanguage } from './i18n.js';
import { h, clear } from './ui.js';
import { session, can, loadDirectives } from './session.js';
import { renderSignIn } from './pages/signin.js';
import { renderOverview } from './pages/overview.js';
import { renderDevices } from './pages/devices.js';
import { renderDevice } from './pages/device.js';
import { renderCases } from './pages/cases.js';
import { renderMine } from './pages/mine.js';
import { renderWaivers } from './pages/waivers.js';
import { renderFindings } from './pages/findings.js';
import { renderAudit } from './pages/audit.js';
import { adoptStoredLanguage, storeLanguage } from './language.js';

const main = document.getElementById('main');

const routes = {
  overview: { render: renderOverview, nav: 'nav.overview', allowed: () => can('overview') },
  cases: { render: renderCases, nav: 'nav.cases', allowed: () => can('overview') },
  devices: { render: renderDevices, allowed: () => can('overview') },
  device: { render: renderDevice, allowed: () => true },
  mine: { render: renderMine, nav: 'nav.mine', allowed: () => true },
  waivers: { render: renderWaivers, nav: 'nav.waivers', allowed: () => true },
  findings: { render: renderFindings, nav: 'nav.findings', allowed: () => can('overview') },
  audit: { render: renderAudit, nav: 'nav.audit', allowed: () => can('audit') },
};

function currentRoute() {
  const hash = (window.location.hash || '#/').slice(1);
  const path = hash.split('?')[0];
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || '', args: parts.slice(1) };
}

function homeRoute() { return can('overview') ? 'overview' : 'mine'; }

function renderChrome() {
  document.title = t('app.title');
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('lang-label').textContent = t('app.language');
  document.getElementById('lang-select').value = currentLanguage();
  const signout = document.getElementById('signout');
  signout.textContent = t('app.signout');
  signout.hidden = !session.me;
  const who = document.getElementById('who');
  who.textContent = session.me ? t('app.signed_in_as', { name: session.me.name || session.me.person_id }) : '';
  const nav = clear(document.getElementById('nav'));
  nav.setAttribute('aria-label', t('app.nav'));
  if (!session.me) return;
  const active = currentRoute().name || homeRoute();
  for (const [name, route] of Object.entries(routes)) {
    if (!route.nav || !route.allowed()) continue;
    nav.append(h('a', { href: `#/${name}`, 'aria-current': name === active ? 'page' : undefined }, t(route.nav)));
  }
}

let renderSerial = 0;
async function render() {
  const serial = ++renderSerial;
  renderChrome();
  if (!session.me) {
    renderSignIn(clear(main), { onSignedIn });
    return;
  }
  let { name, args } = currentRoute();
  if (!name) name = homeRoute();
  const route = routes[name];
  clear(main);
  if (!route || !route.allowed()) {
    main.append(h('h1', {}, t('error.page_not_found')));
    return;
  }
  try {
    await route.render(main, args, { isCurrent: () => serial === renderSerial, rerender: render });
  } catch (error) {
    if (serial !== renderSerial) return;
    main.append(h('p', { class: 'notice bad', role: 'alert' }, error.message || t('error.network')));
  }
}

async function onSignedIn(me) {
  session.me = me;
  await adoptStoredLanguage(me);
  if (me.csrf_token) setCsrfToken(me.csrf_token);
  await loadDirectives();
  if (window.location.hash && window.location.hash !== '#/') await render();
  else window.location.hash = `#/${homeRoute()}`;
  main.focus();
}

async function signOut() {
  try {
    await api('POST', '/api/v1/logout', { quiet401: true });
  } catch {
    // Signed out already (expired session): nothing more to do.
  }
  session.me = null;
  setCsrfToken('');
  window.location.hash = '#/';
  await render();
}

async function start() {
  await loadLanguage(preferredLanguage());
  whenUnauthenticated(() => {
    if (!session.me) return;
    session.me = null;
    setCsrfToken('');
    render();
  });
  document.getElementById('lang-select').addEventListener('change', async (event) => {
    await storeLanguage(event.target.value, Boolean(session.me));
    await render();
  });
  document.getElementById('signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', () => { render().then(() => main.focus()); });
  try {
    const me = await api('GET', '/api/v1/me', { quiet401: true });
    session.me = me;
    if (me.csrf_token) setCsrfToken(me.csrf_token);
    await adoptStoredLanguage(me);
    await loadDirectives();
  } catch {
    session.me = null;
  }
  await render();
}

start();
