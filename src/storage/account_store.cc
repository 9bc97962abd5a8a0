#include "storage/account_store.h"

#include <nlohmann/json.hpp>

#include "storage/catalog.h"
#include "storage/rows.h"

namespace phaseout::storage {
namespace {

// The event of one account or token change. The detail names what changed; the rows are
// current state (no digest), so the payload records an empty row set.
Status appendAccountEvent(Repository& repo, std::string kind, std::string subject,
                          const nlohmann::ordered_json& detail, const ChangeContext& change) {
  return repo.appendEvent(changeEvent(change, std::move(kind), std::move(subject), detail))
      .status();
}

Credential readCredential(Statement& s) {
  auto at = [](std::string_view c) consteval { return columnIndex(kCredentialColumns, c); };
  Credential c;
  c.person_id = s.text(at("person_id"));
  c.password_hash = s.text(at("password_hash"));
  c.locked = s.integer(at("locked")) != 0;
  c.updated_ms = s.integer(at("updated_ms"));
  return c;
}

SessionRecord readSession(Statement& s) {
  auto at = [](std::string_view c) consteval { return columnIndex(kSessionColumns, c); };
  SessionRecord r;
  r.session_hash = s.text(at("session_hash"));
  r.person_id = s.text(at("person_id"));
  r.csrf_token = s.text(at("csrf_token"));
  r.created_ms = s.integer(at("created_ms"));
  r.last_seen_ms = s.integer(at("last_seen_ms"));
  r.ended_ms = optionalInteger(s, at("ended_ms"));
  return r;
}

TokenRecord readToken(Statement& s) {
  auto at = [](std::string_view c) consteval { return columnIndex(kTokenColumns, c); };
  TokenRecord t;
  t.token_id = s.text(at("token_id"));
  t.person_id = s.text(at("person_id"));
  t.name = s.text(at("name"));
  t.secret_hash = s.text(at("secret_hash"));
  t.scope = s.text(at("scope"));
  if (!s.isNull(at("expires_day"))) {
    t.expires_day = static_cast<std::int32_t>(s.integer(at("expires_day")));
  }
  t.created_ms = s.integer(at("created_ms"));
  t.revoked_ms = optionalInteger(s, at("revoked_ms"));
  t.last_used_ms = optionalInteger(s, at("last_used_ms"));
  return t;
}

// Runs a statement that selects at most one row, read by `read`.
template <class Read>
auto oneRow(Statement& s, Read read) -> Result<std::optional<decltype(read(s))>> {
  using Row = decltype(read(s));
  PH_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return std::optional<Row>();
  return std::optional<Row>(read(s));
}

// Runs a statement, reading every row it selects with `read`.
template <class Read>
auto allRows(Statement& s, Read read) -> Result<std::vector<decltype(read(s))>> {
  std::vector<decltype(read(s))> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    out.push_back(read(s));
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> AccountStore::personIdsByEmail(const std::string& email) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kPersonIdsByEmail));
  s->bind("email", email);
  return allRows(*s, [](Statement& row) { return std::string(row.text(0)); });
}

Result<std::optional<Credential>> AccountStore::loadCredential(const std::string& person_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kCredentialOf));
  s->bind("person_id", person_id);
  return oneRow(*s, readCredential);
}

Status AccountStore::setPasswordHash(const std::string& person_id, const std::string& password_hash,
                                     const ChangeContext& change) {
  if (password_hash.empty()) return invalidArgument("an empty password hash is not stored");
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kSetPasswordHash));
  s->bind("person_id", person_id);
  s->bind("password_hash", password_hash);
  s->bind("updated_ms", change.recorded_ms);
  PH_RETURN_IF_ERROR(s->execute());
  return appendAccountEvent(repo_, "account.password", person_id,
                            nlohmann::ordered_json{{"person", person_id}}, change);
}

Result<bool> AccountStore::setLocked(const std::string& person_id, bool locked,
                                     const ChangeContext& change) {
  PH_ASSIGN_OR_RETURN(auto current, loadCredential(person_id));
  const bool was_locked = current.has_value() && current->locked;
  if (was_locked == locked) return false;
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kSetLocked));
  s->bind("person_id", person_id);
  s->bind("locked", std::int64_t{locked ? 1 : 0});
  s->bind("updated_ms", change.recorded_ms);
  PH_RETURN_IF_ERROR(s->execute());
  PH_RETURN_IF_ERROR(appendAccountEvent(repo_, locked ? "account.lock" : "account.unlock",
                                        person_id, nlohmann::ordered_json{{"person", person_id}},
                                        change));
  return true;
}

Status AccountStore::insertSession(const SessionRecord& session) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kInsertSession));
  s->bind("session_hash", session.session_hash);
  s->bind("person_id", session.person_id);
  s->bind("csrf_token", session.csrf_token);
  s->bind("created_ms", session.created_ms);
  s->bind("last_seen_ms", session.last_seen_ms);
  bindOptional(*s, "ended_ms", session.ended_ms);
  return s->execute();
}

Result<std::optional<SessionRecord>> AccountStore::loadSession(const std::string& session_hash) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kSessionOf));
  s->bind("session_hash", session_hash);
  return oneRow(*s, readSession);
}

Status AccountStore::touchSession(const std::string& session_hash, std::int64_t now_ms) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kTouchSession));
  s->bind("session_hash", session_hash);
  s->bind("last_seen_ms", now_ms);
  return s->execute();
}

Status AccountStore::endSession(const std::string& session_hash, std::int64_t now_ms) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kEndSession));
  s->bind("session_hash", session_hash);
  s->bind("ended_ms", now_ms);
  return s->execute();
}

Status AccountStore::endSessionsOf(const std::string& person_id, std::int64_t now_ms) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kEndSessionsOf));
  s->bind("person_id", person_id);
  s->bind("ended_ms", now_ms);
  return s->execute();
}

Status AccountStore::deleteSessionsBefore(std::int64_t before_ms) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kDeleteSessionsBefore));
  s->bind("before", before_ms);
  return s->execute();
}

Result<TokenRecord> AccountStore::insertToken(TokenRecord token, const ChangeContext& change) {
  Connection& conn = repo_.connection();
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kTokenByName));
    s->bind("person_id", token.person_id);
    s->bind("name", token.name);
    PH_ASSIGN_OR_RETURN(auto existing, oneRow(*s, readToken));
    if (existing) {
      return alreadyExists("person " + token.person_id + " already has a token named '" +
                           token.name + "' (" + existing->token_id + ")")
          .withField("name");
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kCountTokens));
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    token.token_id = "tok-" + std::to_string((row ? s->integer(0) : 0) + 1);
  }
  token.created_ms = change.recorded_ms;
  token.revoked_ms.reset();
  token.last_used_ms.reset();
  PH_ASSIGN_OR_RETURN(auto ins, prepare(conn, Query::kInsertToken));
  ins->bind("token_id", token.token_id);
  ins->bind("person_id", token.person_id);
  ins->bind("name", token.name);
  ins->bind("secret_hash", token.secret_hash);
  ins->bind("scope", token.scope);
  bindOptional(*ins, "expires_day",
               token.expires_day ? std::optional<std::int64_t>(*token.expires_day) : std::nullopt);
  ins->bind("created_ms", token.created_ms);
  ins->bindNull("revoked_ms");
  ins->bindNull("last_used_ms");
  PH_RETURN_IF_ERROR(ins->execute());
  nlohmann::ordered_json detail{
      {"person", token.person_id},
      {"name", token.name},
      {"scope", token.scope},
      {"expires", token.expires_day
                      ? nlohmann::ordered_json(Date::fromDays(*token.expires_day).toString())
                      : nlohmann::ordered_json()}};
  PH_RETURN_IF_ERROR(appendAccountEvent(repo_, "token.create", token.token_id, detail, change));
  return token;
}

Result<std::optional<TokenRecord>> AccountStore::loadToken(const std::string& token_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kTokenOf));
  s->bind("token_id", token_id);
  return oneRow(*s, readToken);
}

Result<std::optional<TokenRecord>> AccountStore::loadTokenBySecret(const std::string& secret_hash) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kTokenBySecret));
  s->bind("secret_hash", secret_hash);
  return oneRow(*s, readToken);
}

Result<std::vector<TokenRecord>> AccountStore::loadTokens(const std::string& person_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kTokens));
  s->bind("person_id", person_id);
  return allRows(*s, readToken);
}

Status AccountStore::revokeToken(const std::string& token_id, const ChangeContext& change) {
  PH_ASSIGN_OR_RETURN(auto token, loadToken(token_id));
  if (!token) return notFound("token " + token_id + " not found").withField("token");
  if (token->revoked_ms) {
    return failedPrecondition("token " + token_id + " was already revoked at " +
                              formatUtcTimestamp(*token->revoked_ms))
        .withField("token");
  }
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kRevokeToken));
  s->bind("token_id", token_id);
  s->bind("revoked_ms", change.recorded_ms);
  PH_RETURN_IF_ERROR(s->execute());
  return appendAccountEvent(
      repo_, "token.revoke", token_id,
      nlohmann::ordered_json{{"person", token->person_id}, {"name", token->name}}, change);
}

Status AccountStore::touchToken(const std::string& token_id, std::int64_t now_ms) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kTouchToken));
  s->bind("token_id", token_id);
  s->bind("last_used_ms", now_ms);
  return s->execute();
}

}  // namespace phaseout::storage
