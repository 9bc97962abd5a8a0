// Who is signed in and what they may do, from GET /api/v1/me; the directives they can see.
import { api, listOf } from './api.js';

export const session = { me: null, directives: [] };

// The server's role names are configurable; these are the defaults the pages understand. When
// /me says what the caller may do (scope), that wins over the names.
export function can(what) {
  const me = session.me;
  if (!me) return false;
  const roles = me.roles || [];
  const scope = me.scope || {};
  const security = roles.includes('security-officer');
  const unitOfficer = roles.includes('unit-officer');
  const auditor = roles.includes('auditor');
  const seesUnits = Boolean(scope.all_units) || (scope.unit_subtrees || []).length > 0;
  switch (what) {
    case 'overview': return seesUnits || security || unitOfficer || auditor;
    // Officers' actions on devices of their units (a holder's self-service is on "My devices").
    case 'act': return 'may_act' in scope ? Boolean(scope.may_act) && seesUnits : (security || unitOfficer);
    case 'approve': return security || Boolean(scope.may_administer);
    case 'audit': return scope.may_read_audit ?? (security || auditor);
    default: return false;
  }
}

export async function loadDirectives() {
  const data = await api('GET', '/api/v1/directives');
  session.directives = listOf(data, 'directives');
  return session.directives;
}

export function directiveId(requested) {
  if (requested && session.directives.some((d) => (d.id || d.directive) === requested)) return requested;
  const first = session.directives[0];
  return first ? (first.id || first.directive) : '';
}
