#include "service/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <limits>

#include "core/strings.h"
#include "service/workspace_access.h"
#include "storage/account_store.h"
#include "storage/connection.h"

namespace phaseout::service {
namespace {

using storage::AccountStore;
using storage::Transaction;

// One sentence for every refused sign-in, and one for every refused session or token: a caller
// learns nothing about which accounts exist or why a credential failed.
constexpr std::string_view kLoginRefused =
    "sign-in refused: the login or the password is wrong, or the account may not sign in";
constexpr std::string_view kCredentialRefused =
    "not signed in: the session or token is unknown, expired, revoked, or its account may not "
    "sign in";

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kSessionIdleMs = 12 * kHourMs;
constexpr std::int64_t kSessionLifetimeMs = 7 * 24 * kHourMs;
// last_seen / last_used are written at most this often: a request is not a write.
constexpr std::int64_t kTouchIntervalMs = 60'000;

constexpr std::size_t kMinPasswordChars = 12;
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMaxTokenNameBytes = 64;
constexpr std::size_t kSecretBytes = 32;
constexpr std::string_view kTokenPrefix = "po_";

// The day that stands for "the latest version" of a person (no clock at hand).
constexpr Date kLatest = Date::fromDays(std::numeric_limits<std::int32_t>::max() / 2);

Status sodiumReady() {
  static const int kInit = sodium_init();  // thread-safe, idempotent
  if (kInit < 0) return internalError("libsodium could not be initialised");
  return Status::ok();
}

// base64url (no padding) of `bytes` random bytes from the system's CSPRNG.
std::string randomSecret() {
  std::array<unsigned char, kSecretBytes> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

// Lower-case hex SHA-256 of a secret: what is stored of session ids and tokens (they carry 256
// random bits, so a fast hash is enough; no salt or stretching is needed).
std::string secretHash(std::string_view secret) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> hashPassword(std::string_view password) {
  std::string out(crypto_pwhash_STRBYTES, '\0');
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return resourceExhausted("not enough memory to hash the password");
  }
  out.resize(out.find('\0'));
  return out;
}

bool passwordMatches(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// A hash no password matches, verified when there is no account, so that a refusal takes
// about as long whether or not the account exists.
const std::string& decoyHash() {
  static const std::string kDecoy = [] {
    auto hash = hashPassword(randomSecret());
    return hash.isOk() ? *hash : std::string();
  }();
  return kDecoy;
}

std::size_t utf8Chars(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool hasRole(const inventory::Person& person, const std::string& role) {
  return !role.empty() &&
         std::find(person.roles.begin(), person.roles.end(), role) != person.roles.end();
}

bool active(const inventory::Person& person) {
  return person.status == inventory::EmploymentStatus::kActive;
}

Authenticated personCaller(const inventory::Person& person, const RoleNames& names) {
  Authenticated who;
  who.roles = person.roles;
  Caller& c = who.caller;
  c.actor = person.person_id;
  c.person_id = person.person_id;
  c.scope.own_person = person.person_id;  // self-service: their own devices and cases
  if (hasRole(person, names.security_officer)) {
    c.scope.all_units = true;
    c.scope.may_act = true;
    c.scope.may_administer = true;
    c.scope.may_read_audit = true;
    return who;
  }
  if (hasRole(person, names.unit_officer) && !person.unit.empty()) {
    c.scope.unit_subtrees.push_back(person.unit);
    c.scope.may_act = true;
  }
  if (hasRole(person, names.auditor)) {
    // An auditor reads everything and changes nothing, even when also a unit officer: a
    // Scope cannot read every unit yet act in one, and an auditor must not act.
    c.scope.unit_subtrees.clear();
    c.scope.all_units = true;
    c.scope.may_act = false;
    c.scope.may_read_audit = true;
  }
  return who;
}

// The person as of `day`; NotFound naming them when absent.
Result<inventory::Person> loadPerson(storage::Repository& repo, std::string_view person_id,
                                     Date day) {
  auto person = repo.loadPerson(std::string(person_id), day);
  if (!person.isOk() && person.status().code() == StatusCode::kNotFound) {
    return notFound("no person '" + std::string(person_id) + "'").withField("person");
  }
  return person;
}

// A person who may sign in now: known, active, not locked. Any failure is kCredentialRefused
// (or `refusal`); storage errors pass through.
Result<Authenticated> signedInCaller(storage::Repository& repo, std::string_view person_id,
                                     std::int64_t now_ms, const RoleNames& roles,
                                     std::string_view refusal) {
  auto person = repo.loadPerson(std::string(person_id), Date::fromEpochMs(now_ms));
  if (!person.isOk()) {
    if (person.status().code() == StatusCode::kNotFound) {
      return unauthenticated(std::string(refusal));
    }
    return person.status();
  }
  if (!active(*person)) return unauthenticated(std::string(refusal));
  AccountStore store(repo);
  PH_ASSIGN_OR_RETURN(auto credential, store.loadCredential(person->person_id));
  if (credential && credential->locked) return unauthenticated(std::string(refusal));
  return personCaller(*person, roles);
}

// The person a login names: a person id, else a unique e-mail address or user principal name
// (case-insensitive).
Result<std::optional<std::string>> resolveLogin(storage::Repository& repo, std::string_view login,
                                                Date today) {
  if (login.empty()) return std::optional<std::string>();
  auto by_id = repo.loadPerson(std::string(login), today);
  if (by_id.isOk()) return std::optional<std::string>(by_id->person_id);
  if (by_id.status().code() != StatusCode::kNotFound) return by_id.status();
  if (login.find('@') == std::string_view::npos) return std::optional<std::string>();
  const std::string email = toLower(login);
  AccountStore store(repo);
  PH_ASSIGN_OR_RETURN(auto ids, store.personIdsByEmail(email));
  std::optional<std::string> found;
  for (const auto& id : ids) {
    auto person = repo.loadPerson(id, today);
    if (!person.isOk()) {
      if (person.status().code() == StatusCode::kNotFound) continue;
      return person.status();
    }
    // An address they no longer have:
    if (toLower(person->email) != email && toLower(person->upn) != email) continue;
    if (found) return std::optional<std::string>();  // shared address: names no one
    found = id;
  }
  return found;
}

Result<SessionTicket> newSession(storage::Repository& repo, Authenticated who,
                                 std::int64_t now_ms) {
  SessionTicket ticket;
  ticket.session_id = randomSecret();
  ticket.csrf_token = randomSecret();
  ticket.who = std::move(who);
  storage::SessionRecord record;
  record.session_hash = secretHash(ticket.session_id);
  record.person_id = ticket.who.caller.person_id;
  record.csrf_token = ticket.csrf_token;
  record.created_ms = now_ms;
  record.last_seen_ms = now_ms;
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  AccountStore store(repo);
  PH_RETURN_IF_ERROR(store.deleteSessionsBefore(now_ms - kSessionLifetimeMs));
  PH_RETURN_IF_ERROR(store.insertSession(record));
  PH_RETURN_IF_ERROR(tx->commit());
  return ticket;
}

Result<TokenInfo> tokenInfo(const storage::TokenRecord& record) {
  TokenInfo info;
  info.token_id = record.token_id;
  info.person_id = record.person_id;
  info.name = record.name;
  auto scope = parseTokenScope(record.scope);
  if (!scope.isOk()) {
    return dataLoss("stored token " + record.token_id + " has scope '" + record.scope + "'");
  }
  info.scope = *scope;
  if (record.expires_day) info.expires = Date::fromDays(*record.expires_day);
  info.created_ms = record.created_ms;
  info.revoked_ms = record.revoked_ms;
  info.last_used_ms = record.last_used_ms;
  return info;
}

// What every administration call checks first: the caller may administer, the schema is current.
Status adminPrelude(const Caller& caller, storage::Repository& repo, std::string_view action) {
  PH_RETURN_IF_ERROR(caller.mayAdminister(action));
  PH_RETURN_IF_ERROR(repo.checkReady());
  return sodiumReady();
}

Status setLock(const Caller& caller, Workspace& ws, std::string_view person_id, bool locked,
               const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(adminPrelude(caller, repo, locked ? "lock accounts" : "unlock accounts"));
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto person, loadPerson(repo, person_id, recording.today()));
  AccountStore store(repo);
  const auto change = changeContext(caller, recording, locked ? "account lock" : "account unlock");
  PH_ASSIGN_OR_RETURN(bool changed, store.setLocked(person.person_id, locked, change));
  if (!changed) {
    return failedPrecondition("the account of " + person.person_id + " is already " +
                              (locked ? "locked" : "unlocked"));
  }
  if (locked) PH_RETURN_IF_ERROR(store.endSessionsOf(person.person_id, recording.now_ms));
  return tx->commit();
}

}  // namespace

std::string_view name(TokenScope scope) {
  switch (scope) {
    case TokenScope::kRead:
      return "read";
    case TokenScope::kWrite:
      return "write";
    case TokenScope::kSensor:
      return "sensor";
  }
  return "read";
}

Result<TokenScope> parseTokenScope(std::string_view text) {
  for (TokenScope s : {TokenScope::kRead, TokenScope::kWrite, TokenScope::kSensor}) {
    if (text == name(s)) return s;
  }
  return invalidField("scope", "expected read, write or sensor, got '" + std::string(text) + "'");
}

Result<Authenticated> callerForPerson(Workspace& ws, std::string_view person_id,
                                      const RoleNames& roles) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto person, loadPerson(repo, person_id, kLatest));
  if (!active(person)) {
    return permissionDenied("person " + person.person_id + " is not active");
  }
  return personCaller(person, roles);
}

Status setPassword(const Caller& caller, Workspace& ws, std::string_view person_id,
                   std::string_view password, const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(adminPrelude(caller, repo, "set passwords"));
  if (utf8Chars(password) < kMinPasswordChars) {
    return invalidField(
        "password", "a password has at least " + std::to_string(kMinPasswordChars) + " characters");
  }
  if (password.size() > kMaxPasswordBytes) {
    return invalidField("password",
                        "a password has at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(auto person, loadPerson(repo, person_id, recording.today()));
    if (!active(person)) {
      return failedPrecondition("person " + person.person_id +
                                " is not active; an account of theirs cannot sign in")
          .withField("person");
    }
    PH_RETURN_IF_ERROR(tx->commit());
  }
  // Hashed outside the write transaction: a slow hash must not hold the writers' lock.
  PH_ASSIGN_OR_RETURN(std::string hash, hashPassword(password));
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto person, loadPerson(repo, person_id, recording.today()));
  AccountStore store(repo);
  PH_RETURN_IF_ERROR(store.setPasswordHash(person.person_id, hash,
                                           changeContext(caller, recording, "account password")));
  // A new password ends the sessions opened with the old one.
  PH_RETURN_IF_ERROR(store.endSessionsOf(person.person_id, recording.now_ms));
  return tx->commit();
}

Status lockAccount(const Caller& caller, Workspace& ws, std::string_view person_id,
                   const Recording& recording) {
  return setLock(caller, ws, person_id, true, recording);
}

Status unlockAccount(const Caller& caller, Workspace& ws, std::string_view person_id,
                     const Recording& recording) {
  return setLock(caller, ws, person_id, false, recording);
}

Result<CreatedToken> createToken(const Caller& caller, Workspace& ws, const TokenRequest& request,
                                 const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(adminPrelude(caller, repo, "create tokens"));
  if (request.name.empty()) return invalidField("name", "name the token");
  if (request.name.size() > kMaxTokenNameBytes) {
    return invalidField(
        "name", "a token name has at most " + std::to_string(kMaxTokenNameBytes) + " bytes");
  }
  for (char c : request.name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return invalidField("name", "a token name has no control characters");
    }
  }
  if (request.expires && *request.expires < recording.today()) {
    return invalidField("expires", "the day " + request.expires->toString() +
                                       " is already past; a token expires today or later");
  }
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto person, loadPerson(repo, request.person_id, recording.today()));
  if (!active(person)) {
    return failedPrecondition("person " + person.person_id +
                              " is not active; a token of theirs would not work")
        .withField("person");
  }
  CreatedToken created;
  created.secret = std::string(kTokenPrefix) + randomSecret();
  storage::TokenRecord record;
  record.person_id = person.person_id;
  record.name = request.name;
  record.secret_hash = secretHash(created.secret);
  record.scope = std::string(name(request.scope));
  if (request.expires) record.expires_day = request.expires->days();
  AccountStore store(repo);
  PH_ASSIGN_OR_RETURN(auto stored,
                      store.insertToken(record, changeContext(caller, recording, "token create")));
  PH_RETURN_IF_ERROR(tx->commit());
  PH_ASSIGN_OR_RETURN(created.info, tokenInfo(stored));
  return created;
}

Result<std::vector<TokenInfo>> listTokens(const Caller& caller, Workspace& ws,
                                          std::string_view person_id) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(adminPrelude(caller, repo, "list tokens"));
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  AccountStore store(repo);
  PH_ASSIGN_OR_RETURN(auto records, store.loadTokens(std::string(person_id)));
  std::vector<TokenInfo> out;
  out.reserve(records.size());
  for (const auto& r : records) {
    PH_ASSIGN_OR_RETURN(auto info, tokenInfo(r));
    out.push_back(std::move(info));
  }
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

Status revokeToken(const Caller& caller, Workspace& ws, std::string_view token_id,
                   const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(adminPrelude(caller, repo, "revoke tokens"));
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  AccountStore store(repo);
  PH_RETURN_IF_ERROR(
      store.revokeToken(std::string(token_id), changeContext(caller, recording, "token revoke")));
  return tx->commit();
}

Result<SessionTicket> login(Workspace& ws, std::string_view login, std::string_view password,
                            std::int64_t now_ms, const RoleNames& roles) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_RETURN_IF_ERROR(sodiumReady());
  const Date today = Date::fromEpochMs(now_ms);
  std::optional<Authenticated> who;
  std::string hash;
  {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(auto person_id, resolveLogin(repo, login, today));
    if (person_id) {
      auto caller = signedInCaller(repo, *person_id, now_ms, roles, kLoginRefused);
      if (caller.isOk()) {
        AccountStore store(repo);
        PH_ASSIGN_OR_RETURN(auto credential, store.loadCredential(*person_id));
        if (credential) hash = credential->password_hash;
        who = std::move(caller).value();
      } else if (caller.status().code() != StatusCode::kUnauthenticated) {
        return caller.status();
      }
    }
    PH_RETURN_IF_ERROR(tx->commit());
  }
  // Every refusal costs one argon2id verification, whether or not the account exists.
  const bool usable = who.has_value() && !hash.empty() && password.size() <= kMaxPasswordBytes;
  const bool matches = passwordMatches(usable ? hash : decoyHash(), password);
  if (!usable || !matches) return unauthenticated(std::string(kLoginRefused));
  return newSession(repo, std::move(*who), now_ms);
}

Result<SessionTicket> openSession(Workspace& ws, std::string_view person_id, std::int64_t now_ms,
                                  const RoleNames& roles) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_RETURN_IF_ERROR(sodiumReady());
  std::optional<Authenticated> who;
  {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(auto resolved, resolveLogin(repo, person_id, Date::fromEpochMs(now_ms)));
    if (!resolved) return unauthenticated(std::string(kLoginRefused));
    PH_ASSIGN_OR_RETURN(who, signedInCaller(repo, *resolved, now_ms, roles, kLoginRefused));
    PH_RETURN_IF_ERROR(tx->commit());
  }
  return newSession(repo, std::move(*who), now_ms);
}

Result<SessionTicket> resumeSession(Workspace& ws, std::string_view session_id, std::int64_t now_ms,
                                    const RoleNames& roles) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_RETURN_IF_ERROR(sodiumReady());
  const Status refused = unauthenticated(std::string(kCredentialRefused));
  if (session_id.empty() || session_id.size() > 256) return refused;
  const std::string hash = secretHash(session_id);
  SessionTicket ticket;
  bool touch = false;
  {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
    AccountStore store(repo);
    PH_ASSIGN_OR_RETURN(auto session, store.loadSession(hash));
    if (!session || !constantTimeEqual(session->session_hash, hash)) return refused;
    if (session->ended_ms) return refused;
    if (now_ms - session->last_seen_ms > kSessionIdleMs) return refused;
    if (now_ms - session->created_ms > kSessionLifetimeMs) return refused;
    PH_ASSIGN_OR_RETURN(
        ticket.who, signedInCaller(repo, session->person_id, now_ms, roles, kCredentialRefused));
    ticket.session_id = std::string(session_id);
    ticket.csrf_token = session->csrf_token;
    touch = now_ms - session->last_seen_ms >= kTouchIntervalMs;
    PH_RETURN_IF_ERROR(tx->commit());
  }
  if (touch) {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
    PH_RETURN_IF_ERROR(AccountStore(repo).touchSession(hash, now_ms));
    PH_RETURN_IF_ERROR(tx->commit());
  }
  return ticket;
}

Status endSession(Workspace& ws, std::string_view session_id) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_RETURN_IF_ERROR(sodiumReady());
  if (session_id.empty()) return Status::ok();
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  AccountStore store(repo);
  PH_ASSIGN_OR_RETURN(auto session, store.loadSession(secretHash(session_id)));
  if (session && !session->ended_ms) {
    // The end time: the session's own clock is all there is here (no now_ms in the contract);
    // any value marks it ended, and ended sessions are refused whatever the time.
    PH_RETURN_IF_ERROR(
        store.endSession(session->session_hash, std::max(session->last_seen_ms, std::int64_t{1})));
  }
  return tx->commit();
}

Result<Authenticated> authenticateToken(Workspace& ws, std::string_view secret, std::int64_t now_ms,
                                        const RoleNames& roles) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_RETURN_IF_ERROR(sodiumReady());
  const Status refused = unauthenticated(std::string(kCredentialRefused));
  if (secret.size() <= kTokenPrefix.size() || secret.size() > 256 ||
      secret.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return refused;
  }
  const std::string hash = secretHash(secret);
  Authenticated who;
  std::string token_id;
  bool touch = false;
  {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
    AccountStore store(repo);
    PH_ASSIGN_OR_RETURN(auto token, store.loadTokenBySecret(hash));
    if (!token || !constantTimeEqual(token->secret_hash, hash)) return refused;
    if (token->revoked_ms) return refused;
    if (token->expires_day && Date::fromEpochMs(now_ms).days() > *token->expires_day) {
      return refused;
    }
    auto scope = parseTokenScope(token->scope);
    if (!scope.isOk()) {
      return dataLoss("stored token " + token->token_id + " has scope '" + token->scope + "'");
    }
    PH_ASSIGN_OR_RETURN(who,
                        signedInCaller(repo, token->person_id, now_ms, roles, kCredentialRefused));
    who.token_scope = *scope;
    who.caller.actor = "token:" + token->name;
    switch (*scope) {
      case TokenScope::kWrite:
        break;
      case TokenScope::kRead:
        who.caller.scope.may_act = false;
        who.caller.scope.may_administer = false;
        break;
      case TokenScope::kSensor:
        // A sensor sees nothing and may do one thing: record what it saw on the network.
        who.caller.scope = Scope{};
        who.caller.scope.may_record_sightings = true;
        break;
    }
    token_id = token->token_id;
    touch = !token->last_used_ms || now_ms - *token->last_used_ms >= kTouchIntervalMs;
    PH_RETURN_IF_ERROR(tx->commit());
  }
  if (touch) {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
    PH_RETURN_IF_ERROR(AccountStore(repo).touchToken(token_id, now_ms));
    PH_RETURN_IF_ERROR(tx->commit());
  }
  return who;
}

}  // namespace phaseout::service
