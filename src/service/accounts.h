// Accounts, sessions and tokens: who may sign in to `phaseout serve`, and the Caller a signed-in
// person or a token gets.
//
// An account is a person of the directory. Their roles and unit there decide their Scope
// (RoleNames says which role names mean what; the server config can rename them):
//   security-officer  every unit, act, administer, read the audit trail
//   unit-officer      act in their unit's subtree
//   auditor           every unit, read the audit trail, change nothing
//   every active person: their own devices and cases (self-service: acknowledge, declare,
//                       report a hand-over)
// A person whose status is not active cannot sign in, and their sessions and tokens stop
// working at once (checked on every request, not only at sign-in).
//
// Secrets are stored hashed: passwords with argon2id (libsodium crypto_pwhash), session ids
// and tokens as SHA-256 of 32 random bytes. Every change to an account or a token is one audit
// event whose actor is the Caller; sessions are not audited changes (sign-ins are logged).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct RoleNames {
  std::string security_officer = "security-officer";
  std::string unit_officer = "unit-officer";
  std::string auditor = "auditor";
};

enum class TokenScope { kRead, kWrite, kSensor };
std::string_view name(TokenScope scope);
// "read" | "write" | "sensor"; InvalidArgument with field "scope" otherwise.
Result<TokenScope> parseTokenScope(std::string_view text);

// Who a request is made as, once its credentials are checked.
struct Authenticated {
  Caller caller;                            // actor = person id, or "token:<name>" for tokens
  std::vector<std::string> roles;           // the person's directory roles
  std::optional<TokenScope> token_scope;    // set when authenticated by a bearer token
};

// The Caller of a person of the directory, from their roles and unit today. NotFound when no
// such person; PermissionDenied when they are not active.
Result<Authenticated> callerForPerson(Workspace& ws, std::string_view person_id,
                                      const RoleNames& roles);

// --- administration (CLI `account`, `token`; needs Caller::mayAdminister) ---

// Sets (or replaces) the person's password. InvalidArgument on "password" when shorter than 12
// characters or longer than 1024 bytes.
Status setPassword(const Caller& caller, Workspace& ws, std::string_view person_id,
                   std::string_view password, const Recording& recording);
Status lockAccount(const Caller& caller, Workspace& ws, std::string_view person_id,
                   const Recording& recording);
Status unlockAccount(const Caller& caller, Workspace& ws, std::string_view person_id,
                     const Recording& recording);

struct TokenRequest {
  std::string person_id;
  std::string name;  // unique per person
  TokenScope scope = TokenScope::kRead;
  std::optional<Date> expires;  // valid through this day (UTC); none = until revoked
};

struct TokenInfo {
  std::string token_id;  // "tok-<n>"
  std::string person_id;
  std::string name;
  TokenScope scope = TokenScope::kRead;
  std::optional<Date> expires;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> revoked_ms;
  std::optional<std::int64_t> last_used_ms;
};

struct CreatedToken {
  TokenInfo info;
  std::string secret;  // "po_<base64url>", shown once; only its hash is kept
};

Result<CreatedToken> createToken(const Caller& caller, Workspace& ws, const TokenRequest& request,
                                 const Recording& recording);
// Tokens of one person, or of everyone when person_id is empty.
Result<std::vector<TokenInfo>> listTokens(const Caller& caller, Workspace& ws,
                                          std::string_view person_id);
Status revokeToken(const Caller& caller, Workspace& ws, std::string_view token_id,
                   const Recording& recording);

// --- sign-in (server) ---

struct SessionTicket {
  std::string session_id;  // the cookie value (random, only its hash is stored)
  std::string csrf_token;  // the X-CSRF-Token every unsafe request of this session must carry
  Authenticated who;
};

// `login` is a person id or an e-mail (case-insensitive). Unauthenticated with one sentence
// whatever is wrong (no such person, no password set, wrong password, locked, not active), so
// a caller cannot tell which accounts exist.
Result<SessionTicket> login(Workspace& ws, std::string_view login, std::string_view password,
                            std::int64_t now_ms, const RoleNames& roles);
// A session for a person already authenticated elsewhere (single sign-on). `person_id` may also
// be an e-mail address (case-insensitive), as server/oidc.h's finish() returns; an address that
// names no one or several people, a person not active or locked: Unauthenticated.
Result<SessionTicket> openSession(Workspace& ws, std::string_view person_id, std::int64_t now_ms,
                                  const RoleNames& roles);
// The session's person, re-derived now; Unauthenticated when unknown, expired (idle 12 h,
// absolute 7 days), ended, or the person is locked or not active. Also returns the CSRF token.
Result<SessionTicket> resumeSession(Workspace& ws, std::string_view session_id,
                                    std::int64_t now_ms, const RoleNames& roles);
Status endSession(Workspace& ws, std::string_view session_id);
// A bearer token's caller; Unauthenticated when unknown, revoked, expired, or its person is
// locked or not active. Read tokens get a read-only scope; sensor tokens may only post sightings:
// their Caller's Scope sees no unit, acts on nothing and administers nothing, and has only
// may_record_sightings (checked in service); token_scope is kSensor, which the authentication
// layer uses to keep every other route closed to it.
// Write tokens get the person's own scope. The actor is "token:<name>".
Result<Authenticated> authenticateToken(Workspace& ws, std::string_view secret,
                                        std::int64_t now_ms, const RoleNames& roles);

}  // namespace phaseout::service
