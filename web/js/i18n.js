// The message catalog (web/i18n/<lang>.json, the same one the server uses for its sentences)
// and the formatting of dates and numbers for the language.
const kSupported = ['en', 'ru'];
const kStorageKey = 'phaseout.lang';

let lang = 'en';
let catalog = {};
let fallback = {};

// The language remembered, else the first of Accept-Language (navigator.languages) we have.
export function preferredLanguage() {
  const kept = localStorage.getItem(kStorageKey);
  if (kept && kSupported.includes(kept)) return kept;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (kSupported.includes(base)) return base;
  }
  return 'en';
}

async function fetchCatalog(code) {
  const response = await fetch(`/i18n/${code}.json`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`catalog ${code}: HTTP ${response.status}`);
  return response.json();
}

export async function loadLanguage(code, remember = false) {
  if (!kSupported.includes(code)) code = 'en';
  if (Object.keys(fallback).length === 0) fallback = await fetchCatalog('en');
  catalog = code === 'en' ? fallback : await fetchCatalog(code);
  lang = code;
  document.documentElement.lang = code;
  if (remember) localStorage.setItem(kStorageKey, code);
}

export function currentLanguage() { return lang; }

// t('overview.days_left', {count: 3}) picks "overview.days_left.few" in Russian when the
// catalog has plural forms (Intl.PluralRules categories), then fills {name} placeholders.
export function t(key, params = {}) {
  let text;
  if (typeof params.count === 'number') {
    const category = new Intl.PluralRules(lang).select(params.count);
    text = catalog[`${key}.${category}`] ?? catalog[`${key}.other`] ??
           fallback[`${key}.${category}`] ?? fallback[`${key}.other`];
  }
  text = text ?? catalog[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'number' ? formatNumber(value) : String(value);
  });
}

// The translated name of a closed-vocabulary value ("status.overdue"), or the value itself.
export function term(group, value) {
  const key = `${group}.${value}`;
  return catalog[key] ?? fallback[key] ?? String(value);
}

export function formatNumber(n, options = {}) {
  return new Intl.NumberFormat(lang, options).format(n);
}

export function formatPercent(part, whole) {
  if (!whole) return formatNumber(0, { style: 'percent' });
  return formatNumber(part / whole, { style: 'percent', maximumFractionDigits: 0 });
}

// A civil date "YYYY-MM-DD" as the language writes it (no time zone shift).
export function formatDate(iso) {
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso || '';
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' })
      .format(new Date(Date.UTC(y, m - 1, d)));
}

export function formatDateTime(epochMs) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })
      .format(new Date(epochMs));
}

export function todayIso() {
  return new Date().toISOString().slice(0, 10);
}
