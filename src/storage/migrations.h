// Numbered schema migrations. The `schema_version` table holds the highest applied number;
// migrate() applies the rest in order, each in its own transaction, and refuses a database
// written by a newer phaseout (FailedPrecondition) rather than guess at its schema.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/connection.h"

namespace phaseout::storage {

struct Migration {
  int version;
  std::string_view description;
  // Portable SQL (BIGINT, TEXT, epoch ms). Engine-specific spots are marked
  // "{without_rowid}" (SQLite's clustered tables) and "{blob}" (BLOB / BYTEA), which
  // dialectSql() fills in.
  std::string_view sql;
};

std::string dialectSql(Dialect dialect, std::string_view sql);

const std::vector<Migration>& migrations();
Status migrate(Connection& connection);
Result<int> schemaVersion(Connection& connection);

}  // namespace phaseout::storage
