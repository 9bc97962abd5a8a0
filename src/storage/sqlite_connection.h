// SQLite engine for the storage layer: one database file, WAL journal, a busy timeout so that
// concurrent phaseout processes queue for the write lock instead of failing.
#pragma once

#include <memory>
#include <string>

#include "storage/connection.h"

namespace phaseout::storage {

struct SqliteOptions {
  int busy_timeout_ms = 30'000;
  bool create = true;  // create the file when missing
};

Result<std::unique_ptr<Connection>> openSqlite(const std::string& path,
                                               const SqliteOptions& options = {});

}  // namespace phaseout::storage
