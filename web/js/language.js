// A person's language is kept with them on the server (PUT /api/v1/me/language): the switch
// stores it when signed in, and a sign-in on any browser adopts it (GET /api/v1/me's language).
import { api } from './api.js';
import { currentLanguage, loadLanguage } from './i18n.js';

// After sign-in (or on load with a session): the stored language wins over the browser's.
export async function adoptStoredLanguage(me) {
  if (me && typeof me.language === 'string' && me.language && me.language !== currentLanguage()) {
    await loadLanguage(me.language, true);
  }
}

// The switch changed the language: remember it here and, when signed in, with the person.
export async function storeLanguage(code, signedIn) {
  await loadLanguage(code, true);
  if (!signedIn) return;
  try {
    await api('PUT', '/api/v1/me/language', { json: { language: currentLanguage() } });
  } catch {
    // Kept in this browser at least; the server's refusal (e.g. a read-only token) is not fatal.
  }
}
