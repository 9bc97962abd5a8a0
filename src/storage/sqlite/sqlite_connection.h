// SQLite engine for the storage layer: one database file (or a private in-memory database),
// WAL journal, a busy timeout so that concurrent phaseout processes queue for the write lock
// instead of failing. Reached through storage::open() (storage/open.h) for `sqlite:` URLs and
// bare paths; nothing outside storage includes this header.
#pragma once

#include <memory>
#include <string>

#include "storage/connection.h"

namespace phaseout::storage {

struct SqliteOptions {
  int busy_timeout_ms = 30'000;
  bool create = true;  // create the file when missing
};

// `path` is a file path, or ":memory:" for a database private to this connection.
// Unavailable when the file cannot be opened; DataLoss when it is not an SQLite database.
Result<std::unique_ptr<Connection>> openSqlite(const std::string& path,
                                               const SqliteOptions& options = {});

}  // namespace phaseout::storage
