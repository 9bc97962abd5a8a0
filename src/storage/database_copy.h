// Copying a whole phaseout database from one engine to another (SQLite -> PostgreSQL, or back):
// every table the numbered migrations create, row for row, the audit chain included, so that
// the copy verifies (Repository::verifyAudit) exactly as the original.
//
// The tables and their columns are read from the migrations' own DDL (schemaTables()), so a
// table added by a later migration is copied without a change here. The copy is bound to one
// more audit event on the target ("database.copy", by `change.actor`) after the copied chain.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/connection.h"
#include "storage/repository.h"

namespace phaseout::storage {

enum class ColumnKind { kText, kInteger, kBytes };

struct SchemaTable {
  std::string name;
  std::vector<std::string> columns;
  std::vector<ColumnKind> kinds;  // one per column
};

// The tables the migrations leave (CREATE TABLE, ALTER TABLE ... ADD COLUMN, DROP TABLE, in
// migration order), without schema_version, in creation order.
std::vector<SchemaTable> schemaTables();

struct TableCopy {
  std::string table;
  std::int64_t rows = 0;
};

struct CopyOutcome {
  std::vector<TableCopy> tables;  // in copy order
  std::int64_t rows = 0;
  std::int64_t events = 0;  // audit entries copied (the target then holds one more)
};

// Copies `from` (whose schema must be current: FailedPrecondition otherwise) into `to`, which
// is migrated first and must hold no rows (FailedPrecondition naming the first table that has
// some). One read transaction on `from`, one write transaction on `to` after the migration:
// the rows are copied all or none. Bulk paths on the target (PostgreSQL: COPY).
Result<CopyOutcome> copyDatabase(Connection& from, Connection& to, const ChangeContext& change,
                                 std::string_view from_engine);

}  // namespace phaseout::storage
