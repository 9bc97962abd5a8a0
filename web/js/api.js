// Every call the pages make goes through here: same-origin fetch with the session cookie, the
// session's CSRF token on every unsafe method, and the API's error body turned into ApiError.
import { currentLanguage } from './i18n.js';

const kCsrfKey = 'phaseout.csrf';

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code || '';
    this.field = error?.field || '';
  }
}

export function setCsrfToken(token) {
  if (token) sessionStorage.setItem(kCsrfKey, token);
  else sessionStorage.removeItem(kCsrfKey);
}

let onUnauthenticated = () => {};
export function whenUnauthenticated(callback) { onUnauthenticated = callback; }

function buildUrl(path, query) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  return url.pathname + url.search;
}

// api('GET', '/api/v1/status', {query: {directive}}); api('POST', path, {json: {...}});
// api('POST', '/api/v1/evidence', {raw: file}). Resolves to the parsed JSON (or the text when
// the answer is not JSON, e.g. the audit export's lines).
export async function api(method, path, { query, json, raw, quiet401 = false } = {}) {
  // The page's language, which may differ from the browser's: the server's sentences follow it.
  const headers = { Accept: 'application/json', 'Accept-Language': currentLanguage() };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (raw !== undefined) {
    headers['Content-Type'] = raw.type || 'application/octet-stream';
    body = raw;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const token = sessionStorage.getItem(kCsrfKey);
    if (token) headers['X-CSRF-Token'] = token;
  }
  const response = await fetch(buildUrl(path, query), {
    method, headers, body, credentials: 'same-origin', cache: 'no-store',
  });
  const type = response.headers.get('Content-Type') || '';
  const text = await response.text();
  let data = text;
  if (type.includes('json') && text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, typeof data === 'object' ? data?.error : null);
    if (response.status === 401 && !quiet401) onUnauthenticated(error);
    throw error;
  }
  return data;
}

// A list the API answers either bare or wrapped ({"devices": [...]}).
export function listOf(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  return [];
}
