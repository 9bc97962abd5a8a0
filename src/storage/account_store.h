// AccountStore: persistence of sign-in — password credentials, sessions and bearer tokens.
//
// It stores only what it is given: password hashes (argon2id strings), SHA-256 hex digests of
// session ids and token secrets; hashing and checking are service's (service/accounts.cc).
// These tables hold current state, not history. Every change to a credential or a token
// appends one audit event ("account.password", "account.lock", "account.unlock",
// "token.create", "token.revoke") naming the person, the token and what changed — never a
// password, a hash or a secret — with no row digest (the rows change in place: a lock, a
// revocation, the last use). Sessions are not audited changes.
//
// Writes must run inside a write transaction (the caller's), reads inside any transaction or
// none. Not thread-safe; shares the Repository's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/repository.h"

namespace phaseout::storage {

struct Credential {
  std::string person_id;
  std::string password_hash;  // empty when no password was ever set (a lock alone)
  bool locked = false;
  std::int64_t updated_ms = 0;
};

struct SessionRecord {
  std::string session_hash;  // SHA-256 hex of the session id
  std::string person_id;
  std::string csrf_token;
  std::int64_t created_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::optional<std::int64_t> ended_ms;
};

struct TokenRecord {
  std::string token_id;  // "tok-<n>", assigned by insertToken
  std::string person_id;
  std::string name;
  std::string secret_hash;                  // SHA-256 hex of the secret
  std::string scope;                        // "read" | "write" | "sensor" (service parses it)
  std::optional<std::int32_t> expires_day;  // Date::days() of the last valid day
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> revoked_ms;
  std::optional<std::int64_t> last_used_ms;
};

class AccountStore {
 public:
  explicit AccountStore(Repository& repository) : repo_(repository) {}

  // The people any version of whom had this e-mail address (ASCII letters compared without
  // case; `email` given in lower case), ordered by id.
  Result<std::vector<std::string>> personIdsByEmail(const std::string& email);

  // std::nullopt when the person has no credential (never had a password or a lock).
  Result<std::optional<Credential>> loadCredential(const std::string& person_id);
  // Sets or replaces the password hash (the lock is kept) with an "account.password" event.
  Status setPasswordHash(const std::string& person_id, const std::string& password_hash,
                         const ChangeContext& change);
  // Locks or unlocks with an "account.lock" / "account.unlock" event; false (and no event)
  // when the account already was in that state.
  Result<bool> setLocked(const std::string& person_id, bool locked, const ChangeContext& change);

  Status insertSession(const SessionRecord& session);
  Result<std::optional<SessionRecord>> loadSession(const std::string& session_hash);
  Status touchSession(const std::string& session_hash, std::int64_t now_ms);
  Status endSession(const std::string& session_hash, std::int64_t now_ms);
  // Ends every open session of the person (a new password, a lock).
  Status endSessionsOf(const std::string& person_id, std::int64_t now_ms);
  // Forgets sessions last seen before `before_ms` (expired ones; kept small).
  Status deleteSessionsBefore(std::int64_t before_ms);

  // Assigns the next token id, stores the token with a "token.create" event and returns it.
  // AlreadyExists (field "name") when the person already has a token of that name.
  Result<TokenRecord> insertToken(TokenRecord token, const ChangeContext& change);
  Result<std::optional<TokenRecord>> loadToken(const std::string& token_id);
  Result<std::optional<TokenRecord>> loadTokenBySecret(const std::string& secret_hash);
  // The tokens of one person (every token when person_id is empty), in id order.
  Result<std::vector<TokenRecord>> loadTokens(const std::string& person_id);
  // NotFound for an unknown id; FailedPrecondition when already revoked. A "token.revoke"
  // event; the revocation time is change.recorded_ms.
  Status revokeToken(const std::string& token_id, const ChangeContext& change);
  Status touchToken(const std::string& token_id, std::int64_t now_ms);

 private:
  Repository& repo_;
};

}  // namespace phaseout::storage
