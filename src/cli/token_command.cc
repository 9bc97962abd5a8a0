// phaseout token create|list|revoke
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "service/accounts.h"

namespace phaseout::cli {
namespace {

struct TokenFlags {
  std::string person;
  std::string name;
  std::string scope = "read";
  std::string expires;
  std::string token_id;
  std::string format = "text";
};

template <typename Fn>
int withWorkspace(const CommandContext& ctx, Fn fn) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Status s = fn(service::Caller::localOperator(ctx.actor), **ws);
  return s.isOk() ? kExitOk : reportError(s);
}

std::string timestampOrEmpty(const std::optional<std::int64_t>& ms) {
  return ms ? formatUtcTimestamp(*ms) : std::string();
}

nlohmann::ordered_json tokenJson(const service::TokenInfo& t) {
  auto optional = [](const std::optional<std::int64_t>& ms) {
    return ms ? nlohmann::ordered_json(formatUtcTimestamp(*ms)) : nlohmann::ordered_json();
  };
  return {{"token_id", t.token_id},
          {"person_id", t.person_id},
          {"name", t.name},
          {"scope", service::name(t.scope)},
          {"expires",
           t.expires ? nlohmann::ordered_json(t.expires->toString()) : nlohmann::ordered_json()},
          {"created", formatUtcTimestamp(t.created_ms)},
          {"revoked", optional(t.revoked_ms)},
          {"last_used", optional(t.last_used_ms)}};
}

int runCreate(const CommandContext& ctx, const TokenFlags& f) {
  auto scope = service::parseTokenScope(f.scope);
  if (!scope.isOk()) return reportError(scope.status());
  auto expires = parseDateFlag("--expires", f.expires);
  if (!expires.isOk()) return reportError(expires.status());
  return withWorkspace(ctx, [&](const auto& caller, auto& ws) -> Status {
    service::TokenRequest req{f.person, f.name, *scope, *expires};
    PH_ASSIGN_OR_RETURN(auto created,
                        service::createToken(caller, ws, req, service::Recording{{}, nowMs()}));
    // The secret alone on standard output (for a script to capture); the rest on stderr.
    std::printf("%s\n", created.secret.c_str());
    std::fprintf(
        stderr, "token %s (%s) created for %s, %s; copy it now: it is not shown again\n",
        created.info.token_id.c_str(), std::string(service::name(created.info.scope)).c_str(),
        created.info.person_id.c_str(),
        created.info.expires ? ("valid through " + created.info.expires->toString()).c_str()
                             : "valid until revoked");
    return Status::ok();
  });
}

int runList(const CommandContext& ctx, const TokenFlags& f) {
  return withWorkspace(ctx, [&](const auto& caller, auto& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto tokens, service::listTokens(caller, ws, f.person));
    if (f.format == "json") {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& t : tokens) list.push_back(tokenJson(t));
      std::printf("%s\n", nlohmann::ordered_json{{"tokens", list}}.dump().c_str());
      return Status::ok();
    }
    if (tokens.empty()) {
      std::printf("no tokens\n");
      return Status::ok();
    }
    std::printf("%-8s %-10s %-20s %-6s %-10s %-20s %s\n", "TOKEN", "PERSON", "NAME", "SCOPE",
                "EXPIRES", "LAST USED", "STATE");
    for (const auto& t : tokens) {
      std::printf("%-8s %-10s %-20s %-6s %-10s %-20s %s\n", t.token_id.c_str(), t.person_id.c_str(),
                  t.name.c_str(), std::string(service::name(t.scope)).c_str(),
                  t.expires ? t.expires->toString().c_str() : "-",
                  t.last_used_ms ? timestampOrEmpty(t.last_used_ms).c_str() : "-",
                  t.revoked_ms ? ("revoked " + timestampOrEmpty(t.revoked_ms)).c_str() : "active");
    }
    return Status::ok();
  });
}

int runRevoke(const CommandContext& ctx, const TokenFlags& f) {
  return withWorkspace(ctx, [&](const auto& caller, auto& ws) -> Status {
    PH_RETURN_IF_ERROR(
        service::revokeToken(caller, ws, f.token_id, service::Recording{{}, nowMs()}));
    std::printf("token %s revoked\n", f.token_id.c_str());
    return Status::ok();
  });
}

}  // namespace

void registerTokenCommands(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<TokenFlags>();
  auto* token = app.add_subcommand("token", "Create, list and revoke bearer tokens of the API");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Create a token for PERSON; prints it once");
  create->add_option("PERSON", f->person, "A person id of the directory")->required();
  create->add_option("--name", f->name, "A name, unique among PERSON's tokens")->required();
  create
      ->add_option("--scope", f->scope,
                   "read: read-only; write: what PERSON may do; sensor: post sightings only")
      ->check(CLI::IsMember({"read", "write", "sensor"}));
  create->add_option("--expires", f->expires, "Last valid day, YYYY-MM-DD (default: never)");
  create->footer("Only a SHA-256 hash of the token is stored.");
  create->callback([&ctx, f] { ctx.exit_code = runCreate(ctx, *f); });
  auto* list = token->add_subcommand("list", "List tokens (of PERSON, or everyone's)");
  list->add_option("PERSON", f->person, "A person id of the directory");
  list->add_option("--format", f->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  list->callback([&ctx, f] { ctx.exit_code = runList(ctx, *f); });
  auto* revoke = token->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("TOKEN_ID", f->token_id, "The token's id, e.g. tok-3")->required();
  revoke->callback([&ctx, f] { ctx.exit_code = runRevoke(ctx, *f); });
}

}  // namespace phaseout::cli
