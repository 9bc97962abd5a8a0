#include "service/migrate.h"

#include <nlohmann/json.hpp>

#include "service/workspace_access.h"
#include "storage/database_copy.h"
#include "storage/open.h"
#include "storage/repository.h"

namespace phaseout::service {
namespace {

std::string_view engineName(storage::Engine engine) {
  return engine == storage::Engine::kPostgres ? "postgresql" : "sqlite";
}

Result<std::unique_ptr<storage::Connection>> openNamed(const storage::DatabaseUrl& url,
                                                       std::string_view field, bool create) {
  storage::OpenOptions options;
  options.create = create;
  auto conn = storage::open(url, options);
  if (!conn.isOk()) {
    return Status(conn.status().code(), conn.status().message()).withField(std::string(field));
  }
  return conn;
}

}  // namespace

Result<MigrateResult> migrateDatabase(const Caller& caller, const MigrateRequest& request,
                                      const Recording& recording) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("copy a whole database"));
  auto from = storage::parseDatabaseUrl(request.from);
  if (!from.isOk()) return Status(from.status()).withField("from");
  auto to = storage::parseDatabaseUrl(request.to);
  if (!to.isOk()) return Status(to.status()).withField("to");
  if (!from->shareable() || !to->shareable()) {
    return invalidField(from->shareable() ? "to" : "from",
                        "an in-memory database cannot be copied from or to");
  }
  if (from->engine == to->engine && from->location == to->location) {
    return invalidField("to", "the target is the source database; name a new, empty database");
  }
  // The source must exist (a missing SQLite file is not an empty database to copy).
  PH_ASSIGN_OR_RETURN(auto source, openNamed(*from, "from", /*create=*/false));
  PH_ASSIGN_OR_RETURN(auto target, openNamed(*to, "to", /*create=*/true));
  const storage::ChangeContext change = changeContext(
      caller, recording, "phaseout migrate from " + std::string(engineName(from->engine)),
      recording.today());
  PH_ASSIGN_OR_RETURN(auto copied,
                      storage::copyDatabase(*source, *target, change, engineName(from->engine)));
  MigrateResult result;
  for (const storage::TableCopy& t : copied.tables) result.tables.push_back({t.table, t.rows});
  result.rows = copied.rows;
  result.events = copied.events;
  return result;
}

std::string migrateResultText(const MigrateResult& result) {
  std::string out = "copied " + std::to_string(result.rows) + " rows (" +
                    std::to_string(result.events) + " audit entries) in " +
                    std::to_string(result.tables.size()) + " tables\n";
  for (const MigratedTable& t : result.tables) {
    out += "  " + t.table + ": " + std::to_string(t.rows) + "\n";
  }
  return out;
}

std::string migrateResultJson(const MigrateResult& result) {
  nlohmann::ordered_json j;
  j["rows"] = result.rows;
  j["events"] = result.events;
  nlohmann::ordered_json tables = nlohmann::ordered_json::object();
  for (const MigratedTable& t : result.tables) tables[t.table] = t.rows;
  j["tables"] = std::move(tables);
  return j.dump() + "\n";
}

}  // namespace phaseout::service
