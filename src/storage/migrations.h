// Numbered schema migrations. The `schema_version` table holds the highest applied number;
// migrate() applies the rest in order, each in its own transaction, and refuses a database
// written by a newer phaseout (FailedPrecondition) rather than guess at its schema.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/connection.h"

namespace phaseout::storage {

// A dialect's own text for a migration whose portable SQL cannot serve it.
struct MigrationVariant {
  Dialect dialect;
  std::string_view sql;  // run instead of Migration::sql, after dialectSql() like it
};

struct Migration {
  int version;
  std::string_view description;
  // Portable SQL (BIGINT, TEXT, epoch ms). Engine-specific spots are marked
  // "{without_rowid}" (SQLite's clustered tables) and "{blob}" (BLOB / BYTEA), which
  // dialectSql() fills in.
  std::string_view sql;
  // Rarely needed: whole replacements for a dialect where markers are not enough.
  std::vector<MigrationVariant> variants = {};

  // The text `dialect` runs: its variant if there is one, else the portable SQL.
  std::string_view sqlFor(Dialect dialect) const;
};

// Fills in the markers for `dialect`. On PostgreSQL every TEXT column is also declared
// COLLATE "C": text compares and sorts by bytes, as on SQLite, so ids come out in the same
// order on both engines (and the id-range splits of a load agree with ORDER BY).
std::string dialectSql(Dialect dialect, std::string_view sql);

const std::vector<Migration>& migrations();
Status migrate(Connection& connection);
Result<int> schemaVersion(Connection& connection);

}  // namespace phaseout::storage
